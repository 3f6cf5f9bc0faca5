"""The README a new user starts from: its links stay inside the repository, it names the Node
version the build needs, and it lists every demo user with their role."""

from __future__ import annotations

import json
import re
from pathlib import Path

from app.demo import DEMO_PASSWORD, DEMO_USERS

ROOT = Path(__file__).resolve().parents[2]
README = (ROOT / "README.md").read_text(encoding="utf-8")


def _anchors(text: str) -> set[str]:
    return {
        re.sub(r"[^a-z0-9 -]", "", title.strip().lower()).replace(" ", "-")
        for title in re.findall(r"^#+ (.+)$", text, flags=re.MULTILINE)
    }


def test_every_link_is_a_file_or_heading_of_the_repository() -> None:
    links = re.findall(r"\]\(([^)]+)\)", README)
    assert links
    for link in links:
        assert "://" not in link and not link.startswith(("/", "..")), link
        path, _, anchor = link.partition("#")
        if path:
            assert (ROOT / path).exists(), link
        elif anchor:
            assert anchor in _anchors(README), link


def test_the_node_version_is_the_one_package_json_requires() -> None:
    engines = json.loads((ROOT / "package.json").read_text())["engines"]["node"]
    major = re.search(r"\d+", engines)
    assert major is not None
    assert f"Node.js {major.group(0)} or later" in README
    assert "Node.js 20" not in README


def test_every_demo_user_and_role_is_listed() -> None:
    for email, roles, _banks in DEMO_USERS:
        row = next(line for line in README.splitlines() if line.startswith(f"| `{email}`"))
        for role in roles:
            assert role.replace("_", " ") in row, (email, role)
    assert DEMO_PASSWORD in README
    assert "English only" in README
