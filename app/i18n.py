"""Interface strings in the victim's language: gettext catalogs read with Babel at runtime.

The catalogs are `.po` files under app/locale/<lang>/LC_MESSAGES/messages.po, read once per
process with Babel (nothing binary is committed). A language's interface strings are shown only
when this registry marks them approved (trauma-informed rule 8: a draft translation is never
shown to a victim); bank text has its own review status in the bank.
"""

from __future__ import annotations

import gettext as gettext_module
import re
from collections.abc import Callable
from functools import lru_cache
from io import BytesIO
from pathlib import Path
from typing import Any

from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from markupsafe import Markup

LOCALE_DIR = Path(__file__).resolve().parent / "locale"
DOMAIN = "messages"

# Review status of the interface's own strings per language. A partner's approval of a
# catalog is recorded here, beside the catalog, so it is reviewed like any code change.
INTERFACE_LANGUAGES: dict[str, str] = {"en": "approved", "ur": "draft", "pl": "draft"}

# Written right to left (a page, a bank preview or a message gets dir="rtl"): the one list.
# Arabic, Sorani Kurdish, Dhivehi, Persian, Hebrew, Pashto, Sindhi, Uyghur, Urdu, Yiddish.
RTL_LANGUAGES: frozenset[str] = frozenset(
    {"ar", "ckb", "dv", "fa", "he", "ps", "sd", "ug", "ur", "yi"}
)

# A language tag as banks and staff profiles give it: "ur", "pa-Arab", "pt-BR".
LANGUAGE_PATTERN = re.compile(r"^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$")

# Names of languages in their own script, so a victim can find theirs in a list.
LANGUAGE_NAMES: dict[str, str] = {
    "en": "English",
    "ur": "اردو",
    "pl": "Polski",
    "pa": "ਪੰਜਾਬੀ",
    "ro": "Română",
    "bn": "বাংলা",
}

Gettext = Callable[..., Markup]


def N_(message: str) -> str:
    """Mark a string for extraction; it is translated where it is shown."""
    return message


def interface_approved(language: str) -> bool:
    return INTERFACE_LANGUAGES.get(language) == "approved"


def is_rtl(language: str) -> bool:
    return language.split("-")[0] in RTL_LANGUAGES


def language_name(language: str) -> str:
    return LANGUAGE_NAMES.get(language, language)


def offered_languages(bank_approved: list[str]) -> list[str]:
    """Languages a victim may choose: the bank text and the interface both approved."""
    offered = [lang for lang in bank_approved if interface_approved(lang)]
    if "en" not in offered:
        offered.insert(0, "en")
    return offered


@lru_cache(maxsize=16)
def _translations(language: str) -> gettext_module.NullTranslations:
    path = LOCALE_DIR / language / "LC_MESSAGES" / f"{DOMAIN}.po"
    if language == "en" or not path.exists():
        return gettext_module.NullTranslations()
    with path.open("rb") as handle:
        catalog = read_po(handle, locale=language)
    buffer = BytesIO()
    # Fuzzy (unreviewed) entries are left out, so a half-done string falls back to English.
    write_mo(buffer, catalog, use_fuzzy=False)
    buffer.seek(0)
    return gettext_module.GNUTranslations(buffer)


def gettext_for(language: str) -> Gettext:
    """A new-style gettext for templates: `_("Question %(n)s", n=2)`, HTML-safe like Jinja's.

    Only approved interface languages are ever used; anything else reads English.
    """
    translations = _translations(language if interface_approved(language) else "en")

    def gettext(message: str, **variables: Any) -> Markup:
        # As Jinja's own newstyle gettext: the catalog is trusted, the variables are escaped.
        text = Markup(translations.gettext(message))  # noqa: S704 - reviewed catalog text
        return text % variables if variables else text

    return gettext
