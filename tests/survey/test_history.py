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

from tests.factories import create_bank_version
from tests.survey.factories import bank_document, create_invitation, token_for

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


@pytest.mark.parametrize("crime_group", ["general", "rasso"])
def test_the_whole_journey_leaves_no_topic_in_titles_or_addresses(
    client: TestClient, db: Session, crime_group: str
) -> None:
    create_bank_version(db, bank_document(), slug=crime_group)
    invitation = create_invitation(db, crime_group=crime_group)
    history = History()
    html = history.load(client, "GET", f"/s/{token_for(invitation)}")
    assert history.page_now() == "/survey/start"
    html = _post(history, client, html, "/survey/start")
    html = history.load(client, "GET", "/survey/safety")
    html = history.load(client, "GET", "/survey/begin")
    pages = 0
    while history.page_now() != "/survey/check":
        pages += 1
        assert pages < 20, history.addresses
        html = _post(history, client, html, _form_action(html), **_answer_page(html))
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
    # every question and content note has one title, without even its number out of a total
    # (the total changes with earlier answers and the case's outcome, so it would tell them).
    assert all(title.endswith(" – Your views") for title in history.titles), history.titles
    assert history.titles.count("Your survey – Your views") >= pages
    assert not any(re.search(r"\d+ of \d+", title) for title in history.titles)


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
