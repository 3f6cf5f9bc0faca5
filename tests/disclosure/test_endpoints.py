"""The attacks' in-memory answers are the service's answers: on the database, over HTTP (JSON and
CSV), on the dashboard and in the quarterly report, for several draws of record keys.

The attack tests answer their 500 draws through the service's functions reading the records
from memory; here the same population is stored, its keys are redrawn in the database (and the
rollups rebuilt), and every endpoint must give the very same figures: so what those tests
prove holds for every endpoint that returns figures.
"""

from __future__ import annotations

import csv
import html
import io
import random
import re
import zipfile
from datetime import date

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.enums import Role
from app.reporting.aggregates import aggregate_metric, aggregate_metric_from
from app.reporting.dropoff import dropoff_from, question_dropoff
from app.reporting.funnel import funnel, funnel_from
from app.reporting.victims_code import victims_code_from, victims_code_view
from tests.auth_helpers import api_headers, signed_in_client
from tests.disclosure.observe import TODAY
from tests.disclosure.scenarios import endpoints
from tests.disclosure.world import MemoryTallies, restore_keys, store
from tests.reporting.factories import small_bank
from tests.reporting.test_feedback_factories import create_comment

QUERIES = [
    ([], {}, "2026-07", "2026-09"),
    (["crime_group", "touchpoint"], {}, "2026-07", "2026-09"),
    (["crime_group", "month"], {"touchpoint": "court"}, "2026-07", "2026-Q3"),
    (["touchpoint"], {"crime_group": "rasso"}, "2026-08", "2026-08"),
    (["area", "language", "quarter"], {}, "2026-07", "2026-09"),
]


def test_the_database_and_http_give_the_in_memory_figures(client: TestClient, db: Session) -> None:
    world, hidden = endpoints()
    rng = random.Random(11)
    world.draw_keys(rng)
    stored = store(db, world)
    headers = api_headers(db, Role.analyst)
    staff = signed_in_client(client, db, [Role.analyst])
    for draw in range(3):
        if draw:
            world.draw_keys(rng)
            restore_keys(db, world, stored, since=date(2026, 7, 1))
        memory = MemoryTallies(world, stored.banks)
        for metric in ("satisfaction.overall", "victims_code.right_1"):
            for group_by, filters, first, last in QUERIES:
                expected = aggregate_metric_from(
                    memory, metric, group_by, filters, first, last, on=TODAY
                ).model_dump()
                assert aggregate_metric(db, metric, group_by, filters, first, last) == (
                    aggregate_metric_from(memory, metric, group_by, filters, first, last, on=TODAY)
                )
                db.rollback()  # end the read: on SQLite the app's audit write needs the lock
                query = {"group_by": ",".join(group_by), "from": first, "to": last, **filters}
                body = client.get(f"/api/v1/aggregates/{metric}", params=query, headers=headers)
                assert body.json() == expected
                rows = list(
                    csv.DictReader(
                        io.StringIO(
                            client.get(
                                f"/api/v1/aggregates/{metric}",
                                params={**query, "format": "csv"},
                                headers=headers,
                            ).text
                        )
                    )
                )
                assert [row["n"] for row in rows] == [
                    "" if cell["n"] is None else str(cell["n"]) for cell in expected["cells"]
                ]
            for group_by, filters, first, last in QUERIES:
                assert funnel(db, group_by, filters, first, last) == funnel_from(
                    memory, group_by, filters, first, last, on=TODAY
                )
        db.rollback()
        for bank, version in ((group, v) for v, group in stored.banks.items()):
            for touchpoint in (None, "court"):
                assert question_dropoff(db, bank, touchpoint, "2026-08", "2026-08") == dropoff_from(
                    memory,
                    bank,
                    1,
                    small_bank(bank),
                    [version],
                    touchpoint,
                    "2026-08",
                    "2026-08",
                    on=TODAY,
                )
        view = victims_code_view(db, "2026-Q3", "2026-Q3")
        period = view.period_from, view.period_to
        assert period == ("2026-07", "2026-09")
        from app.reporting.cells import resolve_period

        assert view == victims_code_from(memory, {}, resolve_period("2026-Q3", "2026-Q3", TODAY))
        # The dashboard's headline and the report's CSV pack show those same cells.
        headline = aggregate_metric(db, "satisfaction.overall", [], {}, "2026-Q3", "2026-Q3")
        n = headline.cells[0].n
        db.rollback()
        page = staff.get("/staff/dashboard", params={"from": "2026-Q3", "to": "2026-Q3"}).text
        table = re.search(r"<caption[^>]*>\s*Headline figures.*?</table>", page, re.S)
        assert table is not None
        text = html.unescape(re.sub(r"<[^>]+>", " ", table.group(0)))
        assert f"{n:,}" in text.split("Satisfaction with the whole experience", 1)[1][:200]
        pack = staff.get("/reports/quarterly.zip", params={"period": "2026-Q3"})
        archive = zipfile.ZipFile(io.BytesIO(pack.content))
        name = next(n for n in archive.namelist() if n.endswith("headline.csv"))
        rows = list(csv.DictReader(io.StringIO(archive.read(name).decode("utf-8-sig"))))
        overall = next(row for row in rows if row["measure"] == "satisfaction.overall")
        assert overall["n"] == str(n)
        assert overall["positive"] == str(headline.cells[0].positive)
    assert hidden


def test_comments_never_come_from_a_group_below_min_cell(client: TestClient, db: Session) -> None:
    """Comments are another part's rules; here only the promise the attacks rely on: no
    comment from a crime group × touchpoint with fewer than min_cell commenters is released."""
    july = date(2026, 7, 1)
    small = [create_comment(db, "small group words", crime_group="rasso", month=july)]
    small += [create_comment(db, "small group words", crime_group="rasso", month=july)]
    for _ in range(12):
        create_comment(db, "big group words", month=july)
    db.commit()
    headers = api_headers(db, Role.analyst)
    for params in ({}, {"crime_group": "rasso"}, {"from": "2026-07", "to": "2026-07"}):
        body = client.get("/api/v1/comments", params=params, headers=headers).json()
        assert all(comment["crime_group"] != "rasso" for comment in body["comments"])
    assert len(small) == 2
