"""Themes that analysts file quotable comments under, in the order the report shows them."""

from __future__ import annotations

MAX_THEME_LENGTH = 80
DEFAULT_THEME = "Other"

# Suggested on the review page; an analyst may type another. They follow the report's story:
# contact, information, treatment, support, the Victims' Code, then the court stage.
SUGGESTED_THEMES: tuple[str, ...] = (
    "Contact and reporting",
    "Being kept informed",
    "Being listened to and believed",
    "Treatment by officers",
    "Support and referrals",
    "Language and accessibility",
    "Victims' Code rights",
    "Court and witness care",
    "Outcome and decisions",
    "Feeling safe",
    DEFAULT_THEME,
)


def clean_theme(theme: str | None) -> str | None:
    """Whitespace trimmed and collapsed; empty means none; at most MAX_THEME_LENGTH characters."""
    if theme is None:
        return None
    text = " ".join(theme.split())
    return text[:MAX_THEME_LENGTH] or None


def sort_key(theme: str) -> tuple[int, str]:
    """Suggested themes in their order, then others alphabetically, "Other" last."""
    if theme == DEFAULT_THEME:
        return (len(SUGGESTED_THEMES) + 1, "")
    if theme in SUGGESTED_THEMES:
        return (SUGGESTED_THEMES.index(theme), "")
    return (len(SUGGESTED_THEMES), theme.casefold())
