"""Sending a handed-over survey's personal address to a safe number or email of the victim's
own (issue 12), instead of writing it down (app/survey/another_device.py).

The number or address typed is used once, for this one message, and kept nowhere: no contact
row, no hash, no log (an OutgoingMessage's repr names neither). The message is the neutral
specialist reminder from question_banks/messages.yaml (nothing in it names the police, a crime
or a victim: the message lint checks it), with a new link token, so an address sent before
stops working. A survey session may have at most 3 sent, then one an hour
(app/auth/throttle.py), so it cannot be made to message a number over and over.
"""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import Session

from app.auth.throttle import address_send_subject, reserve_attempt
from app.db import new_uuid
from app.errors import FieldError, InvalidInput
from app.invitations.links import replace_link, stop_url, survey_url
from app.invitations.rows import normalise_email, normalise_uk_mobile
from app.messaging.factory import get_sender
from app.messaging.sender import OutgoingMessage
from app.messaging.texts import Deployment, render_message
from app.settings import get_settings
from app.survey.another_device import visit_offering
from app.survey.entry import lock_invitation
from app.survey.session import check_csrf

FIELD = "destination"
MAX_TYPED = 320
WRONG = "Enter a UK mobile number or an email address"


class TooManySends(Exception):
    def __init__(self, retry_after: timedelta) -> None:
        super().__init__("too many addresses sent")
        self.retry_after = retry_after


class NotSent(Exception):
    """The provider did not take the message: the page asks them to write the address down."""


def _destination(typed: str) -> tuple[str, str]:
    """(channel, destination) from what was typed; InvalidInput when it is neither."""
    text = typed.strip()
    found: str | None = None
    channel = "email" if "@" in text else "sms"
    if 0 < len(text) <= MAX_TYPED:
        found = normalise_email(text) if channel == "email" else normalise_uk_mobile(text)
    if found is None:
        raise InvalidInput(WRONG, errors=[FieldError((FIELD,), WRONG, "invalid")])
    return channel, found


def send_address(session: Session, *, cookie: str | None, csrf_token: object, typed: str) -> None:
    """Send a new personal address to the number or email typed (COMMITS the throttle)."""
    seen = visit_offering(session, cookie=cookie)
    check_csrf(seen.survey_session, csrf_token)
    channel, to = _destination(typed)
    reservation = reserve_attempt(session, [address_send_subject(seen.invitation.id)])
    if not reservation.granted:
        raise TooManySends(reservation.retry_after)
    invitation = lock_invitation(session, seen.invitation.id)
    token = replace_link(invitation)
    session.add(invitation)
    deployment = Deployment.from_settings(get_settings())
    text = render_message(
        "reminder",
        channel,
        seen.language,
        link=survey_url(token),
        stop_link=stop_url(token),
        organisation=deployment.organisation,
        verify_url=deployment.verify_url,
        contact="specialist",
    )
    message = OutgoingMessage(
        channel=channel,
        to=to,
        body=text.body,
        reference=new_uuid(),  # matches no message of ours: a receipt for it changes nothing
        subject=text.subject,
        html_body=text.html_body,
        stop_url=stop_url(token),
    )
    try:
        get_sender().send(message)
    except Exception as exc:  # refused or unknown: either way, they should write it down
        raise NotSent from exc
