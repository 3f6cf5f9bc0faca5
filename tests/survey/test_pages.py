"""The victim's journey through the HTML pages: start, questions, check, submit, withdraw."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.crypto import decrypt
from app.db import utcnow as now
from app.invitations.models import Invitation
from app.main import create_app
from app.reporting.models import PublishedAction
from app.survey.models import Answer, Comment, ContactRequest, InProgressAnswer, Response
from tests.factories import create_bank_version
from tests.survey.factories import (
    answer,
    bank_document,
    create_invitation,
    create_support_service,
    csrf_token,
    enter,
    record_rollup_signs,
    reload,
    rows,
    step_url,
    token_for,
)


@pytest.fixture(autouse=True)
def _bank(db: Session) -> None:
    create_bank_version(db, bank_document())
    create_support_service(db, key="everyone", name="Victim Support")
    create_support_service(db, key="rasso-only", name="Rape Crisis", crime_group="rasso")
    create_support_service(db, key="area-b1", name="Local Helpline", area="B1")
    create_support_service(db, key="area-c9", name="Far Away Helpline", area="C9")


@pytest.fixture
def second_device() -> Iterator[TestClient]:
    with TestClient(create_app(), raise_server_exceptions=False) as other:
        yield other


def open_on_both(client: TestClient, second_device: TestClient, db: Session) -> Invitation:
    """One invitation, its link opened on two devices (each keeps its own cookie)."""
    invitation = create_invitation(db)
    enter(client, invitation)
    enter(second_device, invitation)
    return invitation


def saved(db: Session, invitation_id: str) -> dict[str, Any]:
    return {
        row.question_id: row.value
        for row in rows(
            db, select(InProgressAnswer).where(InProgressAnswer.invitation_id == invitation_id)
        )
    }


def main(html: str) -> str:
    return html.split('id="main-content"', 1)[1]


def test_start_page_says_who_why_how_long_and_what_is_kept(
    client: TestClient, db: Session, settings_override
) -> None:
    settings_override(
        VV_ORGANISATION="West Midlands Police and Crime Commissioner", VV_RETENTION_MONTHS="24"
    )
    invitation = create_invitation(db, expires_in=timedelta(days=10))
    enter(client, invitation)
    page = client.get("/survey/start").text
    expiry = (now() + timedelta(days=10)).strftime("%-d %B %Y")
    assert "West Midlands Police and Crime Commissioner is asking" in page
    # One estimate, from the route shown: 5 choices at 20 seconds and 1 text at 60 = 160 s.
    assert "It takes about 3 minutes." in page
    assert page.count("minutes") == 1 and "10 minutes" not in page
    assert "Answering is voluntary." in page and "You can skip any question." in page
    assert f"come back with the same link, on any device, until {expiry}" in page
    assert "Your answers are anonymous" in page
    assert "for 24 months" in page
    assert f"You can withdraw your answers until {expiry}" in page
    assert "cannot be withdrawn" in page
    assert 'href="/survey/withdraw"' in page
    # Support for their crime group and area, and nothing for other groups or areas.
    assert "Victim Support" in page and "Local Helpline" in page
    assert "Rape Crisis" not in page and "Far Away Helpline" not in page
    assert "In danger now? Call 999. If you can't speak, stay on the line and press 55" in page
    assert "not read by anyone straight away" in page
    for link in ("/accessibility", "/privacy", "/cookies"):
        assert f'href="{link}"' in page
    assert '<form method="post" action="/survey/start"' in page  # Start now


def test_every_victim_page_has_exit_this_page_and_loads_nothing_from_elsewhere(
    client: TestClient, db: Session
) -> None:
    enter(client, create_invitation(db))
    for path in [
        "/survey/start",
        "/survey/leaving-quickly",
        "/survey/safety",
        step_url(client, "q:sat_overall"),
        step_url(client, "s:feelings"),
        "/survey/check",
        "/survey/withdraw",
    ]:
        response = client.get(path)
        assert response.status_code == 200, path
        html = response.text
        assert 'data-module="govuk-exit-this-page"' in html, path
        assert 'href="/survey/exit"' in html, path
        assert "press 55" in html, path
        assert response.headers["Referrer-Policy"] == "no-referrer"
        assert response.headers["Cache-Control"] == "no-store"
        # src= and stylesheet hrefs are all our own (links out to support services are fine).
        for url in re.findall(r'(?:src|href)="([^"]+)"', html):
            if url.startswith("http"):
                assert not re.search(rf'<(?:script|link|img)[^>]+"{re.escape(url)}"', html), url
        assert "<form" not in html or 'name="csrf_token"' in html, path


def test_the_quick_exit_and_safety_pages_explain_before_the_first_question(
    client: TestClient, db: Session
) -> None:
    enter(client, create_invitation(db))
    leaving = client.get("/survey/leaving-quickly").text
    assert "Exit this page" in leaving and "Shift key 3 times" in leaving
    assert 'href="/survey/safety"' in leaving
    safety = client.get("/survey/safety").text
    assert "does not remove this website from your browser history" in safety
    assert "private" in safety and "history" in safety
    begin = client.get("/survey/begin", follow_redirects=False)
    assert begin.headers["location"] == step_url(client, "q:sat_overall")


def test_a_question_page_is_one_question_with_progress_back_and_skip(
    client: TestClient, db: Session
) -> None:
    enter(client, create_invitation(db))
    page = client.get(step_url(client, "q:sat_overall")).text
    assert "Question 1 of 7" in page
    assert '<h1 class="govuk-fieldset__heading">' in page
    assert "Overall, how satisfied are you" in page
    assert page.count('type="radio"') == 4
    assert 'value="skip" name="action"' in page and "Skip this question" in page
    assert 'class="govuk-back-link"' in page and 'href="/survey/safety"' in page
    second = client.get(step_url(client, "q:someone_charged")).text
    assert "Question 2 of 7" in second
    assert f'href="{step_url(client, "q:sat_overall")}"' in second  # back


def test_show_if_changes_the_path_and_the_place_never_the_total(
    client: TestClient, db: Session
) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    answer(client, "sat_overall", "very_satisfied")
    response = answer(client, "someone_charged", "no")
    assert response.headers["location"] == step_url(client, "q:what_would_help")
    assert "Question 3 of 7" in client.get(step_url(client, "q:what_would_help")).text
    # A hidden question's address leads on to the next page shown.
    hidden = client.get(step_url(client, "q:trial_info"), follow_redirects=False)
    assert hidden.headers["location"] == step_url(client, "q:what_would_help")
    response = answer(client, "someone_charged", "yes")
    assert response.headers["location"] == step_url(client, "q:trial_info")
    assert "Question 3 of 7" in client.get(step_url(client, "q:trial_info")).text
    assert "Question 4 of 7" in client.get(step_url(client, "q:what_would_help")).text


def test_every_answer_is_saved_and_skips_are_recorded(client: TestClient, db: Session) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    assert answer(client, "sat_overall", None).status_code == 303
    answer(client, "someone_charged", "yes")
    answer(client, "trial_info", "no")
    answer(client, "what_would_help", ["more_support", "more_updates"])
    response = answer(client, "comments", "  They were kind.  ")
    assert response.headers["location"] == step_url(client, "s:feelings")
    assert saved(db, invitation.id) == {
        "sat_overall": None,
        "someone_charged": "yes",
        "trial_info": "no",
        "what_would_help": ["more_updates", "more_support"],
        "comments": "They were kind.",
    }
    fresh = reload(db, invitation)
    assert fresh.status == "started" and fresh.started_at is not None
    assert fresh.resume_at == "s:feelings"


def test_a_bad_value_shows_an_error_summary_and_keeps_the_answer(
    client: TestClient, db: Session
) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    response = answer(client, "sat_overall", "made_up_code")
    assert response.status_code == 422
    assert "govuk-error-summary" in response.text and "There is a problem" in response.text
    assert "Choose one of the options, or skip this question." in response.text
    assert response.text.count("Choose one of the options") == 2  # summary and field
    assert "<title>Error: " in response.text
    assert 'href="#answer"' in response.text
    # A choice the page never offered is not shown back (only typed text is kept).
    assert "made_up_code" not in response.text
    several = answer(client, "what_would_help", ["more_updates", "07911 123456"])
    assert several.status_code == 422 and "07911" not in several.text
    too_long = answer(client, "comments", "x" * 2001)
    assert too_long.status_code == 422
    assert "2000 characters or fewer" in too_long.text
    assert "x" * 2001 in too_long.text  # kept, so nothing typed is lost
    assert saved(db, invitation.id) == {}


def _save_nothing(client: TestClient, question_id: str) -> Any:
    """Press "Save and continue" on a question page without choosing or typing anything."""
    url = step_url(client, f"q:{question_id}")
    data = {"csrf_token": csrf_token(client, url), "action": "save", "answer": ""}
    return client.post(url, data=data, follow_redirects=False)


def test_save_and_continue_with_nothing_chosen_asks_to_choose_or_skip(
    client: TestClient, db: Session
) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    for question_id, message in [
        ("sat_overall", "Choose an answer, or skip this question if you would rather not"),
        ("what_would_help", "Choose an answer, or skip this question if you would rather not"),
        ("comments", "Write an answer, or skip this question if you would rather not"),
    ]:
        response = _save_nothing(client, question_id)
        assert response.status_code == 422, question_id
        assert "govuk-error-summary" in response.text and "<title>Error: " in response.text
        assert response.text.count(message) == 2  # the summary and the field's own message
        assert 'href="#answer"' in response.text and 'id="answer"' in response.text
        assert 'value="skip" name="action"' in response.text  # the way to skip is right there
        assert 'data-module="govuk-exit-this-page"' in response.text and "press 55" in response.text
    spaces = answer(client, "comments", "   ")
    assert spaces.status_code == 422
    # Nothing was counted as a skip; the skip button still records one.
    assert saved(db, invitation.id) == {}
    assert answer(client, "sat_overall", None).status_code == 303
    assert saved(db, invitation.id) == {"sat_overall": None}


def test_a_form_without_its_csrf_token_changes_nothing(client: TestClient, db: Session) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    for data in ({"answer": "very_satisfied"}, {"answer": "very_satisfied", "csrf_token": "no"}):
        response = client.post(step_url(client, "q:sat_overall"), data=data)
        assert response.status_code == 403
        assert "nothing was changed" in response.text
    assert client.post("/survey/submit", data={}).status_code == 403
    assert client.post("/survey/withdraw", data={"csrf_token": "forged"}).status_code == 403
    assert saved(db, invitation.id) == {}
    assert reload(db, invitation).status == "sent"


def test_a_content_note_comes_before_a_sensitive_section(client: TestClient, db: Session) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    note = client.get(step_url(client, "s:feelings")).text
    assert "The next questions ask how the process has made you feel." in note
    assert "Skip this section" in note and 'value="continue"' in note
    token = csrf_token(client, step_url(client, "s:feelings"))
    go_on = client.post(
        step_url(client, "s:feelings"),
        data={"csrf_token": token, "action": "continue"},
        follow_redirects=False,
    )
    assert go_on.headers["location"] == step_url(client, "q:made_worse")
    skip = client.post(
        step_url(client, "s:feelings"),
        data={"csrf_token": token, "action": "skip"},
        follow_redirects=False,
    )
    assert skip.headers["location"] == "/survey/check"
    assert saved(db, invitation.id) == {"made_worse": None, "stepping_back": None}
    assert reload(db, invitation).resume_at == "check"


def test_resume_lands_on_the_next_unanswered_question_on_another_device(
    client: TestClient, second_device: TestClient, db: Session
) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    answer(client, "sat_overall", "fairly_satisfied")
    answer(client, "someone_charged", "no")
    assert enter(second_device, invitation) == step_url(second_device, "q:what_would_help")
    page = second_device.get(step_url(second_device, "q:what_would_help")).text
    assert "Question 3 of 7" in page
    # Their earlier answers are kept, but shown only to the device that saved them
    # (the link may be in someone else's hands): this one is told they were answered.
    earlier = second_device.get(step_url(second_device, "q:sat_overall")).text
    assert " checked" not in earlier and "You have already answered this question" in earlier
    assert re.search(
        r'value="fairly_satisfied"\s+checked', client.get(step_url(client, "q:sat_overall")).text
    )
    assert saved(db, invitation.id) == {"sat_overall": "fairly_satisfied", "someone_charged": "no"}


def test_two_devices_saving_different_questions_keep_both(
    client: TestClient, second_device: TestClient, db: Session
) -> None:
    invitation = open_on_both(client, second_device, db)
    # Both pages are open before either saves.
    first_token = csrf_token(client, step_url(client, "q:sat_overall"))
    second_token = csrf_token(second_device, step_url(second_device, "q:someone_charged"))
    client.post(
        step_url(client, "q:sat_overall"),
        data={"csrf_token": first_token, "answer": "very_satisfied"},
    )
    second_device.post(
        step_url(second_device, "q:someone_charged"),
        data={"csrf_token": second_token, "answer": "no"},
    )
    assert saved(db, invitation.id) == {"sat_overall": "very_satisfied", "someone_charged": "no"}
    # The same question saved on both: the last save wins, nothing else moves.
    answer(second_device, "sat_overall", "dont_know")
    assert saved(db, invitation.id) == {"sat_overall": "dont_know", "someone_charged": "no"}


def test_check_answers_lists_what_was_shown_with_change_links(
    client: TestClient, db: Session
) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    answer(client, "sat_overall", "very_satisfied")
    answer(client, "someone_charged", "no")
    answer(client, "what_would_help", ["faster_response"])
    page = client.get("/survey/check").text
    assert "govuk-summary-list" in page
    assert "Very satisfied" in page and "A faster response" in page
    assert "Were you told about the trial" not in page  # hidden by show_if
    assert page.count("Skipped") == 3  # comments, made_worse, stepping_back
    # The Change link is the question's own opaque address for a change: no query string
    # tells the history that an answer was changed.
    change_url = step_url(client, "c:q:sat_overall")
    assert f'href="{change_url}"' in page and "change=1" not in page
    assert change_url != step_url(client, "q:sat_overall")
    change = client.get(change_url).text
    assert 'name="change" value="1"' in change and 'href="/survey/check"' in change
    back = answer(client, "sat_overall", "dont_know", change="1")
    assert back.headers["location"] == "/survey/check"
    # Posted to the change address itself, the answer leads back to the check page too.
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', change)
    assert csrf
    posted = client.post(
        change_url,
        data={"csrf_token": csrf.group(1), "action": "save", "answer": "very_satisfied"},
        follow_redirects=False,
    )
    assert posted.headers["location"] == "/survey/check"
    # A change that opens a new question goes to it first.
    opened = answer(client, "someone_charged", "yes", change="1")
    assert opened.headers["location"] == step_url(client, "q:trial_info")


def _finish(client: TestClient) -> None:
    answer(client, "sat_overall", "very_satisfied")
    answer(client, "someone_charged", "yes")
    answer(client, "trial_info", None)
    answer(client, "what_would_help", ["more_updates", "more_support"])
    answer(client, "comments", "The officer listened.")
    answer(client, "made_worse", "no")


def _submit(client: TestClient) -> Any:
    token = csrf_token(client, "/survey/check")
    return client.post("/survey/submit", data={"csrf_token": token}, follow_redirects=False)


def test_submit_records_one_anonymous_response(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    calls: list[tuple[str, list[tuple[str, str | None]], int]] = []

    def record(session: Any, response: Response, answers: Any, sign: int = 1) -> None:
        calls.append((response.id, [(a.question_id, a.code) for a in answers], sign))

    monkeypatch.setattr("app.reporting.rollups.apply_response", record)
    invitation = create_invitation(db, area="B1")
    enter(client, invitation)
    _finish(client)
    response = _submit(client)
    assert response.headers["location"] == "/survey/complete"
    (stored,) = rows(db, select(Response))
    assert stored.crime_group == "general" and stored.touchpoint == "outcome"
    assert stored.area == "B1" and stored.language == "en"
    assert str(stored.month) == "2026-10-01"
    assert stored.bank_slug == "general" and stored.bank_version_id is not None
    answers = sorted((a.question_id, a.code) for a in rows(db, select(Answer)))
    assert answers == [
        ("made_worse", "no"),
        ("sat_overall", "very_satisfied"),
        ("someone_charged", "yes"),
        ("stepping_back", None),  # shown, never answered
        ("trial_info", None),  # skipped
        ("what_would_help", "more_support"),
        ("what_would_help", "more_updates"),
    ]
    (comment,) = rows(db, select(Comment))
    assert comment.text == "The officer listened." and str(comment.month) == "2026-10-01"
    assert len(calls) == 1 and calls[0][0] == stored.id and calls[0][2] == 1
    assert sorted(calls[0][1]) == answers
    fresh = reload(db, invitation)
    assert fresh.status == "completed" and fresh.response_id == stored.id
    assert saved(db, invitation.id) == {}  # the in-progress copy is gone


def test_submitting_twice_or_from_two_devices_gives_one_response(
    client: TestClient, second_device: TestClient, db: Session
) -> None:
    invitation = open_on_both(client, second_device, db)
    _finish(client)
    first_token = csrf_token(client, "/survey/check")
    second_token = csrf_token(second_device, "/survey/check")
    for device, token in (
        (client, first_token),
        (second_device, second_token),
        (client, first_token),
    ):
        response = device.post("/survey/submit", data={"csrf_token": token}, follow_redirects=False)
        assert response.status_code == 303
        assert response.headers["location"] == "/survey/complete"
    assert len(rows(db, select(Response))) == 1
    assert len(rows(db, select(Comment))) == 1
    # After submitting, question pages lead to the confirmation; the link lands there too.
    late = second_device.get(step_url(second_device, "q:sat_overall"), follow_redirects=False)
    assert late.headers["location"] == "/survey/complete"
    assert enter(client, invitation) == "/survey/complete"


def test_the_confirmation_page(client: TestClient, db: Session) -> None:
    for index, (group, text) in enumerate(
        [
            (None, "Oldest action for everyone"),
            ("general", "We now call back within a day"),
            (None, "Older action for everyone"),
            ("rasso", "An action for another group"),
            (None, "Officers have new training"),
            (None, "Updates by text message"),
        ]
    ):
        db.add(
            PublishedAction(
                crime_group=group,
                text=text,
                published_by="user:1",
                published_at=now() - timedelta(days=10 - index),
            )
        )
    db.commit()
    invitation = create_invitation(db)
    enter(client, invitation)
    _submit(client)
    page = client.get("/survey/complete").text
    assert "govuk-panel--confirmation" in page and "Your answers have been sent" in page
    newest = ["Updates by text message", "Officers have new training", "Older action"]
    positions = [page.index(text) for text in newest]
    assert positions == sorted(positions)
    assert "Oldest action for everyone" not in page  # only the newest 3
    # Actions for every crime group only: the page is reached by the link after submission,
    # and must not tell the crime group (not even the victim's own).
    assert "An action for another group" not in page
    assert "We now call back within a day" not in page
    assert "Victim Support" in page and "press 55" in page
    assert 'action="/survey/complete"' in page
    assert 'href="/survey/withdraw"' in page and "cannot be withdrawn" in page


def test_asking_to_be_contacted_is_explicit_encrypted_and_unlinked(
    client: TestClient, db: Session
) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    _submit(client)
    token = csrf_token(client, "/survey/complete")
    refused = client.post(
        "/survey/complete",
        data={"csrf_token": token, "phone": "07911 123456"},
    )
    assert refused.status_code == 422
    assert "Tick the box" in refused.text
    assert 'value="07911 123456"' in refused.text  # kept
    bad = client.post(
        "/survey/complete",
        data={"csrf_token": token, "consent": "yes", "phone": "12", "email": "nope"},
    )
    assert bad.status_code == 422
    assert "Enter a UK phone number" in bad.text and "Enter an email address" in bad.text
    assert rows(db, select(ContactRequest)) == []
    done = client.post(
        "/survey/complete",
        data={
            "csrf_token": token,
            "consent": "yes",
            "name": "Sam",
            "phone": "07911 123456",
            "best_time": "Weekday mornings",
        },
    )
    assert done.status_code == 200 and "The victims team will contact you" in done.text
    (request,) = rows(db, select(ContactRequest))
    assert "07911" not in request.details_encrypted and "Sam" not in request.details_encrypted
    assert '"phone": "+447911123456"' in decrypt(request.details_encrypted)
    assert request.crime_group == "general"
    fresh = reload(db, invitation)
    for value in (fresh.id, fresh.response_id):
        assert value not in decrypt(request.details_encrypted)
    columns = set(ContactRequest.model_fields)
    assert not {"invitation_id", "response_id"} & columns


def test_withdrawing_erases_everything_and_ends_the_link(
    client: TestClient, db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    signs = record_rollup_signs(monkeypatch)
    invitation = create_invitation(db)
    enter(client, invitation)
    _finish(client)
    _submit(client)
    page = client.get("/survey/withdraw").text
    assert "Withdraw my answers" in page
    token = csrf_token(client, "/survey/withdraw")
    done = client.post("/survey/withdraw", data={"csrf_token": token})
    assert done.status_code == 200
    assert "Your answers have been withdrawn" in done.text
    assert 'vv_survey=""' in done.headers["set-cookie"]
    assert signs == [1, -1]
    for table in (Response, Answer, Comment, InProgressAnswer):
        assert rows(db, select(table)) == [], table
    fresh = reload(db, invitation)
    assert fresh.status == "withdrawn" and fresh.response_id is None
    again = client.get(f"/s/{token_for(invitation)}")
    assert again.status_code == 410


def test_withdrawing_before_submitting_erases_saved_answers(
    client: TestClient, db: Session
) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    answer(client, "sat_overall", "very_satisfied")
    token = csrf_token(client, "/survey/withdraw")
    assert client.post("/survey/withdraw", data={"csrf_token": token}).status_code == 200
    assert saved(db, invitation.id) == {}
    assert reload(db, invitation).status == "withdrawn"
    assert client.get("/survey/start").status_code == 401


def test_an_unknown_question_is_a_calm_404(client: TestClient, db: Session) -> None:
    enter(client, create_invitation(db))
    response = client.get(step_url(client, "q:no_such_thing"))
    assert response.status_code == 404
    assert "Page not found" in response.text and "Exit this page" in response.text
    assert "no_such_thing" not in response.text
    assert client.get(step_url(client, "s:no_such_section")).status_code == 404


def test_no_published_bank_is_a_calm_page(client: TestClient, db: Session) -> None:
    invitation = create_invitation(db, crime_group="vawg")
    response = client.get(f"/s/{token_for(invitation)}")
    assert response.status_code == 503
    assert "not available at the moment" in response.text


def test_a_page_saved_after_another_device_submitted_changes_nothing(
    client: TestClient, second_device: TestClient, db: Session
) -> None:
    invitation = open_on_both(client, second_device, db)
    stale_token = csrf_token(client, step_url(client, "q:sat_overall"))
    _submit(second_device)
    late = client.post(
        step_url(client, "q:sat_overall"),
        data={"csrf_token": stale_token, "answer": "very_dissatisfied"},
        follow_redirects=False,
    )
    assert late.headers["location"] == "/survey/complete"
    assert saved(db, invitation.id) == {}
    fresh = reload(db, invitation)
    assert fresh.status == "completed" and fresh.response_id is not None


def test_a_file_posted_as_an_answer_is_refused_calmly(client: TestClient, db: Session) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    token = csrf_token(client, step_url(client, "q:comments"))
    response = client.post(
        step_url(client, "q:comments"),
        data={"csrf_token": token, "action": "save"},
        files={"answer": ("note.txt", b"text in a file", "text/plain")},
    )
    assert response.status_code == 422
    assert "Type your answer as text" in response.text
    assert "UploadFile" not in response.text
    assert saved(db, invitation.id) == {}
