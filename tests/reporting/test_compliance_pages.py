"""Staff pages of issue 14: the self-assessment entry form and the comparison on the dashboard."""

from __future__ import annotations

import html
import re
from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session, select

from app.enums import Role
from app.reporting.models import SelfAssessmentEntry
from tests.auth_helpers import signed_in_client, staff_csrf_token
from tests.factories import create_bank_version
from tests.reporting.factories import small_bank, submit_response

URL = "/staff/self-assessment"


def _text(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _form(staff: TestClient, **changes: str) -> dict[str, str]:
    data = {
        "period": "2026-Q3",
        "right": "8",
        "agency": "cps",
        "crime_group": "",
        "numerator": "1,200",
        "denominator": "1500",
        "definition": "Witnesses met by the prosecutor before giving evidence",
        "method": "Court attendance records",
        "rag": "amber",
        "narrative": "Some courts lack rooms.",
        "csrf_token": staff_csrf_token(staff),
    }
    data.update(changes)
    return data


def test_an_uploader_enters_a_self_assessment_on_the_page(client: TestClient, db: Session) -> None:
    staff = signed_in_client(client, db, [Role.uploader])
    page = staff.get(URL, params={"period": "2026-Q3"})
    assert page.status_code == 200
    assert "Victims’ Code self-assessment" in page.text
    assert "No entries for this quarter yet." in page.text

    saved = staff.post(URL, data=_form(staff), follow_redirects=False)
    assert saved.status_code == 303
    assert saved.headers["location"] == f"{URL}?period=2026-Q3&saved=yes"
    shown = _text(staff.get(saved.headers["location"]).text)
    assert "The self-assessment entry is saved." in shown
    assert "8 CPS All crime groups 1200 of 1500 (80%) Amber" in shown
    db.expire_all()
    row = db.exec(select(SelfAssessmentEntry)).one()
    assert (row.right, row.agency, row.crime_group, row.numerator, row.denominator) == (
        8, "cps", "", 1200, 1500,
    )  # fmt: skip
    assert row.uploaded_by and not row.uploaded_by.startswith("key:")


def test_every_problem_is_in_the_error_summary_and_nothing_is_saved(
    client: TestClient, db: Session
) -> None:
    staff = signed_in_client(client, db, [Role.uploader])
    staff.get(URL)
    response = staff.post(
        URL,
        data=_form(staff, period="2026-Q9", agency="probation", numerator="ten", rag="", method=""),
    )
    assert response.status_code == 422
    text = _text(response.text)
    assert "There is a problem" in text
    for anchor in ("#period", "#agency", "#numerator", "#rag", "#method"):
        assert f'href="{anchor}"' in response.text
    assert "Right 8 is delivered by: witness_care, cps." in text
    # What was typed stays in the form.
    assert "Witnesses met by the prosecutor before giving evidence" in response.text
    assert db.exec(select(SelfAssessmentEntry)).all() == []


def test_the_form_needs_the_csrf_token_and_the_uploader_role(
    client: TestClient, db: Session
) -> None:
    staff = signed_in_client(client, db, [Role.uploader])
    staff.get(URL)
    data = _form(staff)
    del data["csrf_token"]
    assert staff.post(URL, data=data).status_code == 403
    assert db.exec(select(SelfAssessmentEntry)).all() == []


def test_an_analyst_cannot_open_the_form(client: TestClient, db: Session) -> None:
    analyst = signed_in_client(client, db, [Role.analyst])
    assert analyst.get(URL).status_code == 403


def test_the_dashboard_shows_calls_parts_and_the_count_of_comparisons(
    client: TestClient, db: Session
) -> None:
    version = create_bank_version(db, small_bank("general"))
    for index in range(80):
        submit_response(
            db,
            version,
            {
                "right_understood": "yes" if index < 40 else "no",
                "right_information": "dont_know" if index < 20 else "yes",
            },
            month=date(2026, 8, 1),
            commit=False,
        )
    db.add_all(
        [
            SelfAssessmentEntry(
                period="2026-Q3", right=1, agency="police", numerator=95, denominator=100,
                definition="d", method="m", rag="green", uploaded_by="test",
            ),
            SelfAssessmentEntry(
                period="2026-Q3", right=3, agency="police", numerator=70, denominator=100,
                definition="d", method="m", rag="green", uploaded_by="test",
            ),
        ]
    )  # fmt: skip
    db.commit()
    analyst = signed_in_client(client, db, [Role.analyst])
    text = _text(
        analyst.get(
            "/staff/dashboard",
            params={"from": "2026-Q3", "to": "2026-Q3", "touchpoint": "reporting"},
        ).text
    )
    assert "Victims' Code rights, 2026-Q3 to 2026-Q3 (all crime groups, reporting" in text
    # Right 1, police part: victims about 50% against the police's 95 of 100: called.
    assert re.search(
        r"1\. Delivered by Police \(at reporting\) "
        r"\d+% \d+% to \d+% \d+ 95% \(95 of 100\) −\d+ points: victims report it less often",
        text,
    )
    # Right 3: an information right, with its don't know share beside the rate, and no gap
    # called when the police's figure is close.
    assert re.search(
        r"3\. To be provided with information when reporting the crime \d+% "
        r"\(don't know \d+%\)",
        text,
    )
    right_3 = text[text.index("3. To be provided with information when reporting the crime") :]
    assert "No clear difference" in right_3[:300]
    assert re.search(r"This view shows \d+ comparisons? between victims", text)
    assert "about 1 in 20 will look different by chance" in text
    assert "rights 2, 3, 4, 5, 6: police" in text and "right 11: probation" in text
    # A right one agency delivers names whose figure it is.
    assert "Police: 70% (70 of 100)" in right_3[:300]
