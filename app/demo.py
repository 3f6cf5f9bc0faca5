"""Demo data for trying the service locally (never run in production)."""

from __future__ import annotations

from collections.abc import Iterator

from app.settings import get_settings


def seed_demo() -> Iterator[str]:
    """Seed what exists so far and say how to try it; each step is idempotent."""
    settings = get_settings()
    if settings.env == "production":
        yield "The demo never runs with VV_ENV=production."
        return
    yield f"Victim Voice demo at {settings.base_url}"
