"""JSON API for comments, "you said, we did" and "contact me" requests (under /api/v1)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Request
from pydantic import BaseModel, ConfigDict, Field

from app.auth.deps import AnalystDep, VictimsTeamDep
from app.db import SessionDep
from app.enums import CrimeGroup, Mode, Touchpoint
from app.reporting import action_routes, comment_quotes, comments, contact_requests
from app.reporting.csv_download import csv_response, wants_csv
from app.reporting.csv_export import CsvContext
from app.reporting.disclosure import configured_min_cell

router = APIRouter(tags=["feedback"])


# --- Comments ------------------------------------------------------------------------------


class CommentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from a comments.RedactedComment

    id: str = Field(description="The comment's own random id (not the response's).")
    text: str = Field(description="The comment after automatic redaction.")
    crime_group: str
    touchpoint: str
    month: str = Field(description="YYYY-MM: nothing finer is kept.")
    question_id: str
    quotable: bool
    theme: str | None


class DisclosureOut(BaseModel):
    method: Literal["cell_key"]
    min_cell: int
    max_adjustment: int = Field(description="Comments are shown or not, never counted: 0.")


class CommentsOut(BaseModel):
    disclosure: DisclosureOut
    min_cell: int
    count: int
    total: int = Field(description="Comments that could be shown; `comments` is a random sample.")
    comments: list[CommentOut]


class QuotableIn(BaseModel):
    quotable: bool
    theme: str | None = Field(default=None, max_length=200)


def comments_csv_context(filters: comments.CommentFilters) -> CsvContext:
    """The comments file's leading columns: its months (empty: every month) and filters."""

    def month(value: date | None) -> str | None:
        return value.strftime("%Y-%m") if value else None

    return CsvContext(
        "comments",
        month(filters.first_month),
        month(filters.last_month),
        {
            "crime_group": filters.crime_group,
            "touchpoint": filters.touchpoint,
            "mode": filters.mode,
            "quotable": filters.quotable_only,
        },
    )


@router.get("/comments", response_model=CommentsOut)
def get_comments(
    request: Request,
    session: SessionDep,
    caller: AnalystDep,
    crime_group: CrimeGroup | None = None,
    touchpoint: Touchpoint | None = None,
    from_: Annotated[str | None, Query(alias="from")] = None,
    to: str | None = None,
    quotable: bool = False,
    mode: Annotated[
        Mode | None,
        Query(
            description="self or assisted: that mode's comments, of released cells with at "
            "least min_cell commenters of each mode (other cells are left out)."
        ),
    ] = None,
    limit: Annotated[int, Query(ge=1, le=comments.MAX_COMMENTS)] = comments.MAX_COMMENTS,
    format_: Annotated[
        Literal["json", "csv"] | None, Query(alias="format", description="csv for a CSV file.")
    ] = None,
) -> Any:
    """Redacted free text of released crime group × touchpoint × month cells (at least
    min_cell commenters that month, month closed), in random order, month only."""
    filters = comments.parse_filters(
        crime_group=crime_group.value if crime_group else None,
        touchpoint=touchpoint.value if touchpoint else None,
        from_period=from_,
        to_period=to,
        quotable_only=quotable,
        mode=mode.value if mode else None,
    )
    result = comments.read_comments(
        session, filters, actor=caller.actor, min_cell=configured_min_cell(), limit=limit
    )
    if wants_csv(request, format_):
        return csv_response(
            comments_csv_context(filters), comments.comments_csv_rows(result), "comments.csv"
        )
    return CommentsOut(
        disclosure=DisclosureOut.model_validate(result.disclosure),
        min_cell=result.min_cell,
        count=len(result.comments),
        total=result.total,
        comments=[CommentOut.model_validate(comment) for comment in result.comments],
    )


@router.post("/comments/{comment_id}/quotable", response_model=CommentOut)
def set_comment_quotable(
    comment_id: str, body: QuotableIn, session: SessionDep, caller: AnalystDep
) -> CommentOut:
    """Allow (or stop) this redacted comment being quoted in the report, under a theme."""
    theme = comment_quotes.validate_theme(body.theme)
    comment = comment_quotes.mark_quotable(
        session,
        comment_id,
        quotable=body.quotable,
        theme=theme,
        actor=caller.actor,
        min_cell=configured_min_cell(),
    )
    return CommentOut.model_validate(comment)


# --- "You said, we did": the action log, in its own module ------------------------------

router.include_router(action_routes.router)


# --- "Contact me" requests -----------------------------------------------------------------


class EarlierDetailsOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from contact_requests.EarlierDetails

    details: dict[str, str] = Field(description="What the victim left then, decrypted.")
    given_at: datetime = Field(description="When these details were given.")


class ContactRequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)  # built from a contact_requests.OpenedRequest

    id: str
    crime_group: str
    created_at: datetime
    updated_at: datetime | None = Field(
        description="When the same survey link last sent new details over these; null if never."
    )
    status: str
    closed_at: datetime | None
    erase_after: datetime | None
    details: dict[str, str] | None = Field(
        description="What the victim left, decrypted; null if no configured key opens it."
    )
    earlier: list[EarlierDetailsOut] | None = Field(
        description=(
            "Details given before the same survey link replaced them, latest first (at most "
            "three: the first ever, and the most recent before `details`); check with the "
            "victim before using a changed number. Empty if never updated; null if no "
            "configured key opens them."
        )
    )


@router.get("/contact-requests", response_model=list[ContactRequestOut])
def get_contact_requests(
    session: SessionDep,
    caller: VictimsTeamDep,
    status: Literal["open", "closed", "all"] = "open",
) -> list[ContactRequestOut]:
    """Victims who asked to be contacted (open ones by default), oldest first."""
    rows = contact_requests.list_contact_requests(session, status=status, actor=caller.actor)
    return [ContactRequestOut.model_validate(row) for row in rows]


@router.post("/contact-requests/{request_id}/close", response_model=ContactRequestOut)
def close_contact_request(
    request_id: str, session: SessionDep, caller: VictimsTeamDep
) -> ContactRequestOut:
    """Mark a request handled; it is erased after the retention period."""
    row = contact_requests.close_contact_request(session, request_id, actor=caller.actor)
    return ContactRequestOut.model_validate(row)
