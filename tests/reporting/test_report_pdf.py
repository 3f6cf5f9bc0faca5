"""The quarterly report PDF is fit to table at a board (issue 14 point 4): tagged (PDF/UA-1
variant: marked, a structure tree, language, title, headings in order, tables as
Table/TR/TH/TD, charts as Figures with /Alt), and, drawn page by page with pdftoppm, no page
holds only a heading and nothing crosses the margin. The same checks fail on a deliberately
broken page. Full PDF/UA validation is left to the OPCC's accessibility audit (docs/report.md).
"""

from __future__ import annotations

import base64

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session

from app.enums import Role
from app.reporting.report_pdf import StaticFilesOnly, data_image, render_pdf
from tests.auth_helpers import signed_in_client
from tests.reporting import pdf_checks
from tests.reporting.test_report_board import _fill

URL = "/reports/quarterly"


@pytest.fixture
def report(client: TestClient, db: Session) -> tuple[str, bytes]:
    """The report page's HTML and its PDF, for a quarter with figures in two crime groups."""
    _fill(db, "general", 60, satisfied=45)
    _fill(db, "vawg", 20, satisfied=15)
    staff = signed_in_client(client, db, [Role.analyst])
    page = staff.get(URL, params={"period": "2026-Q3"}).text
    response = staff.get(f"{URL}.pdf", params={"period": "2026-Q3"})
    assert response.status_code == 200
    return page, response.content


def test_pdf_is_tagged_with_language_title_headings_tables_and_figures(
    report: tuple[str, bytes],
) -> None:
    _, pdf = report

    document, tags = pdf_checks.structure(pdf)

    assert document.Root.MarkInfo.Marked is True
    assert "/StructTreeRoot" in document.Root
    assert str(document.Root.Lang) == "en-GB"
    assert str(document.docinfo["/Title"]).startswith("Quarterly report 2026-Q3")
    assert document.Root.ViewerPreferences.DisplayDocTitle is True
    names = [tag.name for tag in pdf_checks.walk(tags)]
    assert {"H1", "H2", "H3"} <= set(names)
    assert pdf_checks.heading_problems(tags) == []
    assert names.count("Table") >= 8
    assert {"TR", "TH", "TD"} <= set(names)
    assert pdf_checks.table_problems(tags) == []
    figures = [tag for tag in pdf_checks.walk(tags) if tag.name == "Figure"]
    assert len(figures) >= 7
    assert all(tag.alt and tag.alt.startswith("Bar chart of ") for tag in figures)


def test_pdf_pages_keep_headings_with_their_text_and_tables_inside_the_margins(
    report: tuple[str, bytes],
) -> None:
    page, pdf = report

    assert pdf_checks.margin_problems(pdf) == []
    headings = pdf_checks.headings_of(page)
    assert "2. Satisfaction" in headings
    assert pdf_checks.lonely_heading_problems(pdf, headings) == []
    assert len(pdf_checks.page_texts(pdf)) >= 3


LONG_WORD = "W" * 90
# No `break-after: avoid` on the heading, and a table cell holding a word too long to wrap.
BROKEN = """<!DOCTYPE html><html lang="en-GB"><head><title>Broken</title>
<style>@page { size: A4; margin: 18mm 16mm; }</style></head><body>
<h1>Broken report</h1><p>Introduction.</p>
<div style="height: 200mm"></div>
<h2>A heading left alone</h2>
<p style="break-before: page">Its text, on the next page.</p>
<table><tr><th>Too wide</th><td>{LONG_WORD}</td></tr></table>
</body></html>""".replace("{LONG_WORD}", LONG_WORD)


def test_the_checks_fail_on_a_deliberately_broken_page() -> None:
    pdf = render_pdf(BROKEN)

    assert pdf_checks.margin_problems(pdf) == ["page 2 has ink in the margin"]
    headings = pdf_checks.headings_of(BROKEN)
    assert pdf_checks.lonely_heading_problems(pdf, headings) == ["page 1 ends on a heading"]
    skipping = [pdf_checks.Tag("H1", None), pdf_checks.Tag("H3", None)]
    assert pdf_checks.heading_problems(skipping) == ["H1 followed by H3"]
    untagged = [
        pdf_checks.Tag("Table", None, [pdf_checks.Tag("TR", None, [pdf_checks.Tag("P", None)])])
    ]
    assert pdf_checks.table_problems(untagged) == ["a TR holding ['P']", "a Table without TH"]


def test_a_page_of_only_a_heading_is_found() -> None:
    page = (
        '<!DOCTYPE html><html lang="en-GB"><head><title>T</title></head><body><h1>Title</h1>'
        '<p>Text</p><h2 style="break-before: page">Alone</h2>'
        '<p style="break-before: page">Rest</p></body></html>'
    )

    pdf = render_pdf(page)

    assert pdf_checks.lonely_heading_problems(pdf, pdf_checks.headings_of(page)) == [
        "page 2 holds only a heading"
    ]


def test_only_inline_svg_or_png_data_images_are_taken() -> None:
    svg = base64.b64encode(b"<svg xmlns='http://www.w3.org/2000/svg'/>").decode()

    assert data_image(f"data:image/svg+xml;base64,{svg}") == (
        "image/svg+xml",
        b"<svg xmlns='http://www.w3.org/2000/svg'/>",
    )
    for refused in [
        f"data:text/html;base64,{svg}",
        "data:image/svg+xml,<svg/>",
        "data:image/png;base64,not base64!",
    ]:
        assert data_image(refused) is None
        with pytest.raises(ValueError, match="only local static files"):
            StaticFilesOnly().fetch(refused)
