"""Partner review of new and reworded questions (DESIGN13 rule 5, issue 13 point 8).

A question marked `review: pending` is never shown to victims until an approver records the
partner's sign-off of its wording: a `QuestionSignoff` row naming the bank, the question and the
wording hash (English text, hint and options). The sign-off lives outside the published version
(versions are immutable), so it releases the question in every version whose question has that
wording; a rewording has a new hash and needs a new sign-off.

Recorded by `victim-voice banks sign-off` (app/banks/cli.py) or the form on the staff bank page
(app/banks/signoff_pages.py). Audited with the approver as "user:<id>", never an email.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, col, select

from app.audit import record as record_event
from app.banks import localize, service
from app.banks.models import BankVersion, QuestionSignoff
from app.errors import InvalidInput, NotFound

SIGNED_OFF = "bank.question_signed_off"
PARTNER_MAX = 200
# The demo's own sign-off of the shipped banks (app/demo.py): says plainly it is no review.
DEMO_PARTNER = "Demo partner (not a real review)"


def _english(value: Any) -> str | None:
    if value is None or isinstance(value, str):
        return value
    if isinstance(value, Mapping):
        english = value.get(localize.SOURCE_LANGUAGE)
        return None if english is None else str(english)
    return str(value)


def wording_hash(question: Mapping[str, Any]) -> str:
    """sha256 of what the partner reviews: the English text, hint and options (codes and
    labels). Routing, measures and translations are not wording."""
    wording = {
        "text": _english(question.get("text")),
        "hint": _english(question.get("hint")),
        "options": [
            [option["code"], _english(option.get("label"))]
            for option in question.get("options") or []
        ],
    }
    canonical = json.dumps(wording, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def _pending(document: Mapping[str, Any]) -> dict[str, str]:
    """The pending questions of a document: id → wording hash."""
    return {
        question["id"]: wording_hash(question)
        for _section, question in localize.iter_questions(document)
        if localize.is_pending(question)
    }


def _signed(session: Session, slug: str, ids: Iterable[str]) -> set[tuple[str, str]]:
    wanted = sorted(set(ids))
    if not wanted:
        return set()
    rows = session.execute(
        select(col(QuestionSignoff.question_id), col(QuestionSignoff.wording_hash))
        .where(col(QuestionSignoff.bank_slug) == slug)
        .where(col(QuestionSignoff.question_id).in_(wanted))
    )
    return {(question_id, digest) for question_id, digest in rows}


def released_ids(session: Session, slug: str, document: Mapping[str, Any]) -> frozenset[str]:
    """The pending questions of `document` whose current wording is signed off (no query when
    nothing is pending)."""
    pending = _pending(document)
    signed = _signed(session, slug, pending)
    return frozenset(qid for qid, digest in pending.items() if (qid, digest) in signed)


@dataclass(frozen=True)
class Awaiting:
    """A question awaiting partner review, as the staff bank page lists it."""

    question_id: str
    text: str
    wording_hash: str
    versions: tuple[int, ...]


def awaiting_review(session: Session, slug: str) -> list[Awaiting]:
    """Pending questions without a sign-off of their wording, in the bank's latest published
    version and the versions in review (newest first), each wording once."""
    rows = [row for row in service.list_versions(session, slug) if row.status == service.IN_REVIEW]
    latest = service.latest_published(session, slug)
    if latest is not None:
        rows.append(latest)
    found: dict[tuple[str, str], Awaiting] = {}
    for row in rows:
        pending = _pending(row.document)
        signed = _signed(session, slug, pending)
        for _section, question in localize.iter_questions(row.document):
            key = (question["id"], pending.get(question["id"], ""))
            if question["id"] not in pending or key in signed:
                continue
            earlier = found.get(key)
            found[key] = Awaiting(
                question_id=key[0],
                text=_english(question.get("text")) or "",
                wording_hash=key[1],
                versions=(*(earlier.versions if earlier else ()), row.version),
            )
    return list(found.values())


def _holding(session: Session, slug: str, question_id: str) -> list[BankVersion]:
    """Published and in-review versions whose question `question_id` is pending, newest
    published first (the wording victims would be shown)."""
    rows = service.list_versions(session, slug)
    ordered = [r for r in rows if r.status == service.PUBLISHED] + [
        r for r in rows if r.status == service.IN_REVIEW
    ]
    return [row for row in ordered if question_id in _pending(row.document)]


def checked_partner(partner: str) -> str:
    name = " ".join(partner.split())
    if not name or len(name) > PARTNER_MAX or not name.isprintable():
        raise InvalidInput(f"Give the partner's name (up to {PARTNER_MAX} characters).")
    return name


def sign_off(
    session: Session,
    slug: str,
    question_id: str,
    *,
    partner: str,
    approver: str,
    actor: str,
    digest: str | None = None,
) -> QuestionSignoff:
    """Record the partner's sign-off of the question's wording (`digest`, as the page showed
    it; by default the wording of the newest published version holding it). Idempotent: the
    same wording signed off again keeps the first record. `approver` is "user:<id>"."""
    name = checked_partner(partner)
    holding = _holding(session, slug, question_id)
    if not holding:
        raise NotFound(f"{slug} has no question {question_id} awaiting partner review.")
    wordings = [_pending(row.document)[question_id] for row in holding]
    if digest is None:
        digest = wordings[0]
    elif digest not in wordings:
        raise InvalidInput(
            f"The wording of {question_id} has changed since the page was shown: review it again."
        )
    existing = _existing(session, slug, question_id, digest)
    if existing is not None:
        return existing
    signoff = QuestionSignoff(
        bank_slug=slug,
        question_id=question_id,
        wording_hash=digest,
        partner=name,
        signed_off_by=approver,
    )
    try:
        with session.begin_nested():  # two approvers at once: the first record stands
            session.add(signoff)
    except IntegrityError:
        found = _existing(session, slug, question_id, digest)
        assert found is not None
        return found
    record_event(
        session,
        actor=actor,
        action=SIGNED_OFF,
        object_type="question",
        object_id=f"{slug}:{question_id}",
        detail={"wording_hash": digest, "partner": name, "signed_off_by": approver},
    )
    return signoff


def _existing(session: Session, slug: str, question_id: str, digest: str) -> QuestionSignoff | None:
    return session.exec(
        select(QuestionSignoff).where(
            QuestionSignoff.bank_slug == slug,
            QuestionSignoff.question_id == question_id,
            QuestionSignoff.wording_hash == digest,
        )
    ).first()


def sign_off_shipped_for_demo(session: Session) -> int:
    """The demo (`make run`) signs off every pending question of every bank's latest published
    version as DEMO_PARTNER, so its surveys show the shipped banks whole. Never a real review:
    the partner's name says so. Returns how many wordings it signed off."""
    count = 0
    for bank in service.list_banks(session):
        latest = service.latest_published(session, bank.slug)
        if latest is None:
            continue
        pending = _pending(latest.document)
        signed = _signed(session, bank.slug, pending)
        for question_id, digest in pending.items():
            if (question_id, digest) not in signed:
                sign_off(
                    session,
                    bank.slug,
                    question_id,
                    partner=DEMO_PARTNER,
                    approver="demo",
                    actor="demo",
                    digest=digest,
                )
                count += 1
    return count
