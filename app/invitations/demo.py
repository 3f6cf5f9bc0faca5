"""A demo batch: a few invitations across crime groups and touchpoints, sent to the outbox."""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import timedelta
from typing import Any

from sqlmodel import Session, col, select, update

from app.db import utcnow as now
from app.invitations.batches import import_rows
from app.invitations.dispatch import dispatch_once
from app.invitations.lifecycle import MessageStatus
from app.invitations.models import Invitation, OutboundMessage
from app.invitations.row_contact import ContactRules, configured_rules
from app.invitations.scheduling import LONDON
from app.messaging.outbox import OutboxSender
from app.settings import get_settings

DEMO_ROWS: list[dict[str, Any]] = [
    {"case_ref": "DEMO-0001", "crime_group": "general", "touchpoint": "reporting",
     "channel": "sms", "phone": "07911 100001", "area": "DEMO-N"},
    {"case_ref": "DEMO-0002", "crime_group": "rasso", "touchpoint": "investigation",
     "channel": "email", "email": "demo.two@example.org", "area": "DEMO-S"},
    {"case_ref": "DEMO-0003", "crime_group": "vawg", "touchpoint": "outcome",
     "channel": "sms", "phone": "07911 100003", "area": "DEMO-E"},
    {"case_ref": "DEMO-0004", "crime_group": "general", "touchpoint": "court",
     "channel": "email", "email": "demo.four@example.org", "area": "DEMO-W"},
    {"case_ref": "DEMO-0005", "crime_group": "vawg", "touchpoint": "reporting",
     "channel": "sms", "phone": "07911 100005", "area": "DEMO-N", "language": "ur"},
    # Passed on by a support service (app/demo.py: DEMO_SUPPORT_SERVICE): no message is sent.
    {"case_ref": "DEMO-0006", "crime_group": "rasso", "touchpoint": "reporting",
     "contact_via": "support_service", "support_service": "rape_crisis_support_line",
     "area": "DEMO-S"},
]  # fmt: skip


def _demo_rows() -> list[dict[str, Any]]:
    # A touchpoint date far enough back that the first message is due now.
    delay = get_settings().dispatch_delay_days
    touchpoint_date = (now() - timedelta(days=delay + 1)).date().isoformat()
    agreed = (now() - timedelta(days=1)).date().isoformat()
    safe_contact = {"under_18": False, "consent_to_survey": True, "consent_recorded_on": agreed}
    return [
        {"touchpoint_date": touchpoint_date, "safe_to_contact": True, **safe_contact, **row}
        for row in DEMO_ROWS
    ]


def _demo_rules() -> ContactRules:
    # The demo's rows are synthetic and go only to the outbox file: specialist groups are
    # invited directly (as after VV_SPECIALIST_DIRECT_CONTACT=on) so every bank can be tried.
    rules = configured_rules(now().astimezone(LONDON).date())
    return replace(rules, specialist_direct_contact=True)


@contextmanager
def _specialist_direct_contact() -> Iterator[None]:
    """As `_demo_rules`, for dispatch, which checks the setting again at send time: the demo's
    synthetic specialist rows go to the outbox too. Restored after (the demo is never run in
    production)."""
    settings = get_settings()
    before = (settings.specialist_direct_contact, settings.quiet_hours)
    settings.specialist_direct_contact = True
    # The demo sends at once, whatever the hour: dispatch checks quiet hours again at sending.
    settings.quiet_hours = "none"
    try:
        yield
    finally:
        settings.specialist_direct_contact, settings.quiet_hours = before


def seed_demo_batch(session: Session) -> list[str]:
    """Upload the demo batch, send it to the outbox, and describe the links it produced.

    Commits `session` (dispatch runs in its own short transactions). Running it again finds
    the same contacts in cooling-off and shows the links already in the outbox.
    """
    result = import_rows(
        session, _demo_rows(), actor="demo", source="json", contact_rules=_demo_rules()
    )
    batch_invitations = select(Invitation.id).where(col(Invitation.batch_id) == result.batch_id)
    # The demo sends at once, whatever the quiet hours.
    session.execute(
        update(OutboundMessage)
        .where(col(OutboundMessage.invitation_id).in_(batch_invitations))
        .where(col(OutboundMessage.status) == MessageStatus.due)
        .values(due_at=now())
    )
    session.commit()
    outbox = OutboxSender()
    with _specialist_direct_contact():
        report = dispatch_once(sender=outbox)
    lines = [
        f"Demo batch {result.batch_id}: {result.accepted} accepted, "
        f"{len(result.skipped)} skipped (already invited); {report.sent} messages "
        f"written to {outbox.path}"
    ]
    lines.extend(_links_in_outbox(session, outbox))
    return lines


def _links_in_outbox(session: Session, outbox: OutboxSender) -> list[str]:
    if not outbox.path.exists():
        return ["No messages in the outbox yet."]
    base = get_settings().base_url.rstrip("/")
    link_re = re.compile(re.escape(base) + r"/s/[A-Za-z0-9_\-.]+(?!\S*/stop)")
    references: dict[str, str] = {}
    for raw in outbox.path.read_text(encoding="utf-8").splitlines():
        try:
            record = json.loads(raw)
        except ValueError:
            continue
        # The outbox may hold lines from other runs or tools: take only what looks like ours.
        if not isinstance(record, dict):
            continue
        body, reference = record.get("body"), record.get("reference")
        if not isinstance(body, str) or not isinstance(reference, str):
            continue
        match = link_re.search(body)
        if match:
            references[reference] = match.group(0)
    if not references:
        return ["No survey links in the outbox yet."]
    rows = session.execute(
        select(
            OutboundMessage.id, Invitation.crime_group, Invitation.touchpoint, Invitation.channel
        )
        .join(Invitation, col(Invitation.id) == col(OutboundMessage.invitation_id))
        .where(col(OutboundMessage.id).in_(list(references)))
        .where(col(OutboundMessage.kind) == "invitation")
    ).all()
    session.commit()
    lines = []
    for message_id, crime_group, touchpoint, channel in rows:
        lines.append(f"  {crime_group:8} {touchpoint:14} ({channel}): {references[message_id]}")
    return sorted(lines) or ["No demo survey links in the outbox yet."]
