"""What the victim's browser history keeps: page titles and addresses that name no topic.

Whoever later holds the victim's phone can read the history: every title and address a survey
page leaves there must be neutral, with no question text or id, no section, no crime group.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.banks.localize import questions_for
from app.invitations.models import Invitation
from app.survey.bank import stage_context
from tests.factories import create_bank_version
from tests.survey.factories import (
    answer,
    bank_document,
    create_invitation,
    csrf_token,
    enter,
    question_url,
    step_url,
    token_for,
)

CRIME_GROUP_WORDS = ("rasso", "rape", "sexual", "vawg", "violence", "abuse", "stalking")
# Nor who is asking: the police, the commissioner, crime or victims (issue 11, point 3).
WHO_WORDS = ("police", "constabulary", "commissioner", "pcc", "crime", "victim", "offence")
_TITLE = re.compile(r"<title>(.*?)</title>", re.S)
_ADDRESSES = re.compile(r'(?:href|action)="(/[^"]*)"')
_CSRF = re.compile(r'name="csrf_token" value="([^"]+)"')


def _bank_words() -> tuple[list[str], list[str]]:
    """(ids that must not be in an address, texts that must not be in a title): every
    question's and section's id, every question's text and each sensitive section's title."""
    ids: list[str] = []
    texts: list[str] = []
    for section in bank_document()["sections"]:
        ids.append(section["id"])
        if section.get("sensitive"):
            texts.append(_english(section["title"]))
        for question in section["questions"]:
            ids.append(question["id"])
            texts.append(_english(question["text"]))
    return ids, texts


def _english(text: str | dict[str, str]) -> str:
    return text if isinstance(text, str) else text["en"]


@dataclass
class History:
    """What a browser would keep: each address it loaded, and the title of each page."""

    addresses: list[str] = field(default_factory=list)
    titles: list[str] = field(default_factory=list)
    links: list[str] = field(default_factory=list)

    def load(self, client: TestClient, method: str, path: str, **kwargs: Any) -> str:
        """Request `path` and follow its redirects as a browser does; returns the last page."""
        response = client.request(method, path, follow_redirects=False, **kwargs)
        self.addresses.append(path)
        while response.status_code in (302, 303, 307):
            location = response.headers["location"]
            self.addresses.append(location)
            if not location.startswith("/"):
                return ""
            response = client.get(location, follow_redirects=False)
        assert response.status_code < 500, path
        match = _TITLE.search(response.text)
        assert match, path
        self.titles.append(" ".join(match.group(1).split()))
        self.links += _ADDRESSES.findall(response.text)
        return response.text

    def page_now(self) -> str:
        return self.addresses[-1]

    def leaks(self) -> list[str]:
        ids, texts = _bank_words()
        found = [
            f"{word!r} in {text!r}"
            for text in [*self.addresses, *self.links]
            for word in [*ids, *CRIME_GROUP_WORDS, *WHO_WORDS]
            if word.lower() in text.lower()
        ]
        return found + [
            f"{word!r} in {title!r}"
            for title in self.titles
            for word in [*texts, *CRIME_GROUP_WORDS, *WHO_WORDS]
            if word.lower() in title.lower()
        ]


_QUESTION_TITLE = re.compile(r"^(?:Error: )?Question (\d+) – Your views$")
_CAPTION = re.compile(r'<span class="govuk-caption-l">Question (\d+) of (\d+)</span>')


def question_numbers(titles: list[str]) -> list[int]:
    """N of each "Question N" title, in the order the pages were seen."""
    found = [_QUESTION_TITLE.match(title) for title in titles]
    return [int(match[1]) for match in found if match]


def fixed_total(invitation: Invitation, bank: dict[str, Any] | None = None) -> int:
    """Every question the invitation's context can ever show in `bank` (the small bank by
    default), follow-ups counted as shown."""
    document = {**(bank or bank_document()), "slug": invitation.crime_group}
    return len(
        questions_for(document, invitation.touchpoint, "en", context=stage_context(invitation))
    )


def _post(history: History, client: TestClient, html: str, path: str, **data: str) -> str:
    match = _CSRF.search(html)
    assert match, path
    return history.load(client, "POST", path, data={"csrf_token": match.group(1), **data})


def _answer_page(html: str) -> dict[str, str]:
    """What a person would choose on this page: the first option, a sentence, or Continue."""
    if "<textarea" in html:
        return {"action": "save", "answer": "It was fine."}
    option = re.search(r'name="answer"[^>]*value="([^"]+)"|value="([^"]+)"[^>]*name="answer"', html)
    if option:
        return {"action": "save", "answer": option.group(1) or option.group(2)}
    return {"action": "continue"}


def _form_action(html: str) -> str:
    main = html.split("<main", 1)[1]
    actions = re.findall(r'<form method="post" action="([^"]+)"', main)
    assert actions, main[:2000]
    return str(actions[0])


def walk_to_check(history: History, client: TestClient, invitation: Invitation) -> int:
    """Open the link and answer every page with its first choice up to the check page; the
    number of question and content-note pages posted. Their titles count 1, 2, 3… with no gap
    (a content note shares the title of the question it leads to)."""
    html = history.load(client, "GET", f"/s/{token_for(invitation)}")
    assert history.page_now() == "/survey/start"
    html = _post(history, client, html, "/survey/start")
    html = history.load(client, "GET", "/survey/safety")
    html = history.load(client, "GET", "/survey/begin")
    first_step = len(history.titles) - 1
    pages = 0
    while history.page_now() != "/survey/check":
        pages += 1
        assert pages < 20, history.addresses
        html = _post(history, client, html, _form_action(html), **_answer_page(html))
    numbers = question_numbers(history.titles[first_step:])
    assert numbers == sorted(numbers), numbers
    assert sorted(set(numbers)) == list(range(1, len(set(numbers)) + 1)), numbers
    return pages


@pytest.mark.parametrize("crime_group", ["general", "rasso"])
def test_the_whole_journey_leaves_no_topic_in_titles_or_addresses(
    client: TestClient, db: Session, crime_group: str
) -> None:
    create_bank_version(db, bank_document(), slug=crime_group)
    invitation = create_invitation(db, crime_group=crime_group)
    history = History()
    pages = walk_to_check(history, client, invitation)
    # A content note and every kind of question were among the pages walked.
    assert pages >= 7
    # An answer the page refuses shows the page again, at the address it was posted to.
    html = history.load(client, "GET", "/survey/check")
    change = re.findall(r'href="(/survey/page/[0-9a-f]+)"[^>]*>\s*Change', html)[0]
    html = history.load(client, "GET", change)
    refused = _post(history, client, html, _form_action(html), action="save", answer="x" * 2001)
    assert "There is a problem" in refused or "Choose one" in refused
    html = history.load(client, "GET", "/survey/check")
    html = _post(history, client, html, "/survey/submit")
    assert history.page_now() == "/survey/complete"
    history.load(client, "GET", "/survey/withdraw")
    # The stop page, and the link once ended, leave nothing either.
    history.load(client, "GET", f"/s/{token_for(invitation)}/stop")
    history.load(client, "POST", f"/s/{token_for(invitation)}/stop")
    assert history.leaks() == []
    # No address carries a query string (a "change=1" told that an answer was changed).
    assert not any("?" in address for address in history.addresses), history.addresses
    # Every title ends with the neutral service name (VV_SERVICE_NAME), never the organisation;
    # a question page and a content note are "Question N", never "of M": a total, fixed or
    # not, differs between the banks, so it could tell a specialist survey.
    assert all(title.endswith(" – Your views") for title in history.titles), history.titles
    assert len(question_numbers(history.titles)) >= pages
    assert not any(" of " in title for title in history.titles), history.titles
    assert not any("Your survey" in title for title in history.titles)


def test_a_question_address_names_no_question_and_differs_per_session(
    client: TestClient, db: Session
) -> None:
    create_bank_version(db, bank_document())
    invitation = create_invitation(db)
    first = client.get(f"/s/{token_for(invitation)}", follow_redirects=False)
    begin_first = client.get("/survey/begin", follow_redirects=False).headers["location"]
    # The link opened again: a new session, whose addresses mean nothing to the old one.
    client.get(f"/s/{token_for(invitation)}", follow_redirects=False)
    begin_again = client.get("/survey/begin", follow_redirects=False).headers["location"]
    assert first.status_code == 303
    assert begin_first != begin_again
    assert "sat_overall" not in begin_first + begin_again
    # The old addresses by question id are gone too.
    assert client.get("/survey/question/sat_overall").status_code == 404
    assert client.get("/survey/section/feelings").status_code == 404


def test_an_answer_kept_in_the_title_would_be_a_leak() -> None:
    """The check above would see a leak (so a quiet walker cannot pass it by mistake)."""
    history = History(titles=["Has anyone been charged? – Office"])
    assert history.leaks()


def test_a_lone_content_note_address_is_a_calm_404_in_another_session(
    client: TestClient, db: Session
) -> None:
    create_bank_version(db, bank_document())
    enter_at = client.get(f"/s/{token_for(create_invitation(db))}", follow_redirects=False)
    assert enter_at.status_code == 303
    response = client.get("/survey/page/0123456789abcdef")
    assert response.status_code == 404
    assert "Page not found" in response.text and "0123456789abcdef" not in response.text


def _place(client: TestClient, path: str) -> tuple[int, int]:
    """(N, M) of the question page at `path`: N from its title, M from its caption (on the
    page only, never in the history)."""
    response = client.get(path)
    assert response.status_code == 200, path
    title = _TITLE.search(response.text)
    assert title
    [number] = question_numbers([" ".join(title[1].split())])
    caption = _CAPTION.search(response.text)
    assert caption and int(caption[1]) == number, path
    return number, int(caption[2])


def test_an_answer_that_opens_or_closes_a_follow_up_never_moves_the_total(
    client: TestClient, db: Session
) -> None:
    create_bank_version(db, bank_document())
    invitation = create_invitation(db)
    enter(client, invitation)
    total = fixed_total(invitation)
    later = question_url(client, "what_would_help")
    number, first_total = _place(client, later)
    assert answer(client, "someone_charged", "yes").status_code == 303
    # The follow-up takes the next place, and the questions after it move on by one; the
    # total stays what it was before any answer.
    assert _place(client, question_url(client, "trial_info")) == (number, total)
    assert _place(client, later) == (number + 1, total)
    # Changed on the check page: the follow-up goes, the total still does not move.
    change = step_url(client, "c:q:someone_charged")
    assert _place(client, change) == (_place(client, question_url(client, "someone_charged")))
    token = csrf_token(client, change)
    changed = client.post(
        change,
        data={"csrf_token": token, "action": "save", "answer": "no"},
        follow_redirects=False,
    )
    assert changed.status_code == 303
    assert "Were you told about the trial" not in client.get("/survey/check").text
    assert _place(client, later) == (number, total)
    assert first_total == total


def test_questions_routed_out_by_the_context_leave_no_gap_and_are_not_counted(
    client: TestClient, db: Session
) -> None:
    document = bank_document()
    charged = next(
        question
        for section in document["sections"]
        for question in section["questions"]
        if question["id"] == "someone_charged"
    )
    charged["known_from"] = {"context": "outcome", "codes": {"charged": "yes", "nfa": "no"}}
    create_bank_version(db, document)
    told = create_invitation(db, outcome="charged")
    not_told = create_invitation(db)
    history = History()
    walk_to_check(history, client, told)  # asserts N counts 1, 2, 3… with no gap
    numbers = question_numbers(history.titles)
    # The question the force answered is neither asked nor counted; its follow-up is asked.
    assert fixed_total(told, document) == fixed_total(not_told, document) - 1
    assert max(numbers) == fixed_total(told, document)
    assert "Has anyone been charged?" not in " ".join(history.titles)
