"""A question page is a handful of queries, however many questions and answers there are."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import event
from sqlmodel import Session

from app.db import get_engine
from tests.factories import create_bank_version
from tests.survey.factories import answer, bank_document, create_invitation, enter, step_url


@contextmanager
def count_queries() -> Iterator[list[str]]:
    statements: list[str] = []

    def before(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        if not statement.startswith(("BEGIN", "PRAGMA")):
            statements.append(statement)

    engine = get_engine()
    event.listen(engine, "before_cursor_execute", before)
    try:
        yield statements
    finally:
        event.remove(engine, "before_cursor_execute", before)


def test_a_question_page_needs_few_queries_and_little_time(client: TestClient, db: Session) -> None:
    create_bank_version(db, bank_document())
    enter(client, create_invitation(db))
    for question_id, value in [("sat_overall", "very_satisfied"), ("someone_charged", "yes")]:
        answer(client, question_id, value)
    address = step_url(client, "q:what_would_help")
    client.get(address)  # the bank version is read once per process
    with count_queries() as statements:
        page = client.get(address)
    assert page.status_code == 200
    # Session with invitation, saved answers, support services: no query per question.
    assert len(statements) <= 3, statements
    started = time.perf_counter()
    for _ in range(20):
        client.get(address)
    # Typically a few milliseconds through the whole HTTP stack; the bound only catches a
    # regression by an order of magnitude, so a busy CI machine does not make it flaky.
    assert (time.perf_counter() - started) / 20 < 0.25
