"""One error tree, shown as problem+json under /api and as a GOV.UK page elsewhere."""

from __future__ import annotations

import logging
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse, RedirectResponse, Response
from starlette.exceptions import HTTPException as StarletteHTTPException
from starlette.types import ASGIApp, Message, Receive, Scope, Send

logger = logging.getLogger("victim_voice")

PROBLEM_JSON = "application/problem+json"

TITLES = {
    400: "Bad request",
    401: "Not signed in",
    403: "Forbidden",
    404: "Not found",
    405: "Method not allowed",
    409: "Conflict",
    410: "Gone",
    413: "Request too large",
    415: "Unsupported media type",
    422: "Invalid input",
    429: "Too many requests",
    500: "Something went wrong",
}

PAGE_TITLES = {
    401: "Sign in to continue",
    403: "You cannot see this page",
    404: "Page not found",
    405: "Page not found",
    410: "This link has ended",
    413: "What you sent is too large",
    422: "There is a problem with what you sent",
    429: "Too many attempts",
    500: "Sorry, there is a problem with the service",
}


@dataclass(frozen=True)
class FieldError:
    """What is wrong with one field, never what was sent in it.

    `loc` says where (`("query", "from")`), `msg` says what in the API's words, and `kind`
    names the problem so that a page can say it in its own words (see `error_summary`).
    """

    loc: tuple[str | int, ...]
    msg: str
    kind: str = ""

    @property
    def field(self) -> str:
        return str(self.loc[-1]) if self.loc else ""

    def as_problem(self) -> dict[str, Any]:
        return {"loc": list(self.loc), "msg": self.msg}


# A service may still hand over an error in the problem+json shape ({"loc", "msg"}).
ErrorItem = FieldError | Mapping[str, Any]


def field_errors(errors: Iterable[ErrorItem]) -> list[FieldError]:
    return [
        error
        if isinstance(error, FieldError)
        else FieldError(tuple(error.get("loc", ())), str(error.get("msg", "")))
        for error in errors
    ]


def problem_errors(errors: Iterable[ErrorItem]) -> list[dict[str, Any]]:
    """The `errors` member of a problem+json body."""
    return [
        error.as_problem() if isinstance(error, FieldError) else dict(error) for error in errors
    ]


# A page's words for a problem: (field, kind) → (text, id of the field the summary links to).
PageTexts = Mapping[tuple[str, str], tuple[str, str]]


def error_summary(errors: Iterable[ErrorItem], texts: PageTexts) -> list[dict[str, str]]:
    """GOV.UK error summary items for the same errors the API shows as problem+json.

    A problem the page has words for links to its field; any other names where it is (a
    field's name, never what was sent), as the page has no field of that name to link to.
    Two problems the page words alike are one item.
    """
    items: list[dict[str, str]] = []
    for error in field_errors(errors):
        page_text = texts.get((error.field, error.kind))
        if page_text is None:
            where = " ".join(str(part) for part in error.loc)
            item = {"text": f"{where}: {error.msg}"}
        else:
            item = {"text": page_text[0], "href": f"#{page_text[1]}"}
        if item not in items:
            items.append(item)
    return items


class AppError(Exception):
    """An error a user can act on; carries its own status and a safe message.

    `field_errors` say which fields are wrong; `errors` is the same in problem+json's shape.
    """

    status_code = 400
    type_slug = "bad-request"

    def __init__(
        self,
        detail: str,
        *,
        errors: Sequence[ErrorItem] | None = None,
        headers: dict[str, str] | None = None,
    ) -> None:
        super().__init__(detail)
        self.detail = detail
        self.field_errors = field_errors(errors or ())
        self.errors = problem_errors(self.field_errors) if errors is not None else None
        self.headers = headers


class BadRequest(AppError):
    status_code = 400
    type_slug = "bad-request"


class NotAuthenticated(AppError):
    status_code = 401
    type_slug = "not-authenticated"


class Forbidden(AppError):
    status_code = 403
    type_slug = "forbidden"


class NotFound(AppError):
    status_code = 404
    type_slug = "not-found"


class Conflict(AppError):
    status_code = 409
    type_slug = "conflict"


class Gone(AppError):
    status_code = 410
    type_slug = "gone"


class PayloadTooLarge(AppError):
    status_code = 413
    type_slug = "payload-too-large"


class UnsupportedMediaType(AppError):
    status_code = 415
    type_slug = "unsupported-media-type"


class InvalidInput(AppError):
    status_code = 422
    type_slug = "invalid-input"


class TooManyRequests(AppError):
    status_code = 429
    type_slug = "too-many-requests"


def wants_problem_json(request: Request) -> bool:
    path = request.url.path
    return path.startswith("/api/") or "application/json" in request.headers.get("accept", "")


def problem_response(
    status: int,
    detail: str,
    *,
    type_slug: str | None = None,
    errors: Sequence[ErrorItem] | None = None,
    headers: dict[str, str] | None = None,
) -> JSONResponse:
    body: dict[str, Any] = {
        "type": f"/problems/{type_slug or TITLES.get(status, 'error').lower().replace(' ', '-')}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail,
    }
    if errors is not None:
        body["errors"] = problem_errors(errors)
    return JSONResponse(body, status_code=status, media_type=PROBLEM_JSON, headers=headers)


def _error_page(
    request: Request,
    status: int,
    detail: str,
    headers: dict[str, str] | None,
    errors: Sequence[ErrorItem] | None = None,
) -> Response:
    from app.templating import render

    response = render(
        request,
        "errors/error.html",
        status_code=status,
        page_title=PAGE_TITLES.get(status, TITLES.get(status, "Error")),
        detail=detail,
        status=status,
        error_summary=error_summary(errors or [], {}),
    )
    if headers:
        response.headers.update(headers)
    return response


def error_response(
    request: Request,
    status: int,
    detail: str,
    *,
    type_slug: str | None = None,
    errors: Sequence[ErrorItem] | None = None,
    headers: dict[str, str] | None = None,
) -> Response:
    if wants_problem_json(request):
        return problem_response(status, detail, type_slug=type_slug, errors=errors, headers=headers)
    return _error_page(request, status, detail, headers, errors)


def sign_in_redirect(request: Request) -> Response:
    """A page that needs a staff sign-in sends the browser to the sign-in form, and back."""
    target = "/staff/login"
    if request.method in ("GET", "HEAD"):
        path = request.url.path
        if request.url.query:
            path = f"{path}?{request.url.query}"
        target = f"{target}?{urlencode({'next': path})}"
    return RedirectResponse(target, status_code=303)


def _validation_errors(exc: RequestValidationError) -> list[dict[str, Any]]:
    # Pydantic's "input" and "ctx" may echo what was sent (a phone number, an answer): drop them.
    return [
        {"loc": [str(part) for part in error.get("loc", ())], "msg": str(error.get("msg", ""))}
        for error in exc.errors()
    ]


DEFAULT_DETAILS = {
    401: "Sign in, or send a valid API key.",
    403: "You do not have permission to do that.",
    404: "There is nothing at this address.",
    405: "This address does not accept that method.",
    413: "The request body is larger than this service accepts.",
}


def register_error_handlers(app: FastAPI) -> None:
    @app.exception_handler(AppError)
    async def _app_error(request: Request, exc: AppError) -> Response:
        if isinstance(exc, NotAuthenticated) and not wants_problem_json(request):
            return sign_in_redirect(request)
        return error_response(
            request,
            exc.status_code,
            exc.detail,
            type_slug=exc.type_slug,
            errors=exc.errors,
            headers=exc.headers,
        )

    @app.exception_handler(RequestValidationError)
    async def _validation(request: Request, exc: RequestValidationError) -> Response:
        errors = _validation_errors(exc)
        return error_response(
            request, 422, "The request has invalid or missing values.", errors=errors
        )

    @app.exception_handler(StarletteHTTPException)
    async def _http(request: Request, exc: StarletteHTTPException) -> Response:
        detail = DEFAULT_DETAILS.get(exc.status_code) or str(exc.detail)
        return error_response(request, exc.status_code, detail, headers=dict(exc.headers or {}))


UNEXPECTED_DETAIL = "An unexpected error happened. It has been logged without your data."


def _route_template(scope: Scope) -> str:
    # The template (/s/{token}), never the path itself: a path can hold a survey token.
    return str(getattr(scope.get("route"), "path", "(no route)"))


class UnexpectedErrorMiddleware:
    """Turns an unhandled exception into our 500 (problem+json or a page) inside the app.

    It sits inside the security headers middleware, so a 500 carries the same headers as any
    other response; and as the exception stops here, no traceback (which could quote input)
    reaches the server's log: only its type and the route template are logged.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        started = False

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
            await send(message)

        try:
            await self.app(scope, receive, tracking_send)
        except Exception as exc:  # noqa: BLE001 - the last line of defence, by design
            logger.error(
                "unhandled %s at %s %s",
                type(exc).__name__,
                scope.get("method", ""),
                _route_template(scope),
            )
            if started:
                return  # the response is already on its way; nothing more can be said
            response = error_response(Request(scope), 500, UNEXPECTED_DETAIL)
            await response(scope, receive, send)
