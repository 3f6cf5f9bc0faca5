"""The public JSON API, version 1: each domain contributes its routes here."""

from __future__ import annotations

from fastapi import APIRouter

api_router = APIRouter()
