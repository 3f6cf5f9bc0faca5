"""Names in free text, for redaction (app.reporting.redaction; pure functions).

Names are found in any case, with lists of first names and surnames (app.reporting.name_lists)
and these rules, in order (`name_spans`):

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
from collections.abc import Iterable
from dataclasses import dataclass

from app.reporting import name_lists
from app.reporting.name_lists import fold, word_set

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


def _named_alone(words: list[_Word], index: int, text: str, capitals: bool) -> bool:
    """Rules 1, 2, 3 and 5: whether this word is a name whatever its neighbours are."""
    word = words[index]
    known = is_known_name(word.text)
    if known and not is_ordinary_word(word.text) and (len(word.text) > 2 or capitals):
        return True  # rule 1
    if (
        known
        and capitals
        and _capitalised(word.text)
        and not word.sentence_start
        and word.key not in _NEVER_NAMES
        and word.key not in FUNCTION_WORDS
    ):
        return True  # rule 2
    context = _context_before(words, index, text)
    if context and _names_after_context(word, capitals, context=context):
        return True  # rule 3
    return word.sentence_start and is_first_name(word.text) and _verb_follows(words, index)


def _joins_a_name(
    words: list[_Word], named: list[bool], index: int, text: str, capitals: bool
) -> bool:
    """Rule 4: whether this word, next to a name, is part of it."""
    word = words[index]
    if word.key in FUNCTION_WORDS or word.key in _NEVER_NAMES or word.key.rstrip(".") in TITLES:
        return False
    after_name = index > 0 and named[index - 1] and _adjacent(words, index - 1, text)
    before_name = index + 1 < len(words) and named[index + 1] and _adjacent(words, index, text)
    if not (after_name or before_name) or _run_length(named, index) > MAX_NAME_WORDS:
        return False
    capital_inside = capitals and _capitalised(word.text) and not word.sentence_start
    # A word that is no English word joins a first name only ("mohammed iqbal"), so
    # the words after a surname in another language stay ("Kowalski był miły").
    foreign_surname = (
        after_name and not is_english_word(word.text) and is_first_name(words[index - 1].text)
    )
    return (
        capital_inside
        or (after_name and is_surname(word.text))
        or foreign_surname
        or (before_name and is_first_name(word.text))
    )


def name_spans(text: str) -> list[tuple[int, int]]:
    """Where the names of `text` are (see the rules above), as (start, end) offsets."""
    words = _words(text)
    capitals = _capitals_mean_names(words)
    named = [
        len(word.text) >= 2 and _named_alone(words, index, text, capitals)
        for index, word in enumerate(words)
    ]
    # Rule 4: neighbours of names, repeated until nothing changes ("mohammed ali khan"),
    # up to MAX_NAME_WORDS words in a row.
    changed = True
    while changed:
        changed = False
        for index in range(len(words)):
            if not named[index] and _joins_a_name(words, named, index, text, capitals):
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


def replace_spans(text: str, spans: Iterable[tuple[int, int]], placeholder: str) -> str:
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
