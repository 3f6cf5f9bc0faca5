"""Throttling of the routes a link token reaches, per client address.

`/s/{token}`, `/s/{token}/stop` and `/api/v1/survey/{token}…` are the only places where
someone without a link could try tokens. A token has 101 random bits, so guessing is hopeless;
this keeps it so (and keeps such traffic off the database) by counting, per client address
(app/auth/client_address.py, an IPv6 client by its /64), the requests that found nothing (404),
with the back-off of app/auth/throttle.py: 20 free in a row, then 30 s doubling to 15 minutes.
While an address is blocked every token route answers 429 with Retry-After, a neutral page or
problem+json, whether or not the token is good: otherwise a 429 would only mean "wrong token".

Only misses count. A victim's normal use (opening the link, saving many pages, which go to the
session's own addresses under /survey/page/, or many PUTs through the API with a good token)
never counts anything, so it can never be throttled by its own use.
"""

from __future__ import annotations

import re
from datetime import timedelta

from starlette.concurrency import run_in_threadpool
from starlette.requests import Request
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from app.auth.client_address import client_address
from app.auth.throttle import blocked_for, link_address_subject, reserve_attempt
from app.db import session_scope
from app.errors import error_response

TOKEN_ROUTE = re.compile(r"^/(?:s|api/v1/survey)/[^/]+(?:/[a-z]+)?/?$")
DETAIL = "There have been too many attempts from your connection. Wait a while, then try again."


def is_token_route(path: str) -> bool:
    return TOKEN_ROUTE.match(path) is not None


def _blocked(address: str) -> timedelta:
    with session_scope() as session:
        return blocked_for(session, link_address_subject(address))


def _count_miss(address: str) -> None:
    with session_scope() as session:
        reserve_attempt(session, [link_address_subject(address)])


class LinkThrottleMiddleware:
    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or not is_token_route(scope.get("path", "")):
            await self.app(scope, receive, send)
            return
        request = Request(scope)
        address = client_address(request)
        wait = await run_in_threadpool(_blocked, address)
        if wait > timedelta(0):
            seconds = str(int(wait.total_seconds() + 0.999))
            response = error_response(request, 429, DETAIL, headers={"Retry-After": seconds})
            await response(scope, receive, send)
            return
        status: list[int] = []

        async def watching_send(message: Message) -> None:
            if message["type"] == "http.response.start":
                status.append(int(message["status"]))
            await send(message)

        await self.app(scope, receive, watching_send)
        if status and status[0] == 404:
            await run_in_threadpool(_count_miss, address)
