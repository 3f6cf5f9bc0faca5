"""Addresses of the journey's pages that say nothing about what a page asks.

Addresses stay in the browser history of a shared phone, and a question's or section's id can
name its topic. A question page or content note is addressed by a code derived from the
survey session's own secret (its CSRF token, never shown in an address), so an address means
nothing outside that session: not which question it was, nor whether it was a content note.
Pure functions: no database, no HTTP.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Iterable

from app.survey.journey import CHECK

PAGE_PREFIX = "/survey/page/"
# A question reached from the check page's "Change" link has an address of its own (the step
# with this prefix), so that no query string tells the history an answer was changed.
CHANGE = "c:"
# The "contact me" form reached from a question page's help panel: "k:" and that question's
# step, so its address is as opaque as the question's and its back link returns there.
CONTACT_FROM = "k:"
CHECK_URL = "/survey/check"
CODE_LENGTH = 16  # hex digits: 64 bits, far beyond guessing another step of the same session
_PURPOSE = b"victim-voice.survey-page.v1\x00"


def step_code(secret: str, step: str) -> str:
    """The opaque code of `step` ("q:<id>" or "s:<id>") in the session holding `secret`."""
    digest = hmac.new(secret.encode(), _PURPOSE + step.encode(), hashlib.sha256)
    return digest.hexdigest()[:CODE_LENGTH]


def step_address(secret: str, step: str) -> str:
    """The page address of a journey step for one session."""
    if step == CHECK:
        return CHECK_URL
    return PAGE_PREFIX + step_code(secret, step)


def step_for_code(secret: str, steps: Iterable[str], code: str) -> str | None:
    """The step of `steps` whose code is `code` in this session, or None."""
    if len(code) != CODE_LENGTH or not code.isascii():  # compare_digest takes ASCII only
        return None
    for step in steps:
        if hmac.compare_digest(step_code(secret, step), code):
            return step
    return None
