"""Hostile bank drafts: YAML aliases, merge keys, deep nesting, values Python cannot build, and
documents too big to be a bank. Refused with a clear message and a location, fast, in the
staff editor, through the API and by `banks check` / `banks load`; nothing is stored."""

from __future__ import annotations

import time
import tracemalloc
from pathlib import Path
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select
from typer.testing import CliRunner

from app.banks.models import BankVersion
from app.banks.schema import normalize, parse_document
from app.banks.yaml_files import document_as_yaml
from app.cli import app as cli
from app.enums import Role
from tests.auth_helpers import api_headers, create_staff_user, signed_in_client, staff_csrf_token
from tests.banks.conftest import APPROVED_URDU, fixture_document

runner = CliRunner()

# 2 KB that expands cubically: each level is a list of six references to the level below.
ALIAS_BOMB = "".join(
    f"l{level}: &l{level} [{', '.join([f'*l{level - 1}'] * 6) if level else 'x, x, x, x, x, x'}]\n"
    for level in range(9)
)


def valid_yaml() -> str:
    return document_as_yaml(normalize(parse_document(fixture_document())))


def with_options_aliased(text: str) -> str:
    """The valid bank with one option list shared by an anchor and an alias, as YAML allows."""
    lines = text.splitlines()
    first = next(i for i, line in enumerate(lines) if line.strip() == "options:")
    lines[first] += " &shared"
    indent = lines[first].index("options:")
    second = next(i for i, line in enumerate(lines) if i > first and line.strip() == "options:")
    end = second + 1
    while end < len(lines) and (
        len(lines[end]) - len(lines[end].lstrip()) > indent or lines[end].lstrip().startswith("- ")
    ):
        end += 1
    lines[second:end] = [lines[second] + " *shared"]
    return "\n".join(lines) + "\n"


def stored_versions(db: Session) -> int:
    db.expire_all()
    count = len(db.exec(select(BankVersion)).all())
    db.rollback()
    return count


@pytest.fixture
def editor(client: TestClient, db: Session) -> TestClient:
    return signed_in_client(client, db, [Role.editor], banks=["general"])


def bound_editor_headers(db: Session) -> dict[str, str]:
    """An editor key bound to a person: only such a key may change a bank's content."""
    user = create_staff_user(db, Role.editor, banks=["general"])
    return api_headers(db, Role.editor, banks=["general"], user=user)


def post_draft(editor: TestClient, text: str) -> Any:
    return editor.post(
        "/staff/banks/general/drafts",
        data={"document": text, "change_note": "", "csrf_token": staff_csrf_token(editor)},
    )


HOSTILE_YAML = [
    pytest.param(
        "slug: general\ntitle: T\n" + ALIAS_BOMB,
        "line 3: anchors (&amp;name) are not allowed in a bank",
        id="alias bomb",
    ),
    pytest.param(
        "slug: general\ntitle: T\nsections:\n- *nowhere\n",
        "line 4: aliases (*name) are not allowed in a bank",
        id="alias",
    ),
    pytest.param(
        "slug: general\ntitle: T\nsections:\n- <<: {id: s1}\n  title: S\n",
        "line 4: merge keys (&lt;&lt;) are not allowed in a bank",
        id="merge key",
    ),
    pytest.param(
        "slug: general\ntitle: T\nsections: " + "[" * 20_000 + "]" * 20_000 + "\n",
        "line 3: a bank may be nested at most 32 levels deep",
        id="deep nesting",
    ),
    pytest.param(
        "slug: general\ntitle: T\nsections:\n" + "- x\n" * 60_000,
        "a bank may hold at most 50000 values",
        id="too many values",
    ),
    pytest.param(
        "slug: general\ntitle: T\nintroduction: '" + "x" * (512 * 1024 + 1) + "'\n",
        "a bank may be at most 512 KB",
        id="too many bytes",
    ),
    pytest.param(
        "slug: general\ntitle: T\nversion_date: 2026-13-45\n",
        "line 3: this value cannot be read (an impossible date, or a number too long)",
        id="impossible date",
    ),
    pytest.param(
        "slug: general\ntitle: T\ncount: " + "9" * 5000 + "\n",
        "line 3: this value cannot be read (an impossible date, or a number too long)",
        id="huge number",
    ),
    pytest.param(
        'slug: general\ntitle: "Gen\\0eral"\n',
        "line 2: this text holds a null character or an unpaired surrogate",
        id="NUL escape",
    ),
    pytest.param(
        'slug: general\ntitle: "Gen\\ud800eral"\n',
        "line 2: this text holds a null character or an unpaired surrogate",
        id="surrogate escape",
    ),
    pytest.param(
        "slug: general\ntitle: !!binary aGVsbG8=\n",
        "line 2: the tag &#39;tag:yaml.org,2002:binary&#39; is not allowed in a bank",
        id="binary",
    ),
]


@pytest.mark.parametrize(("text", "message"), HOSTILE_YAML)
def test_the_staff_editor_refuses_hostile_yaml_with_its_line(
    editor: TestClient, db: Session, text: str, message: str
) -> None:
    started = time.perf_counter()
    response = post_draft(editor, text)
    elapsed = time.perf_counter() - started

    assert response.status_code == 422, response.text[:300]
    assert "govuk-error-summary" in response.text
    assert message in response.text
    assert stored_versions(db) == 0
    assert elapsed < 10


def test_an_alias_bomb_is_refused_before_it_expands(editor: TestClient, db: Session) -> None:
    text = ALIAS_BOMB + "slug: general\ntitle: T\nintroduction: [*l8, *l8, *l8]\n"
    assert len(text) < 2048
    tracemalloc.start()
    response = post_draft(editor, text)
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert response.status_code == 422
    assert "line 1: anchors (&amp;name) are not allowed in a bank" in response.text
    assert peak < 20 * 1024 * 1024  # 6**9 = 10 million references, had they been built


def test_a_valid_bank_that_shares_an_option_list_by_alias_is_refused_with_its_line(
    editor: TestClient, db: Session
) -> None:
    text = with_options_aliased(valid_yaml())
    assert "&shared" in text and "*shared" in text
    response = post_draft(editor, text)
    assert response.status_code == 422
    line = text.splitlines().index(next(x for x in text.splitlines() if "&shared" in x)) + 1
    assert f"line {line}: anchors (&amp;name) are not allowed in a bank" in response.text
    assert stored_versions(db) == 0
    # Written out in full, the same bank is saved.
    assert post_draft(editor, valid_yaml()).status_code == 200
    assert stored_versions(db) == 1


@pytest.mark.parametrize(("text", "message"), HOSTILE_YAML)
def test_banks_check_and_load_refuse_hostile_yaml(
    tmp_path: Path, db: Session, text: str, message: str
) -> None:
    import html

    bank = tmp_path / "general.yaml"
    bank.write_text(text, encoding="utf-8")
    for command in ("check", "load"):
        result = runner.invoke(cli, ["banks", command, str(bank)])
        assert result.exit_code == 1, result.output
        assert f"{bank}:(bank): not accepted: " in result.stdout
        assert html.unescape(message) in result.stdout
    assert stored_versions(db) == 0


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"slug: general\ntitle: Gen\x00eral\n", "not valid YAML: "),
        (b"\xff\xfeslug: general\n", "not accepted: the file is not UTF-8 text"),
    ],
    ids=["NUL", "not UTF-8"],
)
def test_banks_check_refuses_a_file_with_a_nul_or_not_in_utf8(
    tmp_path: Path, content: bytes, message: str
) -> None:
    bank = tmp_path / "general.yaml"
    bank.write_bytes(content)
    result = runner.invoke(cli, ["banks", "check", str(bank)])
    assert result.exit_code == 1
    assert f"{bank}:(bank): {message}" in result.stdout
    assert result.exception is None or isinstance(result.exception, SystemExit)


def test_the_support_services_file_is_read_as_strictly(tmp_path: Path) -> None:
    support = tmp_path / "support_services.yaml"
    support.write_text("services:\n- &a {key: a, name: A}\n- *a\n", encoding="utf-8")
    result = runner.invoke(cli, ["banks", "check", str(support)])
    assert result.exit_code == 1
    assert "anchors (&name) are not allowed in a bank" in result.stdout


# --- JSON drafts through the API ----------------------------------------------------------------


def nested(depth: int) -> Any:
    value: Any = "x"
    for _ in range(depth):
        value = [value]
    return value


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (
            lambda d: d.update(introduction=nested(40)),
            "a bank may be nested at most 32 levels deep",
        ),
        (lambda d: d.update(extra=["x"] * 60_000), "a bank may hold at most 50000 values"),
        (lambda d: d.update(introduction="x" * (512 * 1024 + 1)), "a bank may be at most 512 KB"),
        (
            lambda d: d["sections"][0]["questions"].extend(
                dict(d["sections"][0]["questions"][0], id=f"q{i}") for i in range(300)
            ),
            "a bank may hold at most 300 questions",
        ),
    ],
    ids=["deep", "many values", "many bytes", "many questions"],
)
def test_a_json_draft_too_big_to_be_a_bank_is_422(
    client: TestClient, db: Session, change: Any, message: str
) -> None:
    headers = bound_editor_headers(db)
    document = fixture_document()
    change(document)
    for method, url in (
        ("POST", "/api/v1/banks/general/drafts"),
        ("PUT", "/api/v1/banks/general/drafts/1"),
    ):
        response = client.request(
            method, url, json={"document": document, "change_note": ""}, headers=headers
        )
        if method == "PUT":
            assert response.status_code in (404, 422)
            continue
        assert response.status_code == 422, response.text[:300]
        assert response.json()["errors"] == [{"loc": ["document", "(bank)"], "msg": message}]
    assert stored_versions(db) == 0


def test_a_json_draft_update_too_big_is_422_and_the_draft_is_unchanged(
    client: TestClient, db: Session
) -> None:
    headers = bound_editor_headers(db)
    created = client.post(
        "/api/v1/banks/general/drafts",
        json={"document": fixture_document(), "change_note": "first"},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    version = created.json()["version"]
    document = fixture_document()
    document["introduction"] = nested(100)
    response = client.put(
        f"/api/v1/banks/general/drafts/{version}",
        json={"document": document, "change_note": "deep"},
        headers=headers,
    )
    assert response.status_code == 422
    assert response.json()["errors"][0]["msg"] == "a bank may be nested at most 32 levels deep"
    stored = client.get(f"/api/v1/banks/general/versions/{version}", headers=headers).json()
    assert stored["document"]["introduction"] == fixture_document()["introduction"]


@pytest.mark.parametrize("depth", [5_000, 100_000])
def test_json_nested_past_the_parsers_limit_is_a_clear_error(
    client: TestClient, db: Session, depth: int
) -> None:
    headers = bound_editor_headers(db)
    body = '{"document": {"slug": "general", "x": ' + "[" * depth + "]" * depth + "}}"
    response = client.post(
        "/api/v1/banks/general/drafts",
        content=body,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code in (400, 422)
    assert response.headers["content-type"] == "application/problem+json"
    assert stored_versions(db) == 0


def test_the_fixture_bank_is_accepted_by_the_strict_reader() -> None:
    result = runner.invoke(cli, ["banks", "check", str(APPROVED_URDU)])
    assert result.exit_code == 0, result.output
