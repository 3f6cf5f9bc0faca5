"""JSON API routes of the invitations domain (mounted under /api/v1): thin, calling services."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from app.auth.deps import UploaderDep
from app.db import SessionDep
from app.enums import Touchpoint
from app.invitations.batch_input import rows_from_upload
from app.invitations.batches import batch_status, import_rows
from app.invitations.cancellations import cancel_invitations
from app.settings import get_settings

router = APIRouter(tags=["invitations"])


class RowProblem(BaseModel):
    row: int
    errors: list[dict[str, Any]]


class RowSkip(BaseModel):
    row: int
    reason: str = Field(
        description="not_safe_to_contact | opted_out | duplicate | cooling_off | stage_allocation"
    )


class BatchResultOut(BaseModel):
    batch_id: str
    accepted: int
    rejected: list[RowProblem]
    skipped: list[RowSkip]


class BatchStatusOut(BaseModel):
    batch_id: str
    status: str = Field(description="importing | complete | failed")
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
    caller: UploaderDep,
) -> dict[str, Any]:
    # End the caller check's transaction now: on SQLite every transaction holds the write lock,
    # and reading a 20 MB body takes a moment. import_rows commits chunk by chunk from here.
    await run_in_threadpool(session.commit)
    content_type = request.headers.get("content-type", "application/json")
    body = await request.body()
    limit = get_settings().max_batch_rows
    source, rows = await run_in_threadpool(rows_from_upload, content_type, body, limit)
    result = await run_in_threadpool(import_rows, session, rows, actor=caller.actor, source=source)
    return result.as_dict()


@router.get("/invitation-batches/{batch_id}", response_model=BatchStatusOut)
def get_batch(
    batch_id: str,
    session: SessionDep,
    caller: UploaderDep,
) -> dict[str, Any]:
    return batch_status(session, batch_id)


@router.post("/invitation-cancellations", response_model=CancellationOut)
def cancel(
    body: CancellationIn,
    session: SessionDep,
    caller: UploaderDep,
) -> dict[str, int]:
    touchpoint = body.touchpoint.value if body.touchpoint else None
    count = cancel_invitations(
        session, case_ref=body.case_ref, touchpoint=touchpoint, actor=caller.actor
    )
    return {"cancelled": count}
