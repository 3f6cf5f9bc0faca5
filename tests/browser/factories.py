"""What a browser journey needs in the database: a published bank, support services and an
invitation whose link has been sent. Shared with scripts/screenshots.py."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import httpx
from sqlmodel import Session

from app.banks.models import BankVersion
from app.banks.publishing import load_document
from app.banks.schema import parse_document
from app.banks.service import latest_published
from app.banks.support import load_support_services
from app.banks.yaml_files import read_yaml
from app.crypto import encrypt
from app.db import utcnow
from app.invitations.contacts import contact_hash
from app.invitations.links import issue_link
from app.invitations.models import Contact, Invitation, InvitationBatch
from app.settings import get_settings

REPO_ROOT = Path(__file__).resolve().parents[2]
URDU_BANK = REPO_ROOT / "tests" / "fixtures" / "banks" / "approved_urdu.yaml"
SUPPORT_FILE = REPO_ROOT / "question_banks" / "support_services.yaml"


def publish_bank(session: Session, path: Path = URDU_BANK) -> BankVersion:
    """Publish the bank file (the same path `victim-voice banks load` takes); flushed."""
    from app.survey import bank as survey_bank

    # The survey keeps published versions in memory by id; ids repeat after a test empties
    # the database, so forget them.
    survey_bank.clear_cache()
    document = parse_document(read_yaml(path))
    load_document(session, document, actor="test", file=path.name)
    version = latest_published(session, document.slug)
    assert version is not None
    return version


def load_support(session: Session) -> None:
    """The seed support services, when the seed file exists."""
    if SUPPORT_FILE.exists():
        load_support_services(session, SUPPORT_FILE, actor="test")


@dataclass(frozen=True)
class SentLink:
    invitation_id: str
    token: str

    @property
    def path(self) -> str:
        return f"/s/{self.token}"


def create_sent_invitation(
    session: Session,
    *,
    crime_group: str = "general",
    touchpoint: str = "reporting",
    language: str = "en",
    area: str | None = "BH",
    status: str = "sent",
    phone: str | None = None,
) -> SentLink:
    """An invitation whose first message went out an hour ago; flushed, not committed.

    With `phone` (E.164) it has a contact, as a batch upload makes (the stop page needs one).
    """
    batch = InvitationBatch(created_by="test", rows=1, accepted=1)
    session.add(batch)
    session.flush()
    sent_at = utcnow() - timedelta(hours=1)
    contact_id = None
    if phone:
        contact = Contact(
            contact_hash=contact_hash(phone),
            channel="sms",
            destination_encrypted=encrypt(phone),
            last_invited_at=sent_at,
        )
        session.add(contact)
        session.flush()
        contact_id = contact.id
    invitation = Invitation(
        batch_id=batch.id,
        contact_id=contact_id,
        crime_group=crime_group,
        touchpoint=touchpoint,
        touchpoint_date=date.today() - timedelta(days=5),
        area=area,
        language=language,
        channel="sms",
        status=status,
        first_sent_at=sent_at,
        expires_at=sent_at + timedelta(days=get_settings().link_ttl_days),
    )
    token = issue_link(invitation)
    session.add(invitation)
    session.flush()
    return SentLink(invitation.id, token)


SAMPLE_COMMENTS = [
    "The officer who came was kind and explained what would happen next.",
    "I waited a long time for anyone to call me back about my report.",
    "Nobody told me the case had been closed until I rang to ask.",
    "The call handler was calm and made me feel safe.",
    "I would have liked more updates while the case was investigated.",
]


def answer_through_the_api(
    base_url: str, token: str, rng: random.Random, *, skip_share: float = 0.1
) -> None:
    """Answer every question of a link at random (some skipped) and submit, as the contract's
    JSON API allows; the answers go through the real validation, rollups and all."""
    with httpx.Client(base_url=base_url, timeout=10) as client:
        survey = client.get(f"/api/v1/survey/{token}")
        survey.raise_for_status()
        answers: dict[str, Any] = {}
        for question in survey.json()["questions"]:
            codes = [option["code"] for option in question["options"] or []]
            if rng.random() < skip_share:
                answers[question["id"]] = None
            elif question["type"] == "text":
                answers[question["id"]] = rng.choice(SAMPLE_COMMENTS)
            elif question["type"] == "multi":
                answers[question["id"]] = rng.sample(codes, k=rng.randint(1, 2))
            else:
                # Lean towards the first (favourable) options, as real answers often do.
                answers[question["id"]] = codes[min(int(rng.expovariate(0.6)), len(codes) - 1)]
        saved = client.put(f"/api/v1/survey/{token}/answers", json={"answers": answers})
        saved.raise_for_status()
        client.post(f"/api/v1/survey/{token}/submit").raise_for_status()


def fill_responses(
    session: Session,
    base_url: str,
    count: int,
    *,
    seed: int = 7,
    touchpoints: tuple[str, ...] = ("reporting", "investigation", "outcome", "court"),
    areas: tuple[str, ...] = ("BH", "CV", "WV"),
) -> None:
    """`count` submitted responses spread over touchpoints and areas (commits)."""
    rng = random.Random(seed)
    links = [
        create_sent_invitation(
            session, touchpoint=touchpoints[i % len(touchpoints)], area=rng.choice(areas)
        )
        for i in range(count)
    ]
    session.commit()
    for sent in links:
        answer_through_the_api(base_url, sent.token, rng)
