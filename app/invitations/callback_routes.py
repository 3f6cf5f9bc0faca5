"""Provider callbacks (mounted under /api/v1): thin, calling services.

GOV.UK Notify presents `Authorization: Bearer <VV_NOTIFY_CALLBACK_TOKEN>`; the token is
compared in constant time, and with no token configured every callback is refused.
"""

from __future__ import annotations

import hmac
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, ConfigDict

from app.db import SessionDep
from app.errors import NotAuthenticated
from app.invitations.callbacks import apply_delivery_receipt, apply_inbound_sms
from app.settings import get_settings

router = APIRouter(tags=["callbacks"])


def require_callback_token(request: Request) -> None:
    expected = get_settings().notify_callback_token
    header = request.headers.get("authorization", "")
    scheme, _, presented = header.partition(" ")
    if (
        not expected
        or scheme.lower() != "bearer"
        or not hmac.compare_digest(presented.strip().encode(), expected.encode())
    ):
        raise NotAuthenticated(
            "A valid callback token is required.", headers={"WWW-Authenticate": "Bearer"}
        )


class DeliveryReceipt(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str | None = None
    reference: str | None = None
    status: str


class InboundSms(BaseModel):
    model_config = ConfigDict(extra="allow")
    id: str | None = None
    source_number: str
    destination_number: str | None = None
    message: str
    date_received: str | None = None


@router.post("/callbacks/notify/delivery", dependencies=[Depends(require_callback_token)])
def notify_delivery(body: DeliveryReceipt, session: SessionDep) -> dict[str, Any]:
    known = apply_delivery_receipt(session, body.model_dump())
    return {"recorded": known}


@router.post("/callbacks/notify/inbound-sms", dependencies=[Depends(require_callback_token)])
def notify_inbound_sms(body: InboundSms, session: SessionDep) -> dict[str, Any]:
    return {"opted_out": apply_inbound_sms(session, body.model_dump())}
