"""JSON API for comments, "you said, we did" and "contact me" requests (under /api/v1)."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter()
