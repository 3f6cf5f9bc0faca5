"""The board report (issue 14 point 2): one section per board priority by crime group, with
intervals and low-base flags; victim-withdrawn outcomes beside attrition under the disclosure
control; who was not heard; caveats; no unweighted average of the rights."""

from __future__ import annotations

import base64
import csv
import html
import io
import re
import zipfile
from datetime import date
from typing import Any

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.cell_key import perturb
from app.enums import Role
from app.invitations.models import Invitation, SkippedCount
from app.reporting.stats import wilson_interval
from app.survey.models import Response
from tests.auth_helpers import signed_in_client
from tests.factories import create_bank_version
from tests.reporting.factories import create_invitation, published, submit_response

URL = "/reports/quarterly"
AUGUST = date(2026, 8, 1)


def _options(codes: list[str]) -> list[dict[str, str]]:
    return [{"code": code, "label": code.replace("_", " ")} for code in codes]


def _question(question_id: str, measure: str, codes: list[str]) -> dict[str, Any]:
    return {
        "id": question_id,
        "type": "scale",
        "text": f"{question_id}?",
        "measures": [measure],
        "options": _options([*codes, "dont_know"]),
    }


def board_bank(slug: str) -> dict[str, Any]:
    """A bank asking every board measure."""
    questions = [
        _question(
            "sat_overall",
            "satisfaction.overall",
            ["very_satisfied", "neither", "very_dissatisfied"],
        ),
        _question("again", "report_again", ["definitely", "probably", "definitely_not"]),
        _question("step_back", "attrition", ["yes", "no"]),
        _question("worse", "retraumatisation", ["yes_a_lot", "yes_a_little", "no"]),
        _question("trust", "procedural_justice.trust", ["agree", "disagree"]),
        _question("confidence", "confidence", ["tend_to_agree", "tend_to_disagree"]),
        _question("safer", "feel_safe", ["safer", "about_the_same", "less_safe"]),
    ]
    return {
        "slug": slug,
        "title": "Your experience",
        "crime_group": slug,
        "sections": [{"id": "main", "title": "Main", "questions": questions}],
    }


def _text(page: str) -> str:
    body = re.sub(r'<script type="application/json".*?</script>', "", page, flags=re.S)
    return re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", body)))


def _fill(db: Session, slug: str, count: int, satisfied: int) -> dict[str, list[Response]]:
    version = create_bank_version(db, board_bank(slug), slug=slug)
    made: dict[str, list[Response]] = {"yes": [], "no": []}
    for index in range(count):
        happy = index < satisfied
        made["yes" if happy else "no"].append(
            submit_response(
                db,
                version,
                {
                    "sat_overall": "very_satisfied" if happy else "neither",
                    "again": "definitely" if happy else "definitely_not",
                    "step_back": "no" if happy else "yes",
                    "worse": "no" if happy else "yes_a_little",
                    "trust": "agree" if happy else "disagree",
                    "confidence": "tend_to_agree" if happy else "tend_to_disagree",
                    "safer": "safer" if happy else "less_safe",
                },
                crime_group=slug,
                touchpoint="investigation",
                month=AUGUST,
                commit=False,
            )
        )
    db.commit()
    return made


def _pc(value: float) -> str:
    return f"{value * 100:.0f}%"


def _section(text: str, start: str, end: str) -> str:
    return text[text.index(start) : text.index(end)]


def test_each_priority_by_crime_group_with_interval_and_low_base(
    client: TestClient, db: Session
) -> None:
    general = _fill(db, "general", 60, satisfied=45)
    _fill(db, "vawg", 20, satisfied=15)  # low base: fewer than 50
    _fill(db, "rasso", 3, satisfied=3)  # suppressed: fewer than 10
    staff = signed_in_client(client, db, [Role.analyst])

    text = _text(staff.get(URL, params={"period": "2026-Q3"}).text)

    for number, title in enumerate(
        [
            "Satisfaction",
            "Would report again",
            "Attrition",
            "Not retraumatised",
            "Trust and confidence",
            "Feeling safer",
        ],
        start=2,
    ):
        assert f"{number}. {title} " in text
    satisfaction = _section(text, "2. Satisfaction", "3. Would report again")
    positive = published(general["yes"])
    n = positive + published(general["no"])
    low, high = wilson_interval(positive, n) or (0, 0)
    assert f"General crime {_pc(positive / n)} {_pc(low)} to {_pc(high)} {n} " in satisfaction, (
        satisfaction
    )
    assert "Rape and serious sexual offences Suppressed" in satisfaction
    vawg = satisfaction[satisfaction.index("Violence against women and girls") :][:120]
    assert "(low base, treat with caution)" in vawg
    assert "All crime groups" in satisfaction
    harm = _section(text, "5. Not retraumatised", "6. Trust and confidence")
    assert "Process made things worse (lower is better)" in harm
    assert "Lower is better" in harm
    trust = _section(text, "6. Trust and confidence", "7. Feeling safer")
    assert "Trust in the officers" in trust and "Confidence in the local police" in trust
    # The unweighted average of the rights is gone.
    assert "average of the" not in text


def test_charts_are_server_drawn_svg_with_alternative_text(client: TestClient, db: Session) -> None:
    _fill(db, "general", 60, satisfied=45)
    staff = signed_in_client(client, db, [Role.analyst])

    page = staff.get(URL, params={"period": "2026-Q3"}).text

    images = re.findall(
        r'<img class="app-board-chart" src="data:image/svg\+xml;base64,([^"]+)" '
        r'alt="([^"]+)"',
        page,
    )
    assert len(images) >= 7  # every measure with a shown figure
    svg = base64.b64decode(images[0][0]).decode()
    assert svg.startswith("<svg") and "<rect" in svg
    alt = html.unescape(images[0][1])
    assert alt.startswith("Bar chart of Satisfaction with the whole experience by crime group.")
    assert "General crime" in alt and "95% interval" in alt
    assert "Suppressed: Rape and serious sexual offences" in alt
    assert "vega" not in page  # no script draws the report's charts


def _withdrawn(db: Session, group: str, count: int, when: date) -> list[Invitation]:
    return [
        create_invitation(db, crime_group=group, outcome="victim_withdrew", touchpoint_date=when)
        for _ in range(count)
    ]


def test_victim_withdrawn_outcomes_beside_attrition_under_disclosure(
    client: TestClient, db: Session
) -> None:
    _fill(db, "general", 60, satisfied=45)
    withdrew = _withdrawn(db, "general", 14, date(2026, 8, 5))
    _withdrawn(db, "general", 5, date(2026, 5, 5))  # last quarter: not counted
    small = _withdrawn(db, "vawg", 3, date(2026, 7, 5))  # below min_cell: suppressed
    for _ in range(4):
        create_invitation(db, crime_group="general", outcome="charged", touchpoint_date=AUGUST)
    db.commit()
    staff = signed_in_client(client, db, [Role.analyst])

    text = _text(staff.get(URL, params={"period": "2026-Q3"}).text)

    attrition = _section(text, "4. Attrition", "5. Not retraumatised")
    assert "Thought about stepping back (lower is better)" in attrition
    forced = attrition[attrition.index("Cases the force records as withdrawn by the victim") :]
    count = published(withdrew)
    assert f"General crime {count} " in forced
    assert "Violence against women and girls Suppressed" in forced
    assert f"All crime groups {published(withdrew + small)} " in forced
    assert "force data" in forced


def test_who_was_not_heard_and_the_caveats(client: TestClient, db: Session) -> None:
    _fill(db, "general", 60, satisfied=45)
    for reason, count, key in [("not_safe_to_contact", 25, 17), ("under_18", 4, 3)]:
        db.add(
            SkippedCount(
                month=AUGUST,
                reason=reason,
                crime_group="general",
                touchpoint="reporting",
                count=count,
                key_sum=key,
            )
        )
    db.commit()
    staff = signed_in_client(client, db, [Role.analyst])

    text = _text(staff.get(URL, params={"period": "2026-Q3"}).text)

    heard = _section(text, "9. Who was not heard", "10. What victims said")
    assert "Response rate" in heard  # the funnel, by crime group
    assert f"Not safe to contact {perturb(25, 17)}" in heard
    assert "Under 18 Suppressed" in heard
    caveats = text[text.index("12. Reading these figures: mode, timing and coverage") :]
    assert "not comparable with past telephone surveys" in caveats
    assert "Timing:" in caveats and "Coverage:" in caveats
    assert "Asked of victims after contact, not of the general public" in caveats


def test_compliance_comparison_and_action_log_are_in_the_report(
    client: TestClient, db: Session
) -> None:
    staff = signed_in_client(client, db, [Role.analyst])

    text = _text(staff.get(URL, params={"period": "2026-Q3"}).text)

    assert "8. The Victims' Code: victims and the force" in text
    assert "Victims' Code: what victims say and what the agencies say" in text
    assert "11. You said, we did: the action log" in text


def test_csv_pack_holds_the_sections_withdrawn_and_not_invited(
    client: TestClient, db: Session
) -> None:
    general = _fill(db, "general", 60, satisfied=45)
    withdrew = _withdrawn(db, "general", 12, date(2026, 8, 5))
    db.commit()
    staff = signed_in_client(client, db, [Role.analyst])

    response = staff.get(f"{URL}.zip", params={"period": "2026-Q3"})

    archive = zipfile.ZipFile(io.BytesIO(response.content))

    def table(name: str) -> list[dict[str, str]]:
        text = archive.read(f"quarterly-2026-Q3/{name}").decode("utf-8-sig")
        return list(csv.DictReader(io.StringIO(text)))

    board = {(row["measure"], row["crime_group"]): row for row in table("board_priorities.csv")}
    row = board[("satisfaction.overall", "general")]
    positive = published(general["yes"])
    assert (row["priority"], row["positive"]) == ("satisfaction", str(positive))
    assert row["n"] == str(positive + published(general["no"]))
    assert board[("retraumatisation", "all")]["lower_is_better"] == "true"
    assert board[("feel_safe", "vawg")]["suppressed"] == "true"
    withdrawn = {row["crime_group"]: row for row in table("victim_withdrawn.csv")}
    assert withdrawn["general"]["victim_withdrawn"] == str(published(withdrew))
    assert withdrawn["rasso"]["suppressed"] == "true"
    assert {row["reason"] for row in table("not_invited.csv")} >= {"under_18", "duplicate"}
