"""SMS fragments counted as networks count them: 160/153 GSM-7 septets, 70/67 UCS-2 units."""

from __future__ import annotations

import pytest

from app.messaging.fragments import gsm7_septets, sms_size


@pytest.mark.parametrize(
    ("text", "encoding", "units", "fragments"),
    [
        ("", "gsm7", 0, 0),
        ("a" * 160, "gsm7", 160, 1),
        ("a" * 161, "gsm7", 161, 2),
        ("a" * 306, "gsm7", 306, 2),
        ("a" * 307, "gsm7", 307, 3),
        ("a" * 459, "gsm7", 459, 3),
        # An extension character costs two septets.
        ("€" * 80, "gsm7", 160, 1),
        ("€" + "a" * 159, "gsm7", 161, 2),
        ("[]{}" + "a" * 100, "gsm7", 108, 1),
        # The GSM basic table's own accented letters stay GSM-7.
        ("é" * 160, "gsm7", 160, 1),
        # One character outside GSM-7 makes the whole text UCS-2.
        ("a" * 69 + "ł", "ucs2", 70, 1),
        ("a" * 70 + "ł", "ucs2", 71, 2),
        ("ą" * 134, "ucs2", 134, 2),
        ("ą" * 135, "ucs2", 135, 3),
        ("ا" * 201, "ucs2", 201, 3),
        ("ا" * 202, "ucs2", 202, 4),
        # Outside the Basic Multilingual Plane: two UTF-16 units.
        ("🙂" * 35, "ucs2", 70, 1),
        ("🙂" * 36, "ucs2", 72, 2),
        ("ç", "ucs2", 1, 1),  # lower-case c cedilla is not in the basic table
    ],
)
def test_sms_size(text: str, encoding: str, units: int, fragments: int) -> None:
    size = sms_size(text)
    assert (size.encoding, size.units, size.fragments) == (encoding, units, fragments)


def test_an_escape_pair_is_never_split_across_fragments() -> None:
    # 152 plain septets then a 2-septet character: the pair goes whole into part two.
    text = "a" * 152 + "€" + "a" * 152
    assert gsm7_septets(text) == 306
    assert sms_size(text).fragments == 3
    assert sms_size("a" * 151 + "€" + "a" * 153).fragments == 2


def test_description_names_encoding_and_count() -> None:
    assert sms_size("a" * 200).describe() == "2 GSM-7 fragments (200 septets)"
    assert sms_size("ł" * 100).describe() == "2 UCS-2 fragments (100 characters)"
