"""Paraphrases of "what happened" that the older wording rules miss (issue 13 point 7): each
class is its own rule, waivable for one question with a written reason like the others.

The patterns are kept tight on purpose: service questions ("were you asked to agree before
your records were requested?", "were you alone at court?", "are you still in contact with
your ISVA?") must pass. The lint is a backstop behind partner review, not a replacement: a
phrase it misses is still the partner's and the approver's to catch.
"""

from __future__ import annotations

import re
from dataclasses import dataclass


@dataclass(frozen=True)
class ParaphraseClass:
    rule: str
    what: str  # completes "the question ..."
    patterns: tuple[tuple[re.Pattern[str], str], ...]  # (pattern, label shown)


def _compiled(*pairs: tuple[str, str]) -> tuple[tuple[re.Pattern[str], str], ...]:
    return tuple((re.compile(pattern, re.IGNORECASE), label) for pattern, label in pairs)


# The person who harmed them, named without offender/suspect.
_HARMED = (
    r"(hurt|harmed|attacked|abused|assaulted|raped|threatened|stalked|committed"
    r"|did (this|it|that|the (crime|offence|attack|assault|abuse)))"
)
_PERSON = rf"(the (other )?(person|man|woman|people) (who|that) {_HARMED}\b|the other person\b)"
_THEM = (
    rf"(him|her|{_PERSON}|the (offender|suspect|perpetrator|attacker|abuser)"
    r"|your (abuser|attacker|partner|ex|ex-partner|former partner|husband|wife|boyfriend"
    r"|girlfriend))\b"
)
# Where a "were you alone" is about the service (at court, in the interview), not the offence.
_SERVICE_PLACE = (
    r"(at|in|during|for|to) (court|the (court|courtroom|hearing|trial|station|police station"
    r"|interview|video interview|centre|waiting room|appointment)|your (interview|appointment"
    r"|hearing|trial|statement)|a (court|hearing|trial|interview|meeting))"
)

PARAPHRASE_CLASSES: tuple[ParaphraseClass, ...] = (
    ParaphraseClass(
        "asks_consent",
        "asks about consent",
        _compiled(
            # "your", "a" and "an" pass only before a step of the service: "consent to a
            # sexual act" or "to your partner touching you" is the offence.
            (r"\bdid you (consent|give (your )?consent)\b(?! to (the police|us|officers?"
             r"|them (looking|taking|keeping|asking)|((your|a|an) )?(forensic |medical )*(phone"
             r"|records|data|details|information|statement|samples?|referral|examination)))",
             "did you consent"),
            (r"\b(was|were) (it|this|that|you|the (sex|act|contact|encounter)) consen(sual"
             r"|ting)\b", "was it consensual"),
            (r"\bagreed? to (sex|have sex|sexual|it\b(?! being| to be| going))",
             "agree to it"),
            (r"\bdid you want (it|this|that|sex|him|her) (to happen|with)\b|\bwant(ed)? (it|this"
             r"|that) to happen\b", "want it to happen"),
            (rf"\bdid you (tell|ask) {_THEM} to stop\b", "did you tell them to stop"),
        ),
    ),
    ParaphraseClass(
        "asks_delay",
        "asks about a delay in reporting",
        _compiled(
            (r"\bwhy did you wait\b", "why did you wait"),
            (r"\b(took|take|taking|taken) you (so|this|that) long\b", "took you so long"),
            (r"\breport(ed|ing)? (it |this |the (crime|offence|incident|abuse|assault|attack) )?"
             r"(sooner|earlier|straight ?away|right away|immediately|at once)\b",
             "report it sooner"),
            (r"\bwait(ed|ing)? (so long|before (reporting|telling|calling|you (reported|told"
             r"|called))|to report)\b", "waited before reporting"),
        ),
    ),
    ParaphraseClass(
        "asks_where_when",
        "asks where or when it happened",
        _compiled(
            (r"\bwhere were you\b(?! (\w+ed|seen|spoken|taken|given|told|shown|able|offered"
             r"|asked)\b)", "where were you"),
            (r"\b(where|when|what time|what day|what date) did (it|this|that|the (crime|offence"
             r"|incident|attack|assault|abuse|rape)) (happen|take place|occur)\b",
             "where or when did it happen"),
            (r"\b(tell us|say) (where|when) (it|this|that) happened\b", "where it happened"),
            # "where were you" passes before "interviewed", "seen"...: not before the offence.
            (r"\b(where|when|what time|what day|what date) (were|was) (you|he|she|they|it)"
             r" (hurt|harmed|attacked|abused|assaulted|raped|threatened|stalked|robbed|mugged"
             r"|hit|touched|followed|targeted)\b", "where or when were you attacked"),
        ),
    ),
    ParaphraseClass(
        "asks_what_doing",
        "asks what the victim was doing",
        _compiled(
            (r"\bwhat (were you|you were|(had|have) you been|you had been) doing\b",
             "what were you doing"),
            (r"\bwhat were you up to\b", "what were you doing"),
        ),
    ),
    ParaphraseClass(
        "asks_alone",
        "asks whether the victim was alone",
        _compiled(
            (rf"\bwere you (alone|on your own|by yourself)\b(?! {_SERVICE_PLACE})",
             "were you alone"),
            (r"\b(alone|on your own|by yourself) at the time\b", "on your own at the time"),
            (r"\bwas (any|some)(one|body)( else)? with you (when|at the time)\b",
             "was anyone with you"),
        ),
    ),
    ParaphraseClass(
        "asks_contact",
        "asks about contact with, living with or going back to the person who harmed them",
        _compiled(
            (rf"\b(still )?in (contact|touch) with {_THEM}", "still in contact with"),
            (rf"\b(do|did) you (still )?live with {_THEM}", "do you live with"),
            (rf"\b(go|goes|going|gone|went) back to {_THEM}", "go back to"),
            (rf"\bstill (see|seeing|speak to|speaking to|talk to|talking to|with) {_THEM}",
             "still see"),
            (r"\b(back|still) together\b", "back together"),
            (rf"\b(seen|spoken to|heard from) {_THEM} since\b", "still see"),
        ),
    ),
    ParaphraseClass(
        "asks_about_person",
        "asks the victim to describe the person who harmed them",
        _compiled(
            (rf"\b(tell|write|say)( us| me)? (more |a bit |a little )?about {_PERSON}",
             "tell us about the person who"),
            (rf"\bwho (was|is|were|are) {_PERSON}", "who was the person who"),
            (rf"\bhow (do|did) you know {_PERSON}", "how do you know the person who"),
            (rf"\b(relationship|relation) (to|with) {_PERSON}", "relationship to the person who"),
            (rf"\b(what|how) (was|is) {_PERSON} like\b", "what was the person like"),
        ),
    ),
)  # fmt: skip

PARAPHRASE_RULES: frozenset[str] = frozenset(item.rule for item in PARAPHRASE_CLASSES)
