"""The survey session a link is exchanged for: a random cookie, its hash on the server, CSRF.

The token never appears again after entry (it would otherwise sit in the browser history of a
shared device); the cookie names only a session that ends on exit, withdrawal or timeout.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import datetime, timedelta

from fastapi import Request, Response
from sqlalchemy import delete, or_
from sqlmodel import Session, col, select, update

from app.auth.csrf import tokens_match
from app.db import as_utc, utcnow
from app.invitations.models import Invitation
from app.security import SURVEY_COOKIE_NAME
from app.settings import get_settings
from app.survey.models import SurveySession

COOKIE_NAME = SURVEY_COOKIE_NAME
# A one-time notice for the page a form redirects to (post, redirect, get), so the page's
# address and title in the browser history are the same whether or not the form was sent.
NOTICE_COOKIE_NAME = "vv_survey_notice"
NOTICE_SECONDS = 60


class NoSurveySession(Exception):
    """No cookie, an unknown, ended or timed-out session: ask them to open their link again."""


class BadCsrfToken(Exception):
    """A form without this session's CSRF token."""


def _hash(value: str) -> str:
    return hashlib.sha256(value.encode()).hexdigest()


def start_session(
    session: Session, invitation: Invitation, *, assisted: bool = False
) -> tuple[str, SurveySession]:
    """A new survey session for `invitation`; returns the cookie value (shown only once)."""
    cookie_value = secrets.token_urlsafe(32)
    survey_session = SurveySession(
        id=_hash(cookie_value),
        invitation_id=invitation.id,
        csrf_token=secrets.token_urlsafe(32),
        expires_at=utcnow() + timedelta(minutes=get_settings().survey_session_minutes),
        assisted=assisted,
    )
    session.add(survey_session)
    return cookie_value, survey_session


def rotate_session(session: Session, survey_session: SurveySession) -> str:
    """A new cookie for the same browser (same CSRF token, so forms already open still work).

    Used when the survey is sent: the cookie changes, and browsers that keep no-store pages in
    their back-forward cache (Chrome on HTTPS) drop them when a cookie changes, so Back cannot
    bring back a page that showed the answers. The old session only leads to pages that show
    nothing of the survey from then on, and times out as usual.
    """
    cookie_value = secrets.token_urlsafe(32)
    session.add(
        SurveySession(
            id=_hash(cookie_value),
            invitation_id=survey_session.invitation_id,
            csrf_token=survey_session.csrf_token,
            expires_at=utcnow() + timedelta(minutes=get_settings().survey_session_minutes),
            assisted=survey_session.assisted,
        )
    )
    return cookie_value


def set_cookie(response: Response, cookie_value: str) -> None:
    settings = get_settings()
    response.set_cookie(
        COOKIE_NAME,
        cookie_value,
        # No Max-Age: a browser session cookie, gone when the browser closes on a shared
        # device; the server ends the session after survey_session_minutes anyway.
        path="/",
        httponly=True,
        # Lax, not Strict: a link opened from webmail is a cross-site navigation, and a Strict
        # cookie would be withheld on the redirect that follows it.
        samesite="lax",
        secure=settings.is_https,
    )


def _notice_value(survey_session: SurveySession, notice: str) -> str:
    # Bound to the session's secret: another browser's cookie, or a forged one, shows nothing.
    key = survey_session.csrf_token.encode()
    return hmac.new(key, b"survey-notice\x00" + notice.encode(), hashlib.sha256).hexdigest()


def set_notice(
    response: Response, survey_session: SurveySession, notice: str, *, path: str
) -> None:
    """Show `notice` once on the page at `path`, to this session only."""
    response.set_cookie(
        NOTICE_COOKIE_NAME,
        _notice_value(survey_session, notice),
        max_age=NOTICE_SECONDS,
        path=path,
        httponly=True,
        samesite="lax",
        secure=get_settings().is_https,
    )


def notice_due(request: Request, survey_session: SurveySession, notice: str) -> bool:
    given = request.cookies.get(NOTICE_COOKIE_NAME)
    if not given or not given.isascii():
        return False
    return hmac.compare_digest(given, _notice_value(survey_session, notice))


def clear_notice(response: Response, *, path: str) -> None:
    response.delete_cookie(
        NOTICE_COOKIE_NAME, path=path, httponly=True, samesite="lax", secure=get_settings().is_https
    )


def delete_cookie(response: Response) -> None:
    settings = get_settings()
    response.delete_cookie(
        COOKIE_NAME, path="/", httponly=True, samesite="lax", secure=settings.is_https
    )


def cookie_of(request: Request) -> str | None:
    """The survey session cookie a request carries, if any."""
    return request.cookies.get(COOKIE_NAME)


def load_session_by_cookie(
    session: Session, cookie_value: str | None
) -> tuple[SurveySession, Invitation]:
    """The live survey session a cookie names and its invitation, in one query."""
    if not cookie_value or len(cookie_value) > 200:
        raise NoSurveySession
    row = session.exec(
        select(SurveySession, Invitation)
        .join(Invitation, col(Invitation.id) == col(SurveySession.invitation_id))
        .where(col(SurveySession.id) == _hash(cookie_value))
    ).first()
    if row is None:
        raise NoSurveySession
    survey_session, invitation = row
    if survey_session.ended_at is not None or as_utc(survey_session.expires_at) <= utcnow():
        raise NoSurveySession
    return survey_session, invitation


def refresh(survey_session: SurveySession) -> None:
    """Keep a session alive while it is used (called on saves, not on every page view)."""
    survey_session.expires_at = utcnow() + timedelta(minutes=get_settings().survey_session_minutes)


def check_csrf(survey_session: SurveySession, submitted: object) -> None:
    if not isinstance(submitted, str) or not tokens_match(survey_session.csrf_token, submitted):
        raise BadCsrfToken


def end_session(session: Session, survey_session: SurveySession) -> None:
    survey_session.ended_at = utcnow()
    session.add(survey_session)


def end_all_sessions(session: Session, invitation_id: str) -> None:
    """End every device's session of an invitation (on withdrawal)."""
    session.execute(
        update(SurveySession)
        .where(col(SurveySession.invitation_id) == invitation_id)
        .where(col(SurveySession.ended_at).is_(None))
        .values(ended_at=utcnow())
    )


def end_session_by_cookie(session: Session, request: Request) -> None:
    """End the session named by the request's cookie, if any (see `end_session_of_cookie`)."""
    end_session_of_cookie(session, cookie_of(request))


def end_session_of_cookie(session: Session, cookie_value: str | None) -> None:
    """End the session a cookie names, if any (exit works even on an expired session)."""
    if not cookie_value or len(cookie_value) > 200:
        return
    survey_session = session.get(SurveySession, _hash(cookie_value))
    if survey_session is not None and survey_session.ended_at is None:
        end_session(session, survey_session)


def delete_old_sessions(
    session: Session, *, older_than: timedelta = timedelta(days=1), at: datetime | None = None
) -> int:
    """Delete survey sessions that ended or timed out (for the retention job); returns how many."""
    cutoff = (at or utcnow()) - older_than
    result = session.execute(
        delete(SurveySession).where(
            or_(col(SurveySession.expires_at) < cutoff, col(SurveySession.ended_at) < cutoff)
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)
