"""The audit events of a support worker's acts: the service and the month, nothing more.

An event never names the invitation, the case (or its hash), the client or the code: the audit
trail is read by administrators, and who a support service supports is not theirs to know. The
actor is the worker (their staff user), as on every staff event; "Answer on my own", pressed by
the victim in an assisted session, is the system's.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session

from app.audit import record as record_event


def record_act(session: Session, *, actor: str, action: str, service: str, at: datetime) -> None:
    record_event(
        session,
        actor=actor,
        action=f"support.{action}",
        object_type="support_service",
        object_id=service,
        detail={"support_service": service, "month": at.strftime("%Y-%m")},
    )
