"""The staff page where an approver checks comments not written in English (thin routes)."""

from __future__ import annotations

from typing import Annotated, Any
from urllib.parse import urlencode

from babel import Locale
from fastapi import APIRouter, Form, Request
from fastapi.responses import RedirectResponse, Response

from app.auth.deps import ApproverDep
from app.db import SessionDep
from app.errors import FieldError, InvalidInput
from app.reporting import comment_review, comments, figure_text
from app.reporting.comment_checks import CheckOutcome
from app.reporting.disclosure import configured_min_cell
from app.templating import render

router = APIRouter(include_in_schema=False)

# Approvers check (admins hold every role); analysts never lift the hold themselves.

CHECKS_URL = "/staff/comments/checks"
_ENGLISH = Locale("en")


def language_name(code: str) -> str:
    """ "Polish" for "pl"; "Not identified" when nothing was."""
    if code in ("und", "zxx", ""):
        return "Not identified"
    return str(_ENGLISH.languages.get(code.split("-")[0], code))


@router.get(CHECKS_URL)
def comment_checks_page(request: Request, session: SessionDep, caller: ApproverDep) -> Response:
    held = comment_review.held_for_check(
        session, comments.CommentFilters(), min_cell=configured_min_cell(), limit=200
    )
    return render(
        request,
        "reporting/comment_checks.html",
        page_title="Check comments not written in English",
        staff_user=caller,
        csrf_token=caller.csrf_token,
        held=held,
        checked=request.query_params.get("checked"),
        language_name=language_name,
        crime_group_label=figure_text.crime_group_label,
        touchpoint_label=figure_text.touchpoint_label,
    )


@router.post("/staff/comments/{comment_id}/check")
def comment_check_decision(
    comment_id: str,
    session: SessionDep,
    caller: ApproverDep,
    outcome: Annotated[str, Form()] = "",
) -> Any:
    if outcome not in CheckOutcome.__members__:
        raise InvalidInput(
            "Choose whether to release the comment or keep it from analysts.",
            errors=[FieldError(("body", "outcome"), "Choose released or withheld.")],
        )
    comment_review.check_comment(
        session,
        comment_id,
        outcome=CheckOutcome(outcome),
        actor=caller.actor,
        min_cell=configured_min_cell(),
    )
    return RedirectResponse(f"{CHECKS_URL}?{urlencode({'checked': outcome})}", status_code=303)
