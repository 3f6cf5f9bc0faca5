"""Partners (issue 15, point 3): an editor of a bank reads that bank's crime group's aggregates
under the disclosure control, and nothing else."""

from __future__ import annotations

from datetime import date

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.enums import Role
from tests.auth_helpers import api_headers, signed_in_client
from tests.factories import create_bank_version
from tests.reporting.factories import small_bank, submit_response

PERIOD = "from=2026-07&to=2026-07"
METRIC = "/api/v1/aggregates/satisfaction.overall"
CODE = "/api/v1/aggregates/victims-code"


@pytest.fixture
def answered(db: Session) -> None:
    """July 2026: 30 rasso answers and 30 general ones."""
    for slug in ("rasso", "general"):
        version = create_bank_version(db, small_bank(slug), slug=slug)
        for index in range(30):
            code = "very_satisfied" if index < 20 else "neither"
            answers = {"sat_overall": code, "right_understood": "yes", "right_information": "no"}
            submit_response(
                db, version, answers, crime_group=slug, month=date(2026, 7, 1), commit=False
            )
    db.commit()


def test_an_editor_reads_their_banks_figures_the_same_as_an_analyst(
    client: TestClient, db: Session, answered: None
) -> None:
    editor = api_headers(db, Role.editor, banks=["rasso"])
    analyst = api_headers(db, Role.analyst)
    for path in (
        f"{METRIC}?crime_group=rasso&{PERIOD}",
        f"{METRIC}?crime_group=rasso&group_by=touchpoint&{PERIOD}",
        f"{CODE}?crime_group=rasso&{PERIOD}",
    ):
        theirs = client.get(path, headers=editor)
        assert theirs.status_code == 200, path
        assert theirs.json() == client.get(path, headers=analyst).json()
        assert theirs.json()["disclosure"]["method"] == "cell_key"
    cell = client.get(f"{METRIC}?crime_group=rasso&{PERIOD}", headers=editor).json()["cells"][0]
    assert cell["suppressed"] is False and abs(cell["n"] - 30) <= 4
    # CSV too, as an analyst gets it.
    csv = client.get(f"{METRIC}?crime_group=rasso&{PERIOD}&format=csv", headers=editor)
    assert csv.status_code == 200 and csv.headers["content-type"].startswith("text/csv")


@pytest.mark.parametrize(
    "query",
    [
        PERIOD,  # no crime group: every group's figures
        f"crime_group=general&{PERIOD}",  # another bank's
        f"crime_group=&{PERIOD}",
        f"crime_group=RASSO&{PERIOD}",
        f"crime_group=rasso&crime_group=general&{PERIOD}",
        f"crime_group=general&crime_group=rasso&{PERIOD}",
        f"crime_group=rasso&group_by=crime_group&{PERIOD}",
        f"crime_group=rasso&group_by=touchpoint,%20crime_group&{PERIOD}",
        f"crime_group=rasso&group_by=touchpoint&group_by=crime_group&{PERIOD}",
    ],
)
def test_anything_but_one_of_their_crime_groups_is_403(
    client: TestClient, db: Session, answered: None, query: str
) -> None:
    editor = api_headers(db, Role.editor, banks=["rasso"])
    for path in (METRIC, CODE):
        response = client.get(f"{path}?{query}", headers=editor)
        assert response.status_code == 403, (path, query)
        assert response.headers["content-type"].startswith("application/problem+json")
        assert "cells" not in response.json() and "rights" not in response.json()


def test_a_refusal_is_audited_with_its_reason(
    client: TestClient, db: Session, answered: None
) -> None:
    editor = api_headers(db, Role.editor, banks=["rasso"])
    client.get(f"{METRIC}?crime_group=general&{PERIOD}", headers=editor)
    client.get(f"{METRIC}?crime_group=rasso&group_by=crime_group&{PERIOD}", headers=editor)
    reasons = [
        event.detail.get("reason")
        for event in db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied"))
    ]
    assert reasons == ["crime_group_not_in_bank_scope", "group_by_crime_group"]


def test_an_editor_of_no_bank_and_other_roles_are_refused(
    client: TestClient, db: Session, answered: None
) -> None:
    for headers in (
        api_headers(db, Role.editor),
        api_headers(db, Role.uploader, banks=["rasso"]),
        api_headers(db, Role.approver, banks=["rasso"]),
        api_headers(db, Role.victims_team, banks=["rasso"]),
    ):
        for path in (METRIC, CODE):
            assert (
                client.get(f"{path}?crime_group=rasso&{PERIOD}", headers=headers).status_code == 403
            )


def test_everything_else_stays_closed_to_an_editor(
    client: TestClient, db: Session, answered: None
) -> None:
    editor = api_headers(db, Role.editor, banks=["rasso"])
    for path in (
        "/api/v1/metrics",
        f"/api/v1/aggregates/funnel?crime_group=rasso&{PERIOD}",
        f"/api/v1/aggregates/skipped?{PERIOD}",
        f"/api/v1/aggregates/crosstab?metric=satisfaction.overall&by=sat_overall&crime_group=rasso&{PERIOD}",
        f"/api/v1/comments?crime_group=rasso&{PERIOD}",
        "/api/v1/self-assessments/2026-Q3",
        "/api/v1/compliance/moj-metrics?period=2026-Q3",
    ):
        assert client.get(path, headers=editor).status_code == 403, path


def test_a_signed_in_editor_is_scoped_the_same_way(
    client: TestClient, db: Session, answered: None
) -> None:
    staff = signed_in_client(client, db, [Role.editor], banks=["rasso"])
    assert staff.get(f"{METRIC}?crime_group=rasso&{PERIOD}").status_code == 200
    assert staff.get(f"{METRIC}?crime_group=general&{PERIOD}").status_code == 403
    assert staff.get(f"{CODE}?{PERIOD}").status_code == 403


def test_an_editor_who_is_also_an_analyst_reads_everything(
    client: TestClient, db: Session, answered: None
) -> None:
    both = api_headers(db, Role.editor, Role.analyst, banks=["rasso"])
    body = client.get(f"{METRIC}?group_by=crime_group&{PERIOD}", headers=both).json()
    assert {cell["group"]["crime_group"] for cell in body["cells"]} >= {"general", "rasso"}


# --- the partner's page ---------------------------------------------------------------------


def test_the_partner_page_shows_their_crime_groups_figures_only(
    client: TestClient, db: Session, answered: None, monkeypatch: pytest.MonkeyPatch
) -> None:
    from datetime import UTC, datetime

    from app import clock

    staff = signed_in_client(client, db, [Role.editor], banks=["rasso"])
    # Sessions and second factors keep real time; the figures' quarters follow this day.
    monkeypatch.setattr(clock, "today", lambda: datetime(2026, 8, 10, tzinfo=UTC).date())
    page = staff.get("/staff/partner-figures")
    assert page.status_code == 200
    html = page.text
    assert "Rape and serious sexual offences" in html
    assert "General crime" not in html and "All crime groups" not in html
    assert "from 2025-Q4 to 2026-Q3" in html
    # The figure is the API's rasso cell for 2026-Q3, as the editor may read it there.
    api = client.get(
        f"{METRIC}?crime_group=rasso&group_by=quarter&from=2025-Q4&to=2026-Q3",
        headers=api_headers(db, Role.editor, banks=["rasso"]),
    ).json()
    [cell] = [c for c in api["cells"] if c["group"]["quarter"] == "2026-Q3"]
    assert f"{round(cell['rate'] * 100)}%" in html
    read = db.exec(
        select(AuditEvent).where(
            AuditEvent.action == "aggregates.read", AuditEvent.object_id == "partner-figures"
        )
    ).one()
    assert read.detail["params"]["crime_groups"] == ["rasso"]


def test_the_partner_page_is_for_editors(client: TestClient, db: Session) -> None:
    analyst = signed_in_client(client, db, [Role.analyst])
    assert analyst.get("/staff/partner-figures").status_code == 403
    assert 'href="/staff/partner-figures"' not in analyst.get("/staff/").text


def test_an_editors_home_links_to_the_partner_page(client: TestClient, db: Session) -> None:
    home = signed_in_client(client, db, [Role.editor], banks=["vawg"]).get("/staff/").text
    assert 'href="/staff/partner-figures"' in home
