"""Automatic redaction of free-text comments before any analyst reads them (pure functions).

A comment is redacted every time it is read, never stored redacted, so an improvement here
applies to every comment already kept. Each kind of detail becomes a bracketed placeholder:
[email], [link], [phone], [postcode], [address], [date of birth], [reference] and [name].
The patterns err on the side of redacting: a placeholder too many costs a reader little, a
name too few may identify someone. Names are found by the rules of
app.reporting.redaction_names.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from app.reporting.redaction_names import name_spans, replace_spans

EMAIL = "[email]"
LINK = "[link]"
PHONE = "[phone]"
POSTCODE = "[postcode]"
ADDRESS = "[address]"
DATE_OF_BIRTH = "[date of birth]"
REFERENCE = "[reference]"
NAME = "[name]"
PLACEHOLDERS: tuple[str, ...] = (
    EMAIL,
    LINK,
    PHONE,
    POSTCODE,
    ADDRESS,
    DATE_OF_BIRTH,
    REFERENCE,
    NAME,
)

# --- emails, written plainly or spelled out ---------------------------------------------

_AT = r"(?:\s*@\s*|\s*[\(\[\{<]\s*at\s*[\)\]\}>]\s*|\s+at\s+|\s*\bat\b\s*(?=[\w.-]+\s*(?:\.|dot)))"
_DOT = r"(?:\s*\.\s*|\s*[\(\[\{<]\s*dot\s*[\)\]\}>]\s*|\s+dot\s+)"
_TLD = (
    r"(?:com|co|uk|org|net|gov|ac|nhs|police|io|info|me|biz|eu|pl|ro|ie|de|fr|es|it|pt|lt|lv"
    r"|in|pk|ng|gh|ke|us|ca|au|nz|email|online|xyz)"
)
_MAIL_PROVIDERS = (
    r"(?:gmail|googlemail|hotmail|outlook|yahoo|ymail|icloud|live|aol|btinternet|msn"
    r"|protonmail|proton|sky|virginmedia|talktalk|mail)"
)
# Quantifiers are bounded (an address part is at most 64 characters, a domain at most
# eight labels) and matches start only where a token starts, so that text built to make
# the patterns backtrack ("a.a.a.a…", "o'o'o'…") costs linear time, not quadratic.
_LOCAL = r"[\w.+'-]{1,64}"
_LABEL = r"[\w-]{1,63}"
_START = r"(?<![\w.+'@-])"
_EMAIL_RES: tuple[re.Pattern[str], ...] = (
    # jo.bloggs@example.com and its spaced form jo . bloggs @ example . com
    re.compile(rf"{_START}{_LOCAL}\s*@\s*{_LABEL}(?:\s*\.\s*{_LABEL}){{1,8}}", re.UNICODE),
    # john dot smith at gmail dot com, john(at)gmail(dot)com, john [at] mail [dot] co [dot] uk
    re.compile(
        rf"(?i){_START}[\w+'-]{{1,64}}(?:{_DOT}[\w+'-]{{1,64}}){{0,4}}{_AT}{_LABEL}"
        rf"(?:{_DOT}{_LABEL}){{0,6}}{_DOT}{_TLD}\b"
    ),
    # johnsmith at gmail, john_smith at hotmail (a known provider, no top-level domain)
    re.compile(
        rf"(?i){_START}[\w+'-]{{1,64}}(?:{_DOT}[\w+'-]{{1,64}}){{0,4}}"
        rf"(?:\s+at\s+|\s*@\s*){_MAIL_PROVIDERS}\b"
    ),
    # johnATgmailDOTcom, and any name@somewhere left without a top-level domain
    re.compile(
        rf"{_START}[\w.+-]{{1,64}}AT[A-Za-z0-9-]{{1,63}}DOT(?:com|co|org|net|uk)(?:DOTuk)?\b"
    ),
    re.compile(rf"{_START}{_LOCAL}@{_LABEL}\b"),
)

# http(s) and www. addresses, bare domains with a common top-level domain (with any path),
# and social media handles.
_LINK_RE = re.compile(
    r"(?:\bhttps?://|\bwww\.)\S+"
    r"|(?<![\w.-])(?:[a-z0-9-]{1,63}\.){1,8}(?:com|org|net|uk|io|info)\b(?:/\S*)?"
    r"|(?<![\w@])@[A-Za-z0-9_][A-Za-z0-9_.]{1,29}\b",
    re.IGNORECASE,
)

# "insta: john_smith99", "my snap is jsmith": a handle after the platform's name.
_HANDLE_RE = re.compile(
    r"(?i)(?P<lead>\b(?:instagram|insta|ig|snapchat|snap|facebook|fb|tiktok|twitter|x|"
    r"whatsapp|telegram|discord|username|user\s+name|handle)(?:\s+(?:is|was|=))?\s*[:\-]?\s*)"
    r"@?(?=[A-Za-z0-9_.]*[\d_.])[A-Za-z0-9_.]{3,30}\b"
)

# --- dates of birth ---------------------------------------------------------------------

_MONTHS = (
    r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
    r"|sep(?:t(?:ember)?)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)"
)
_ORDINAL_WORDS = (
    r"(?:(?:twenty|thirty)[\s-]?)?(?:first|second|third|fourth|fifth|sixth|seventh|eighth"
    r"|ninth|tenth|eleventh|twelfth|thirteenth|fourteenth|fifteenth|sixteenth|seventeenth"
    r"|eighteenth|nineteenth|twentieth|thirtieth)"
)
_DAY = rf"(?:[0-3]?\d(?:st|nd|rd|th)?|{_ORDINAL_WORDS})"
_NUMERIC_DATE = r"\d{1,2}(?:\s*[/.\-]\s*|\s+)\d{1,2}(?:\s*[/.\-]\s*|\s+)\d{2,4}"
_WORD_DATE = (
    rf"(?:(?:the\s+)?{_DAY}\s+(?:of\s+)?{_MONTHS}\.?,?(?:\s+(?:19|20)?\d{{2}})?"
    rf"|{_MONTHS}\.?\s+(?:the\s+)?{_DAY},?(?:\s+(?:19|20)?\d{{2}})?"
    rf"|{_MONTHS}\s+(?:19|20)\d{{2}})"
)
_DOB_RE = re.compile(
    r"(?i)(?P<lead>\b(?:d\.?\s?o\.?\s?b\.?|date\s+of\s+birth|birth\s*date|birthday|born"
    r"(?:\s+on|\s+in)?)(?:\s+(?:is|was|=))?\s*[:\-]?\s*)"
    rf"(?P<date>{_NUMERIC_DATE}|{_WORD_DATE}|(?:19|20)\d{{2}})\b"
)

# --- phone numbers ----------------------------------------------------------------------

# UK numbers: +44 / 0044 / 0 then 9 or 10 more digits, spaces, dots, dashes and brackets allowed.
_PHONE_RE = re.compile(
    r"(?<![\w+])(?:(?:\+|00)\s?44\s?(?:\(0\)\s?)?|\(?0)\d(?:[\s.\-)]{0,2}\d){8,9}(?!\w)"
)
# Any number written with + and 8 or more digits (other countries), and any run of 10 or more
# digits starting with 0, however spaced: "0 7 9 1 1 1 2 3 4 5 6", "07-911-123-456".
_LOOSE_PHONE_RE = re.compile(
    r"(?<![\w+])(?:\+\s?\d(?:[\s.\-()]{0,3}\d){7,14}|\(?0(?:[\s.\-()]{0,3}\d){9,12})(?!\w)"
)
_DIGIT_WORDS = (
    r"(?:zero|oh|nought|one|two|three|four|five|six|seven|eight|nine|double|triple|treble)"
)
# "oh seven nine one one, one two three four five six": seven or more digit words in a row.
_SPOKEN_NUMBER_RE = re.compile(rf"(?i)\b{_DIGIT_WORDS}(?:[\s,.\-]+{_DIGIT_WORDS}){{6,}}\b")

# --- postcodes and addresses ------------------------------------------------------------

# Full UK postcodes (outward and inward code), any case, with or without the space.
_POSTCODE_RE = re.compile(
    r"\b(?:[A-Z]{1,2}[0-9][A-Z0-9]?|GIR)\s*[0-9][ABD-HJLNP-UW-Z]{2}\b", re.IGNORECASE
)

# "postcode b 15 2tt": whatever looks like one after the word, however spaced.
_SPACED_POSTCODE_RE = re.compile(
    r"(?i)(?P<lead>\bpost\s*code\s*(?:is|was|:|-)?\s*)[A-Z]{1,2}\s?\d[\dA-Z]?\s?\d\s?[A-Z]\s?[A-Z]\b"
)

_STREET_TYPES = (
    r"street|st|road|rd|avenue|ave|av|lane|ln|close|cl|drive|dr|way|crescent|cres|court|ct"
    r"|place|pl|grove|gr|gardens|gdns|terrace|terr|tce|hill|green|walk|row|square|sq|mews"
    r"|park|rise|vale|view|parade|pde|croft|fold|chase|wynd|meadow|meadows|boulevard|blvd"
    r"|highway|estate|house|flats|tower|towers|heights|court|yard|wharf|quay|circus|bank"
)
# Words that never name a street: "2 hours down the road" is a wait, not an address.
_NOT_STREET_WORDS = (
    r"the|a|an|of|to|in|on|at|and|or|but|down|up|from|for|with|by|my|our|your|his|her|their"
    r"|this|that|times?|hours?|hrs?|minutes?|mins?|days?|weeks?|months?|years?|yrs?|miles?"
    r"|metres?|meters?|people|officers?|police|calls?|visits?|was|were|is|are|had|have"
)
_STREET_WORD = rf"(?!(?:{_NOT_STREET_WORDS})\b)[A-Za-zÀ-ÖØ-öø-ÿ'’.\-]+"
_ADDRESS_RE = re.compile(
    r"(?i)(?:\b(?:flat|apartment|apt|unit|room|no\.?|number)\s*\d+[a-z]?\s*,?\s*)?"
    rf"\b\d{{1,4}}[a-z]?(?:\s*[-/]\s*\d{{1,4}}[a-z]?)?\s*,?\s+(?:{_STREET_WORD}\s+){{0,3}}"
    rf"(?:{_STREET_TYPES})\b\.?"
)
# "4 the crescent": "the" may stand between the number and the street type, nowhere else.
_THE_STREET_RE = re.compile(rf"(?i)\b\d{{1,4}}[a-z]?,?\s+the\s+(?:{_STREET_TYPES})\b")
# "at number 12", "live at no. 4": a house number on its own.
_HOUSE_NUMBER_RE = re.compile(
    r"(?i)(?P<lead>\b(?:live|lives|living|lived|at|from|to|outside)\s+)"
    r"(?:no\.?|number|num|#)\s*\d{1,4}[a-z]?\b"
)
_FLAT_RE = re.compile(r"(?i)\b(?:flat|apartment|apt)\s*\d+[a-z]?\b")
# "on Acacia Avenue": a capitalised street name without a number. Court and Park are left
# out: "the Crown Court" and "Victoria Park" name places everyone shares.
_NAMED_STREET_RE = re.compile(
    r"\b(?:[A-Z][a-z'’]+\s+){1,3}(?:Street|St|Road|Rd|Avenue|Ave|Lane|Close|Drive|Crescent"
    r"|Grove|Gardens|Terrace|Way|Place|Mews|Rise|Walk|Row|Square|Parade)\b\.?"
)

# --- references -------------------------------------------------------------------------

_REFERENCE_RES: tuple[re.Pattern[str], ...] = (
    # 20/123456/24 and 4512/123456 style crime numbers; dates (12/03/2024) are left alone.
    re.compile(r"(?<![\d/])\d{1,4}/\d{4,8}/\d{2,4}(?![\d/])"),
    re.compile(r"(?<![\d/])\d{1,4}/\d{5,}(?![\d/])"),
    # National Insurance numbers: AB 12 34 56 C.
    re.compile(r"(?i)\b[A-CEGHJ-PR-TW-Z]{2}\s?\d{2}\s?\d{2}\s?\d{2}\s?[A-D]\b"),
    # Vehicle registrations in the current format: AB12 CDE.
    re.compile(r"(?i)\b[A-Z]{2}\d{2}\s?[A-Z]{3}\b"),
    # CRI-1234, INC 123456, WMP/12345: capital letters then at least three digits.
    re.compile(r"\b[A-Z]{2,6}[-/ ]?\d{3,}(?:[-/]\d+)*\b"),
    # Any run of six or more digits, with letters around it or not (log numbers, case ids),
    # and card or account numbers written in groups of ten digits or more in all
    # (4111 1111 1111 1111), while "2026-04-13" stays a date.
    re.compile(r"\b[A-Za-z]*\d{6,}[A-Za-z0-9]*\b"),
    re.compile(r"(?<![\d.])(?=(?:\d[ \-]?){10})\d{2,6}(?:[ \-]\d{2,6}){2,}(?![\d.])"),
    # "reference 12AB34", "crime number 4432", "log no. 88": the number after the words.
    re.compile(
        r"(?i:\b(?:ref(?:erence)?|crime|incident|log|case|occurrence|collar|warrant|account"
        r"|sort\s+code|card|badge|shoulder)"
        r"(?:\s+(?:no\.?|number|num|#|ref(?:erence)?))?(?:\s+(?:is|was))?[\s:#.]*)"
        r"(?=[A-Za-z0-9/-]*\d)[A-Za-z0-9][A-Za-z0-9/-]+"
    ),
)
# "PC 4521": a collar number names an officer as surely as a surname.
_COLLAR_RE = re.compile(
    r"(?i)\b(?P<title>P\.?C|WPC|DC|DS|PCSO|Sgt|officer|constable|sergeant)\.?(?P<gap>\s+)"
    r"\d{2,6}\b"
)


# --- the steps --------------------------------------------------------------------------


def redact_emails(text: str) -> str:
    for pattern in _EMAIL_RES:
        text = pattern.sub(EMAIL, text)
    return text


def redact_links(text: str) -> str:
    text = _LINK_RE.sub(LINK, text)
    return _HANDLE_RE.sub(lambda m: f"{m['lead']}{LINK}", text)


def redact_dates_of_birth(text: str) -> str:
    return _DOB_RE.sub(lambda m: f"{m['lead']}{DATE_OF_BIRTH}", text)


def redact_phone_numbers(text: str) -> str:
    text = _PHONE_RE.sub(PHONE, text)
    text = _LOOSE_PHONE_RE.sub(PHONE, text)
    return _SPOKEN_NUMBER_RE.sub(PHONE, text)


def redact_postcodes(text: str) -> str:
    text = _POSTCODE_RE.sub(POSTCODE, text)
    return _SPACED_POSTCODE_RE.sub(lambda m: f"{m['lead']}{POSTCODE}", text)


def redact_addresses(text: str) -> str:
    text = _ADDRESS_RE.sub(ADDRESS, text)
    text = _THE_STREET_RE.sub(ADDRESS, text)
    text = _HOUSE_NUMBER_RE.sub(lambda m: f"{m['lead']}{ADDRESS}", text)
    text = _FLAT_RE.sub(ADDRESS, text)
    return _NAMED_STREET_RE.sub(ADDRESS, text)


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
    return replace_spans(text, name_spans(text), NAME)


def redact(text: str) -> str:
    """The comment with names, contact details, addresses, dates of birth and references
    replaced by placeholders."""
    # Order matters: an email holds a domain (link) and digits (phone, reference); a date of
    # birth holds digits (phone, reference); an address holds a number; numbers go before
    # names so "PC 4521" reads as a collar number.
    for step in (
        redact_emails,
        redact_links,
        redact_dates_of_birth,
        redact_phone_numbers,
        redact_postcodes,
        redact_addresses,
        redact_references,
        redact_names,
    ):
        text = step(text)
    return text
