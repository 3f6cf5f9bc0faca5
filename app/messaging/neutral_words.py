"""Words that tell a reader of the phone what a message is about, and finding them.

Two checks: `forbidden_words` in a template's own text (every message set), and
`named_as_sent` in a message as it will be sent (the specialist set), where the organisation,
the links and their domains are filled in and the police, a commissioner, the PCC or OPCC must
not be named either.
"""

from __future__ import annotations

import re

# Words that would tell a reader of the phone what the message is about, case-insensitively,
# in every language we can check: English as whole words (with common endings), the others
# as word starts (stems, because of their inflection).
FORBIDDEN = {
    "en": [
        "victim",
        "survivor",
        "crime",
        "criminal",
        "offence",
        "offense",
        "offender",
        "rape",
        "raped",
        "sexual",
        "sex",
        "assault",
        "abuse",
        "abused",
        "abuser",
        "violence",
        "violent",
        "domestic",
        "stalk",
        "stalking",
        "harass",
        "harassment",
        "burglary",
        "theft",
        "robbery",
        "fraud",
        "hate",
        "attack",
        "rasso",
        "vawg",
        "cid",
        "isva",
        "idva",
        "safeguarding",
        "public protection",
        "sapphire",
        "soteria",
        "bluestone",
        "investigation",
        "court",
        "trial",
        "witness",
        "police",
    ],
    "pl": [
        "ofiar",
        "przestęp",
        "przestep",
        "gwałt",
        "gwalt",
        "przemoc",
        "napaść",
        "napasc",
        "molest",
        "seksual",
        "kradzież",
        "kradziez",
        "włamani",
        "wlamani",
        "nękani",
        "nekani",
        "policj",
        "sądow",
        "śledztw",
        "sledztw",
        "świad",
        "swiad",
    ],
    "ur": [
        "متاثر",
        "جرم",
        "زیادتی",
        "تشدد",
        "جنسی",
        "پولیس",
        "عدالت",
        "چوری",
        "حملہ",
        "ہراس",
        "گواہ",
        "تفتیش",
    ],
}

# Naming who sends it is fine for general crime (the organisation is the sender), never for a
# specialist group: anyone who reads the phone learns the police are involved.
SPECIALIST_WORDS = {
    "en": [
        "commissioner",
        "pcc",
        "opcc",
        "pfcc",  # Police, Fire and Crime Commissioner
        "mopac",  # London's Mayor's Office for Policing and Crime
        "policing",
        "constabulary",
        "constable",
        "officer",
        "justice",
    ],
    "pl": ["komisarz", "komend", "funkcjonariusz", "wykroczeni", "znęcani", "znecani"],
    "ur": ["کمشنر", "کانسٹیبل", "جرائم", "عصمت", "بدسلوکی", "مظلوم", "افسر"],
}
# Inside a link (a domain joins words: westmidlandspolice, victimsupport), these are found
# anywhere, not only as whole words; only those too long or too rare to occur by chance.
URL_WORDS = [
    "police",
    "policja",
    "constabulary",
    "commissioner",
    "pcc",
    "pfcc",
    "mopac",
    "policing",
    "crime",
    "victim",
    "offence",
    "offender",
    "abuse",
    "assault",
    "violence",
    "sexual",
    "rasso",
    "vawg",
    "isva",
    "idva",
    "safeguard",
    "survivor",
    "justice",
]
# A link with a scheme, or anything shaped like a domain (with or without a path): a
# VV_VERIFY_URL written as "northshirepcc.org.uk" is as telling as one with https://.
_URL_RE = re.compile(r"https?://[^\s<>\"]+|\b[\w-]+(?:\.[\w-]+)+(?:/[^\s<>\"]*)?")
_PLACEHOLDER_RE = re.compile(r"\{([a-z_]*)\}")


def _found(lowered: str, lists: dict[str, list[str]]) -> set[str]:
    found = set()
    for language, words in lists.items():
        ending = r"(s|es|ed|ing|ly|al)?(?!\w)" if language == "en" else ""
        for word in words:
            pattern = r"(?<!\w)" + re.escape(word.strip()) + ending
            if re.search(pattern, lowered):
                found.add(word.strip())
    return found


def forbidden_words(template: str) -> list[str]:
    """The forbidden words in a template's own text (placeholders are filled elsewhere)."""
    return sorted(_found(_PLACEHOLDER_RE.sub(" ", template.lower()), FORBIDDEN))


def named_as_sent(text: str) -> list[str]:
    """What a message as sent names that a specialist message must not: any forbidden word,
    the police or a commissioner, in any language, in its text or inside any link."""
    lowered = text.lower()
    found = _found(lowered, FORBIDDEN) | _found(lowered, SPECIALIST_WORDS)
    for url in _URL_RE.findall(lowered):
        found |= {word for word in URL_WORDS if word in url}
    return sorted(found)


def named_in_sender(sender: str) -> list[str]:
    """What an email's From (display name and address) names: read like a link throughout,
    since a display name joins words as a domain does ("NorthshirePolice <…>")."""
    lowered = sender.lower()
    return sorted(set(named_as_sent(sender)) | {word for word in URL_WORDS if word in lowered})
