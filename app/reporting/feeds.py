"""Which questions feed a metric, read from the published bank versions (cached per version).

A metric's inputs are the (bank version, question, touchpoint) triples whose question is tagged
with the metric's measure and asked at that touchpoint. They come from the published versions'
documents, read once per version: a published document never changes.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import and_, func, select
from sqlmodel import Session, col

from app.banks.localize import asked_at, iter_questions
from app.banks.metrics import is_right_rate, right_measure, right_number
from app.banks.models import BankVersion, QuestionBank
from app.enums import TOUCHPOINTS
from app.reporting.right_rates import part_of, part_questions

ANSWERED_STATUSES = ("published", "retired")  # versions victims can have answered

# (version id, content hash) → measure → {(question id, touchpoint)}. Keyed by hash as well as
# id, so a reused id (a test database emptied between tests) can never serve a stale document.
_FEEDS_CACHE: dict[tuple[int, str], dict[str, frozenset[tuple[str, str]]]] = {}


def measure_feeds(document: Mapping[str, Any]) -> dict[str, frozenset[tuple[str, str]]]:
    """For one bank document: measure → the (question id, touchpoint) pairs that feed it."""
    feeds: dict[str, set[tuple[str, str]]] = {}
    for _section, question in iter_questions(document):
        for measure in question.get("measures") or ():
            for touchpoint in TOUCHPOINTS:
                if asked_at(question, touchpoint):
                    feeds.setdefault(str(measure), set()).add((str(question["id"]), touchpoint))
    return {measure: frozenset(pairs) for measure, pairs in feeds.items()}


def _answered_versions(session: Session) -> list[tuple[int, str]]:
    rows = session.execute(
        select(col(BankVersion.id), col(BankVersion.content_hash)).where(
            col(BankVersion.status).in_(ANSWERED_STATUSES)
        )
    ).all()
    return [(int(version_id), str(content_hash)) for version_id, content_hash in rows]


def answered_version_ids(session: Session) -> list[int]:
    """Ids of the bank versions victims can have answered (published or retired)."""
    return [version_id for version_id, _ in _answered_versions(session)]


def _feeds_by_version(
    session: Session, versions: Sequence[tuple[int, str]]
) -> dict[int, dict[str, frozenset[tuple[str, str]]]]:
    missing = [version for version in versions if version not in _FEEDS_CACHE]
    if missing:
        ids = [version_id for version_id, _ in missing]
        for version_id, content_hash, document in session.execute(
            select(
                col(BankVersion.id), col(BankVersion.content_hash), col(BankVersion.document)
            ).where(col(BankVersion.id).in_(ids))
        ).all():
            _FEEDS_CACHE[(int(version_id), str(content_hash))] = measure_feeds(document)
    return {version_id: _FEEDS_CACHE.get((version_id, h), {}) for version_id, h in versions}


def metric_inputs(session: Session, metric_id: str) -> list[tuple[int, str, str]]:
    """(bank version id, question id, touchpoint) triples that feed `metric_id`.

    A right's own figure (`victims_code.right_N`) is read from the answers derived per response
    from its aspects (app.reporting.right_rates), stored under the question id
    `victims_code.right_N`: its triples name that id wherever any aspect of the right (or, in
    older versions, the bare right) is asked. An agency's part of a right
    (`victims_code.right_N.<agency>`, never a bank measure) is read likewise from its own derived
    answers, wherever that agency's aspects are asked at a touchpoint it shares."""
    feeds = _feeds_by_version(session, _answered_versions(session))
    if part_of(metric_id) is not None:
        return sorted(
            {
                (version_id, metric_id, touchpoint)
                for version_id, by_measure in feeds.items()
                for (_question, touchpoint), parts in part_questions(by_measure).items()
                if metric_id in parts
            }
        )
    if is_right_rate(metric_id):
        right = right_number(metric_id)
        return sorted(
            {
                (version_id, metric_id, touchpoint)
                for version_id, by_measure in feeds.items()
                for measure, pairs in by_measure.items()
                if right_number(measure) == right
                for _question, touchpoint in pairs
            }
        )
    return sorted(
        (version_id, question_id, touchpoint)
        for version_id, by_measure in feeds.items()
        for question_id, touchpoint in by_measure.get(metric_id, ())
    )


def latest_question_ids(session: Session) -> dict[str, list[str]]:
    """Measure → ids of the questions feeding it in each bank's latest published version."""
    latest = (
        select(col(BankVersion.bank_id), func.max(col(BankVersion.version)).label("version"))
        .where(col(BankVersion.status) == "published")
        .group_by(col(BankVersion.bank_id))
        .subquery()
    )
    rows = session.execute(
        select(col(BankVersion.id), col(BankVersion.content_hash))
        .join(
            latest,
            and_(
                col(BankVersion.bank_id) == latest.c.bank_id,
                col(BankVersion.version) == latest.c.version,
            ),
        )
        .join(QuestionBank, col(QuestionBank.id) == col(BankVersion.bank_id))
    ).all()
    versions = [(int(version_id), str(content_hash)) for version_id, content_hash in rows]
    by_measure: dict[str, set[str]] = {}
    for feeds in _feeds_by_version(session, versions).values():
        for measure, pairs in feeds.items():
            questions = {question for question, _ in pairs}
            by_measure.setdefault(measure, set()).update(questions)
            right = right_number(measure)
            if right is not None:  # a right's figure is derived from every aspect's question
                by_measure.setdefault(right_measure(right), set()).update(questions)
    return {measure: sorted(ids) for measure, ids in by_measure.items()}
