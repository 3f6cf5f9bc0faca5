"""A victim's typed text, made safe to store without ever refusing it.

A victim must always be able to save and send what they wrote. Text pasted from elsewhere can
hold control characters nobody meant to type, and PostgreSQL refuses U+0000 in text outright
(which used to make a victim's save or submit fail there). So the victim's routes (/s/...,
/api/v1/survey/...) remove them silently, where staff and API input holding U+0000 is refused
with an error instead (a staff user can correct their input; a victim should never have to).
"""

from __future__ import annotations

import re

# C0 controls except tab (U+0009) and line feed (U+000A), and DEL (U+007F): none of them has a
# meaning in a typed answer. Carriage returns are dealt with first, as line ends.
_CONTROL = re.compile("[\x00-\x08\x0b-\x1f\x7f]")
# A lone UTF-16 surrogate (JSON can spell one as "\ud800") cannot be encoded as UTF-8, so no
# database can store it.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")


def clean_victim_text(text: str) -> str:
    """`text` with CR LF and lone CR as LF, other control characters removed (pure)."""
    text = text.replace("\r\n", "\n").replace("\r", "\n")
    text = _CONTROL.sub("", text)
    return _LONE_SURROGATE.sub("\ufffd", text)
