"""create_app(): routers, static files, templates, error handlers — nothing else."""

from __future__ import annotations

from pathlib import Path

from fastapi import FastAPI
from fastapi.staticfiles import StaticFiles

from app import health
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
        openapi_url="/api/v1/openapi.json",
        docs_url="/api/v1/docs",
        redoc_url=None,
    )
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
    from app.api.v1.router import api_router
    from app.pages import pages_router

    app.include_router(api_router, prefix="/api/v1")
    app.include_router(pages_router)
