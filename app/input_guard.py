"""Refuse U+0000 (NUL) in staff and API input before any route sees it.

PostgreSQL cannot store a NUL in text, so a NUL that reaches a query turns a request into a
500 (and SQLite would store it, so the two databases would disagree). Rather than trusting
every route to check, one guard looks at everything a request carries: the path, the query
string, headers and cookies, and JSON, form and CSV bodies (every string at any depth, keys
too). A JSON string may also spell half of a surrogate pair (a lone backslash-u D800
escape), which no database driver can encode: refused the same way. So may a form field once
decoded with the charset its multipart body declares (UTF-7 spells both without a NUL byte):
a form is judged on the text the route will be given, not on its bytes. A hit is a 422:
problem+json with `errors: [{"loc", "msg"}]` under /api and for JSON callers, a GOV.UK error
page with an error summary otherwise. Nothing is echoed: a location
names a field, never a value.

The victim's routes (`/s/…`, `/survey/…`, `/api/v1/survey/…`, `/code`) are exempt for their
path, query and body: a victim whose words hold a control character must never be refused, so
the survey removes such characters itself before saving (and the code page reads them as a
wrong code). Headers and cookies are checked everywhere (a
browser never sends a NUL in them; only a forged request does).
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable
from typing import Any
from urllib.parse import parse_qsl

from starlette.datastructures import UploadFile
from starlette.exceptions import HTTPException
from starlette.requests import Request, cookie_parser
from starlette.types import ASGIApp, Message, Receive, Scope, Send

NUL = "\x00"
NUL_MESSAGE = "must not contain a null character (U+0000)"
SURROGATE_MESSAGE = "must be valid Unicode text (it holds an unpaired surrogate)"
DETAIL = (
    "What you sent contains a null character (U+0000), which this service cannot store. "
    "Remove it and send again."
)
SURROGATE_DETAIL = (
    "What you sent holds text that is not valid Unicode (an unpaired surrogate), which this "
    "service cannot store. Send it as UTF-8 text."
)
EXEMPT_PREFIXES = ("/s/", "/survey/", "/api/v1/survey/", "/static/")
# Victim pages at one address: the code page reads anything odd as a wrong code, on a page
# with "Exit this page" and support, rather than the general error page.
EXEMPT_PATHS = frozenset({"/code"})
BODY_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
MAX_REPORTED = 20

Location = list[str | int]

# A `\u0000` escape in JSON text: the backslash must not itself be escaped, so it is preceded
# by an even number of backslashes (`\\u0000` is a backslash followed by the text "u0000").
_JSON_NUL_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u0000")
# A `\uD800`-`\uDFFF` escape: half of a surrogate pair. JSON may spell one alone, and Python
# then holds a string that neither database driver can encode (UnicodeEncodeError: a 500).
_JSON_SURROGATE_ESCAPE = re.compile(rb"(?<!\\)(?:\\\\)*\\u[dD][89a-fA-F][0-9a-fA-F]{2}")
_SURROGATE = re.compile("[\ud800-\udfff]")
# Field names from the request are shown only when they look like field names.
_PLAIN_NAME = re.compile(r"^[A-Za-z0-9_.\-\[\]]{1,64}$")


def _name(text: str) -> str:
    return text if _PLAIN_NAME.match(text) else "(a name)"


def _text_problem(text: str) -> str | None:
    if NUL in text:
        return NUL_MESSAGE
    if _SURROGATE.search(text):
        return SURROGATE_MESSAGE
    return None


def text_problems_in_json(value: Any, prefix: Location | None = None) -> list[dict[str, Any]]:
    """Where a parsed JSON value holds a NUL or an unpaired surrogate, in strings or keys,
    as `{"loc", "msg"}` errors (iterative: any depth)."""
    found: list[dict[str, Any]] = []
    stack: list[tuple[Any, Location]] = [(value, list(prefix or []))]
    while stack and len(found) < MAX_REPORTED:
        item, loc = stack.pop()
        if isinstance(item, str):
            problem = _text_problem(item)
            if problem:
                found.append({"loc": loc, "msg": problem})
        elif isinstance(item, dict):
            for key, child in reversed(list(item.items())):
                key_text = str(key)
                problem = _text_problem(key_text)
                if problem:
                    found.append({"loc": [*loc, "(a key)"], "msg": problem})
                stack.append((child, [*loc, _name(key_text)]))
        elif isinstance(item, list):
            for index in range(len(item) - 1, -1, -1):
                stack.append((item[index], [*loc, index]))
    return found


def nul_locations_in_json(value: Any, prefix: Location | None = None) -> list[Location]:
    """Where a parsed JSON value holds a NUL, in strings or keys (iterative: any depth)."""
    return [
        error["loc"]
        for error in text_problems_in_json(value, prefix)
        if error["msg"] == NUL_MESSAGE
    ]


def nul_locations_in_pairs(pairs: Iterable[tuple[str, str]], where: str) -> list[Location]:
    """Where name=value pairs (a query string, a form) hold a NUL."""
    found: list[Location] = []
    for name, value in pairs:
        if NUL in name:
            found.append([where, "(a name)"])
        elif NUL in value:
            found.append([where, _name(name)])
    return found[:MAX_REPORTED]


def nul_locations_in_csv(text: str) -> list[Location]:
    """Where CSV text holds a NUL: the header, or a data row by its zero-based index."""
    found: list[Location] = []
    try:
        for index, record in enumerate(csv.reader(io.StringIO(text, newline=""))):
            if any(NUL in field for field in record):
                found.append(["body", "header"] if index == 0 else ["body", "row", index - 1])
                if len(found) >= MAX_REPORTED:
                    break
    except csv.Error:
        pass
    return found or [["body"]]


def _json_body_problems(body: bytes) -> list[dict[str, Any]]:
    if (
        b"\x00" not in body
        and not _JSON_NUL_ESCAPE.search(body)
        and not _JSON_SURROGATE_ESCAPE.search(body)
    ):
        return []
    try:
        document = json.loads(body)
    except (ValueError, RecursionError):
        # Not even valid JSON: the route refuses it, unless it holds a NUL we can name.
        return [{"loc": ["body"], "msg": NUL_MESSAGE}] if b"\x00" in body else []
    found = text_problems_in_json(document, ["body"])
    if not found and b"\x00" in body:
        found = [{"loc": ["body"], "msg": NUL_MESSAGE}]
    return found


async def _form_body_problems(scope: Scope, body: bytes, multipart: bool) -> list[dict[str, Any]]:
    """What in a form cannot be stored, judged on the text the route will be given.

    The bytes alone cannot tell: a multipart body may declare its charset, and Starlette
    decodes every name and value with it (in UTF-7, "+AAA-" is a NUL and "+2AA-" half a
    surrogate pair). So a multipart form is parsed here exactly as the route will parse it. An
    urlencoded form is percent-decoded as UTF-8 with replacement, which can make a NUL only
    from "%00" and never a surrogate: one without either is passed through unparsed.
    """
    if not multipart and b"\x00" not in body and b"%00" not in body:
        return []

    async def replay() -> Message:
        return {"type": "http.request", "body": body, "more_body": False}

    found: list[dict[str, Any]] = []
    try:
        async with Request(scope, replay).form() as form:
            for name, value in form.multi_items():
                problem = _text_problem(name)
                if problem:
                    found.append({"loc": ["body", "(a name)"], "msg": problem})
                elif isinstance(value, UploadFile):
                    content = await value.read()
                    if b"\x00" in content and _is_text_upload(value):
                        found.append({"loc": ["body", _name(name)], "msg": NUL_MESSAGE})
                else:
                    problem = _text_problem(value)
                    if problem:
                        found.append({"loc": ["body", _name(name)], "msg": problem})
                if len(found) >= MAX_REPORTED:
                    break
    except Exception:  # noqa: BLE001 - a malformed form is the route's to refuse
        return [{"loc": ["body"], "msg": NUL_MESSAGE}] if b"\x00" in body else []
    return found


def _is_text_upload(upload: UploadFile) -> bool:
    kind = (upload.content_type or "").lower()
    name = (upload.filename or "").lower()
    return kind.startswith("text/") or name.endswith((".csv", ".yaml", ".yml", ".json", ".txt"))


async def body_problems(scope: Scope, body: bytes) -> list[dict[str, Any]]:
    """What in a request body cannot be stored, as `{"loc", "msg"}` errors."""
    headers = dict(scope["headers"])
    content_type = headers.get(b"content-type", b"").decode("latin-1").split(";")[0]
    content_type = content_type.strip().lower()
    if content_type in ("", "application/json") or content_type.endswith("+json"):
        return _json_body_problems(body)
    if content_type in ("application/x-www-form-urlencoded", "multipart/form-data"):
        return await _form_body_problems(scope, body, content_type == "multipart/form-data")
    return [
        {"loc": loc, "msg": NUL_MESSAGE} for loc in nul_locations_in_raw_body(content_type, body)
    ]


def nul_locations_in_raw_body(content_type: str, body: bytes) -> list[Location]:
    """Where a CSV or other (not JSON, not form) request body holds a NUL."""
    if b"\x00" not in body:
        return []
    if content_type == "text/csv":
        return nul_locations_in_csv(body.decode("utf-8-sig", errors="replace"))
    return [["body"]]


def nul_locations_in_head(scope: Scope, *, exempt: bool) -> list[Location]:
    """Where the path, query string, headers or cookies hold a NUL."""
    found: list[Location] = []
    for name, value in scope["headers"]:
        if b"\x00" in name or b"\x00" in value:
            found.append(["header", _name(name.decode("latin-1"))])
        elif name == b"cookie":
            # As the app will read them: a quoted cookie may spell a NUL as the escape \000.
            for cookie_name, cookie_value in cookie_parser(value.decode("latin-1")).items():
                if NUL in cookie_name or NUL in cookie_value:
                    found.append(["cookie", _name(cookie_name.replace(NUL, ""))])
    if exempt:
        return found
    if NUL in scope["path"]:
        found.append(["path"])
    query = scope.get("query_string", b"")
    if b"%00" in query or b"\x00" in query:
        # Blank values kept, as the app reads them: `?name%00` alone must be found too.
        pairs = parse_qsl(query.decode("latin-1"), keep_blank_values=True)
        found.extend(nul_locations_in_pairs(pairs, "query") or [["query"]])
    return found


class NulInputGuard:
    """ASGI middleware: a request holding U+0000 outside the victim's routes gets a 422."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        exempt = scope["path"].startswith(EXEMPT_PREFIXES) or scope["path"] in EXEMPT_PATHS
        found = nul_locations_in_head(scope, exempt=exempt)
        if found:
            errors = [{"loc": loc, "msg": NUL_MESSAGE} for loc in found]
            await _answer(scope, receive, send, 422, errors[:MAX_REPORTED])
            return
        if exempt or scope["method"] not in BODY_METHODS:
            await self.app(scope, receive, send)
            return
        try:
            body, disconnected = await _read_body(receive)
        except HTTPException as exc:  # the body size limit, raised while reading
            await _answer(scope, receive, send, exc.status_code, None)
            return
        if disconnected:
            return
        problems = await body_problems(scope, body)
        if problems:
            await _answer(scope, receive, send, 422, problems[:MAX_REPORTED])
            return
        await self.app(scope, _replay(body, receive), send)


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] == "http.disconnect":
            return b"", True
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _replay(body: bytes, receive: Receive) -> Receive:
    """A receive that hands the app the body already read, then the real channel's messages."""
    delivered = False

    async def replay() -> Message:
        nonlocal delivered
        if not delivered:
            delivered = True
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replay


async def _answer(
    scope: Scope, receive: Receive, send: Send, status: int, errors: list[dict[str, Any]] | None
) -> None:
    from app.errors import DEFAULT_DETAILS, error_response

    if status != 422:
        detail = DEFAULT_DETAILS.get(status, "")
    elif errors and all(error["msg"] == SURROGATE_MESSAGE for error in errors):
        detail = SURROGATE_DETAIL
    else:
        detail = DETAIL
    response = error_response(
        Request(scope), status, detail, type_slug="invalid-input" if errors else None, errors=errors
    )
    await response(scope, receive, send)
