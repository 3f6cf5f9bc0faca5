"""create_app(): routers, static files, templates, error handlers — nothing else."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import health
from app.api.docs_openapi import api_openapi
from app.errors import UnexpectedErrorMiddleware, register_error_handlers
from app.input_guard import NulInputGuard
from app.invitations.link_throttle import LinkThrottleMiddleware
from app.security import BodySizeLimitMiddleware, SecurityHeadersMiddleware
from app.settings import get_settings
from app.slash_redirects import use_relative_slash_redirects

STATIC_DIR = Path(__file__).parent / "static"


def create_app() -> FastAPI:
    settings = get_settings()
    app = FastAPI(
        title="Victim Voice",
        version="1.0",
        description="The Victim Voice API: question banks, invitation batches, the victim's "
        "survey by token, and aggregate figures under the cell-key disclosure control. "
        "Guide: docs/api.md in the repository.",
        openapi_url="/api/v1/openapi.json",
        # Our own page (app/api/docs_page.py): FastAPI's loads Swagger UI from a CDN, which our
        # CSP blocks.
        docs_url=None,
        redoc_url=None,
    )
    app.openapi = api_openapi(app)  # type: ignore[method-assign]
    register_error_handlers(app)
    app.add_middleware(NulInputGuard)  # inside the 500 handler, outside every route
    # Token routes, per client address; inside the headers middleware (its 429 page has a nonce).
    app.add_middleware(LinkThrottleMiddleware)
    # Added first, so innermost: a 500 still passes through the headers middleware.
    app.add_middleware(UnexpectedErrorMiddleware)
    app.add_middleware(BodySizeLimitMiddleware, max_bytes=settings.max_body_bytes)
    app.add_middleware(SecurityHeadersMiddleware, https=settings.is_https)
    app.include_router(health.router)
    _include_domain_routers(app)
    use_relative_slash_redirects(app)
    STATIC_DIR.mkdir(exist_ok=True)
    app.mount("/static", StaticFiles(directory=STATIC_DIR), name="static")
    return app


def _include_domain_routers(app: FastAPI) -> None:
    from app.api.docs_page import router as docs_router
    from app.api.v1.router import api_router
    from app.pages import pages_router

    app.include_router(docs_router)
    app.include_router(api_router, prefix="/api/v1")
    app.include_router(pages_router)
