"""Helpers for the support-service tests: an invitation a service holds, a signed-in worker,
a look-up and a handover through the worker's pages."""

from __future__ import annotations

import re
from typing import Any

import httpx
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.enums import Role
from app.invitations.models import Invitation
from tests.auth_helpers import signed_in_client, staff_csrf_token
from tests.invitations.factories import make_support_service_row, upload

CASE_REF = "CR/2026/0001"
LOOKUP_URL = "/staff/support/"
HANDOVER_URL = "/staff/support/handover"
CODE_ON_PAGE = re.compile(r'id="handover-code"[^>]*>([A-Z0-9]{4})-([A-Z0-9]{4})<')


def held_invitation(db: Session, **overrides: Any) -> Invitation:
    """One invitation passed on by `victim_support` (unless overridden), committed."""
    result = upload(db, [make_support_service_row(**overrides)])
    assert result.accepted == 1, result.rejected
    db.expire_all()
    invitation = db.exec(select(Invitation).order_by(Invitation.created_at.desc())).first()  # type: ignore[attr-defined]
    assert invitation is not None
    db.commit()
    return invitation


def worker(client: TestClient, db: Session, *services: str) -> TestClient:
    return signed_in_client(
        client, db, [Role.support_worker], services=list(services) or ["victim_support"]
    )


def look_up(staff: TestClient, case_ref: str) -> httpx.Response:
    token = staff_csrf_token(staff)
    return staff.post(LOOKUP_URL, data={"case_ref": case_ref, "csrf_token": token})


def match_ids(html: str) -> list[str]:
    return list(dict.fromkeys(re.findall(r'name="invitation" value="([^"]+)"', html)))


def hand_over(
    staff: TestClient, case_ref: str = CASE_REF, *, agreed: bool = True, invitation: str = ""
) -> httpx.Response:
    found = look_up(staff, case_ref)
    ids = match_ids(found.text)
    data = {
        "case_ref": case_ref,
        "invitation": invitation or (ids[0] if ids else ""),
        "csrf_token": staff_csrf_token(staff),
    }
    if agreed:
        data["agreed"] = "yes"
    return staff.post(HANDOVER_URL, data=data)


def code_of(page: httpx.Response) -> str:
    match = CODE_ON_PAGE.search(page.text)
    assert match, page.text
    return match.group(1) + match.group(2)
