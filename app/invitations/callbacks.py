"""GOV.UK Notify callbacks: delivery receipts and inbound SMS (STOP).

They change invitations (the funnel, opt-outs), so they live with them: app/messaging only
sends, and never writes invitation state.
"""

from __future__ import annotations

import re
from typing import Any

from sqlmodel import Session

from app.audit import record as record_event
from app.db import utcnow as now
from app.invitations.lifecycle import mark_delivered, mark_delivery_failed
from app.invitations.models import Invitation, OutboundMessage
from app.invitations.optout import opt_out_phone

DELIVERED = "delivered"
FAILURES = frozenset({"permanent-failure", "temporary-failure", "technical-failure"})
STOP_WORDS = frozenset({"STOP", "STOPALL", "UNSUBSCRIBE"})
_NOT_LETTERS = re.compile(r"[^A-Z]")


def is_stop_request(message: str) -> bool:
    """STOP in any case, spacing or punctuation (" s t o p ", "Stop.")."""
    return _NOT_LETTERS.sub("", message.upper()) in STOP_WORDS


def apply_delivery_receipt(session: Session, payload: dict[str, Any]) -> bool:
    """Record a receipt against our message (reference = OutboundMessage.id); False if unknown."""
    reference = payload.get("reference")
    status = str(payload.get("status") or "")[:40]
    if not isinstance(reference, str) or not reference:
        return False
    message = session.get(OutboundMessage, reference)
    if message is None:
        return False
    message.provider_status = status
    if payload.get("id") and not message.provider_id:
        message.provider_id = str(payload["id"])[:120]
    session.add(message)
    invitation = session.get(Invitation, message.invitation_id)
    # Only the first message decides delivered/failed; a reminder's receipt changes nothing
    # the funnel counts.
    if invitation is not None and message.kind == "invitation":
        if status == DELIVERED:
            mark_delivered(invitation, at=now())
        elif status in FAILURES:
            mark_delivery_failed(invitation)
        session.add(invitation)
    record_event(
        session,
        actor="provider",
        action="message.receipt",
        object_type="outbound_message",
        object_id=message.id,
        detail={"status": status, "kind": message.kind},
    )
    session.flush()
    return True


def apply_inbound_sms(session: Session, payload: dict[str, Any]) -> bool:
    """Opt the sender out if the message asks to stop; True when it did."""
    text = payload.get("message")
    number = payload.get("source_number")
    if not isinstance(text, str) or not isinstance(number, str):
        return False
    if not is_stop_request(text):
        return False
    return opt_out_phone(session, number, source="sms_stop")
