"""The OpenAPI document as a client needs it: how to authenticate, and every problem+json error
each operation can answer, with an example (FastAPI's generator knows neither).

Which errors apply is read from each route itself: a staff route depends on
`app/auth/deps.py: authenticated_caller` (401, 403), a Notify callback on its token (401), a
survey route takes a token (404 unknown, 410 ended); path parameters name something that may not
exist (404); a body may be too large (413); parameters or a body may be invalid (422). Conflicts
(409) are the operations listed in CONFLICTS, as their services raise them.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator
from typing import Any

from fastapi import FastAPI
from fastapi.dependencies.models import Dependant
from fastapi.openapi.utils import get_openapi
from fastapi.routing import APIRoute, iter_route_contexts

from app.errors import PROBLEM_JSON, TITLES

API_PREFIX = "/api/v1"
STAFF_SCHEME = "apiKey"
CALLBACK_SCHEME = "notifyCallback"
SECURITY_SCHEMES = {
    STAFF_SCHEME: {
        "type": "http",
        "scheme": "bearer",
        "bearerFormat": "API key",
        "description": "An API key made with `victim-voice api-keys create`, sent as "
        "`Authorization: Bearer <key>`. Its roles decide what it may do (403 otherwise). A "
        "signed-in staff browser session with its CSRF token also works.",
    },
    CALLBACK_SCHEME: {
        "type": "http",
        "scheme": "bearer",
        "description": "GOV.UK Notify's callbacks: the bearer token VV_NOTIFY_CALLBACK_TOKEN.",
    },
}
# (method, path) → what the 409 means there.
CONFLICTS: dict[tuple[str, str], str] = {
    ("put", "/survey/{token}/answers"): "The survey has been submitted: answers cannot change.",
    ("put", "/banks/{slug}/drafts/{version}"): "Version 3 is in_review: only drafts can change.",
    ("post", "/banks/{slug}/drafts/{version}/submit"): (
        "Version 3 is published: only a draft can be submitted."
    ),
    ("post", "/banks/{slug}/drafts/{version}/approve"): (
        "The draft changed after the content_hash you reviewed: review it again."
    ),
    ("post", "/banks/{slug}/drafts"): "Another draft of this bank is under way.",
    ("post", "/contact-requests/{request_id}/close"): "This request is already closed.",
}
# status → (the type's slug, as app/errors.py's AppError classes give it; a general detail).
EXAMPLES: dict[int, tuple[str, str]] = {
    401: ("not-authenticated", "Send an API key as a bearer token."),
    403: ("forbidden", "Your roles do not allow this."),
    404: ("not-found", "Nothing was found at this address."),
    409: ("conflict", "The thing changed or is in another state."),
    410: ("gone", "This link is no longer available."),
    413: ("payload-too-large", "The request body is too large."),
    422: ("invalid-input", "The request is not valid."),
}
PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "description": "RFC 9457 problem details. Never echoes what was sent.",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "example": "/problems/invalid-input"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "errors": {
            "type": "array",
            "description": "422 only: one item per wrong field.",
            "items": {
                "type": "object",
                "properties": {
                    "loc": {"type": "array", "items": {"type": ["string", "integer"]}},
                    "msg": {"type": "string"},
                },
            },
        },
    },
}


def _dependency_names(dependant: Dependant) -> Iterator[str]:
    for sub in dependant.dependencies:
        yield getattr(sub.call, "__qualname__", "")
        yield from _dependency_names(sub)


def _problem(status: int, detail: str | None = None) -> dict[str, Any]:
    slug, default = EXAMPLES[status]
    title = TITLES[status]
    example: dict[str, Any] = {
        "type": f"/problems/{slug}",
        "title": title,
        "status": status,
        "detail": detail or default,
    }
    if status == 422:
        example["errors"] = [{"loc": ["query", "from"], "msg": "Use YYYY-MM or YYYY-Qn."}]
    return {
        "description": title,
        "content": {
            PROBLEM_JSON: {"schema": {"$ref": "#/components/schemas/Problem"}, "example": example}
        },
    }


Errors = dict[int, str | None]
WRITES = ("post", "put", "patch")


def route_errors(route: APIRoute, method: str, path: str) -> tuple[Errors, str | None]:
    """The problem statuses one operation can answer (with a detail where it is particular),
    and the security scheme it needs (None: none)."""
    names = set(_dependency_names(route.dependant))
    errors: Errors = {}
    scheme = None
    if "authenticated_caller" in names:
        scheme = STAFF_SCHEME
        errors[401] = None
        errors[403] = None
    elif any("callback_token" in name for name in names):
        scheme = CALLBACK_SCHEME
        errors[401] = "The callback token is missing or wrong."
    if "{token}" in path:
        errors[404] = "No survey has this link."
        errors[410] = "This link is no longer available."
    elif route.dependant.path_params or path.endswith("/dropoff"):
        errors[404] = None
    if (method, path) in CONFLICTS:
        errors[409] = CONFLICTS[(method, path)]
    if method in ("post", "put", "patch"):
        errors[413] = None
    if (
        route.dependant.query_params
        or route.dependant.path_params
        or route.body_field
        or method in ("post", "put", "patch")
    ):
        errors[422] = None
    return errors, scheme


def _decorate(schema: dict[str, Any], app: FastAPI) -> None:
    schema.setdefault("components", {}).setdefault("schemas", {})["Problem"] = PROBLEM_SCHEMA
    schema["components"]["securitySchemes"] = SECURITY_SCHEMES
    for context in iter_route_contexts(app.routes):
        route = context.original_route
        full_path = context.path or ""
        if not isinstance(route, APIRoute) or not full_path.startswith(API_PREFIX):
            continue
        path = full_path.removeprefix(API_PREFIX)
        for method in sorted(m.lower() for m in route.methods or ()):
            operation = schema["paths"].get(full_path, {}).get(method)
            if operation is None:
                continue
            errors, scheme = route_errors(route, method, path)
            responses = operation.setdefault("responses", {})
            # FastAPI's own 422 (HTTPValidationError) is not what the service answers.
            responses.pop("422", None)
            for status, detail in sorted(errors.items()):
                responses[str(status)] = _problem(status, detail)
            if scheme is not None:
                operation["security"] = [{scheme: []}]
    # FastAPI's validation error schemas, once nothing refers to them any more.
    for name in ("HTTPValidationError", "ValidationError"):
        if f'"#/components/schemas/{name}"' not in json.dumps(schema):
            schema["components"]["schemas"].pop(name, None)


def api_openapi(app: FastAPI) -> Callable[[], dict[str, Any]]:
    """The app's `openapi` function: FastAPI's document, decorated once and kept."""

    def openapi() -> dict[str, Any]:
        if app.openapi_schema is None:
            schema = get_openapi(
                title=app.title,
                version=app.version,
                description=app.description,
                routes=app.routes,
            )
            _decorate(schema, app)
            app.openapi_schema = schema
        return app.openapi_schema

    return openapi
