"""A link reveals no answers: someone holding the victim's phone, with the link in the message
and maybe an old cookie, learns nothing of what the victim said.

- The token alone never reads back a saved value: the JSON marks saved questions `true`.
- Pages show saved values only to the browser session that saved them; any other session
  (another device, or the same phone opening the link again) sees "Answered".
- Nothing a session is shown depends on a value it cannot see: not which questions are asked,
  not their count, not where it resumes.
- Once submitted, the link answers status only, and every page it or a cookie reaches shows
  the general support list, no crime-group content and no answer.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import timedelta
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.db import utcnow as now
from app.invitations.models import Invitation
from app.main import create_app
from app.reporting.models import PublishedAction
from app.survey.models import InProgressAnswer, SurveySession
from tests.factories import create_bank_version
from tests.survey.factories import (
    answer,
    bank_document,
    create_invitation,
    create_support_service,
    csrf_token,
    enter,
    name_steps,
    reload,
    rows,
    step_url,
    token_for,
)

COMMENT = "He was shouting at me when the officer arrived"
RASSO_SERVICE = "Rape Crisis Line"
GENERAL_SERVICE = "Victim Support"


@pytest.fixture(autouse=True)
def _banks(db: Session) -> None:
    create_bank_version(db, bank_document())
    create_bank_version(db, bank_document(), slug="rasso")
    create_support_service(db, key="everyone", name=GENERAL_SERVICE)
    create_support_service(db, key="rasso-only", name=RASSO_SERVICE, crime_group="rasso")
    for group, text in (
        (None, "Updates now come by text message"),
        ("rasso", "Specialist officers for sexual offences"),
        ("general", "Burglary visits within a day"),
    ):
        db.add(
            PublishedAction(crime_group=group, text=text, published_by="user:1", published_at=now())
        )
    db.commit()


def _device() -> TestClient:
    return TestClient(create_app(), raise_server_exceptions=False)


@pytest.fixture
def second_device() -> Iterator[TestClient]:
    with _device() as other:
        yield other


def api(token: str, suffix: str = "") -> str:
    return f"/api/v1/survey/{token}{suffix}"


def main(html: str) -> str:
    """The page without what changes on every response (nonces, CSRF tokens)."""
    html = re.sub(r'nonce="[^"]+"', "", html)
    return re.sub(r'name="csrf_token" value="[^"]+"', "", html)


def saved(db: Session, invitation: Invitation) -> dict[str, Any]:
    found = rows(
        db, select(InProgressAnswer).where(InProgressAnswer.invitation_id == invitation.id)
    )
    return {row.question_id: row.value for row in found}


def submit(client: TestClient) -> None:
    token = csrf_token(client, "/survey/check")
    response = client.post("/survey/submit", data={"csrf_token": token}, follow_redirects=False)
    assert response.headers["location"] == "/survey/complete"


# ---------------------------------------------------------------------------------------------
# The JSON API: the token alone


def test_the_api_marks_saved_questions_and_never_reads_a_value_back(
    client: TestClient, db: Session
) -> None:
    token = token_for(create_invitation(db))
    put = client.put(
        api(token, "/answers"),
        json={
            "answers": {
                "sat_overall": "very_dissatisfied",
                "what_would_help": ["more_support"],
                "comments": COMMENT,
                "made_worse": None,  # skipped is saved too
            }
        },
    )
    assert put.status_code == 200
    marks = {"sat_overall": True, "what_would_help": True, "comments": True, "made_worse": True}
    assert put.json()["answers"] == marks
    got = client.get(api(token))
    assert got.json()["answers"] == marks and got.json()["status"] == "in_progress"
    for response in (put, got):
        assert COMMENT not in response.text
        assert "very_dissatisfied" not in response.text.replace('"code":"very_dissatisfied"', "")
        assert '"more_support"' not in response.text.replace('"code":"more_support"', "")


def test_the_api_never_marks_a_question_whose_showing_tells_an_earlier_answer(
    client: TestClient, db: Session
) -> None:
    """trial_info is asked only when someone was charged: marking it saved would say so."""
    charged, not_charged = create_invitation(db), create_invitation(db)
    for invitation, value in ((charged, "yes"), (not_charged, "no")):
        client.put(
            api(token_for(invitation), "/answers"),
            json={"answers": {"someone_charged": value, "trial_info": "no"}},
        )
    answers = [client.get(api(token_for(inv))).json()["answers"] for inv in (charged, not_charged)]
    assert answers[0] == answers[1] == {"someone_charged": True}
    # The follow-up itself is still saved, and sent when its condition holds.
    assert saved(db, charged) == {"someone_charged": "yes", "trial_info": "no"}


def test_values_saved_in_a_browser_are_never_read_back_through_the_token(
    client: TestClient, db: Session
) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    answer(client, "sat_overall", "very_dissatisfied")
    answer(client, "comments", COMMENT)
    body = client.get(api(token_for(invitation))).json()
    assert body["answers"] == {"sat_overall": True, "comments": True}


def test_a_completed_survey_answers_status_and_nothing_else(
    client: TestClient, db: Session
) -> None:
    invitation = create_invitation(db, crime_group="rasso")
    token = token_for(invitation)
    client.put(api(token, "/answers"), json={"answers": {"comments": COMMENT}})
    assert client.post(api(token, "/submit")).json() == {"status": "completed"}
    for _ in range(2):  # the link's whole life
        response = client.get(api(token))
        assert response.status_code == 200
        assert response.json() == {"status": "completed"}
    # Its answers cannot be changed either, and the refusal tells nothing more.
    refused = client.put(api(token, "/answers"), json={"answers": {"comments": "new"}})
    assert refused.status_code == 409
    assert COMMENT not in refused.text and "rasso" not in refused.text


# ---------------------------------------------------------------------------------------------
# Pages: values only for the session that saved them


def test_the_device_that_saved_sees_its_answers_and_another_sees_only_answered(
    client: TestClient, second_device: TestClient, db: Session
) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    answer(client, "sat_overall", "very_dissatisfied")
    answer(client, "someone_charged", "no")
    answer(client, "what_would_help", ["more_support"])
    answer(client, "comments", COMMENT)
    own = client.get("/survey/check").text
    assert COMMENT in own and "Very dissatisfied" in own and "More support" in own

    enter(second_device, invitation)
    other = second_device.get("/survey/check")
    assert other.status_code == 200
    page = other.text
    assert COMMENT not in page
    for label in ("Very dissatisfied", "More support"):
        assert label not in page
    # Each saved question says "Answered", with a Change link.
    values = re.findall(r'<dd class="govuk-summary-list__value">\s*(.*?)\s*</dd>', page, re.S)
    assert values == ["Answered", "Answered", "Answered", "Answered", "Skipped", "Skipped"]
    assert f'href="{step_url(second_device, "c:q:comments")}"' in page
    assert "not shown" in page  # they are told why
    # The question pages show an empty form, never the value.
    for question_id in ("sat_overall", "what_would_help", "comments"):
        question = second_device.get(step_url(second_device, f"q:{question_id}")).text
        assert " checked" not in question and COMMENT not in question
        assert "You have already answered this question" in question


def test_opening_the_link_again_on_the_same_phone_shows_no_values(
    client: TestClient, db: Session
) -> None:
    """The abuser picks up the phone after the victim used Exit and opens the message's link."""
    invitation = create_invitation(db)
    enter(client, invitation)
    answer(client, "comments", COMMENT)
    client.get("/survey/exit", follow_redirects=False)
    enter(client, invitation)
    for path in ("/survey/check", step_url(client, "q:comments"), "/survey/start"):
        assert COMMENT not in client.get(path).text, path


def test_a_new_session_resumes_at_the_next_unanswered_question(
    client: TestClient, second_device: TestClient, db: Session
) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    answer(client, "sat_overall", "fairly_satisfied")
    answer(client, "someone_charged", "no")
    assert enter(second_device, invitation) == step_url(second_device, "q:what_would_help")
    begin = second_device.get("/survey/begin", follow_redirects=False)
    assert begin.headers["location"] == step_url(second_device, "q:what_would_help")


def _second_device_pages(db: Session, first: dict[str, Any]) -> list[str]:
    """What a new session sees of an invitation whose first device saved `first`."""
    invitation = create_invitation(db)
    with _device() as phone, _device() as other:
        enter(phone, invitation)
        for question_id, value in first.items():
            answer(phone, question_id, value)
        landing = enter(other, invitation)
        paths = [
            landing,
            "/survey/start",
            "/survey/check",
            step_url(other, "q:what_would_help"),
            step_url(other, "q:trial_info"),
        ]
        pages = [landing]
        for path in paths:
            response = other.get(path, follow_redirects=False)
            pages.append(f"{response.status_code} {response.headers.get('location')}")
            pages.append(main(response.text))
        # Each session has its own addresses: compared by the steps they name.
        return [name_steps(other, page) for page in pages]


@pytest.mark.parametrize(
    "second",
    [
        pytest.param({"someone_charged": "no"}, id="charged-yes-vs-no"),
        pytest.param({"someone_charged": "dont_know"}, id="charged-yes-vs-dont-know"),
    ],
)
def test_nothing_a_new_session_sees_depends_on_an_answer_it_cannot_see(
    db: Session, second: dict[str, Any]
) -> None:
    """Which questions are asked, the count, the landing page: all the same either way."""
    charged = _second_device_pages(
        db, {"sat_overall": "very_satisfied", "someone_charged": "yes", "trial_info": "no"}
    )
    other = _second_device_pages(db, {"sat_overall": "very_satisfied", **second})
    assert charged == other


def test_a_follow_up_answered_elsewhere_is_not_shown_when_probed(
    client: TestClient, db: Session
) -> None:
    """Answering the earlier question again does not show whether its follow-up was answered."""
    pages = []
    for follow_up in ("no", None):
        invitation = create_invitation(db)
        with _device() as phone, _device() as other:
            enter(phone, invitation)
            answer(phone, "someone_charged", "yes")
            if follow_up:
                answer(phone, "trial_info", follow_up)
            enter(other, invitation)
            probe = answer(other, "someone_charged", "yes")
            assert probe.headers["location"] == step_url(other, "q:trial_info")
            pages.append(
                [
                    name_steps(other, main(other.get(p).text))
                    for p in (step_url(other, "q:trial_info"), "/survey/check")
                ]
            )
            # The follow-up given under an answer the new session could not see is asked again.
            assert "trial_info" not in saved(db, invitation)
    assert pages[0] == pages[1]


def test_saving_nothing_over_a_hidden_answer_keeps_it(
    client: TestClient, second_device: TestClient, db: Session
) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    answer(client, "sat_overall", "very_dissatisfied")
    answer(client, "comments", COMMENT)
    enter(second_device, invitation)
    token = csrf_token(second_device, step_url(second_device, "q:sat_overall"))
    kept = second_device.post(
        step_url(second_device, "q:sat_overall"),
        data={"csrf_token": token, "action": "save"},
        follow_redirects=False,
    )
    assert kept.status_code == 303
    kept_text = second_device.post(
        step_url(second_device, "q:comments"),
        data={"csrf_token": token, "action": "save", "answer": "  "},
        follow_redirects=False,
    )
    assert kept_text.status_code == 303
    assert saved(db, invitation) == {"sat_overall": "very_dissatisfied", "comments": COMMENT}
    # A new choice replaces it, and this session now sees its own answer.
    answer(second_device, "sat_overall", "fairly_satisfied", change="1")
    assert saved(db, invitation)["sat_overall"] == "fairly_satisfied"
    assert "Fairly satisfied" in second_device.get("/survey/check").text
    # ...which the first device no longer sees.
    first_view = client.get("/survey/check").text
    assert "Fairly satisfied" not in first_view and COMMENT in first_view


def test_skipping_a_section_keeps_answers_saved_elsewhere(
    client: TestClient, second_device: TestClient, db: Session
) -> None:
    invitation = create_invitation(db)
    enter(client, invitation)
    answer(client, "made_worse", "yes_a_lot")
    enter(second_device, invitation)
    token = csrf_token(second_device, step_url(second_device, "s:feelings"))
    second_device.post(
        step_url(second_device, "s:feelings"), data={"csrf_token": token, "action": "skip"}
    )
    assert saved(db, invitation) == {"made_worse": "yes_a_lot", "stepping_back": None}


# ---------------------------------------------------------------------------------------------
# After submission: status only, general support, no crime-group content


VICTIM_PATHS = [
    "/survey/start",
    "/survey/leaving-quickly",
    "/survey/safety",
    "/survey/begin",
    "q:comments",
    "s:feelings",
    "/survey/check",
    "/survey/complete",
    "/survey/withdraw",
    "/survey/page/0123456789abcdef",  # no page of this session
]


def victim_paths(device: TestClient) -> list[str]:
    """Every page a victim reaches, at this device's own addresses."""
    return [path if path.startswith("/") else step_url(device, path) for path in VICTIM_PATHS]


def _assert_no_crime_group_and_no_answer(html: str, where: str) -> None:
    assert COMMENT not in html, where
    assert RASSO_SERVICE not in html, where
    assert "Specialist officers for sexual offences" not in html, where
    assert "Burglary visits within a day" not in html, where
    assert "Your experience with the police" not in html, where  # the bank's own title
    assert GENERAL_SERVICE in html and "press 55" in html, where


def _completed_rasso_survey(db: Session, client: TestClient) -> Invitation:
    invitation = create_invitation(db, crime_group="rasso")
    enter(client, invitation)
    answer(client, "comments", COMMENT)
    submit(client)
    return invitation


def test_every_page_after_submission_shows_general_support_and_no_answer(
    client: TestClient, second_device: TestClient, db: Session
) -> None:
    invitation = create_invitation(db, crime_group="rasso")
    enter(client, invitation)
    answer(client, "comments", COMMENT)
    cookie_before_sending = client.cookies.get("vv_survey")
    submit(client)
    # The browser that submitted, the cookie it had before (still a live session), and the
    # link opened again anywhere.
    assert enter(second_device, invitation) == "/survey/complete"
    with _device() as stale:
        stale.cookies.set("vv_survey", cookie_before_sending or "")
        for device in (client, stale, second_device):
            for path in victim_paths(device):
                response = device.get(path)
                assert response.status_code in (200, 404), (path, response.status_code)
                _assert_no_crime_group_and_no_answer(response.text, path)
                assert response.headers["Cache-Control"] == "no-store"
        complete = second_device.get("/survey/complete").text
        assert "Updates now come by text message" in complete  # actions for everyone stay


def test_the_contact_me_and_withdraw_pages_after_submission_show_no_crime_group(
    client: TestClient, db: Session
) -> None:
    invitation = _completed_rasso_survey(db, client)
    token = csrf_token(client, "/survey/complete")
    refused = client.post("/survey/complete", data={"csrf_token": token})
    assert refused.status_code == 422
    _assert_no_crime_group_and_no_answer(refused.text, "contact-me refused")
    done = client.post(
        "/survey/complete", data={"csrf_token": token, "consent": "yes", "phone": "07911123456"}
    )
    _assert_no_crime_group_and_no_answer(done.text, "contact-me done")
    withdrawn = client.post("/survey/withdraw", data={"csrf_token": token})
    assert withdrawn.status_code == 200
    assert "Your answers have been withdrawn" in withdrawn.text
    _assert_no_crime_group_and_no_answer(withdrawn.text, "withdrawn")
    assert reload(db, invitation).status == "withdrawn"


def test_withdrawing_before_submission_shows_no_crime_group_either(
    client: TestClient, db: Session
) -> None:
    invitation = create_invitation(db, crime_group="rasso")
    enter(client, invitation)
    answer(client, "comments", COMMENT)
    token = csrf_token(client, "/survey/withdraw")
    withdrawn = client.post("/survey/withdraw", data={"csrf_token": token})
    _assert_no_crime_group_and_no_answer(withdrawn.text, "withdrawn")


def test_the_ended_link_page_shows_no_crime_group(client: TestClient, db: Session) -> None:
    invitation = create_invitation(db, crime_group="rasso", status="withdrawn")
    response = client.get(f"/s/{token_for(invitation)}")
    assert response.status_code == 410
    assert RASSO_SERVICE not in response.text and GENERAL_SERVICE in response.text


@pytest.mark.parametrize("status", ["completed", "withdrawn", "expired", "cancelled"])
def test_the_stop_page_of_a_finished_survey_shows_no_crime_group(
    client: TestClient, db: Session, status: str
) -> None:
    invitation = create_invitation(db, crime_group="rasso", status=status)
    page = client.get(f"/s/{token_for(invitation)}/stop")
    assert page.status_code == 200
    assert RASSO_SERVICE not in page.text and GENERAL_SERVICE in page.text


def test_the_stop_page_of_an_open_survey_keeps_its_support(client: TestClient, db: Session) -> None:
    invitation = create_invitation(db, crime_group="rasso")
    assert RASSO_SERVICE in client.get(f"/s/{token_for(invitation)}/stop").text


def test_an_expired_session_after_submission_shows_nothing(client: TestClient, db: Session) -> None:
    _completed_rasso_survey(db, client)
    for survey_session in rows(db, select(SurveySession)):
        survey_session.expires_at = now() - timedelta(seconds=1)
        db.add(survey_session)
    db.commit()
    response = client.get("/survey/complete")
    assert response.status_code == 401
    _assert_no_crime_group_and_no_answer(response.text, "expired session")


def test_a_device_left_open_before_another_submitted_shows_nothing_after(
    client: TestClient, second_device: TestClient, db: Session
) -> None:
    invitation = create_invitation(db, crime_group="rasso")
    enter(client, invitation)
    answer(client, "comments", COMMENT)
    enter(second_device, invitation)
    submit(second_device)
    for path in victim_paths(client):
        _assert_no_crime_group_and_no_answer(client.get(path).text, path)


def test_sending_changes_the_cookie_so_back_cannot_restore_a_page_with_answers(
    client: TestClient, db: Session
) -> None:
    """Chrome keeps no-store pages in its back-forward cache until a cookie changes."""
    invitation = create_invitation(db)
    enter(client, invitation)
    answer(client, "comments", COMMENT)
    before = client.cookies.get("vv_survey")
    token = csrf_token(client, "/survey/check")
    sent = client.post("/survey/submit", data={"csrf_token": token}, follow_redirects=False)
    assert sent.headers["location"] == "/survey/complete"
    assert "vv_survey=" in sent.headers["set-cookie"]
    after = client.cookies.get("vv_survey")
    assert after and after != before
    complete = client.get("/survey/complete")
    assert complete.status_code == 200 and COMMENT not in complete.text
    # A form left open in another tab still works (the CSRF token carries over).
    again = client.post("/survey/submit", data={"csrf_token": token}, follow_redirects=False)
    assert again.headers["location"] == "/survey/complete"
    assert reload(db, invitation).status == "completed"
