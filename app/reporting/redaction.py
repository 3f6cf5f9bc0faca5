"""Automatic redaction of free-text comments before any analyst reads them (pure functions).

A comment is redacted every time it is read, never stored redacted, so an improvement here
applies to every comment already kept. Each kind of detail becomes a bracketed placeholder:
[email], [link], [phone], [postcode], [address], [date of birth], [reference] and [name].
The patterns err on the side of redacting: a placeholder too many costs a reader little, a
name too few may identify someone.

Names are found in any case, with lists of first names and surnames (app.reporting.name_lists)
and these rules, in order (`_name_spans`):

1. A known name that is not also an ordinary English word is a name anywhere, in any case:
   "sarah", "SMITH", "Mohammed".
2. A known name written with a capital in the middle of a sentence is a name even when it is
   also a word ("I spoke to Grace"), unless it is a month, a day, a nationality or an
   institution ("the Court"). At the start of a sentence it is not ("Will they call?").
   When most words of a comment are capitalised, capitals say nothing and this rule is off.
3. After a title ("PC", "mrs", "Officer"), a relation ("my husband") or an introduction
   ("called", "her name was"), the next word is a name unless it is a function word
   ("pc will call" keeps "will", "pc mark" does not keep "mark").
4. Next to a name, a surname or a word that is no English word joins it ("john smith",
   "mohammed iqbal"); a first name before a surname joins it ("Mark Smith"). Function words
   and titles never join ("john may call", "sarah said").
5. A first name that is also a word, first in its sentence and followed by a verb of what
   people do, is a name: "Frank was rude" (while "Will they call?" keeps "Will").
So "will", "may", "mark", "hope", "grace" and "bill" used as words stay, and so do the
person's own words around a name.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass

from app.reporting import name_lists
from app.reporting.name_lists import fold, word_set

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

# --- names ------------------------------------------------------------------------------

# A word: letters, with inner apostrophes and hyphens (O'Brien-Jones, ex-partner, don't).
_WORD_RE = re.compile(r"[^\W\d_]+(?:['’\-][^\W\d_]+)*")
_POSSESSIVE_RE = re.compile(r"(?i)['’]s$")

# Titles: the next word is a name unless it is a function word.
TITLES = word_set(
    "pc wpc dc ds di dci dsi det pcso sgt sarge insp supt mr mrs ms miss mx dr prof sir madam"
    " officer constable sergeant detective inspector superintendent judge magistrate"
    " isva idva"
)
# Relations and roles after "my", "our", "his", "her", "their", "the".
RELATIONS = word_set(
    "husband wife partner ex ex-partner ex-husband ex-wife boyfriend girlfriend fiance fiancee"
    " son daughter child baby mum mom mother dad father brother sister stepson stepdaughter"
    " stepfather stepmother stepdad stepmum grandson granddaughter grandmother grandfather nan"
    " nana grandma grandad uncle aunt auntie cousin niece nephew friend neighbour neighbor"
    " colleague boss manager landlord landlady carer teacher officer detective isva idva"
    " advocate worker caseworker solicitor barrister lawyer counsellor counselor therapist"
    " doctor nurse social"
)
_POSSESSORS = word_set("my our his her their the your")
# After these the next word is a name even if it could be a modal verb: "Mrs May",
# "called will" (while "pc will call" keeps "will").
PERSONAL_TITLES = word_set("mr mrs ms miss mx sir madam")
MODAL_VERBS = word_set("will would shall should can could may might must")

# Words that introduce a name: "called", "named", "name is", "known as", "spoke to".
_INTRODUCERS = word_set("called named nicknamed")
_INTRODUCER_PAIRS = frozenset(
    {
        ("name", "is"),
        ("name", "was"),
        ("name",),  # "her name's Kasia" (the possessive 's is trimmed from "name's")
        ("names", "are"),
        ("i'm",),
        ("im",),
        ("i", "am"),
        ("call", "me"),
        ("this", "is"),
        ("known", "as"),
        ("goes", "by"),
        ("spoke", "to"),
        ("speak", "to"),
        ("talked", "to"),
        ("ask", "for"),
        ("asked", "for"),
    }
)

# Function words and the commonest verbs that follow a name: never a name themselves.
FUNCTION_WORDS = word_set(
    """a an the and or but so nor yet then than if when while after before because since
    until unless though although as of to in on at for with from by about into onto over
    under up down out off through again also just only even still never not no yes ever
    always often once twice here there where who whom whose which what that this these those
    i me my mine we us our ours you your yours he him his she her hers they them their theirs
    it its one ones someone anyone nobody everyone something anything nothing everything
    am is are was were be been being has have had having do does did done doing will would
    shall should can could may might must ought cannot can't won't don't didn't doesn't
    isn't wasn't weren't aren't haven't hasn't hadn't wouldn't couldn't shouldn't i'm i've
    i'd i'll he's she's they're we're you're it's that's there's let's
    said says told tells asked asks came come comes went go goes got get gets gave give gives
    took take takes made make makes kept keep keeps rang rings phoned called calls emailed
    texted wrote writes sent saw see sees seen met meet knew know knows thought think felt
    feel feels seemed seems looked looks listened helped helps tried tries wanted wants
    needed needs left leave leaves arrived explained explains dealt deals turned stayed
    didnt dont wasnt cant wont isnt
    very really quite too much many more most less least some any all both each every few
    other another such own same so well back away now later soon today yesterday tomorrow
    tonight ago again please thanks thank sorry ok okay"""
)

# The most words one name runs to ("Mohammed Ali Khan Chaudhry").
MAX_NAME_WORDS = 4

# Britain's commonest surnames that the frequency rule above would take for words, though
# in a comment they are far more often the name.
COMMON_SURNAMES = word_set(
    """smith jones walker jenkins wallace saunders reeves tucker yates bates simmons barnes
    lynch evans taylor wilson johnson jackson scott kelly lee ali"""
)

# Verbs after which a first word that is both a name and a word is the name: "Will was kind"
# (while "Will they call?" keeps "Will").
NAME_VERBS = word_set(
    """was had said says told rang phoned called came kept helped listened explained
    never didn't didnt wasn't wasnt doesn't did does texted emailed visited arrived gave
    made took left lied shouted hit"""
)

# Capitalised where they stand for what they are, not for a person.
_NEVER_NAMES = word_set(
    """january february march april may june july august september october november december
    monday tuesday wednesday thursday friday saturday sunday christmas easter
    english british scottish welsh irish polish romanian indian pakistani bangladeshi asian
    african caribbean european muslim christian hindu sikh jewish god lord jesus allah
    police court courts crown magistrates victim victims support witness care unit team
    service services station office commissioner justice probation council hospital
    street road avenue lane close drive way crescent place park hill centre center city
    town county west east north south midlands birmingham
    i"""
)

# Words that are also names and which, in lower case or at the start of a sentence, are far
# more often words: any name the English frequency list counts at least this often, ...
ORDINARY_WORD_FREQUENCY = 15_000
# ... surnames (not first names) counted at least this often (most are trades and places:
# baker, hill, wood) ...
ORDINARY_SURNAME_FREQUENCY = 1_000
# ... and these, less frequent but words in victims' comments.
ORDINARY_WORDS = word_set(
    """rob robs nick nicked frank pat bob sandy jack eve holly ivy olive ruby amber misty
    iris daisy poppy willow jade coral raven ivory lavender heather rosemary berry
    melody harmony patience blessing charity mercy honesty trinity autumn august april june
    phoenix paris china sky storm rain river brook lane dean lance ray sunny rusty
    marina dawn gene art bishop pastor baron earl duke major doctor nurse
    precious lucky reg"""
)


def is_first_name(word: str) -> bool:
    return fold(word) in name_lists.first_names()


def is_surname(word: str) -> bool:
    return fold(word) in name_lists.surnames()


def is_known_name(word: str) -> bool:
    return is_first_name(word) or is_surname(word)


def is_ordinary_word(word: str) -> bool:
    """A name that is also an everyday English word ("will", "grace", "baker")."""
    key = fold(word)
    if key in COMMON_SURNAMES:
        return False
    if key in ORDINARY_WORDS or key in FUNCTION_WORDS or key in _NEVER_NAMES:
        return True
    frequency = name_lists.english_frequency(key)
    if frequency >= ORDINARY_WORD_FREQUENCY:
        return True
    return not is_first_name(key) and frequency >= ORDINARY_SURNAME_FREQUENCY


def is_english_word(word: str) -> bool:
    """In the English frequency list often enough to be a word, not a stray name."""
    return name_lists.english_frequency(word) >= ORDINARY_SURNAME_FREQUENCY


@dataclass
class _Word:
    start: int
    end: int
    text: str  # without a possessive 's
    sentence_start: bool

    @property
    def key(self) -> str:
        return fold(self.text)


def _words(text: str) -> list[_Word]:
    words: list[_Word] = []
    for match in _WORD_RE.finditer(text):
        word = match.group(0)
        possessive = _POSSESSIVE_RE.search(word)
        end = match.end() - (len(possessive.group(0)) if possessive else 0)
        starts = _starts_sentence(text, match.start())
        words.append(_Word(match.start(), end, text[match.start() : end], starts))
    return words


_BETWEEN_SENTENCES = " \t\r'\"‘’“”()[]"


def _starts_sentence(text: str, start: int) -> bool:
    """Nothing before, or a full stop, question or exclamation mark or new line (looking
    back past spaces, quotes and brackets only, so each word costs a few characters)."""
    index = start - 1
    while index >= 0 and text[index] in _BETWEEN_SENTENCES:
        index -= 1
    return index < 0 or text[index] in ".!?\n"


def _capitalised(word: str) -> bool:
    """Written with a capital and not in capitals throughout ("Grace", not "GRACE")."""
    return word[:1].isupper() and not word.isupper()


def _capitals_mean_names(words: list[_Word]) -> bool:
    """False for comments written in capitals or with Every Word Capitalised."""
    middle = [word for word in words if not word.sentence_start and len(word.text) > 1]
    if not middle:
        return True
    capitalised = sum(1 for word in middle if word.text[:1].isupper())
    return capitalised * 2 <= len(middle)


def _names_after_context(word: _Word, capitals: bool, *, context: str) -> bool:
    """After a title, relation or introduction: is this word the name?"""
    if word.key in _NEVER_NAMES and context != "personal":  # "Mrs May", not "called police"
        return False
    if word.key in FUNCTION_WORDS and not (
        context in ("personal", "introduction") and word.key in MODAL_VERBS
    ):
        return False
    if capitals and _capitalised(word.text):
        return True
    return is_known_name(word.text) or not is_english_word(word.text)


def _context_before(words: list[_Word], index: int, text: str) -> str | None:
    """What words[index] follows: "personal" (Mrs), "introduction" (called), "title" (PC),
    "relation" (my husband), or None."""
    if index == 0:
        return None
    previous = words[index - 1]
    between = text[previous.end : words[index].start]
    if between.strip(" ,.:'’s") or "\n" in between:  # 's: "her name's Kasia"
        return None
    key = previous.key.rstrip(".")
    if key in PERSONAL_TITLES:
        return "personal"
    if key in _INTRODUCERS or (key,) in _INTRODUCER_PAIRS:
        return "introduction"
    if index >= 2 and (words[index - 2].key, key) in _INTRODUCER_PAIRS:
        return "introduction"
    if key in TITLES:
        return "title"
    if key in RELATIONS and _after_possessor(words, index - 1, text):
        return "relation"
    return None


def _after_possessor(words: list[_Word], index: int, text: str) -> bool:
    if index == 0:
        return False
    previous = words[index - 1]
    return previous.key in _POSSESSORS and not text[previous.end : words[index].start].strip()


def _name_spans(text: str) -> list[tuple[int, int]]:
    words = _words(text)
    capitals = _capitals_mean_names(words)
    named = [False] * len(words)
    for index, word in enumerate(words):
        if len(word.text) < 2:
            continue
        known = is_known_name(word.text)
        if known and not is_ordinary_word(word.text) and (len(word.text) > 2 or capitals):
            named[index] = True  # rule 1
        elif (
            known
            and capitals
            and _capitalised(word.text)
            and not word.sentence_start
            and word.key not in _NEVER_NAMES
            and word.key not in FUNCTION_WORDS
        ):
            named[index] = True  # rule 2
        elif (context := _context_before(words, index, text)) and _names_after_context(
            word, capitals, context=context
        ):
            named[index] = True  # rule 3
        elif word.sentence_start and is_first_name(word.text) and _verb_follows(words, index):
            named[index] = True  # rule 5
    # Rule 4: neighbours of names, repeated until nothing changes ("mohammed ali khan"),
    # up to MAX_NAME_WORDS words in a row.
    changed = True
    while changed:
        changed = False
        for index, word in enumerate(words):
            if (
                named[index]
                or word.key in FUNCTION_WORDS
                or word.key in _NEVER_NAMES
                or word.key.rstrip(".") in TITLES
            ):
                continue
            after_name = index > 0 and named[index - 1] and _adjacent(words, index - 1, text)
            before_name = (
                index + 1 < len(words) and named[index + 1] and _adjacent(words, index, text)
            )
            if not (after_name or before_name) or _run_length(named, index) > MAX_NAME_WORDS:
                continue
            capital_inside = capitals and _capitalised(word.text) and not word.sentence_start
            # A word that is no English word joins a first name only ("mohammed iqbal"), so
            # the words after a surname in another language stay ("Kowalski był miły").
            foreign_surname = (
                after_name
                and not is_english_word(word.text)
                and is_first_name(words[index - 1].text)
            )
            if (
                capital_inside
                or (after_name and is_surname(word.text))
                or foreign_surname
                or (before_name and is_first_name(word.text))
            ):
                named[index] = True
                changed = True
    return [(word.start, word.end) for word, is_name in zip(words, named, strict=True) if is_name]


def _run_length(named: list[bool], index: int) -> int:
    """How many words in a row would be a name if words[index] joined its neighbours."""
    start = index
    while start > 0 and named[start - 1] and index - start <= MAX_NAME_WORDS:
        start -= 1
    end = index
    while end + 1 < len(named) and named[end + 1] and end - index <= MAX_NAME_WORDS:
        end += 1
    return end - start + 1


def _verb_follows(words: list[_Word], index: int) -> bool:
    """The next word is a verb that a person does ("Frank was", "Will said")."""
    return index + 1 < len(words) and words[index + 1].key in NAME_VERBS


def _adjacent(words: list[_Word], index: int, text: str) -> bool:
    """words[index] and words[index + 1] are separated by spaces only."""
    between = text[words[index].end : words[index + 1].start]
    return between.strip() == "" and "\n" not in between and len(between) <= 2


def _replace_spans(text: str, spans: Iterable[tuple[int, int]], placeholder: str) -> str:
    """Replace each span, merging spans separated only by spaces into one placeholder."""
    merged: list[list[int]] = []
    for start, end in sorted(spans):
        if merged and text[merged[-1][1] : start].strip() == "":
            merged[-1][1] = end
        else:
            merged.append([start, end])
    for start, end in reversed(merged):
        text = text[:start] + placeholder + text[end:]
    return text


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
    return _replace_spans(text, _name_spans(text), NAME)


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
