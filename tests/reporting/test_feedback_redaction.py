"""Redaction of free-text comments: every category, and ordinary words left alone."""

from __future__ import annotations

import pytest

from app.reporting.redaction import (
    COMMON_FIRST_NAMES,
    EMAIL,
    LINK,
    NAME,
    PHONE,
    POSTCODE,
    REFERENCE,
    redact,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("PC Smith was kind.", f"PC {NAME} was kind."),
        ("DC O'Brien-Jones never rang.", f"DC {NAME} never rang."),
        ("Sgt McDonald and Officer Patel came.", f"Sgt {NAME} and Officer {NAME} came."),
        ("the officer Khan explained it", f"the officer {NAME} explained it"),
        ("Mrs. Kowalska from witness care", f"Mrs. {NAME} from witness care"),
        ("Dr Zoë Ämmer saw me", f"Dr {NAME} saw me"),
        ("My husband Tomasz Nowak was there", f"My husband {NAME} was there"),
        ("my ex-partner, Darnell followed me", f"my ex-partner, {NAME} followed me"),
        ("an officer called Dave came round", f"an officer called {NAME} came round"),
        ("her name was Jasmine", f"her name was {NAME}"),
        ("Sarah was brilliant", f"{NAME} was brilliant"),
        ("I spoke to Mohammed Iqbal twice", f"I spoke to {NAME} twice"),
        ("pc smith never rang", f"pc {NAME} never rang"),
        ("mrs o'neill from witness care", f"mrs {NAME} from witness care"),
    ],
)
def test_names_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "number",
    [
        "07911 123456",
        "07911123456",
        "+44 7911 123456",
        "+447911123456",
        "0044 7911 123456",
        "(0121) 496 0000",
        "0121-496-0000",
        "+44 (0)121 496 0000",
        "020 7946 0018",
    ],
)
def test_uk_phone_numbers_are_redacted(number: str) -> None:
    assert redact(f"Ring me on {number} please") == f"Ring me on {PHONE} please"


@pytest.mark.parametrize(
    "address", ["jo.bloggs@example.com", "first+tag@mail.co.uk", "o'neil@example.org"]
)
def test_email_addresses_are_redacted(address: str) -> None:
    assert redact(f"Write to {address}.") == f"Write to {EMAIL}."


@pytest.mark.parametrize("postcode", ["B15 2TT", "b152tt", "SW1A 1AA", "M1 1AE", "WV10 6QX"])
def test_uk_postcodes_are_redacted(postcode: str) -> None:
    assert redact(f"I live near {postcode} now") == f"I live near {POSTCODE} now"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("my crime number is 20/123456/24", f"my crime number is {REFERENCE}"),
        ("ref CRI-1234 was lost", f"ref {REFERENCE} was lost"),
        ("quote INC 123456 when you call", f"quote {REFERENCE} when you call"),
        ("log 5567 from Tuesday", f"log {REFERENCE} from Tuesday"),
        ("incident number 12AB345", f"incident number {REFERENCE}"),
        ("case 4512/123456 closed", f"case {REFERENCE} closed"),
        ("it was job 20231104000123", f"it was job {REFERENCE}"),
        ("PC 4521 was rude", f"PC {REFERENCE} was rude"),
    ],
)
def test_crime_and_incident_references_are_redacted(text: str, expected: str) -> None:
    assert redact(text) == expected


@pytest.mark.parametrize(
    "link",
    ["https://example.com/case?id=4", "http://x.org", "www.example.org/page", "police.uk/report"],
)
def test_links_are_redacted(link: str) -> None:
    assert redact(f"see {link} for it") == f"see {LINK} for it"


@pytest.mark.parametrize(
    "text",
    [
        "The officer was kind and kept me informed every week.",
        "Will they call me back? May I ask what happens next?",
        "I called 999 and then 101, and waited 3 hours.",
        "It happened on 12/03/2024 and court was in 2025.",
        "Victim Support and the Witness Care Unit were great.",
        "I felt believed. Then I felt let down by the Court.",
        "Mark my words, I will not report again. Grace and patience ran out.",
        "The CPS decided in March. The OK came from the ISVA.",
        "Over 18 months; about 50 miles; 2 visits.",
        "my pc was stolen and the dr said to rest",
    ],
)
def test_ordinary_words_are_not_redacted(text: str) -> None:
    assert redact(text) == text


def test_a_comment_with_everything_keeps_its_sense() -> None:
    text = (
        "PC Jones (collar 4521) gave me ref 20/123456/24 and said email "
        "pc.jones@police.example.uk or ring 07700 900123. I moved to B15 2TT. "
        "My daughter Aisha was scared."
    )
    redacted = redact(text)
    for secret in ["Jones", "4521", "123456", "pc.jones", "07700", "B15", "Aisha"]:
        assert secret not in redacted
    assert "was scared" in redacted and "I moved to" in redacted


def test_first_names_list_has_no_everyday_words() -> None:
    for word in ["Will", "May", "Mark", "Grace", "Rose", "Hope", "Joy", "Bill", "Frank", "Sue"]:
        assert word not in COMMON_FIRST_NAMES
