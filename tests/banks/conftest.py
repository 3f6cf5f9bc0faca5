"""Factories for bank tests: the approved-Urdu fixture bank, and versions in the database."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlmodel import Session

from app.banks.models import BankVersion
from app.banks.publishing import load_document
from app.banks.schema import parse_document
from app.banks.versions import create_draft

REPO = Path(__file__).resolve().parents[2]
APPROVED_URDU = REPO / "tests" / "fixtures" / "banks" / "approved_urdu.yaml"


def fixture_document() -> dict[str, Any]:
    """A fresh copy of the complete, valid fixture bank (slug general, Urdu approved).

    Through JSON, so every caller gets lists and mappings of its own.
    """
    data = yaml.safe_load(APPROVED_URDU.read_text(encoding="utf-8"))
    return json.loads(json.dumps(data))


def find_question(document: dict[str, Any], question_id: str) -> dict[str, Any]:
    for section in document.get("sections") or []:
        for question in section["questions"]:
            if question["id"] == question_id:
                return question
    for question in document.get("questions") or []:
        if question["id"] == question_id:
            return question
    raise KeyError(question_id)


def create_loaded_version(db: Session, document: dict[str, Any] | None = None) -> BankVersion:
    """Load a document as `banks load` does (published, source file); committed."""
    load_document(db, parse_document(document or fixture_document()), actor="cli")
    db.commit()
    from app.banks.service import latest_published

    version = latest_published(db, (document or fixture_document())["slug"])
    assert version is not None
    return version


def create_service_draft(
    db: Session, document: dict[str, Any] | None = None, *, actor: str = "user:1"
) -> BankVersion:
    draft, _warnings = create_draft(
        db, "general", document or fixture_document(), change_note="test", actor=actor
    )
    db.commit()
    return draft


@pytest.fixture
def document() -> dict[str, Any]:
    return fixture_document()
