"""`min_cell` always comes from the settings (VV_MIN_CELL, issue 10): no reporting service
takes it with a default of its own, so every caller passes `configured_min_cell()`."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPORTING = Path(__file__).resolve().parents[2] / "app" / "reporting"


def _defaulted_min_cell(tree: ast.AST) -> list[str]:
    found: list[str] = []
    for node in ast.walk(tree):
        if not isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            continue
        arguments = node.args
        positional = [*arguments.posonlyargs, *arguments.args]
        with_default = positional[len(positional) - len(arguments.defaults) :]
        pairs = zip(arguments.kwonlyargs, arguments.kw_defaults, strict=True)
        keyword = [arg for arg, default in pairs if default]
        if any(arg.arg == "min_cell" for arg in [*with_default, *keyword]):
            found.append(node.name)
    return found


@pytest.mark.parametrize("path", sorted(REPORTING.glob("*.py")), ids=lambda path: path.name)
def test_no_reporting_service_defaults_min_cell(path: Path) -> None:
    assert _defaulted_min_cell(ast.parse(path.read_text(encoding="utf-8"))) == []
