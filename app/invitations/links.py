"""Survey links: a random token, stored only as its hash, with exactly one spelling.

A token is 17 characters of base62 (`0-9A-Za-z`), drawn with `secrets`: 62**17 ≈ 2**101, so at
least 96 random bits however many links exist. Alphanumerics only, because SMS apps end a
link at many punctuation marks, and a short link keeps a message in its fragments.

The invitation stores `link_hash`, the SHA-256 of the token, and is found by it. An unkeyed
hash suffices: the token is 101 random bits, so nobody can search for it from its hash, and
no key rotation can ever orphan a link. A token in any other spelling (another case, padding,
a trailing character) is not well formed or hashes to nothing: 404. There is one URL per link.

The raw token is needed once more, for the reminder (which carries the same link). It is kept
only encrypted (`link_encrypted`, VV_ENCRYPTION_KEYS, like the contact details) and erased with
them: when the reminder has gone, the contact opts out, or the link ends (docs/safe-contact.md).
Expiry is the invitation's own `expires_at` and status, read by the callers (410).
"""

from __future__ import annotations

import hashlib
import re
import secrets
import string

from sqlmodel import Session, col, select

from app.crypto import DecryptionFailed, decrypt, encrypt
from app.invitations.models import Invitation
from app.messaging.texts import LINK_TOKEN_LENGTH, stop_link, survey_link
from app.settings import get_settings

TOKEN_ALPHABET = string.digits + string.ascii_uppercase + string.ascii_lowercase
TOKEN_LENGTH = LINK_TOKEN_LENGTH
TOKEN_RE = re.compile(rf"[0-9A-Za-z]{{{TOKEN_LENGTH}}}")


class InvalidLink(Exception):
    """Not a token we made, or one in another spelling: answered with 404."""


def new_token() -> str:
    """A fresh random token (never stored as such)."""
    return "".join(secrets.choice(TOKEN_ALPHABET) for _ in range(TOKEN_LENGTH))


def is_well_formed(token: str) -> bool:
    return TOKEN_RE.fullmatch(token) is not None


def token_hash(token: str) -> str:
    """The stored form of a token (SHA-256, hex)."""
    return hashlib.sha256(token.encode("ascii")).hexdigest()


def issue_link(invitation: Invitation) -> str:
    """The invitation's token: made (and its hash and encrypted copy set) on first use.

    Every later call returns the same token while the encrypted copy is held, so a retried
    first message and the reminder carry the link the victim may already have.
    """
    held = link_of(invitation)
    if held is not None:
        return held
    token = new_token()
    invitation.link_hash = token_hash(token)
    invitation.link_encrypted = encrypt(token)
    return token


def replace_link(invitation: Invitation) -> str:
    """A new token for the invitation, replacing its link (the old address stops working),
    kept nowhere but as its hash: a handed-over survey's personal address, shown once."""
    token = new_token()
    invitation.link_hash = token_hash(token)
    invitation.link_encrypted = None
    return token


def link_of(invitation: Invitation) -> str | None:
    """The token of a sent invitation while its encrypted copy is held, else None."""
    if invitation.link_encrypted is None:
        return None
    try:
        return decrypt(invitation.link_encrypted)
    except DecryptionFailed:
        return None


def find_invitation(session: Session, token: str, *, lock: bool = False) -> Invitation | None:
    """The invitation a token names, or None; raises InvalidLink for a malformed token."""
    if not is_well_formed(token):
        raise InvalidLink
    statement = select(Invitation).where(col(Invitation.link_hash) == token_hash(token))
    if lock:
        statement = statement.with_for_update().execution_options(populate_existing=True)
    return session.exec(statement).first()


def survey_url(token: str) -> str:
    """The link sent to the victim, always from VV_BASE_URL (never the request's Host)."""
    return survey_link(get_settings().base_url, token)


def stop_url(token: str) -> str:
    """The opt-out page of a link (stop link in messages, email List-Unsubscribe target)."""
    return stop_link(get_settings().base_url, token)
