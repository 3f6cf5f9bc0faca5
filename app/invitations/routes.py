"""JSON API routes of the invitations domain (mounted under /api/v1): thin, calling services."""

from __future__ import annotations

import json
from typing import Any

from fastapi import APIRouter, Depends, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from app.auth.deps import Caller, require_roles
from app.db import SessionDep
from app.enums import Role, Touchpoint
from app.errors import InvalidInput, UnsupportedMediaType
from app.invitations.batches import batch_status, import_rows, read_csv_text
from app.invitations.cancellations import cancel_invitations

router = APIRouter(tags=["invitations"])


class RowProblem(BaseModel):
    row: int
    errors: list[dict[str, Any]]


class RowSkip(BaseModel):
    row: int
    reason: str = Field(description="not_safe_to_contact | opted_out | duplicate | cooling_off")


class BatchResultOut(BaseModel):
    batch_id: str
    accepted: int
    rejected: list[RowProblem]
    skipped: list[RowSkip]


class BatchStatusOut(BaseModel):
    batch_id: str
    created_at: str
    rows: int
    accepted: int
    rejected: int
    skipped: int
    statuses: dict[str, int]


class CancellationIn(BaseModel):
    case_ref: str = Field(min_length=1, max_length=200)
    touchpoint: Touchpoint | None = None


class CancellationOut(BaseModel):
    cancelled: int


_BATCH_BODY = {
    "requestBody": {
        "required": True,
        "content": {
            "application/json": {
                "schema": {
                    "type": "object",
                    "required": ["rows"],
                    "properties": {"rows": {"type": "array", "items": {"type": "object"}}},
                }
            },
            "text/csv": {"schema": {"type": "string"}},
        },
    }
}


async def _rows_from_request(request: Request) -> tuple[str, Any]:
    content_type = request.headers.get("content-type", "application/json").split(";")[0]
    content_type = content_type.strip().lower()
    body = await request.body()
    if content_type == "text/csv":
        try:
            text = body.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidInput("The CSV must be UTF-8 text.") from exc
        return "csv", read_csv_text(text)
    if content_type in ("application/json", ""):
        try:
            document = json.loads(body)
        except ValueError as exc:
            raise InvalidInput(
                "The body is not valid JSON.", errors=[{"loc": ["body"], "msg": "invalid JSON"}]
            ) from exc
        if not isinstance(document, dict) or not isinstance(document.get("rows"), list):
            raise InvalidInput(
                "The body must be an object with a list of rows.",
                errors=[{"loc": ["body", "rows"], "msg": "a list of rows is required"}],
            )
        return "json", document["rows"]
    raise UnsupportedMediaType("Send application/json or text/csv.")


@router.post(
    "/invitation-batches",
    status_code=201,
    response_model=BatchResultOut,
    openapi_extra=_BATCH_BODY,
    summary="Upload who should be invited (JSON rows or CSV)",
)
async def upload_batch(
    request: Request,
    session: SessionDep,
    caller: Caller = Depends(require_roles(Role.uploader)),
) -> dict[str, Any]:
    source, rows = await _rows_from_request(request)
    result = await run_in_threadpool(import_rows, session, rows, actor=caller.actor, source=source)
    return result.as_dict()


@router.get("/invitation-batches/{batch_id}", response_model=BatchStatusOut)
def get_batch(
    batch_id: str,
    session: SessionDep,
    caller: Caller = Depends(require_roles(Role.uploader)),
) -> dict[str, Any]:
    return batch_status(session, batch_id)


@router.post("/invitation-cancellations", response_model=CancellationOut)
def cancel(
    body: CancellationIn,
    session: SessionDep,
    caller: Caller = Depends(require_roles(Role.uploader)),
) -> dict[str, int]:
    touchpoint = body.touchpoint.value if body.touchpoint else None
    count = cancel_invitations(
        session, case_ref=body.case_ref, touchpoint=touchpoint, actor=caller.actor
    )
    return {"cancelled": count}
