"""What the rollups need to know about a response beyond its plain answers, read from its bank
version's document: the rights it answered about (app.reporting.right_rates), each agency's
part of a right where agencies share a touchpoint (issue 14), its equality characteristics,
and whether it said it is under 18.

A response whose age band answer is `under_18` (app.banks.schema.UNDER_18_CODE) is kept (the
survey shows Childline and flags it) but left out of every published figure: the rollups do not
count it at all, neither its answers nor the response itself.

Equality characteristics (the `characteristic` of a question in the equality section) become
dimensions of the metric aggregates: each counted answer of a question that feeds a measure
(and each derived right answer) is counted once more per characteristic the response answered,
in `rollup_characteristic` (app.reporting.characteristics).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlmodel import Session, col

from app.banks.localize import iter_questions
from app.banks.models import BankVersion
from app.banks.schema import CHARACTERISTICS, UNDER_18_CODE
from app.reporting.feeds import measure_feeds
from app.reporting.right_rates import (
    derived_answers,
    derived_parts,
    part_questions,
    right_questions,
)

AGE_BAND = "age_band"


@dataclass(frozen=True)
class VersionFacts:
    """Facts of one bank version's document that decide how its responses are counted."""

    rights: Mapping[tuple[str, str], frozenset[int]]  # (question, touchpoint) → rights fed
    metric_questions: frozenset[tuple[str, str]]  # (question, touchpoint) feeding any measure
    characteristics: Mapping[str, str]  # question id → the characteristic it records
    options: Mapping[str, tuple[str, ...]]  # characteristic → its option codes, in order
    # (question, touchpoint) → the agency parts it feeds, where agencies share the touchpoint
    parts: Mapping[tuple[str, str], frozenset[str]] = field(default_factory=dict)


def document_facts(document: Mapping[str, Any]) -> VersionFacts:
    feeds = measure_feeds(document)
    characteristics: dict[str, str] = {}
    options: dict[str, list[str]] = {}
    for _section, question in iter_questions(document):
        characteristic = question.get("characteristic")
        if characteristic in CHARACTERISTICS:
            characteristics[str(question["id"])] = str(characteristic)
            codes = options.setdefault(str(characteristic), [])
            for option in question.get("options") or ():
                code = str(option.get("code"))
                if code not in codes:
                    codes.append(code)
    return VersionFacts(
        rights=right_questions(feeds),
        metric_questions=frozenset(pair for pairs in feeds.values() for pair in pairs),
        characteristics=characteristics,
        options={name: tuple(codes) for name, codes in options.items()},
        parts=part_questions(feeds),
    )


# (version id, content hash) → facts; a published document never changes, and the hash keeps a
# reused id (a test database emptied between tests) from serving a stale document.
_FACTS_CACHE: dict[tuple[int, str], VersionFacts] = {}


def versions_facts(session: Session, version_ids: Iterable[int]) -> dict[int, VersionFacts]:
    """Facts of the given bank versions (one query for the hashes, documents read once)."""
    wanted = sorted(set(version_ids))
    if not wanted:
        return {}
    hashes = dict(
        session.execute(
            select(col(BankVersion.id), col(BankVersion.content_hash)).where(
                col(BankVersion.id).in_(wanted)
            )
        ).all()
    )
    missing = [v for v in wanted if (v, hashes.get(v)) not in _FACTS_CACHE and v in hashes]
    if missing:
        for version_id, content_hash, document in session.execute(
            select(
                col(BankVersion.id), col(BankVersion.content_hash), col(BankVersion.document)
            ).where(col(BankVersion.id).in_(missing))
        ).all():
            _FACTS_CACHE[(int(version_id), str(content_hash))] = document_facts(document)
    return {
        v: _FACTS_CACHE[(v, str(hashes[v]))] for v in wanted if (v, hashes.get(v)) in _FACTS_CACHE
    }


EMPTY_FACTS = VersionFacts({}, frozenset(), {}, {})


@dataclass(frozen=True)
class ResponseCount:
    """What a response adds to the rollups besides its plain answers."""

    under_18: bool
    derived: Mapping[str, str]  # right measure → derived code
    characteristics: Mapping[str, str]  # characteristic → the code answered
    metric_answers: tuple[tuple[str, str], ...]  # (question id, code) counted by characteristic
    # Part id → the agency's derived code. Counted in the rollups only: no figure splits a
    # part by characteristic or cross-tab, so those rows would cost every submit for nothing.
    parts: Mapping[str, str] = field(default_factory=dict)

    def rollup_answers(self) -> dict[str, str]:
        """The derived answers the rollups count besides the plain ones: rights and parts."""
        return {**self.derived, **self.parts}


def count_response(
    facts: VersionFacts, touchpoint: str, answers: Iterable[tuple[str, str | None]]
) -> ResponseCount:
    """The derived right and part answers, characteristics and under-18 flag of one response."""
    given = list(answers)
    characteristics: dict[str, str] = {}
    for question_id, code in given:
        characteristic = facts.characteristics.get(question_id)
        if characteristic and code:
            characteristics[characteristic] = code
    derived = derived_answers(facts.rights, touchpoint, given)
    metric_answers = tuple(
        sorted(
            {
                (question_id, code)
                for question_id, code in given
                if code and (question_id, touchpoint) in facts.metric_questions
            }
            | set(derived.items())
        )
    )
    return ResponseCount(
        # Any age band answer of under 18, as the rebuild's SQL reads it (rebuild_pass), so that
        # submit, withdrawal and rebuild agree whatever the order of the answers.
        under_18=any(
            code == UNDER_18_CODE and facts.characteristics.get(question_id) == AGE_BAND
            for question_id, code in given
        ),
        derived=derived,
        characteristics=characteristics,
        metric_answers=metric_answers,
        parts=derived_parts(facts.parts, touchpoint, given) if facts.parts else {},
    )
