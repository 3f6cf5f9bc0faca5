"""Automatic redaction of free-text comments before any analyst reads them (pure functions).

A comment is redacted every time it is read, never stored redacted, so an improvement here
applies to every comment already kept. Each kind of detail becomes a bracketed placeholder:
[email], [link], [phone], [postcode], [reference] and [name]. The patterns err on the side of
redacting: a placeholder too many costs a reader little, a name too few may identify someone.
Ordinary words are left alone: names are only recognised after a title ("PC", "Mrs", ...), a
relation ("my husband ..."), an introduction ("called ...", "named ...") or from a list of
common first names that are not also ordinary English words.
"""

from __future__ import annotations

import re
from collections.abc import Callable

EMAIL = "[email]"
LINK = "[link]"
PHONE = "[phone]"
POSTCODE = "[postcode]"
REFERENCE = "[reference]"
NAME = "[name]"
PLACEHOLDERS: tuple[str, ...] = (EMAIL, LINK, PHONE, POSTCODE, REFERENCE, NAME)

_EMAIL_RE = re.compile(r"[\w.+'-]+@[\w-]+(?:\.[\w-]+)+", re.UNICODE)

# http(s) and www. addresses, and bare domains with a common top-level domain (with any path).
_LINK_RE = re.compile(
    r"(?:\bhttps?://|\bwww\.)\S+"
    r"|\b(?:[a-z0-9-]+\.)+(?:com|org|net|uk|io|info)\b(?:/\S*)?",
    re.IGNORECASE,
)

# UK numbers: +44 / 0044 / 0 then 9 or 10 more digits, spaces, dots, dashes and brackets allowed.
_PHONE_RE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)\d(?:[\s.\-)]{0,2}\d){8,9}(?!\w)"
)

# Full UK postcodes (outward and inward code), any case, with or without the space.
_POSTCODE_RE = re.compile(
    r"\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR)\s*[0-9][ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE
)

_REFERENCE_RES: tuple[re.Pattern[str], ...] = (
    # 20/123456/24 and 4512/123456 style crime numbers; dates (12/03/2024) are left alone.
    re.compile(r"(?<![\d/])\d{1,4}/\d{4,8}/\d{2,4}(?![\d/])"),
    re.compile(r"(?<![\d/])\d{1,4}/\d{5,}(?![\d/])"),
    # CRI-1234, INC 123456, WMP/12345: capital letters then at least three digits.
    re.compile(r"\b[A-Z]{2,6}[-/ ]?\d{3,}(?:[-/]\d+)*\b"),
    # Any run of six or more digits, with letters around it or not (log numbers, case ids).
    re.compile(r"\b[A-Za-z]*\d{6,}[A-Za-z0-9]*\b"),
    # "reference 12AB34", "crime number 4432", "log no. 88": the number after the words.
    re.compile(
        r"(?i:\b(?:ref(?:erence)?|crime|incident|log|case|occurrence|collar|warrant)"
        r"(?:\s+(?:no\.?|number|num|#|ref(?:erence)?))?[\s:#.]*)"
        r"(?=[A-Za-z0-9/-]*\d)[A-Za-z0-9][A-Za-z0-9/-]+"
    ),
)

# A capitalised name token: Smith, O'Brien, Smith-Jones, Zoë. Everyday capitalised words that
# start a sentence or name a place ("Then", "Court") are never taken for a name.
_NOT_NAMES = (
    "The|A|An|And|But|Or|So|Then|When|While|After|Before|Because|If|She|He|They|It|I|We|You|"
    "Who|Was|Were|Is|Are|Has|Had|This|That|There|Their|His|Her|My|Our|Police|Station|Court|"
    "Support|Team|Unit|Service|Services|Victim|Victims|Witness|Care|Crisis"
)
_NAME_TOKEN = (
    r"(?!(?:" + _NOT_NAMES + r")\b)"
    r"[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ÿ'’]*[a-zà-öø-ÿ](?:-[A-ZÀ-ÖØ-Þ][A-Za-zÀ-ÖØ-öø-ÿ'’]*[a-zà-öø-ÿ])?"
)
_FULL_NAME = rf"{_NAME_TOKEN}(?:\s+{_NAME_TOKEN})?"

# Titles written as abbreviations (a full stop may follow) and as words (any case).
_SHORT_TITLES = "PC|WPC|DC|DS|DI|DCI|DSI|PCSO|Sgt|Insp|Supt|Mr|Mrs|Ms|Miss|Mx|Dr"
_WORD_TITLES = "officer|constable|sergeant|detective|inspector|superintendent|judge"
_TITLE_RE = re.compile(
    r"\b(?P<title>(?:" + _SHORT_TITLES + r")\.?|(?i:" + _WORD_TITLES + r"))"
    r"(?P<gap>\s+)(?P<name>" + _FULL_NAME + r")\b"
)
# Victims often write without capitals: "pc smith", "mrs khan". After a personal title the
# next word is a surname unless it is an everyday word ("my pc was stolen", "dr said").
_EVERYDAY_WORDS = (
    "a|an|the|and|or|but|so|then|was|were|is|are|has|had|have|did|does|do|said|says|told|"
    "came|come|called|rang|phoned|who|which|that|this|there|here|he|she|they|it|i|we|you|"
    "him|her|them|me|us|my|our|your|his|their|to|of|in|on|at|for|with|from|by|about|after|"
    "before|when|again|also|just|never|not|no|yes|asked|gave|kept|let|made|took|would|could|"
    "should|will|can|may|might|must|broke|broken|stolen|screen|world|station|office|team|"
    "officer|officers|police"
)
_LOWERCASE_TITLE_RE = re.compile(
    r"(?i:\b(?P<title>pc|wpc|dc|ds|dci|pcso|sgt|mr|mrs|ms|mx|dr)\.?)(?P<gap>\s+)"
    r"(?P<name>(?!(?:" + _EVERYDAY_WORDS + r")\b)[a-zà-öø-ÿ][a-zà-öø-ÿ'’-]+)\b"
)
# "PC 4521": a collar number names an officer as surely as a surname.
_COLLAR_RE = re.compile(r"\b(?P<title>PC|WPC|DC|DS|PCSO|Sgt)\.?(?P<gap>\s+)\d{2,6}\b")

_RELATIONS = (
    "husband|wife|partner|ex|ex-partner|ex-husband|ex-wife|boyfriend|girlfriend|fiancée?|"
    "son|daughter|child|baby|mum|mom|mother|dad|father|brother|sister|stepson|stepdaughter|"
    "stepfather|stepmother|grandson|granddaughter|grandmother|grandfather|nan|uncle|aunt|"
    "cousin|niece|nephew|friend|neighbour|neighbor|colleague|boss|landlord|carer|"
    "officer|detective|isva|idva|advocate|worker|solicitor|barrister"
)
_RELATION_RE = re.compile(
    r"\b(?P<lead>(?i:my|our|his|her|their|the)\s+(?i:" + _RELATIONS + r"),?)"
    r"(?P<gap>\s+)(?P<name>" + _FULL_NAME + r")\b"
)
_INTRODUCED_RE = re.compile(
    r"\b(?P<lead>(?i:called|named|name\s+is|name\s+was|names\s+are|known\s+as))"
    r"(?P<gap>\s+)(?P<name>" + _FULL_NAME + r")\b"
)

# Common first names in England and Wales that are not also everyday words, so a capitalised
# one is a name wherever it stands. Words like Will, May, Mark, Grace or Rose are left out.
_FIRST_NAMES_TEXT = """
    Aaliyah Abdul Abigail Adam Adrian Ahmed Aisha Alan Alex Alexander Alice Alison Amanda
    Amelia Amir Amy Andrea Andrew Angela Anna Anne Anthony Ashley Ayesha Barbara Ben Benjamin
    Beth Bethany Brian Callum Carl Carol Caroline Catherine Charlie Charlotte Chloe Chris
    Christine Christopher Claire Colin Connor Craig Daniel Danielle Darren Dave David Dean
    Deborah Debbie Dennis Derek Diane Donna Dylan Edward Eleanor Elizabeth Ella Ellie Emily
    Emma Eric Ethan Fatima Gareth Gary Geoffrey George Gemma Graham Hannah Harry Harvey
    Hassan Helen Ibrahim Imran Isaac Isabella Isla Jack Jacob Jake James Jamie Janet Jason
    Jennifer Jessica Joanne John Jonathan Joseph Josh Joshua Julie Karen Kate Katie Kayleigh
    Keith Kelly Kevin Kieran Laura Lauren Leah Lee Leanne Liam Lisa Louise Lucy Luke Maria
    Martin Matthew Megan Michael Michelle Mohammed Mohammad Muhammad Natalie Nathan Neil Nicola
    Nicholas Nigel Oliver Olivia Omar Paul Paula Peter Philip Priya Rachel Rebecca Richard
    Robert Ryan Sadia Samantha Samuel Sandra Sarah Scott Sean Sharon Shaun Simon Sophie Stephen
    Steven Stuart Susan Tariq Thomas Timothy Tom Tracey Tracy Usman Wayne William
    Yasmin Zainab Zara Zoe
"""
COMMON_FIRST_NAMES: frozenset[str] = frozenset(_FIRST_NAMES_TEXT.split())
_FIRST_NAME_RE = re.compile(
    r"\b(?:" + "|".join(sorted(COMMON_FIRST_NAMES, key=len, reverse=True)) + r")\b"
    r"(?:\s+" + _NAME_TOKEN + r")?"
)


def redact_emails(text: str) -> str:
    return _EMAIL_RE.sub(EMAIL, text)


def redact_links(text: str) -> str:
    return _LINK_RE.sub(LINK, text)


def redact_phone_numbers(text: str) -> str:
    return _PHONE_RE.sub(PHONE, text)


def redact_postcodes(text: str) -> str:
    return _POSTCODE_RE.sub(POSTCODE, text)


def redact_references(text: str) -> str:
    text = _COLLAR_RE.sub(lambda m: f"{m['title']}{m['gap']}{REFERENCE}", text)
    for pattern in _REFERENCE_RES:
        text = pattern.sub(_keep_lead_words(pattern), text)
    return text


def _keep_lead_words(pattern: re.Pattern[str]) -> Callable[[re.Match[str]], str]:
    """Keep "crime number " before the placeholder so the sentence still reads."""

    def replace(match: re.Match[str]) -> str:
        whole = match.group(0)
        if pattern is _REFERENCE_RES[-1]:
            lead = re.match(r"(?i)[a-z ]+[\s:#.]*", whole)
            if lead and lead.end() < len(whole):
                return whole[: lead.end()] + REFERENCE
        return REFERENCE

    return replace


def redact_names(text: str) -> str:
    text = _TITLE_RE.sub(lambda m: f"{m['title']}{m['gap']}{NAME}", text)
    text = _LOWERCASE_TITLE_RE.sub(lambda m: f"{m['title']}{m['gap']}{NAME}", text)
    text = _RELATION_RE.sub(lambda m: f"{m['lead']}{m['gap']}{NAME}", text)
    text = _INTRODUCED_RE.sub(lambda m: f"{m['lead']}{m['gap']}{NAME}", text)
    return _FIRST_NAME_RE.sub(NAME, text)


def redact(text: str) -> str:
    """The comment with names, contact details, postcodes, references and links replaced."""
    # Order matters: an email holds a domain (link) and digits (phone, reference); a URL may
    # hold digits; numbers go before names so "PC 4521" reads as a collar number.
    for step in (
        redact_emails,
        redact_links,
        redact_phone_numbers,
        redact_postcodes,
        redact_references,
        redact_names,
    ):
        text = step(text)
    return text
