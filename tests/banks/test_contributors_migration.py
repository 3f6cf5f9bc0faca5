"""Migration 0005 fills in who changed the drafts already open, so none slips past the rule."""

from __future__ import annotations

from sqlalchemy import create_engine, text

from app.migrate import upgrade
from tests.core.test_migrations import fresh_database_url  # noqa: F401  (the fixture)

NOW = "2026-11-30 10:00:00"


def _insert_before_0005(url: str) -> None:
    engine = create_engine(url)
    try:
        with engine.begin() as connection:
            connection.execute(
                text(
                    "INSERT INTO question_bank (id, slug, title, created_at) "
                    "VALUES (1, 'general', 'General', :now)"
                ),
                {"now": NOW},
            )
            for version, status, created_by, last_edited_by in (
                (1, "published", "cli", "cli"),
                (2, "in_review", "user:1", "user:1"),  # user 2 edited it in between
                (3, "draft", "key:abcd1234", "user:3"),
            ):
                connection.execute(
                    text(
                        "INSERT INTO bank_version (id, bank_id, version, status, document, "
                        "content_hash, source, change_note, created_by, last_edited_by, "
                        "created_at, updated_at) VALUES (:id, 1, :id, :status, '{}', 'h', "
                        "'service', '', :created_by, :last_edited_by, :now, :now)"
                    ),
                    {
                        "id": version,
                        "status": status,
                        "created_by": created_by,
                        "last_edited_by": last_edited_by,
                        "now": NOW,
                    },
                )
            for actor, action, object_id in (
                ("user:1", "bank.draft_create", "general:2"),
                ("user:2", "bank.draft_update", "general:2"),
                ("user:1", "bank.draft_update", "general:2"),
                ("user:9", "bank.draft_update", "general:22"),  # another version, not 2
                ("user:8", "bank.submit", "general:2"),  # submitting changes no content
            ):
                connection.execute(
                    text(
                        "INSERT INTO audit_event (occurred_at, actor, action, object_type, "
                        "object_id, detail) VALUES (:now, :actor, :action, 'bank_version', "
                        ":object_id, '{}')"
                    ),
                    {"now": NOW, "actor": actor, "action": action, "object_id": object_id},
                )
    finally:
        engine.dispose()


def test_open_drafts_get_every_known_contributor(fresh_database_url: str) -> None:  # noqa: F811
    upgrade(fresh_database_url, "0004")
    _insert_before_0005(fresh_database_url)
    upgrade(fresh_database_url, "0005")
    engine = create_engine(fresh_database_url)
    try:
        with engine.connect() as connection:
            rows = connection.execute(
                text(
                    "SELECT bank_version_id, contributor FROM bank_version_contributor "
                    "ORDER BY bank_version_id, contributor"
                )
            ).all()
    finally:
        engine.dispose()
    assert [tuple(row) for row in rows] == [
        (2, "user:1"),
        (2, "user:2"),
        (3, "key:abcd1234"),
        (3, "user:3"),
    ]
