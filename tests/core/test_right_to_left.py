"""One list of right-to-left languages (app/i18n.py), used by the victim's pages, the bank
preview and the email text alike: three lists that disagreed were one."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from app.i18n import RTL_LANGUAGES, is_rtl
from app.messaging.texts import _as_html

APP = Path(__file__).resolve().parents[2] / "app"
RIGHT_TO_LEFT = ["ar", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"]


@pytest.mark.parametrize("language", [*RIGHT_TO_LEFT, "ar-EG", "ur-PK", "fa-AF"])
def test_right_to_left_languages(language: str) -> None:
    assert is_rtl(language)


@pytest.mark.parametrize("language", ["en", "pl", "pa", "pa-IN", "ro", "bn", "ku", "tr"])
def test_left_to_right_languages(language: str) -> None:
    assert not is_rtl(language)


@pytest.mark.parametrize("language", ["sd", "yi", "dv", "ckb"])
def test_an_email_in_a_right_to_left_language_is_marked_so(language: str) -> None:
    # The email text had its own list of five, without Sindhi and Yiddish.
    assert f'<html lang="{language}" dir="rtl">' in _as_html("Thank you", language)


def test_no_other_list_of_right_to_left_languages_in_app() -> None:
    """A set or tuple literal naming Hebrew and Persian anywhere else is a second list."""
    found = []
    for path in APP.rglob("*.py"):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Set | ast.Tuple | ast.List):
                values = {elt.value for elt in node.elts if isinstance(elt, ast.Constant)}
                if {"he", "fa"} <= values:
                    found.append(f"{path.relative_to(APP)}:{node.lineno}")
    assert found == ["i18n.py:" + str(_line_of_the_list())]
    assert set(RIGHT_TO_LEFT) == RTL_LANGUAGES


def _line_of_the_list() -> int:
    source = (APP / "i18n.py").read_text(encoding="utf-8")
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Set) and any(
            isinstance(elt, ast.Constant) and elt.value == "he" for elt in node.elts
        ):
            return node.lineno
    raise AssertionError("app/i18n.py has no right-to-left list")
