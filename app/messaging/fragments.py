"""How many SMS fragments a text takes, as a phone network counts them (3GPP TS 23.038).

A text is sent in GSM-7 when every character is in the GSM 03.38 basic table or its extension
table (an extension character takes two septets: the escape and itself); otherwise the whole
text goes in UCS-2, counted in UTF-16 code units (a character beyond the Basic Multilingual
Plane takes two). One fragment carries 160 GSM-7 septets or 70 UCS-2 units; a longer text is
split into fragments of 153 or 67 (the rest carries the concatenation header).

Written here rather than taken from a package: the ones published for Python are unmaintained
or codecs that do not count fragments, and the rules fit in these few lines (tested against
the boundaries in tests/messaging/test_fragments.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Literal

GSM7_BASIC = frozenset(
    "@£$¥èéùìòÇ\nØø\rÅåΔ_ΦΓΛΩΠΨΣΘΞÆæßÉ !\"#¤%&'()*+,-./0123456789:;<=>?"
    "¡ABCDEFGHIJKLMNOPQRSTUVWXYZÄÖÑÜ§¿abcdefghijklmnopqrstuvwxyzäöñüà"
)
GSM7_EXTENSION = frozenset("^{}\\[~]|€\f")

SINGLE = {"gsm7": 160, "ucs2": 70}
PER_PART = {"gsm7": 153, "ucs2": 67}

Encoding = Literal["gsm7", "ucs2"]


@dataclass(frozen=True)
class SmsSize:
    encoding: Encoding
    units: int  # septets (GSM-7) or UTF-16 code units (UCS-2)
    fragments: int

    def describe(self) -> str:
        if self.encoding == "gsm7":
            return f"{self.fragments} GSM-7 fragments ({self.units} septets)"
        return f"{self.fragments} UCS-2 fragments ({self.units} characters)"


def gsm7_septets(text: str) -> int | None:
    """Septets the text needs in GSM-7, or None when a character needs UCS-2."""
    septets = 0
    for char in text:
        if char in GSM7_BASIC:
            septets += 1
        elif char in GSM7_EXTENSION:
            septets += 2
        else:
            return None
    return septets


def sms_size(text: str) -> SmsSize:
    """The encoding, length and fragment count of `text` sent as one SMS."""
    septets = gsm7_septets(text)
    encoding: Encoding
    if septets is not None:
        encoding, units = "gsm7", septets
    else:
        encoding, units = "ucs2", len(text.encode("utf-16-le")) // 2
    if units <= SINGLE[encoding]:
        fragments = 1 if units else 0
    elif encoding == "gsm7":
        fragments = _gsm7_parts(text)
    else:
        fragments = math.ceil(units / PER_PART[encoding])
    return SmsSize(encoding, units, fragments)


def _gsm7_parts(text: str) -> int:
    """Fragments of a long GSM-7 text: an escape and its character never go in two parts."""
    parts, used = 1, 0
    for char in text:
        cost = 2 if char in GSM7_EXTENSION else 1
        if used + cost > PER_PART["gsm7"]:
            parts, used = parts + 1, 0
        used += cost
    return parts
