"""The `mode` dimension (issue 12): responses given alone (`self`) or with a support worker at
the victim's request (`assisted`), split out or left out of every figure that counts responses,
through the same cell-key control as any other dimension."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.banks.models import BankVersion
from app.enums import Role
from app.reporting.dropoff import question_dropoff
from app.survey.models import Response
from tests.auth_helpers import api_headers, signed_in_client
from tests.factories import create_bank_version
from tests.reporting.csv_files import figure_rows
from tests.reporting.factories import create_invitation, published, small_bank, submit_response
from tests.reporting.test_feedback_comments import _months_ago
from tests.reporting.test_feedback_factories import (
    create_comment,
    create_comments,
    create_response,
)

JULY = "from=2026-07&to=2026-07"
URL = "/api/v1/aggregates/satisfaction.overall"
SUPPRESSED = {
    "n": None,
    "positive": None,
    "rate": None,
    "ci_low": None,
    "ci_high": None,
    "suppressed": True,
    "low_base": None,
}


def _respond(
    db: Session, codes: list[str | None], *, assisted: bool, version: BankVersion | None = None
) -> list[Response]:
    """Responses of general at reporting in July 2026 (to a new bank version unless given)."""
    version = version or create_bank_version(db, small_bank("general"), slug="general")
    return [
        submit_response(
            db,
            version,
            {"sat_overall": code, "right_understood": "yes"},
            assisted=assisted,
            commit=False,
        )
        for code in codes
    ]


@pytest.fixture
def mixed(db: Session) -> dict[str, list[Response]]:
    """July 2026, general at reporting: 40 answered alone (30 satisfied first), 20 assisted
    (12 satisfied first)."""
    version = create_bank_version(db, small_bank("general"), slug="general")
    alone = _respond(
        db, ["very_satisfied"] * 30 + ["neither"] * 10, assisted=False, version=version
    )
    helped = _respond(db, ["very_satisfied"] * 12 + ["neither"] * 8, assisted=True, version=version)
    db.commit()
    return {"self": alone, "assisted": helped}


def _n(records: list[Response], positive: int) -> tuple[int, int]:
    """(published n, published positive) of a cell whose first `positive` records are."""
    shown = published(records[:positive])
    return shown + published(records[positive:]), shown


def test_group_by_mode_splits_the_cells_and_no_mode_adds_both(
    client: TestClient, db: Session, mixed: dict[str, list[Response]]
) -> None:
    headers = api_headers(db, Role.analyst)
    body = client.get(f"{URL}?group_by=mode&{JULY}", headers=headers).json()
    cells = {cell["group"]["mode"]: cell for cell in body["cells"]}
    assert list(cells) == ["assisted", "self"]  # label order
    assert (cells["self"]["n"], cells["self"]["positive"]) == _n(mixed["self"], 30)
    assert (cells["assisted"]["n"], cells["assisted"]["positive"]) == _n(mixed["assisted"], 12)
    # Left out: a filter gives the same cell as the group.
    for mode in ("self", "assisted"):
        filtered = client.get(f"{URL}?mode={mode}&{JULY}", headers=headers).json()
        assert filtered["cells"][0] | {"group": {"mode": mode}} == cells[mode]
    # Neither grouped nor filtered: every response, one cell of its own (not the sum of the
    # two published halves: the whole is published through the table as any cell is).
    whole = client.get(f"{URL}?{JULY}", headers=headers).json()["cells"][0]
    everyone = mixed["self"][:30] + mixed["assisted"][:12]
    others = mixed["self"][30:] + mixed["assisted"][12:]
    assert whole["positive"] == published(everyone)
    assert whole["n"] == published(everyone) + published(others)


def test_both_modes_are_listed_even_when_nobody_was_assisted(
    client: TestClient, db: Session
) -> None:
    _respond(db, ["very_satisfied"] * 30, assisted=False)
    db.commit()
    headers = api_headers(db, Role.analyst)
    body = client.get(f"{URL}?group_by=mode,crime_group&{JULY}", headers=headers).json()
    keys = [(c["group"]["mode"], c["group"]["crime_group"]) for c in body["cells"]]
    assert keys == [(m, g) for m in ("assisted", "self") for g in ("general", "rasso", "vawg")]
    assisted = [c for c in body["cells"] if c["group"]["mode"] == "assisted"]
    assert all({k: c[k] for k in SUPPRESSED} == SUPPRESSED for c in assisted)
    # A filter on a mode nobody used is answered (suppressed), not refused: refusing it would
    # tell that the mode is empty.
    empty = client.get(f"{URL}?mode=assisted&{JULY}", headers=headers)
    assert empty.status_code == 200 and empty.json()["cells"][0]["suppressed"] is True


def test_a_small_assisted_group_is_suppressed_however_it_is_asked_for(
    client: TestClient, db: Session
) -> None:
    version = create_bank_version(db, small_bank("general"), slug="general")
    alone = _respond(
        db, ["very_satisfied"] * 40 + ["neither"] * 20, assisted=False, version=version
    )
    helped = _respond(
        db, ["very_satisfied", "neither", "very_satisfied"], assisted=True, version=version
    )
    db.commit()
    headers = api_headers(db, Role.analyst)
    grouped = client.get(f"{URL}?group_by=mode&{JULY}", headers=headers).json()
    cells = {cell["group"]["mode"]: cell for cell in grouped["cells"]}
    assert {k: cells["assisted"][k] for k in SUPPRESSED} == SUPPRESSED
    filtered = client.get(f"{URL}?mode=assisted&group_by=area&{JULY}", headers=headers).json()
    assert all(cell["suppressed"] for cell in filtered["cells"])
    # All responses less those given alone is the assisted count only within the adjustment
    # of the two published counts: each is its own cell, published from its own records' keys.
    whole = client.get(f"{URL}?{JULY}", headers=headers).json()
    difference = whole["cells"][0]["n"] - cells["self"]["n"]
    bound = whole["disclosure"]["max_adjustment"] + grouped["disclosure"]["max_adjustment"]
    assert abs(difference - len(helped)) <= bound
    assert whole["cells"][0]["n"] == published(alone[:40] + helped[::2]) + published(
        alone[40:] + helped[1:2]
    )


@pytest.mark.parametrize(
    "query",
    [
        "mode=alone",
        "mode=ASSISTED",
        "group_by=mode&mode=helped",
    ],
)
def test_an_unknown_mode_is_422(client: TestClient, db: Session, query: str) -> None:
    headers = api_headers(db, Role.analyst)
    for url in (
        URL,
        "/api/v1/aggregates/victims-code",
        "/api/v1/aggregates/dropoff?bank=general",
        "/api/v1/comments",
    ):
        joiner = "&" if "?" in url else "?"
        answer = client.get(f"{url}{joiner}{query.replace('group_by=mode&', '')}", headers=headers)
        assert answer.status_code == 422, url
        assert answer.headers["content-type"] == "application/problem+json"
        assert [error["loc"] for error in answer.json()["errors"]] == [["query", "mode"]], url


def test_mode_is_one_of_the_two_limited_dimensions(client: TestClient, db: Session) -> None:
    headers = api_headers(db, Role.analyst)
    for query in (
        "group_by=area,language,mode",
        "group_by=area,mode&language=en",
        "group_by=language&area=other%20areas&mode=self",
    ):
        answer = client.get(f"{URL}?{query}&{JULY}", headers=headers)
        assert answer.status_code == 422, query
        assert answer.json()["detail"] == (
            "A query may use at most 2 of: "
            "age_band, area, disability, ethnicity, language, mode, sex."
        )
        assert answer.json()["errors"] == [
            {"loc": ["query", "group_by"], "msg": "Uses area, language, mode: choose at most 2."}
        ]
    # Two of them are allowed, with crime group, touchpoint and a period beside them.
    fine = client.get(
        f"{URL}?group_by=mode,area,crime_group,touchpoint,month&{JULY}", headers=headers
    )
    assert fine.status_code == 200


def test_the_funnel_refuses_mode_rather_than_ignoring_it(client: TestClient, db: Session) -> None:
    create_invitation(db)
    db.commit()
    headers = api_headers(db, Role.analyst)
    for query, places in (
        ("group_by=mode", [["query", "group_by"]]),
        ("mode=assisted", [["query", "mode"]]),
        ("mode=nonsense&group_by=month,mode", [["query", "group_by"], ["query", "mode"]]),
    ):
        answer = client.get(f"/api/v1/aggregates/funnel?{query}", headers=headers)
        assert answer.status_code == 422, query
        body = answer.json()
        assert body["detail"].startswith("The funnel counts invitations, not responses")
        assert [error["loc"] for error in body["errors"]] == places
    assert client.get("/api/v1/aggregates/funnel?mode=", headers=headers).status_code == 200


def test_csv_carries_the_mode_column(
    client: TestClient, db: Session, mixed: dict[str, list[Response]]
) -> None:
    headers = api_headers(db, Role.analyst)
    text = client.get(f"{URL}?group_by=mode&{JULY}&format=csv", headers=headers).text
    rows = figure_rows(text)
    assert rows[0][:2] == ["mode", "n"]
    assert [row[0] for row in rows[1:]] == ["assisted", "self"]
    assert rows[2][1] == str(_n(mixed["self"], 30)[0])


def test_victims_code_by_mode(
    client: TestClient, db: Session, mixed: dict[str, list[Response]]
) -> None:
    headers = api_headers(db, Role.analyst)
    for mode in ("self", "assisted"):
        body = client.get(f"/api/v1/aggregates/victims-code?{JULY}&mode={mode}", headers=headers)
        assert body.status_code == 200
        right_1 = body.json()["rights"][0]
        # Right 1 is right_understood: every one of them answered yes.
        assert (right_1["n"], right_1["positive"]) == (
            published(mixed[mode]),
            published(mixed[mode]),
        )
        assert body.json()["mode"] == mode
    both = client.get(f"/api/v1/aggregates/victims-code?{JULY}", headers=headers).json()
    assert both["rights"][0]["n"] == published(mixed["self"] + mixed["assisted"])
    assert both["mode"] is None


def test_dropoff_by_mode_counts_that_mode_and_no_stopped_surveys(db: Session) -> None:
    version = create_bank_version(db, small_bank("general"), slug="general")
    alone = _respond(db, ["neither"] * 25 + [None] * 5, assisted=False, version=version)
    helped = _respond(db, ["neither"] * 12, assisted=True, version=version)
    version_id = alone[0].bank_version_id
    for _ in range(15):
        create_invitation(
            db, status="started", bank_version_id=version_id, resume_at="q:sat_overall"
        )
    db.commit()
    on = date(2026, 8, 1)
    both = {r.question_id: r for r in question_dropoff(db, "general", on=on).questions}
    assert both["sat_overall"].stopped is not None
    assert both["sat_overall"].reached == published(alone[:25] + helped) + published(alone[25:])
    self_only = question_dropoff(db, "general", mode="self", on=on)
    row = {r.question_id: r for r in self_only.questions}["sat_overall"]
    assert (row.answered, row.skipped) == (published(alone[:25]), published(alone[25:]))
    # A survey in progress has no mode: none is counted as stopped under a mode.
    assert row.stopped is None and self_only.mode == "self"
    assisted = {
        r.question_id: r for r in question_dropoff(db, "general", mode="assisted", on=on).questions
    }
    assert assisted["sat_overall"].answered == published(helped)
    assert assisted["sat_overall"].skipped == 0 or assisted["sat_overall"].suppressed


def test_comments_by_mode_only_from_cells_that_split(client: TestClient, db: Session) -> None:
    month = _months_ago(6)  # closed: no invitation of it has a live link
    # general at reporting: 12 alone and 11 assisted, both at least min_cell: it splits.
    create_comments(db, 12, "Alone", month=month)
    for index in range(1, 12):
        create_comment(
            db, f"Helped {index}", response=create_response(db, month=month, assisted=True)
        )
    # vawg at court: 14 alone and 2 assisted: released whole, but never split by mode.
    create_comments(db, 14, "Court", crime_group="vawg", touchpoint="court", month=month)
    for index in range(1, 3):
        owner = create_response(
            db, crime_group="vawg", touchpoint="court", month=month, assisted=True
        )
        create_comment(db, f"Court helped {index}", response=owner)
    db.commit()
    headers = api_headers(db, Role.analyst)

    def texts(query: str) -> set[str]:
        body = client.get(f"/api/v1/comments?{query}", headers=headers).json()
        return {comment["text"].rsplit(" ", 1)[0] for comment in body["comments"]}

    assert texts("") == {"Alone", "Helped", "Court", "Court helped"}
    assert texts("mode=assisted") == {"Helped"}
    assert texts("mode=self") == {"Alone"}
    # The court cell is left out of both: its assisted commenters are too few to split out,
    # and leaving out only them would let "all less self" show their two comments.
    assert texts("crime_group=vawg&mode=self") == set()
    assert texts("crime_group=vawg&mode=assisted") == set()
    assert texts("crime_group=vawg") == {"Court", "Court helped"}


def test_the_comments_page_filters_by_mode_too(client: TestClient, db: Session) -> None:
    month = _months_ago(6)
    create_comments(db, 11, "Alone", month=month)
    for index in range(1, 11):
        owner = create_response(db, month=month, assisted=True)
        create_comment(db, f"Helped {index}", response=owner)
    db.commit()
    staff = signed_in_client(client, db, [Role.analyst])

    helped = staff.get("/staff/comments", params={"mode": "assisted"}).text
    bad = staff.get("/staff/comments", params={"mode": "helped"}).text

    assert "Helped 1" in helped and "Alone 1" not in helped
    assert '<option value="assisted" selected>Answered with a support worker</option>' in helped
    assert "Choose how the survey was answered from the list" in bad
    assert 'href="#mode"' in bad and "Alone 1" in bad and "Helped 1" in bad
