"""Personal names and English words, read from installed packages once per process.

- First names and surnames come from Faker's person providers (MIT licence): name lists for
  the countries most of this service's victims and officers come from. Nothing is copied
  into this repository; the lists are read from the installed package.
- How common a word is in ordinary English comes from pyspellchecker's English word
  frequency list (MIT licence), which holds English words only.

Both load in about a quarter of a second and hold about 40 MB; redaction and the language
check load them on first use. (names-dataset was measured and refused: 13 s and 1.9 GB.)
"""

from __future__ import annotations

import importlib
import re
from collections.abc import Iterable
from functools import cache

# Faker locales whose names victims in England and Wales most often carry or write: the UK
# and Ireland, the Commonwealth countries of the largest migrant groups, and the EU countries
# of the largest EU-born groups. Names in other scripts need no list: a comment holding
# them is not English and waits for a person's check.
NAME_LOCALES: tuple[str, ...] = (
    "en_GB",
    "en_IE",
    "en_US",
    "en_NZ",
    "en_IN",
    "en_PK",
    "en_NG",
    "en_KE",
    "yo_NG",
    "ig_NG",
    "ha_NG",
    "tw_GH",
    "sw",
    "pl_PL",
    "ro_RO",
    "lt_LT",
    "lv_LV",
    "sk_SK",
    "cs_CZ",
    "hu_HU",
    "pt_PT",
    "es_ES",
    "it_IT",
    "fr_FR",
    "de_DE",
    "tr_TR",
    "nl_NL",
)


def word_set(words: str) -> frozenset[str]:
    """A set of words written as one space-separated string (easier to read and review)."""
    return frozenset(words.split())


# Short forms that British people use for each other and Faker's lists lack.
SHORT_FORMS = word_set(
    """will bill billy bob bobby dave davey mike mick steve stevie pete rob robbie nick tom
    tommy jim jimmy jack sam ben dan danny alex chris andy tony matt jon joe joey phil rich
    ken kenny ron ronnie don donny ted teddy fred freddie harry charlie alf alfie ed eddie
    liz lizzie beth kate katie kath jen jenny sue sal sally jo becky vicky nicky mandy sandy
    debbie maggie meg pat trish tash jess mo kev gaz baz shaz del rodney terry stu gav
    kel mel em ellie abi lou nat sid vic wendy"""
)

_SPLIT = re.compile(r"[\s-]+")


def fold(word: str) -> str:
    """The form lists are keyed on: lower case, curly apostrophe made straight."""
    return word.replace("’", "'").lower()


def _tokens(names: Iterable[object]) -> set[str]:
    """Each part of each name ("Smith-Jones" gives smith and jones), folded."""
    found: set[str] = set()
    for name in names:
        if isinstance(name, str):
            found.update(fold(part) for part in _SPLIT.split(name) if part)
    return found


@cache
def _faker_names() -> tuple[frozenset[str], frozenset[str]]:
    first: set[str] = set()
    last: set[str] = set()
    for locale in NAME_LOCALES:
        provider = importlib.import_module(f"faker.providers.person.{locale}").Provider
        for attribute in dir(provider):
            if attribute.startswith("_"):
                continue
            value = getattr(provider, attribute)
            if not isinstance(value, tuple | list | dict):
                continue
            if "first_name" in attribute:
                first |= _tokens(value)
            elif "last_name" in attribute:
                last |= _tokens(value)
    first |= SHORT_FORMS
    return frozenset(first), frozenset(last - first)


def first_names() -> frozenset[str]:
    """Folded first names (and parts of double first names)."""
    return _faker_names()[0]


def surnames() -> frozenset[str]:
    """Folded surnames that are not also first names."""
    return _faker_names()[1]


@cache
def _english_frequency() -> dict[str, int]:
    from spellchecker import SpellChecker

    return dict(SpellChecker(language="en", distance=1).word_frequency.dictionary)


def english_frequency(word: str) -> int:
    """How often the folded `word` occurs in the English frequency list (0: not English)."""
    return _english_frequency().get(fold(word), 0)


def warm_up() -> None:
    """Load the lists now (the first comment read would otherwise pay for it)."""
    _faker_names()
    _english_frequency()
