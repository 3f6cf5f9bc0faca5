"""The analysts' dashboard at /staff/dashboard: figures, tables, charts, CSV links, filters."""

from __future__ import annotations

import html
import json
import re
from datetime import date
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.audit import AuditEvent
from app.enums import Role
from app.reporting.stats import wilson_interval
from tests.auth_helpers import api_headers, signed_in_client
from tests.factories import create_bank_version
from tests.reporting.factories import create_invitation, published, small_bank, submit_response

URL = "/staff/dashboard"
Q3 = {"from": "2026-Q3", "to": "2026-Q3"}


def _fill(db: Session) -> dict[str, list[Any]]:
    """General: 60 responses in July 2026, 45 satisfied. RASSO: 5 responses (too few)."""
    version = create_bank_version(db, small_bank("general"))
    made: dict[str, list[Any]] = {"satisfied": [], "not": [], "rasso": [], "invited": []}
    for index in range(60):
        code = "very_satisfied" if index < 45 else "neither"
        response = submit_response(db, version, {"sat_overall": code, "right_understood": "yes"})
        made["satisfied" if index < 45 else "not"].append(response)
    for _ in range(5):
        made["rasso"].append(
            submit_response(
                db, version, {"sat_overall": "completely_satisfied"}, crime_group="rasso"
            )
        )
    made["invited"] = [create_invitation(db, status="completed") for _ in range(60)]
    db.commit()
    return made


def _overall(made: dict[str, list[Any]], *, rasso: bool = True) -> tuple[int, int]:
    """Published (positive, n) of satisfaction in Q3, all crime groups or general only."""
    positive = published(made["satisfied"] + (made["rasso"] if rasso else []))
    return positive, positive + published(made["not"])


def _table(page: str, caption_start: str) -> str:
    """The HTML of the table whose caption starts with `caption_start`."""
    for table in re.findall(r"<table.*?</table>", page, flags=re.S):
        caption = re.search(r"<caption[^>]*>\s*(.*?)\s*</caption>", table, flags=re.S)
        if caption and html.unescape(caption.group(1)).startswith(caption_start):
            return table
    raise AssertionError(f"no table captioned {caption_start!r}")


def _row(table: str, header: str) -> list[str]:
    """The cell texts of the row whose header cell is `header`."""
    for row in re.findall(r"<tr.*?</tr>", table, flags=re.S):
        cells = [
            html.unescape(re.sub(r"<[^>]+>", "", cell)).strip()
            for cell in re.findall(r"<t[hd][^>]*>(.*?)</t[hd]>", row, flags=re.S)
        ]
        if cells and cells[0] == header:
            return cells
    raise AssertionError(f"no row {header!r}")


def _percent(value: float) -> str:
    return f"{value * 100:.0f}%"


def test_analyst_sees_figures_with_intervals(client: TestClient, db: Session) -> None:
    made = _fill(db)
    staff = signed_in_client(client, db, [Role.analyst])

    page = staff.get(URL, params=Q3)

    assert page.status_code == 200
    positive, n = _overall(made)
    low, high = wilson_interval(positive, n) or (0, 0)
    headline = _table(page.text, "Headline figures")
    # 45 of 60 general + 5 of 5 RASSO: the total is not suppressed even though RASSO is.
    assert _row(headline, "Satisfaction with the whole experience")[1:4] == [
        _percent(positive / n),
        f"{_percent(low)} to {_percent(high)}",
        str(n),
    ]
    assert _row(headline, "Would report again")[1] == "Suppressed"
    # The page says how figures are protected, with this page's largest adjustment.
    assert "at most 12 either way on this page" in html.unescape(page.text)


def test_small_groups_are_shown_as_suppressed(client: TestClient, db: Session) -> None:
    made = _fill(db)
    staff = signed_in_client(client, db, [Role.analyst])

    page = staff.get(URL, params=Q3).text

    by_group = _table(page, "Satisfaction with the whole experience by crime group")
    assert _row(by_group, "Rape and serious sexual offences")[1] == "Suppressed"
    # No secondary suppression: general stays shown; the published total and general differ by
    # more than RASSO's adjustments could ever hide, but never reveal RASSO's exact count.
    positive, n = _overall(made, rasso=False)
    assert _row(by_group, "General crime")[1:4][2] == str(n)
    assert _row(by_group, "Violence against women and girls")[1] == "Suppressed"
    # Nor do the chart specs carry a suppressed figure.
    specs = dict(
        re.findall(r'<script type="application/json" id="([^"]+)">(.*?)</script>', page, re.S)
    )
    by_group_chart = json.loads(specs["by-crime-group-chart"])
    assert [row["label"] for row in by_group_chart["data"]["values"]] == ["General crime"]
    over_time = json.loads(specs["over-time-chart"])
    assert [row["label"] for row in over_time["data"]["values"]] == ["2026-Q3"]
    assert over_time["data"]["values"][0]["n"] == _overall(made)[1]


def test_every_chart_has_a_table_and_a_csv_link(client: TestClient, db: Session) -> None:
    _fill(db)
    staff = signed_in_client(client, db, [Role.analyst])

    page = staff.get(URL, params=Q3).text

    containers = re.findall(r'<div class="app-chart"([^>]*)>', page)
    assert len(containers) >= 4, "too few charts"
    for attributes in containers:
        # Each chart is one labelled image; its figures are in the table after it.
        assert 'role="img"' in attributes and 'aria-label="Chart of' in attributes
    charts = re.findall(r'data-chart-spec="([^"]+)"', page)
    for chart_id in charts:
        section = page[page.index(f'data-chart-spec="{chart_id}"') :]
        section = section[: section.index("</section>")]
        assert "<table" in section and "<caption" in section
        assert "format=csv" in section
        assert re.search(rf'<script type="application/json" id="{chart_id}">', section)
    csv_links = re.findall(r'href="(/api/v1/aggregates/[^"]*format=csv[^"]*)"', page)
    assert len(csv_links) >= 5
    # The link works for the signed-in analyst (a GET needs no CSRF token).
    answer = staff.get(csv_links[0].replace("&amp;", "&"))
    assert answer.status_code == 200
    assert answer.headers["content-type"].startswith("text/csv")


def test_victims_code_and_funnel_tables(client: TestClient, db: Session) -> None:
    made = _fill(db)
    staff = signed_in_client(client, db, [Role.analyst])

    page = staff.get(URL, params=Q3).text

    rights = _table(page, "Victims' Code rights")
    n = published(made["satisfied"] + made["not"])
    assert _row(rights, "1. To be able to understand and to be understood")[1:4] == [
        "100%",
        f"{_percent(wilson_interval(n, n)[0])} to 100%",  # type: ignore[index]
        str(n),
    ]
    assert (
        _row(rights, "2. To have the details of the crime recorded without unjustified delay")[1]
        == "Suppressed"
    )
    funnel = _table(page, "Invitations by crime group")
    assert _row(funnel, "General crime")[1] == str(published(made["invited"]))


def test_pages_have_no_inline_script_or_style(client: TestClient, db: Session) -> None:
    _fill(db)
    staff = signed_in_client(client, db, [Role.analyst])

    page = staff.get(URL, params=Q3)

    csp = page.headers["content-security-policy"]
    nonce = re.search(r"'nonce-([^']+)'", csp).group(1)  # type: ignore[union-attr]
    for tag in re.findall(r"<script[^>]*>", page.text):
        assert "src=" in tag or 'type="application/json"' in tag or f'nonce="{nonce}"' in tag, tag
    assert " style=" not in page.text and "<style" not in page.text
    assert "/static/vendor/vega-embed.min.js" in page.text
    assert "/static/js/charts.mjs" in page.text
    assert "cdn" not in page.text.lower()


def test_filters_narrow_the_figures_and_bad_values_are_reported(
    client: TestClient, db: Session
) -> None:
    made = _fill(db)
    staff = signed_in_client(client, db, [Role.analyst])

    general = staff.get(URL, params={**Q3, "crime_group": "general"}).text
    bad = staff.get(URL, params={"from": "last summer", "crime_group": "burglary"})

    headline = _table(general, "Headline figures")
    positive, n = _overall(made, rasso=False)
    assert _row(headline, "Satisfaction with the whole experience")[1] == _percent(positive / n)
    assert bad.status_code == 200
    assert "There is a problem with the filters" in bad.text
    assert 'href="#from"' in bad.text and 'href="#crime_group"' in bad.text


def test_a_chosen_measure_drives_the_charts(client: TestClient, db: Session) -> None:
    _fill(db)
    staff = signed_in_client(client, db, [Role.analyst])

    page = staff.get(URL, params={**Q3, "metric": "victims_code.right_1"}).text

    assert "Right 1: To be able to understand and to be understood: by quarter" in page
    assert "/api/v1/aggregates/victims_code.right_1?" in page


@pytest.mark.parametrize("role", [Role.uploader, Role.editor, Role.victims_team])
def test_other_roles_are_refused(client: TestClient, db: Session, role: Role) -> None:
    staff = signed_in_client(client, db, [role])

    assert staff.get(URL).status_code == 403


def test_signed_out_visitors_are_sent_to_sign_in(client: TestClient) -> None:
    response = client.get(URL, follow_redirects=False)

    assert response.status_code in (302, 303, 401)
    if response.status_code != 401:
        assert response.headers["location"].startswith("/staff/login")


def test_default_period_is_the_last_four_quarters(client: TestClient, db: Session) -> None:
    staff = signed_in_client(client, db, [Role.analyst])

    page = staff.get(URL).text

    over_time = _table(page, "Satisfaction with the whole experience by quarter")
    quarters = re.findall(r">(\d{4}-Q[1-4])<", over_time)
    assert len(quarters) == 4
    today = date.today()
    assert quarters[-1] == f"{today.year}-Q{(today.month - 1) // 3 + 1}"


def test_headline_measures_side_by_side_by_quarter(client: TestClient, db: Session) -> None:
    made = _fill(db)
    staff = signed_in_client(client, db, [Role.analyst])

    page = staff.get(URL, params={"from": "2026-Q2", "to": "2026-Q3"}).text

    table = _table(page, "Headline measures by quarter")
    positive, n = _overall(made)
    low, high = wilson_interval(positive, n) or (0, 0)
    assert _row(table, "Satisfaction with the whole experience")[1:3] == [
        "Suppressed",
        f"{_percent(positive / n)} ({_percent(low)} to {_percent(high)})",
    ]
    spec = re.search(
        r'<script type="application/json" id="key-measures-chart">(.*?)</script>', page, re.S
    )
    assert spec is not None
    values = json.loads(spec.group(1))["data"]["values"]
    assert [(v["measure"], v["quarter"]) for v in values] == [
        ("Satisfaction with the whole experience", "2026-Q3")
    ]


def test_reading_the_dashboard_is_audited(client: TestClient, db: Session) -> None:
    _fill(db)
    staff = signed_in_client(client, db, [Role.analyst])

    page = staff.get(URL, params={**Q3, "crime_group": "general"})

    assert page.status_code == 200
    db.expire_all()
    [event] = db.exec(select(AuditEvent).where(AuditEvent.action == "dashboard.read")).all()
    assert event.actor.startswith("user:")
    assert event.object_type == "dashboard"
    assert event.detail["from"] == "2026-Q3" and event.detail["to"] == "2026-Q3"
    assert event.detail["crime_group"] == "general"


def test_low_base_figures_say_so_and_give_no_gap(client: TestClient, db: Session) -> None:
    version = create_bank_version(db, small_bank("general"))
    answered = [
        submit_response(db, version, {"sat_overall": "very_satisfied", "right_understood": "no"})
        for _ in range(20)
    ]
    client.put(
        "/api/v1/self-assessments/2026-Q3",
        json={"rights": {"1": 0.9}},
        headers=api_headers(db, Role.uploader),
    )
    staff = signed_in_client(client, db, [Role.analyst])

    page = staff.get(URL, params=Q3).text

    n = published(answered)
    headline = _table(page, "Headline figures")
    assert _row(headline, "Satisfaction with the whole experience")[3] == (
        f"{n} (low base, treat with caution)"
    )
    rights = _table(page, "Victims' Code rights")
    row = _row(rights, "1. To be able to understand and to be understood")
    assert row[3] == f"{n} (low base, treat with caution)"
    assert row[4] == "90%" and row[5] == "Not compared"


def test_a_period_over_five_financial_years_is_an_error_not_a_huge_page(
    client: TestClient, db: Session
) -> None:
    _fill(db)
    staff = signed_in_client(client, db, [Role.analyst])

    page = staff.get(URL, params={"from": "0001-01", "to": "9999-12"})
    longest = staff.get(URL, params={"from": "2020-01", "to": "2026-12"})

    assert page.status_code == 200 and longest.status_code == 200
    assert "There is a problem with the filters" in page.text
    assert "Choose a period of at most 5 financial years" in longest.text
    # The figures fall back to the default four quarters.
    assert len(re.findall(r">(\d{4}-Q[1-4])<", _table(longest.text, "Headline measures"))) == 4
    assert len(page.content) < 500_000


def test_an_area_not_reported_on_its_own_is_an_error_on_the_page(
    client: TestClient, db: Session
) -> None:
    _fill(db)
    staff = signed_in_client(client, db, [Role.analyst])

    page = staff.get(URL, params={**Q3, "area": "ZZ9"})
    other = staff.get(URL, params={**Q3, "area": "other areas"})

    assert page.status_code == 200
    assert "Enter an area reported on its own in this period" in page.text
    assert 'href="#area"' in page.text
    assert other.status_code == 200 and "There is a problem" not in other.text


def test_a_mode_filter_splits_out_assisted_responses_but_not_the_funnel(
    client: TestClient, db: Session
) -> None:
    made = _fill(db)
    version = create_bank_version(db, small_bank("general"), slug="general", version=2)
    helped = [
        submit_response(
            db, version, {"sat_overall": "neither", "right_understood": "yes"}, assisted=True
        )
        for _ in range(20)
    ]
    staff = signed_in_client(client, db, [Role.analyst])

    alone = staff.get(URL, params={**Q3, "mode": "self"}).text
    assisted = staff.get(URL, params={**Q3, "mode": "assisted"}).text
    both = staff.get(URL, params=Q3).text

    positive, n = _overall(made)
    row = "Satisfaction with the whole experience"
    assert _row(_table(alone, "Headline figures"), row)[1] == _percent(positive / n)
    assert _row(_table(assisted, "Headline figures"), row)[1] == "0%"
    assert _row(_table(both, "Headline figures"), row)[1] == _percent(
        positive / (positive + published(made["not"] + helped))
    )
    # The filter is offered, chosen, said in words, and carried into the CSV links.
    assert '<option value="assisted" selected>Answered with a support worker</option>' in assisted
    assert "2026-Q3 to 2026-Q3, answered with a support worker" in html.unescape(assisted)
    assert "mode=assisted&amp;format=csv" in assisted
    # Victims' Code rows count that mode only; the funnel counts every invitation.
    rights = _table(assisted, "Victims' Code rights")
    assert _row(rights, "1. To be able to understand and to be understood")[3] == (
        f"{published(helped)} (low base, treat with caution)"
    )
    funnel = _table(assisted, "Invitations by crime group")
    assert "all invitations" in funnel
    assert _row(funnel, "General crime")[1] == str(published(made["invited"]))
    assert "/api/v1/aggregates/funnel?from=2026-Q3&amp;to=2026-Q3&amp;group_by" in assisted


def test_an_unknown_mode_is_reported_on_the_dashboard(client: TestClient, db: Session) -> None:
    _fill(db)
    staff = signed_in_client(client, db, [Role.analyst])

    page = staff.get(URL, params={**Q3, "mode": "helped"})

    assert page.status_code == 200
    assert "Choose how the survey was answered from the list" in page.text
    assert 'href="#mode"' in page.text
