"""Trailing-slash redirects as paths on this site, never built from the request's Host.

Starlette's own slash redirect writes `Location: http://<Host header>/path/`: anyone who can
set the Host (a forged request, a misrouted proxy, a poisoned cache) could send a victim to
their own site. Any Host is still answered (a load balancer's health check sends its own);
only the redirect's address no longer comes from it.
"""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.responses import RedirectResponse
from starlette.routing import Match, get_route_path
from starlette.types import ASGIApp, Receive, Scope, Send


def use_relative_slash_redirects(app: FastAPI) -> None:
    """Turn Starlette's slash redirects off and redirect to the slash twin as a relative path."""
    router = app.router
    router.redirect_slashes = False
    not_found: ASGIApp = router.default

    async def slash_twin_or_not_found(scope: Scope, receive: Receive, send: Send) -> None:
        location = _slash_twin_location(app, scope)
        if location is None:
            await not_found(scope, receive, send)
            return
        await RedirectResponse(location, status_code=307)(scope, receive, send)

    router.default = slash_twin_or_not_found


def _slash_twin_location(app: FastAPI, scope: Scope) -> str | None:
    """`/a/` for `/a` (or `/a` for `/a/`) when only the twin is a route; else None."""
    if scope["type"] != "http":
        return None
    path = get_route_path(scope)
    if path == "/" or not path.startswith("/") or path.startswith("//") or "\\" in path:
        # "//host/..." in a Location is another site, and browsers read "\" as "/".
        return None
    twin = path.rstrip("/") if path.endswith("/") else path + "/"
    if not twin or twin.startswith("//"):
        return None
    twin_scope = {**scope, "path": scope.get("root_path", "") + twin}
    if not any(route.matches(twin_scope)[0] != Match.NONE for route in app.router.routes):
        return None
    location = scope.get("root_path", "") + twin
    query = scope.get("query_string", b"")
    return f"{location}?{query.decode('latin-1')}" if query else location
