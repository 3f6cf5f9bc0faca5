"""Checks of a PDF fit to table at a board: its tags (pikepdf) and its pages as drawn
(poppler's pdftoppm and pdftotext). Each check returns the problems it found, so that a test
can show both that the report passes and that a deliberately broken page fails.
"""

from __future__ import annotations

import html
import io
import re
import subprocess
import tempfile
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf

DPI = 50
MM_PER_INCH = 25.4


@dataclass
class Tag:
    name: str
    alt: str | None
    children: list[Tag] = field(default_factory=list)


def _tag(node: pikepdf.Object) -> Tag | None:
    if not isinstance(node, pikepdf.Dictionary) or "/S" not in node:
        return None
    alt = node.get("/Alt")
    tag = Tag(str(node["/S"]).lstrip("/"), str(alt) if alt is not None else None)
    kids = node.get("/K")
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
    for kid in items:
        child = _tag(kid)
        if child is not None:
            tag.children.append(child)
    return tag


def structure(pdf: bytes) -> tuple[pikepdf.Pdf, list[Tag]]:
    document = pikepdf.open(io.BytesIO(pdf))
    root = document.Root.get("/StructTreeRoot")
    if root is None:
        return document, []
    kids = root.get("/K")
    items = list(kids) if isinstance(kids, pikepdf.Array) else [kids] if kids is not None else []
    return document, [tag for tag in (_tag(kid) for kid in items) if tag is not None]


def walk(tags: list[Tag]) -> list[Tag]:
    found: list[Tag] = []
    for tag in tags:
        found.append(tag)
        found += walk(tag.children)
    return found


def heading_problems(tags: list[Tag]) -> list[str]:
    """Headings H1–H6 in order: the first is H1, and none goes more than one level deeper."""
    levels = [int(tag.name[1]) for tag in walk(tags) if re.fullmatch(r"H[1-6]", tag.name)]
    problems = [] if levels[:1] == [1] else [f"first heading is not H1: {levels[:1]}"]
    for before, after in zip(levels, levels[1:], strict=False):
        if after > before + 1:
            problems.append(f"H{before} followed by H{after}")
    return problems


def table_problems(tags: list[Tag]) -> list[str]:
    """Each Table holds rows (TR, perhaps in THead/TBody), and each row holds TH or TD cells."""
    problems: list[str] = []
    tables = [tag for tag in walk(tags) if tag.name == "Table"]
    for table in tables:
        rows = [tag for tag in walk(table.children) if tag.name == "TR"]
        if not rows:
            problems.append("a Table without TR")
        for row in rows:
            if not row.children or any(cell.name not in ("TH", "TD") for cell in row.children):
                problems.append(f"a TR holding {[cell.name for cell in row.children]}")
        if not any(tag.name == "TH" for tag in walk(table.children)):
            problems.append("a Table without TH")
    return problems


# --- pages as drawn -------------------------------------------------------------------------


def _pgm(path: Path) -> tuple[int, int, bytes]:
    """A binary greyscale PGM (P5) as (width, height, pixels)."""
    data = path.read_bytes()
    fields = re.match(rb"P5\s+(\d+)\s+(\d+)\s+(\d+)\s", data)
    assert fields is not None, "not a binary PGM"
    width, height = int(fields[1]), int(fields[2])
    return width, height, data[fields.end() : fields.end() + width * height]


def render_pages(pdf: bytes, folder: Path) -> list[Path]:
    """Every page drawn by pdftoppm in greyscale at DPI."""
    source = folder / "doc.pdf"
    source.write_bytes(pdf)
    subprocess.run(  # noqa: S603 - fixed arguments, our own file
        ["pdftoppm", "-gray", "-r", str(DPI), str(source), str(folder / "page")],  # noqa: S607
        check=True,
    )
    return sorted(folder.glob("page-*.pgm"))


def margin_problems(pdf: bytes, margin_mm: float = 12.0) -> list[str]:
    """Pages with anything drawn in the outer `margin_mm` band (left, right, top or bottom):
    a table (or anything) over the margin. The page's own margin is wider, so the band is
    blank on a page that fits."""
    problems: list[str] = []
    band = round(margin_mm / MM_PER_INCH * DPI)
    with tempfile.TemporaryDirectory() as name:
        for number, page in enumerate(render_pages(pdf, Path(name)), start=1):
            width, height, pixels = _pgm(page)
            rows = [pixels[y * width : (y + 1) * width] for y in range(height)]
            inked = any(
                min(row[:band]) < 200 or min(row[width - band :]) < 200 for row in rows
            ) or any(min(row) < 200 for row in rows[:band] + rows[height - band :])
            if inked:
                problems.append(f"page {number} has ink in the margin")
    return problems


def page_texts(pdf: bytes) -> list[str]:
    """Each page's text (pdftotext), spaces collapsed."""
    with tempfile.TemporaryDirectory() as name:
        source = Path(name) / "doc.pdf"
        source.write_bytes(pdf)
        count = len(pikepdf.open(io.BytesIO(pdf)).pages)
        texts = []
        for number in range(1, count + 1):
            out = subprocess.run(  # noqa: S603
                ["pdftotext", "-f", str(number), "-l", str(number), str(source), "-"],  # noqa: S607
                check=True,
                capture_output=True,
                text=True,
            ).stdout
            texts.append(re.sub(r"\s+", " ", out).strip())
    return texts


def headings_of(page_html: str) -> list[str]:
    """The text of each h1–h4 of the page, tags removed and spaces collapsed."""
    found = re.findall(r"<h[1-4][^>]*>(.*?)</h[1-4]>", page_html, flags=re.S)
    return [
        re.sub(r"\s+", " ", html.unescape(re.sub(r"<[^>]+>", " ", text))).strip() for text in found
    ]


def lonely_heading_problems(pdf: bytes, headings: list[str]) -> list[str]:
    """Pages that hold only headings, or that end on a heading (all but the last page)."""
    problems: list[str] = []
    texts = page_texts(pdf)
    for number, text in enumerate(texts, start=1):
        rest = text
        for heading in sorted(headings, key=len, reverse=True):
            rest = rest.replace(heading, "")
        if text and not rest.strip():
            problems.append(f"page {number} holds only a heading")
        elif number < len(texts) and any(text.endswith(h) for h in headings if h):
            problems.append(f"page {number} ends on a heading")
    return problems
