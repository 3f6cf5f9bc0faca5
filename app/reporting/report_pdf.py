"""The printable quarterly report as a PDF, drawn by WeasyPrint from the report page's HTML.

WeasyPrint may fetch only our own static files (stylesheets, images, fonts), read from disk:
never anything from the network, nor any other file. The page names them by absolute path
(`/static/css/charts.css`), so the HTML is given a base URL on an origin that cannot resolve
(`.invalid`), and the fetcher maps that origin's `/static/` to the app's static directory.

The PDF is tagged (WeasyPrint's PDF/UA-1 variant): a structure tree with headings, tables and
figures (the charts are `<img>`s with alternative text), the document's language from
`<html lang>` and its title from `<title>`, shown in the viewer's title bar. That is checked by
tests/reporting/test_report_pdf.py; full PDF/UA validation is left to the OPCC's
accessibility audit (docs/report.md).
"""

from __future__ import annotations

import base64
import binascii
import mimetypes
import re
from pathlib import Path

from weasyprint import HTML
from weasyprint.urls import URLFetcher, URLFetcherResponse

STATIC_DIR = Path(__file__).resolve().parent.parent / "static"
# Reserved top-level domain (RFC 2606): a URL on it can never reach a real host.
BASE_URL = "https://report.invalid/"
STATIC_PREFIX = f"{BASE_URL}static/"
PDF_VARIANT = "pdf/ua-1"


# The board report's charts are SVG images inlined as `data:` URIs (app/reporting/board_svg.py):
# decoded here, never fetched. Only base64 SVG or PNG images are taken.
DATA_IMAGE = re.compile(r"data:(image/svg\+xml|image/png);base64,([A-Za-z0-9+/=]+)")


def data_image(url: str) -> tuple[str, bytes] | None:
    """The media type and bytes of a base64 `data:` image URL, or None for any other URL."""
    match = DATA_IMAGE.fullmatch(url)
    if match is None:
        return None
    try:
        return match[1], base64.b64decode(match[2], validate=True)
    except binascii.Error:
        return None


def static_file(url: str) -> Path | None:
    """The file under the static directory that `url` names, or None if it names anything else."""
    if not url.startswith(STATIC_PREFIX):
        return None
    relative = url.removeprefix(STATIC_PREFIX).split("?", 1)[0].split("#", 1)[0]
    path = (STATIC_DIR / relative).resolve()
    if not path.is_relative_to(STATIC_DIR) or not path.is_file():
        return None
    return path


class StaticFilesOnly(URLFetcher):
    """Serves the app's static files from disk and inline `data:` images, and refuses every
    other URL."""

    def fetch(self, url: str, headers: dict[str, str] | None = None) -> URLFetcherResponse:
        image = data_image(url)
        if image is not None:
            return URLFetcherResponse(url, image[1], {"Content-Type": image[0]})
        path = static_file(url)
        if path is None:
            # WeasyPrint logs the refusal and draws the page without the resource.
            raise ValueError(f"only local static files are fetched, not {url}")
        media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
        return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": media_type})


def render_pdf(page_html: str) -> bytes:
    """The page, laid out for print (its `@media print` rules apply), as PDF bytes."""
    document = HTML(string=page_html, base_url=BASE_URL, url_fetcher=StaticFilesOnly())
    pdf: bytes = document.write_pdf(pdf_variant=PDF_VARIANT)
    return pdf
