"""The reporting package's shape (issue 10): small modules and functions, the dashboard split
into filters, charts and page assembly, and shared pieces in homes of their own, so that no
module reaches for another's private names."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

REPORTING = Path(__file__).resolve().parents[2] / "app" / "reporting"
MODULES = sorted(REPORTING.glob("*.py"))
MAX_MODULE_LINES = 400
MAX_FUNCTION_LINES = 60


def _tree(path: Path) -> ast.Module:
    return ast.parse(path.read_text(encoding="utf-8"))


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_modules_and_functions_are_small(path: Path) -> None:
    assert len(path.read_text(encoding="utf-8").splitlines()) <= MAX_MODULE_LINES
    long = [
        node.name
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef)
        and (node.end_lineno or node.lineno) - node.lineno + 1 > MAX_FUNCTION_LINES
    ]
    assert long == []


@pytest.mark.parametrize("path", MODULES, ids=lambda path: path.name)
def test_no_module_imports_private_names_of_another(path: Path) -> None:
    private = [
        f"{node.module}.{alias.name}"
        for node in ast.walk(_tree(path))
        if isinstance(node, ast.ImportFrom) and (node.module or "").startswith("app.")
        for alias in node.names
        if alias.name.startswith("_")
    ]
    assert private == []


def test_the_report_builds_on_shared_figures_not_on_the_dashboard() -> None:
    imported = {
        node.module
        for node in ast.walk(_tree(REPORTING / "report.py"))
        if isinstance(node, ast.ImportFrom)
    }
    assert "app.reporting.dashboard" not in imported
    assert {"app.reporting.figure_text", "app.reporting.figure_tables"} <= imported
