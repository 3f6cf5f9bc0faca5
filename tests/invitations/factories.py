"""Plain factories for invitation tests: rows, uploads, dispatch with a recording sender."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlmodel import Session

from app.db import utcnow as now
from app.invitations.batches import BatchResult, import_rows
from app.messaging.sender import OutgoingMessage, SendReceipt

PHONE = "07911 123456"
PHONE_E164 = "+447911123456"


def make_row(**overrides: Any) -> dict[str, Any]:
    """A valid SMS row whose first message is due now (touchpoint well in the past)."""
    row: dict[str, Any] = {
        "case_ref": "CR/2026/0001",
        "crime_group": "general",
        "touchpoint": "reporting",
        "touchpoint_date": (now().date() - timedelta(days=5)).isoformat(),
        "area": "BHAM-N",
        "channel": "sms",
        "phone": PHONE,
        "language": "en",
        "safe_to_contact": True,
    }
    row.update(overrides)
    return row


def make_specialist_row(crime_group: str = "rasso", **overrides: Any) -> dict[str, Any]:
    """A valid direct row of a specialist group: under 18 answered, agreement recorded lately.
    Accepted only while VV_SPECIALIST_DIRECT_CONTACT=on."""
    row = make_row(
        crime_group=crime_group,
        under_18=False,
        consent_to_survey=True,
        consent_recorded_on=(now().date() - timedelta(days=10)).isoformat(),
    )
    row.update(overrides)
    return row


def make_support_service_row(**overrides: Any) -> dict[str, Any]:
    """A valid row a support service passes on: no contact detail of ours."""
    row = make_row(
        contact_via="support_service",
        support_service="victim_support",
        channel=None,
        phone=None,
        under_18=False,
    )
    row.update(overrides)
    return row


def phone_number(i: int) -> str:
    """A distinct valid UK mobile number for each i (07911 1xxxxx range)."""
    return f"+44791{1000000 + i:07d}"


def upload(db: Session, rows: list[dict[str, Any]], *, commit: bool = True) -> BatchResult:
    result = import_rows(db, rows, actor="test", source="json")
    if commit:
        db.commit()
    return result


@dataclass
class RecordingSender:
    """A sender that keeps what it was asked to send (real senders are tested separately)."""

    name: str = "recording"
    sent: list[OutgoingMessage] = field(default_factory=list)

    def send(self, message: OutgoingMessage) -> SendReceipt:
        self.sent.append(message)
        return SendReceipt(provider=self.name, provider_id=f"p-{len(self.sent)}")


def days_ago(days: int) -> str:
    return (date.today() - timedelta(days=days)).isoformat()
