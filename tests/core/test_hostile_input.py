"""Hostile input on every route: a NUL (U+0000), or an integer no database column can hold.

The routes are enumerated from the app itself (the OpenAPI routes and the HTML pages alike), so
a new route is covered the day it is added. For each one a NUL goes into every path parameter,
every query parameter, every field of its body (JSON at the top, deep inside and in a key; form
fields urlencoded and multipart) one at a time; the answer must be a 422 that says where the
NUL is without echoing anything, and nothing may be written. Run on PostgreSQL (which cannot
store a NUL at all) as well as SQLite.

The victim's routes are exempt from the guard: the survey strips control characters there
instead (a victim is never refused for what their text holds).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Annotated, Any, get_args, get_origin

import pytest
from fastapi.routing import APIRoute
from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlmodel import Session

from app.enums import Role
from app.input_guard import NUL_MESSAGE, SURROGATE_MESSAGE
from tests.auth_helpers import api_headers, create_staff_user, form_csrf_token

NUL = "\x00"
VICTIM_PREFIXES = ("/s/", "/survey/", "/api/v1/survey/")
CALLBACK_TOKEN = "callback-token-0123456789"
GOOD_PATH_VALUES = {
    "slug": "general",
    "version": "1",
    "batch_id": str(uuid.uuid4()),
    "comment_id": str(uuid.uuid4()),
    "request_id": str(uuid.uuid4()),
    "period": "2026-Q3",
    "metric_id": "satisfaction.overall",
}
DB_INT_MAX = 2**31 - 1


def walk_routes(routes: list[Any]) -> Iterator[Any]:
    """Every route of the app, through FastAPI's included routers (any nesting)."""
    for route in routes:
        if hasattr(route, "effective_candidates"):
            yield from walk_routes(route.effective_candidates())
        else:
            yield route


def _flat_params(dependant: Any, kind: str) -> list[Any]:
    found = list(getattr(dependant, f"{kind}_params"))
    for sub in dependant.dependencies:
        found.extend(_flat_params(sub, kind))
    unique: dict[str, Any] = {}
    for param in found:
        unique.setdefault(param.alias, param)
    return list(unique.values())


def _is_int(annotation: Any) -> bool:
    """int, an Annotated int (app.banks.service.VersionNumber), or an optional one."""
    if annotation is int:
        return True
    if get_origin(annotation) is Annotated:
        return _is_int(get_args(annotation)[0])
    return any(_is_int(arg) for arg in get_args(annotation))


@dataclass
class Endpoint:
    method: str
    path: str
    path_params: list[str]
    query_params: list[tuple[str, Any]]
    json_fields: list[str] = field(default_factory=list)
    form_fields: list[str] = field(default_factory=list)
    # Path parameters typed as integers (a version, an action's id): each is fuzzed with numbers
    # no database column holds, whatever it is called.
    int_path_params: list[str] = field(default_factory=list)

    @property
    def is_api(self) -> bool:
        return self.path.startswith("/api/")


def app_endpoints() -> list[Endpoint]:
    from app.main import create_app

    endpoints = []
    for route in walk_routes(create_app().router.routes):
        original = getattr(route, "original_route", route)
        if not isinstance(original, APIRoute):
            continue
        dependant = original.dependant
        body = _flat_params(dependant, "body")
        json_fields: list[str] = []
        form_fields: list[str] = []
        for param in body:
            annotation = param.field_info.annotation
            if type(param.field_info).__name__ == "Form":
                form_fields.append(param.alias)
            elif hasattr(annotation, "model_fields"):
                json_fields.extend(annotation.model_fields)
        for method in sorted(route.methods - {"HEAD"}):
            endpoints.append(
                Endpoint(
                    method=method,
                    path=route.path,
                    path_params=[p.alias for p in _flat_params(dependant, "path")],
                    query_params=[
                        (p.alias, p.field_info.annotation) for p in _flat_params(dependant, "query")
                    ],
                    json_fields=json_fields,
                    form_fields=form_fields,
                    int_path_params=[
                        p.alias
                        for p in _flat_params(dependant, "path")
                        if _is_int(p.field_info.annotation)
                    ],
                )
            )
    return endpoints


ENDPOINTS = app_endpoints()
VICTIM_PATHS = frozenset({"/code"})  # the code page: odd input is a wrong code, on its own page
GUARDED = [
    e for e in ENDPOINTS if not e.path.startswith(VICTIM_PREFIXES) and e.path not in VICTIM_PATHS
]


def _url(endpoint: Endpoint, **values: str) -> str:
    filled = {name: GOOD_PATH_VALUES.get(name, "x") for name in endpoint.path_params}
    filled.update(values)
    return endpoint.path.format(**filled)


@dataclass
class Case:
    endpoint: Endpoint
    where: list[str | int]
    url: str
    params: dict[str, str] = field(default_factory=dict)
    kwargs: dict[str, Any] = field(default_factory=dict)


def nul_cases() -> Iterator[Any]:
    for endpoint in GUARDED:
        name = f"{endpoint.method} {endpoint.path}"
        for param in endpoint.path_params:
            url = _url(endpoint, **{param: "ab%00cd"})
            yield pytest.param(Case(endpoint, ["path"], url), id=f"{name} path {param}")
        for param, _annotation in endpoint.query_params:
            case = Case(endpoint, ["query", param], _url(endpoint), params={param: f"2026{NUL}"})
            yield pytest.param(case, id=f"{name} query {param}")
        if endpoint.method == "GET":
            # Pages that read their filters from the query string by hand.
            case = Case(endpoint, ["query", "period"], _url(endpoint), params={"period": NUL})
            yield pytest.param(case, id=f"{name} query (read by hand)")
        for body_field in endpoint.json_fields:
            top = {body_field: f"x{NUL}y"}
            yield pytest.param(
                Case(endpoint, ["body", body_field], _url(endpoint), kwargs={"json": top}),
                id=f"{name} json {body_field}",
            )
            deep = {body_field: {"sections": [{"questions": [{"text": f"a{NUL}"}]}]}}
            where: list[str | int] = ["body", body_field, "sections", 0, "questions", 0, "text"]
            yield pytest.param(
                Case(endpoint, where, _url(endpoint), kwargs={"json": deep}),
                id=f"{name} json deep {body_field}",
            )
        if endpoint.json_fields:
            key = {f"na{NUL}me": 1}
            yield pytest.param(
                Case(endpoint, ["body", "(a key)"], _url(endpoint), kwargs={"json": key}),
                id=f"{name} json key",
            )
        for form_field in endpoint.form_fields:
            data = {name_: "ok" for name_ in endpoint.form_fields}
            data[form_field] = f"x{NUL}y"
            yield pytest.param(
                Case(endpoint, ["body", form_field], _url(endpoint), kwargs={"data": data}),
                id=f"{name} form {form_field}",
            )
            files = {name_: (None, value) for name_, value in data.items()}
            yield pytest.param(
                Case(endpoint, ["body", form_field], _url(endpoint), kwargs={"files": files}),
                id=f"{name} multipart {form_field}",
            )


def surrogate_cases() -> Iterator[Any]:
    for endpoint in GUARDED:
        for body_field in endpoint.json_fields:
            # json.dumps escapes it as \\ud800, as a client would send it (httpx's json= can't).
            body = json.dumps({body_field: LONE}).encode()
            kwargs = {"content": body, "headers": {"Content-Type": "application/json"}}
            case = Case(endpoint, ["body", body_field], _url(endpoint), kwargs=kwargs)
            yield pytest.param(case, id=f"{endpoint.method} {endpoint.path} json {body_field}")


LONE = "x\ud800y"  # half of a surrogate pair: JSON can spell it, no driver can encode it


BATCH_ROW = {
    "case_ref": "CR/1",
    "crime_group": "general",
    "touchpoint": "reporting",
    "touchpoint_date": "2026-11-20",
    "channel": "sms",
    "phone": "07911 123456",
    "safe_to_contact": True,
}
BATCH_CASES = [
    pytest.param(
        {"json": {"rows": [BATCH_ROW, {**BATCH_ROW, "case_ref": f"CR{NUL}2"}]}},
        ["body", "rows", 1, "case_ref"],
        id="json row",
    ),
    pytest.param(
        {"json": {"rows": [{**BATCH_ROW, f"extra{NUL}": "x"}]}},
        ["body", "rows", 0, "(a key)"],
        id="json key",
    ),
    pytest.param(
        {
            "content": (
                "case_ref,crime_group,touchpoint,touchpoint_date,channel,phone,safe_to_contact\n"
                "CR/1,general,reporting,2026-11-20,sms,07911 123456,true\n"
                f"CR/2,general,reporting,2026-11-20,sms,07911 12{NUL}3457,true\n"
            ).encode(),
            "headers": {"Content-Type": "text/csv"},
        },
        ["body", "row", 1],
        id="csv row",
    ),
]


def _row_counts(db: Session) -> dict[str, int]:
    import app.models  # noqa: F401
    from app.db import metadata

    counts = {
        table.name: int(db.scalar(select(func.count()).select_from(table)) or 0)
        for table in metadata.sorted_tables
    }
    db.rollback()  # end the read: SQLite would otherwise hold the app's writes back
    return counts


@pytest.fixture
def hostile_client(
    client: TestClient, db: Session, settings_override: Any
) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """The app, with an admin key and a login form's CSRF cookie (so a NUL gets past them)."""
    settings_override(VV_NOTIFY_CALLBACK_TOKEN=CALLBACK_TOKEN)
    # Bound to a person: only such a key may change or approve a bank (the two-person rule).
    admin = create_staff_user(db, Role.admin)
    headers = api_headers(db, Role.admin, user=admin)
    yield client, headers


def _send(client: TestClient, headers: dict[str, str], case: Case) -> Any:
    endpoint = case.endpoint
    request_headers = dict(headers)
    if "/callbacks/" in endpoint.path:
        request_headers = {"Authorization": f"Bearer {CALLBACK_TOKEN}"}
    kwargs = dict(case.kwargs)
    if endpoint.path.startswith("/staff/login") or endpoint.path.startswith("/staff/2fa"):
        request_headers = {}
        token = form_csrf_token(client.get("/staff/login").text)
        if "data" in kwargs and case.where != ["body", "csrf_token"]:
            kwargs["data"] = {**kwargs["data"], "csrf_token": token}
    if "headers" in kwargs:
        request_headers.update(kwargs.pop("headers"))
    return client.request(
        endpoint.method,
        case.url,
        params=case.params,
        headers=request_headers,
        follow_redirects=False,
        **kwargs,
    )


def assert_refused_for_nul(response: Any, where: list[str | int], *, api: bool) -> None:
    assert response.status_code == 422, (response.status_code, response.text[:300])
    if api:
        assert response.headers["content-type"] == "application/problem+json"
        body = response.json()
        assert "null character" in body["detail"]
        assert where in [error["loc"] for error in body["errors"]], body["errors"]
        assert all("U+0000" in error["msg"] for error in body["errors"])
    else:
        assert response.headers["content-type"].startswith("text/html")
        assert "govuk-error-summary" in response.text
        assert "null character" in response.text
        assert " ".join(str(part) for part in where) in response.text
    assert NUL not in response.text


@pytest.mark.parametrize("case", list(nul_cases()))
def test_a_nul_anywhere_in_staff_or_api_input_is_refused_and_nothing_is_written(
    hostile_client: tuple[TestClient, dict[str, str]], db: Session, case: Case
) -> None:
    client, headers = hostile_client
    before = _row_counts(db)

    response = _send(client, headers, case)

    assert_refused_for_nul(response, case.where, api=case.endpoint.is_api)
    assert _row_counts(db) == before


@pytest.mark.parametrize(("kwargs", "where"), BATCH_CASES)
def test_a_nul_in_a_batch_upload_is_refused_with_its_row(
    hostile_client: tuple[TestClient, dict[str, str]],
    db: Session,
    kwargs: dict[str, Any],
    where: list[str | int],
) -> None:
    client, headers = hostile_client
    before = _row_counts(db)
    kwargs = dict(kwargs)
    request_headers = {**headers, **kwargs.pop("headers", {})}

    response = client.post("/api/v1/invitation-batches", headers=request_headers, **kwargs)

    assert_refused_for_nul(response, where, api=True)
    assert "CR" not in response.text and "07911" not in response.text
    assert _row_counts(db) == before


@pytest.mark.parametrize("case", list(surrogate_cases()))
def test_an_unpaired_surrogate_in_a_json_body_is_refused_and_nothing_is_written(
    hostile_client: tuple[TestClient, dict[str, str]], db: Session, case: Case
) -> None:
    client, headers = hostile_client
    before = _row_counts(db)

    response = _send(client, headers, case)

    assert response.status_code == 422, (response.status_code, response.text[:300])
    body = response.json()
    assert "not valid Unicode" in body["detail"]
    assert body["errors"] == [
        {"loc": case.where, "msg": "must be valid Unicode text (it holds an unpaired surrogate)"}
    ]
    assert _row_counts(db) == before


def test_a_surrogate_pair_is_text_like_any_other(
    hostile_client: tuple[TestClient, dict[str, str]], db: Session
) -> None:
    client, headers = hostile_client
    # "\ud83d\ude00" is one emoji, written as a pair: it must pass the guard.
    response = client.post(
        "/api/v1/actions",
        content=b'{"text": "We listened \\ud83d\\ude00"}',
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code < 400, response.text


def test_an_unpaired_surrogate_in_a_batch_row_is_refused_with_its_row(
    hostile_client: tuple[TestClient, dict[str, str]], db: Session
) -> None:
    # The batch route parses its own JSON (json.loads takes a lone surrogate; pydantic does not).
    client, headers = hostile_client
    before = _row_counts(db)
    other = {**BATCH_ROW, "phone": "07911 123457", "case_ref": LONE}
    body = json.dumps({"rows": [BATCH_ROW, other]}).encode()
    response = client.post(
        "/api/v1/invitation-batches",
        content=body,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 422, response.text
    assert response.json()["errors"] == [
        {
            "loc": ["body", "rows", 1, "case_ref"],
            "msg": "must be valid Unicode text (it holds an unpaired surrogate)",
        }
    ]
    assert _row_counts(db) == before


def test_every_guarded_route_is_covered() -> None:
    """The enumeration found the routes the issue named, and every one has at least one case."""
    paths = {(e.method, e.path) for e in GUARDED}
    for expected in [
        ("POST", "/staff/login"),
        ("POST", "/api/v1/callbacks/notify/delivery"),
        ("POST", "/api/v1/callbacks/notify/inbound-sms"),
        ("POST", "/api/v1/banks/{slug}/drafts"),
        ("GET", "/staff/dashboard"),
    ]:
        assert expected in paths
    covered = {(c.values[0].endpoint.method, c.values[0].endpoint.path) for c in nul_cases()}
    assert covered | {("POST", "/api/v1/invitation-batches")} == paths  # BATCH_CASES


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("Authorization", f"Bearer vv_{NUL}abc_def"),
        ("Cookie", 'vv_session="\\000abc"'),
        ("X-CSRF-Token", f"a{NUL}"),
    ],
)
def test_a_nul_in_a_header_or_cookie_is_refused(
    hostile_client: tuple[TestClient, dict[str, str]], db: Session, name: str, value: str
) -> None:
    client, _headers = hostile_client
    before = _row_counts(db)
    response = client.get("/api/v1/banks", headers={name: value})
    assert response.status_code == 422
    assert response.json()["errors"][0]["loc"][0] in ("header", "cookie")
    assert _row_counts(db) == before


@pytest.mark.parametrize(
    ("url", "where"),
    [
        ("/api/v1/banks?na%00me", ["query", "(a name)"]),
        ("/api/v1/banks?x=1&y=%00", ["query", "y"]),
        ("/api/v1/banks?x=1;y=%00", ["query", "x"]),
    ],
)
def test_a_nul_in_any_shape_of_query_string_is_refused(
    hostile_client: tuple[TestClient, dict[str, str]], url: str, where: list[str]
) -> None:
    client, headers = hostile_client
    response = client.get(url, headers=headers)
    assert_refused_for_nul(response, where, api=True)


@pytest.mark.parametrize(
    "url",
    [
        "/s/ab%00cd",
        "/s/ab%00cd/stop",
        "/survey/page/ab%00cd",
        "/api/v1/survey/ab%00cd",
    ],
)
def test_the_victims_routes_are_not_refused_by_the_guard(client: TestClient, url: str) -> None:
    # The survey strips control characters there itself; the guard stays out of the way.
    response = client.get(url, follow_redirects=False)
    assert response.status_code < 500
    assert "null character" not in response.text


# --- integers no database column can hold ------------------------------------------------------


def huge_int_cases() -> Iterator[Any]:
    for endpoint in ENDPOINTS:
        name = f"{endpoint.method} {endpoint.path}"
        for param in endpoint.int_path_params:
            for number in (str(2**64), "9" * 30, str(DB_INT_MAX + 1), "-1"):
                url = _url(endpoint, **{param: number})
                yield pytest.param(endpoint, url, {}, id=f"{name} path {param}={number[:12]}")
        for param, annotation in endpoint.query_params:
            if _is_int(annotation):
                for number in (str(2**64), "9" * 30, str(DB_INT_MAX + 1), "-1"):
                    yield pytest.param(
                        endpoint,
                        _url(endpoint),
                        {param: number},
                        id=f"{name} query {param}={number[:12]}",
                    )


def test_huge_int_enumeration_finds_every_int_parameter() -> None:
    int_path_params = {(e.method, e.path) for e in ENDPOINTS if e.int_path_params}
    assert ("GET", "/api/v1/banks/{slug}/versions/{version}") in int_path_params
    assert ("GET", "/staff/banks/{slug}/versions/{version}") in int_path_params
    assert ("PATCH", "/api/v1/actions/{action_id}") in int_path_params
    assert ("POST", "/staff/actions/{action_id}") in int_path_params
    found = {(c.values[0].method, c.values[0].path) for c in huge_int_cases()}
    assert int_path_params <= found
    assert ("GET", "/api/v1/banks/{slug}/diff") in found  # ?from= and ?to=
    assert ("GET", "/staff/banks/{slug}/drafts/new") in found  # ?from=


@pytest.mark.parametrize(("endpoint", "url", "params"), list(huge_int_cases()))
def test_an_integer_too_big_for_the_database_is_404_or_422(
    hostile_client: tuple[TestClient, dict[str, str]],
    db: Session,
    endpoint: Endpoint,
    url: str,
    params: dict[str, str],
) -> None:
    from tests.factories import create_bank_version

    client, headers = hostile_client
    create_bank_version(db, {"title": "General"})
    db.commit()
    before = _row_counts(db)

    response = client.request(
        endpoint.method, url, params=params, headers=headers, follow_redirects=False
    )

    assert response.status_code in (404, 422), (response.status_code, response.text[:300])
    if endpoint.is_api:
        assert response.headers["content-type"] == "application/problem+json"
    assert _row_counts(db) == before


# --- a body far over the limit ---------------------------------------------------------------


@pytest.mark.parametrize("streamed", [False, True], ids=["declared", "streamed"])
def test_a_50_mb_body_is_413_whether_or_not_its_length_is_declared(
    hostile_client: tuple[TestClient, dict[str, str]], db: Session, streamed: bool
) -> None:
    client, headers = hostile_client
    before = _row_counts(db)
    body = b'{"rows": ["' + b"x" * (50 * 1024 * 1024) + b'"]}'
    content: Any = body
    if streamed:  # no Content-Length: the limit must hold while the body arrives
        content = iter([body[i : i + 1024 * 1024] for i in range(0, len(body), 1024 * 1024)])
    response = client.post(
        "/api/v1/invitation-batches",
        content=content,
        headers={**headers, "Content-Type": "application/json"},
    )
    assert response.status_code == 413
    assert response.headers["content-type"] == "application/problem+json"
    assert _row_counts(db) == before


# --- staff forms: text that only becomes a NUL or a lone surrogate once decoded ---------------
#
# A form's bytes need hold no NUL: a multipart body may declare its charset, and Starlette
# decodes every field with it, so in UTF-7 "+AAA-" is a NUL and "+2AA-" half a surrogate pair.
# Every staff form route is tried, signed in and with a valid CSRF token (in the header, so
# every field can be hostile), as a staff user who could otherwise have saved the form.

STAFF_FORMS = [e for e in GUARDED if not e.is_api and e.form_fields]
UTF7_LONE = b"x+2AA-y"  # "x\ud800y"
UTF7_NUL = b"x+AAA-y"  # "x\x00y"
NOT_STORABLE = {"surrogate": SURROGATE_MESSAGE, "nul": NUL_MESSAGE}


def multipart(
    fields: list[tuple[bytes, bytes]], *, charset: str | None = None, part_type: str | None = None
) -> tuple[bytes, str]:
    """A multipart/form-data body built by hand (httpx cannot declare a charset)."""
    boundary = "vv-" + uuid.uuid4().hex
    parts = []
    for name, value in fields:
        head = b'Content-Disposition: form-data; name="' + name + b'"\r\n'
        if part_type:
            head += b"Content-Type: " + part_type.encode() + b"\r\n"
        parts.append(b"--" + boundary.encode() + b"\r\n" + head + b"\r\n" + value + b"\r\n")
    body = b"".join(parts) + b"--" + boundary.encode() + b"--\r\n"
    content_type = f"multipart/form-data; boundary={boundary}"
    if charset:
        content_type += f"; charset={charset}"
    return body, content_type


def staff_form_cases() -> Iterator[Any]:
    for endpoint in STAFF_FORMS:
        name = f"{endpoint.method} {endpoint.path}"
        for form_field in endpoint.form_fields:
            for kind, value in (("surrogate", UTF7_LONE), ("nul", UTF7_NUL)):
                fields = [
                    (f.encode(), value if f == form_field else b"ok") for f in endpoint.form_fields
                ]
                yield pytest.param(
                    endpoint,
                    fields,
                    ["body", form_field],
                    kind,
                    id=f"{name} utf-7 {kind} {form_field}",
                )
        fields = [(f.encode(), b"ok") for f in endpoint.form_fields] + [(b"+2AA-", b"ok")]
        yield pytest.param(
            endpoint, fields, ["body", "(a name)"], "surrogate", id=f"{name} utf-7 name"
        )


@pytest.fixture
def staff_pages(client: TestClient, db: Session) -> Iterator[tuple[TestClient, dict[str, str]]]:
    """Signed in with every role, over the general bank; the session's CSRF token in the
    header, so every form field is free to be hostile."""
    from tests.auth_helpers import signed_in_client, staff_csrf_token
    from tests.factories import create_bank_version

    create_bank_version(db, {"title": "General"})
    db.commit()
    staff = signed_in_client(client, db, list(Role), banks=["general"])
    yield staff, {"X-CSRF-Token": staff_csrf_token(staff)}


def _post_staff_form(
    staff: TestClient,
    headers: dict[str, str],
    endpoint: Endpoint,
    fields: list[tuple[bytes, bytes]],
    build: Callable[[list[tuple[bytes, bytes]]], tuple[bytes, str]],
) -> Any:
    request_headers = dict(headers)
    if endpoint.path.startswith(("/staff/login", "/staff/2fa")):
        # Signed out, with the sign-in form's own token (read from the form, never the header).
        staff.cookies.clear()
        token = form_csrf_token(staff.get("/staff/login").text).encode()
        fields = [(n, token if n == b"csrf_token" and v == b"ok" else v) for n, v in fields]
    body, content_type = build(fields)
    request_headers["Content-Type"] = content_type
    return staff.request(
        endpoint.method,
        _url(endpoint),
        content=body,
        headers=request_headers,
        follow_redirects=False,
    )


def test_every_staff_form_route_is_covered() -> None:
    paths = {e.path for e in STAFF_FORMS}
    assert {
        "/staff/login",
        "/staff/2fa",
        "/staff/banks/{slug}/drafts",
        "/staff/banks/{slug}/drafts/{version}",
        "/staff/comments/{comment_id}/check",
        "/staff/actions",
    } <= paths
    covered = {c.values[0].path for c in staff_form_cases()}
    assert covered == paths


@pytest.mark.parametrize(("endpoint", "fields", "where", "kind"), list(staff_form_cases()))
def test_a_staff_form_field_decoding_to_unstorable_text_is_refused_and_nothing_is_written(
    staff_pages: tuple[TestClient, dict[str, str]],
    db: Session,
    endpoint: Endpoint,
    fields: list[tuple[bytes, bytes]],
    where: list[str | int],
    kind: str,
) -> None:
    staff, headers = staff_pages
    before = _row_counts(db)

    response = _post_staff_form(
        staff, headers, endpoint, fields, lambda f: multipart(f, charset="utf-7")
    )

    assert response.status_code == 422, (response.status_code, response.text[:300])
    assert response.headers["content-type"].startswith("text/html")
    assert "govuk-error-summary" in response.text
    assert NOT_STORABLE[kind] in response.text
    assert " ".join(str(part) for part in where) in response.text
    assert NUL not in response.text and "\ufffd" not in response.text
    assert _row_counts(db) == before


HARMLESS_FORMS = [
    # A part's own charset is not Starlette's to honour: the text stays "+2AA-", as typed.
    pytest.param(lambda f: multipart(f, part_type="text/plain; charset=utf-7"), id="part utf-7"),
    # A charset Python does not know: Starlette reads the bytes as Latin-1.
    pytest.param(lambda f: multipart(f, charset="x-no-such-charset"), id="unknown charset"),
    # Bytes that are not UTF-8 (a surrogate's and an overlong NUL's encodings).
    pytest.param(
        lambda f: multipart([(n, v.replace(b"+2AA-", b"\xed\xa0\x80\xc0\x80")) for n, v in f]),
        id="multipart bad utf-8",
    ),
    pytest.param(
        lambda f: (
            "&".join(
                f"{n.decode()}={'x%ED%A0%80%C0%80y' if v != b'ok' else 'ok'}" for n, v in f
            ).encode(),
            "application/x-www-form-urlencoded",
        ),
        id="urlencoded bad utf-8",
    ),
]


@pytest.mark.parametrize("build", HARMLESS_FORMS)
@pytest.mark.parametrize("endpoint", STAFF_FORMS, ids=lambda e: f"{e.method} {e.path}")
def test_a_staff_form_in_an_odd_encoding_never_gives_a_500(
    staff_pages: tuple[TestClient, dict[str, str]], db: Session, endpoint: Endpoint, build: Any
) -> None:
    staff, headers = staff_pages
    fields = [(f.encode(), b"+2AA-") for f in endpoint.form_fields]

    response = _post_staff_form(staff, headers, endpoint, fields, build)

    assert response.status_code < 500, (response.status_code, response.text[:300])
    assert NUL not in response.text
