"""What a browser journey needs in the database: a published bank, support services and an
invitation whose link has been sent. Shared with scripts/screenshots.py."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path

from sqlmodel import Session

from app.banks.files import read_yaml
from app.banks.models import BankVersion
from app.banks.schema import parse_document
from app.banks.service import latest_published
from app.banks.support import load_support_services
from app.banks.versions import load_document
from app.invitations.clock import now as utcnow
from app.invitations.links import make_survey_token
from app.invitations.models import Invitation, InvitationBatch
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
) -> SentLink:
    """An invitation whose first message went out an hour ago; flushed, not committed."""
    batch = InvitationBatch(created_by="test", rows=1, accepted=1)
    session.add(batch)
    session.flush()
    sent_at = utcnow() - timedelta(hours=1)
    invitation = Invitation(
        batch_id=batch.id,
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
    session.add(invitation)
    session.flush()
    return SentLink(invitation.id, make_survey_token(invitation.id))
