"""The two-person rule: nobody who changed a draft's content approves it, an approval names the
content reviewed, and only a key bound to a named person can approve."""

from __future__ import annotations

import re
from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session, col, select

from app.audit import AuditEvent
from app.auth.models import StaffUser
from app.banks import service
from app.banks.models import BankVersionContributor
from app.banks.schema import normalize, parse_document
from app.banks.yaml_files import document_as_yaml
from app.enums import Role
from tests.auth_helpers import (
    api_headers,
    create_staff_user,
    form_csrf_token,
    signed_in_client,
    staff_csrf_token,
)
from tests.banks.conftest import create_loaded_version, find_question, fixture_document

BANK = "/api/v1/banks/general"


def _person(db: Session, *roles: Role) -> tuple[StaffUser, dict[str, str]]:
    """A named member of staff and an API key bound to them, holding the same roles."""
    user = create_staff_user(db, *roles, banks=["general"])
    return user, api_headers(db, *roles, banks=["general"], user=user)


def _reworded(text: str) -> dict[str, Any]:
    document = fixture_document()
    find_question(document, "comments")["text"]["en"] = text
    return document


def _save(
    client: TestClient, headers: dict[str, str], document: dict[str, Any], version: int | None
) -> int:
    body = {"document": document, "change_note": "wording"}
    if version is None:
        response = client.post(f"{BANK}/drafts", json=body, headers=headers)
        assert response.status_code == 201, response.text
    else:
        response = client.put(f"{BANK}/drafts/{version}", json=body, headers=headers)
        assert response.status_code == 200, response.text
    return int(response.json()["version"])


def _submit(client: TestClient, headers: dict[str, str], version: int) -> None:
    response = client.post(f"{BANK}/drafts/{version}/submit", headers=headers)
    assert response.json()["status"] == "in_review", response.text


def _content_hash(client: TestClient, headers: dict[str, str], version: int) -> str:
    shown = client.get(f"{BANK}/versions/{version}", headers=headers).json()
    return str(shown["content_hash"])


def _approve(
    client: TestClient, headers: dict[str, str], version: int, content_hash: str | None = None
) -> Any:
    if content_hash is None:
        content_hash = _content_hash(client, headers, version)
    return client.post(
        f"{BANK}/drafts/{version}/approve", json={"content_hash": content_hash}, headers=headers
    )


def _published_version(db: Session) -> int | None:
    db.expire_all()
    latest = service.latest_published(db, "general")
    number = latest.version if latest is not None else None
    db.rollback()  # end the read: SQLite would otherwise keep the app waiting for the lock
    return number


def test_editing_anothers_draft_then_their_unchanged_save_does_not_let_the_editor_approve(
    client: TestClient, db: Session
) -> None:
    create_loaded_version(db)
    _b, author = _person(db, Role.editor)
    _a, editing_approver = _person(db, Role.editor, Role.approver)
    version = _save(client, author, _reworded("What else should we know?"), None)
    # A puts their own words in B's draft...
    theirs = _reworded("Tell us anything else, in your own words.")
    _save(client, editing_approver, theirs, version)
    # ...B saves it again exactly as it is (now B wrote and last edited it) and submits it.
    _save(client, author, theirs, version)
    _submit(client, author, version)

    refused = _approve(client, editing_approver, version)

    assert refused.status_code == 403
    assert refused.json()["detail"] == (
        "You changed the content of this draft: another approver must approve it."
    )
    assert _published_version(db) == 1


def test_an_edit_reverted_by_someone_else_still_counts(client: TestClient, db: Session) -> None:
    create_loaded_version(db)
    _b, author = _person(db, Role.editor)
    _a, editing_approver = _person(db, Role.editor, Role.approver)
    original = _reworded("What else should we know?")
    version = _save(client, author, original, None)
    _save(client, editing_approver, _reworded("Something A slipped in."), version)
    _save(client, author, original, version)  # B puts the words back
    _submit(client, author, version)
    assert _approve(client, editing_approver, version).status_code == 403


def test_saving_a_draft_unchanged_does_not_make_someone_a_contributor(
    client: TestClient, db: Session
) -> None:
    create_loaded_version(db)
    author_user, author = _person(db, Role.editor)
    _r, reviewer = _person(db, Role.editor, Role.approver)
    expected = [f"user:{author_user.id}"]
    document = _reworded("What else should we know?")
    version = _save(client, author, document, None)
    _save(client, reviewer, document, version)  # opened and saved, nothing changed
    _submit(client, author, version)
    db.expire_all()
    contributors = db.exec(select(BankVersionContributor.contributor)).all()
    db.rollback()
    assert contributors == expected
    approved = _approve(client, reviewer, version)
    assert approved.status_code == 200, approved.text
    assert approved.json() == {"version": version, "status": "published"}


def test_an_unbound_approver_key_cannot_approve(client: TestClient, db: Session) -> None:
    create_loaded_version(db)
    _b, author = _person(db, Role.editor)
    version = _save(client, author, _reworded("What else should we know?"), None)
    _submit(client, author, version)
    for roles in ([Role.approver], [Role.admin]):
        unbound = api_headers(db, *roles)
        refused = _approve(client, unbound, version)
        assert refused.status_code == 403
        assert refused.json()["detail"] == (
            "Only a key bound to a named person can approve. Approve signed in, "
            "or with a key made with --user."
        )
    assert _published_version(db) == 1
    db.expire_all()
    denials = db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    assert [event.detail["reason"] for event in denials] == ["unbound_key", "unbound_key"]


def test_a_bound_key_is_its_person_for_the_two_person_rule(client: TestClient, db: Session) -> None:
    create_loaded_version(db)
    person, key = _person(db, Role.editor, Role.approver)
    # The same person, through a second key bound to them, wrote the draft.
    other_key = api_headers(db, Role.editor, banks=["general"], user=person)
    version = _save(client, other_key, _reworded("What else should we know?"), None)
    _submit(client, other_key, version)
    assert _approve(client, key, version).status_code == 403
    _someone_else, their_key = _person(db, Role.approver)
    assert _approve(client, their_key, version).status_code == 200
    assert _published_version(db) == version


def test_an_approval_names_the_content_it_reviewed(client: TestClient, db: Session) -> None:
    create_loaded_version(db)
    _b, author = _person(db, Role.editor)
    _r, reviewer = _person(db, Role.approver)
    version = _save(client, author, _reworded("What else should we know?"), None)
    _submit(client, author, version)
    reviewed = _content_hash(client, reviewer, version)

    # The author changes it after the reviewer read it, and submits it again.
    _save(client, author, _reworded("Something the reviewer never saw."), version)
    _submit(client, author, version)
    stale = _approve(client, reviewer, version, reviewed)
    assert stale.status_code == 409
    assert stale.headers["content-type"] == "application/problem+json"
    assert "changed since" in stale.json()["detail"]
    assert _published_version(db) == 1

    missing = client.post(f"{BANK}/drafts/{version}/approve", json={}, headers=reviewer)
    assert missing.status_code == 422
    assert missing.json()["errors"][0]["loc"][-1] == "content_hash"
    nothing = client.post(f"{BANK}/drafts/{version}/approve", headers=reviewer)
    assert nothing.status_code == 422

    current = _content_hash(client, reviewer, version)
    approved = _approve(client, reviewer, version, current)
    assert approved.status_code == 200
    db.expire_all()
    event = db.exec(select(AuditEvent).where(AuditEvent.action == "bank.approve")).one()
    assert event.detail == {"slug": "general", "version": version, "content_hash": current}
    assert event.actor.startswith("key:")


@pytest.mark.parametrize("bad", ["", "abc", "g" * 64, "A" * 64])
def test_a_content_hash_must_look_like_one(client: TestClient, db: Session, bad: str) -> None:
    create_loaded_version(db)
    _b, author = _person(db, Role.editor)
    _r, reviewer = _person(db, Role.approver)
    version = _save(client, author, _reworded("What else should we know?"), None)
    _submit(client, author, version)
    assert _approve(client, reviewer, version, bad).status_code == 422


def test_versions_show_their_content_hash(client: TestClient, db: Session) -> None:
    loaded = create_loaded_version(db)
    headers = api_headers(db, Role.analyst)
    shown = client.get(f"{BANK}/versions/1", headers=headers).json()
    assert shown["content_hash"] == loaded.content_hash
    assert client.get(BANK, headers=headers).json()["content_hash"] == loaded.content_hash


def test_the_contributors_of_every_save_are_kept(client: TestClient, db: Session) -> None:
    create_loaded_version(db)
    one, first = _person(db, Role.editor)
    two, second = _person(db, Role.editor)
    people = [f"user:{one.id}", f"user:{two.id}"]
    version = _save(client, first, _reworded("One."), None)
    _save(client, second, _reworded("Two."), version)
    _save(client, first, _reworded("Three."), version)
    db.expire_all()
    rows = db.exec(select(BankVersionContributor).order_by(col(BankVersionContributor.id))).all()
    assert [row.contributor for row in rows] == people


def test_an_unbound_key_cannot_change_a_banks_content(client: TestClient, db: Session) -> None:
    """Words written through a key that belongs to nobody could be approved by their writer."""
    create_loaded_version(db)
    _a, author = _person(db, Role.editor)
    version = _save(client, author, _reworded("One."), None)
    for roles in ([Role.editor], [Role.admin]):
        unbound = api_headers(db, *roles, banks=["general"])
        body = {"document": _reworded("Nobody's words."), "change_note": ""}
        created = client.post(f"{BANK}/drafts", json=body, headers=unbound)
        updated = client.put(f"{BANK}/drafts/{version}", json=body, headers=unbound)
        for refused in (created, updated):
            assert refused.status_code == 403
            assert "Only a key bound to a named person can change" in refused.json()["detail"]
        # Sending for review changes no content: an unbound editor key may still do it.
        assert client.post(f"{BANK}/drafts/{version}/submit", headers=unbound).status_code == 200
    db.expire_all()
    assert len(db.exec(select(BankVersionContributor)).all()) == 1


# --- the staff pages ---------------------------------------------------------------------------


def _review(staff: TestClient, version: int) -> tuple[str, str]:
    """The review page's CSRF token and the content hash it sends with its form."""
    page = staff.get(f"/staff/banks/general/drafts/{version}/approve")
    assert page.status_code == 200, page.text
    shown = re.search(r'name="content_hash" value="([0-9a-f]{64})"', page.text)
    assert shown is not None
    return form_csrf_token(page.text), shown.group(1)


def test_the_approve_page_publishes_only_what_it_showed(client: TestClient, db: Session) -> None:
    create_loaded_version(db)
    _b, author = _person(db, Role.editor)
    version = _save(client, author, _reworded("What else should we know?"), None)
    _submit(client, author, version)
    approver = signed_in_client(client, db, [Role.approver])
    token, shown = _review(approver, version)

    # The draft changes while the approver reads it, and is submitted again.
    _save(client, author, _reworded("Words the approver never saw."), version)
    _submit(client, author, version)
    stale = approver.post(
        f"/staff/banks/general/drafts/{version}/approve",
        data={"csrf_token": token, "content_hash": shown},
    )
    assert stale.status_code == 409
    assert "govuk-error-summary" in stale.text
    assert "This version has changed since you opened it" in stale.text
    assert "Words the approver never saw." in stale.text  # shown now, to review again
    assert _published_version(db) == 1

    token, shown = _review(approver, version)
    done = approver.post(
        f"/staff/banks/general/drafts/{version}/approve",
        data={"csrf_token": token, "content_hash": shown},
    )
    assert "is published" in done.text
    assert _published_version(db) == version


def test_in_the_browser_an_editor_of_anothers_draft_cannot_approve_it(
    client: TestClient, db: Session
) -> None:
    create_loaded_version(db)
    author_user, author = _person(db, Role.editor)
    staff = signed_in_client(client, db, [Role.editor, Role.approver], banks=["general"])
    version = _save(client, author, _reworded("What else should we know?"), None)
    # The approver edits in the browser...
    token = staff_csrf_token(staff)
    text = document_as_yaml(normalize(parse_document(_reworded("The approver's own words."))))
    saved = staff.post(
        f"/staff/banks/general/drafts/{version}",
        data={"document": text, "change_note": "mine", "csrf_token": token},
    )
    assert saved.status_code == 200
    # ...the author saves it again unchanged and submits it.
    _save(client, author, _reworded("The approver's own words."), version)
    _submit(client, author, version)
    page = staff.get("/staff/banks/general")
    assert "You changed the content of this draft" in page.text
    assert "Review and approve" not in page.text
    assert staff.get(f"/staff/banks/general/drafts/{version}/approve").status_code == 403
    refused = staff.post(
        f"/staff/banks/general/drafts/{version}/approve",
        data={"csrf_token": token, "content_hash": "0" * 64},
    )
    assert refused.status_code == 403
    assert _published_version(db) == 1


# --- words that travel between drafts ----------------------------------------------------------


def _with_hint(document: dict[str, Any], question_id: str, hint: str) -> dict[str, Any]:
    find_question(document, question_id)["hint"] = hint
    return document


def test_words_copied_into_another_draft_keep_their_author(client: TestClient, db: Session) -> None:
    create_loaded_version(db)
    _a, approver_who_writes = _person(db, Role.editor, Role.approver)
    _b, partner = _person(db, Role.editor)
    _c, other_approver = _person(db, Role.approver)
    theirs = _reworded("Words A wrote in a draft of their own.")
    _save(client, approver_who_writes, theirs, None)  # A's draft, never submitted
    # B starts a new draft holding A's words (copied, then one change of B's own).
    copied = _with_hint(_reworded("Words A wrote in a draft of their own."), "pj_voice", "B's.")
    version = _save(client, partner, copied, None)
    _submit(client, partner, version)

    refused = _approve(client, approver_who_writes, version)
    assert refused.status_code == 403
    assert "another approver must approve it" in refused.json()["detail"]
    assert _approve(client, other_approver, version).status_code == 200


def test_an_approver_may_approve_a_draft_that_holds_none_of_their_words(
    client: TestClient, db: Session
) -> None:
    create_loaded_version(db)
    _a, approver_who_writes = _person(db, Role.editor, Role.approver)
    _b, partner = _person(db, Role.editor)
    _save(client, approver_who_writes, _reworded("A's words, in A's own draft."), None)
    version = _save(client, partner, _with_hint(fixture_document(), "pj_voice", "B's."), None)
    _submit(client, partner, version)
    assert _approve(client, approver_who_writes, version).status_code == 200


def test_taking_a_question_out_is_authored_too(client: TestClient, db: Session) -> None:
    create_loaded_version(db)
    _a, approver_who_writes = _person(db, Role.editor, Role.approver)
    _b, partner = _person(db, Role.editor)

    def without_comments() -> dict[str, Any]:
        document = fixture_document()
        for section in document["sections"]:
            section["questions"] = [q for q in section["questions"] if q["id"] != "comments"]
        return document

    _save(client, approver_who_writes, without_comments(), None)
    version = _save(client, partner, without_comments(), None)
    _submit(client, partner, version)
    assert _approve(client, approver_who_writes, version).status_code == 403


def test_words_already_published_are_no_ones_to_withhold(client: TestClient, db: Session) -> None:
    create_loaded_version(db)
    _a, approver_who_writes = _person(db, Role.editor, Role.approver)
    _b, partner = _person(db, Role.editor)
    _c, other_approver = _person(db, Role.approver)
    first = _save(client, approver_who_writes, _reworded("A's words."), None)
    _submit(client, approver_who_writes, first)
    assert _approve(client, other_approver, first).status_code == 200  # C approved A's words
    # B's next draft keeps A's (now published) words and changes something else.
    later = _with_hint(_reworded("A's words."), "pj_voice", "B's.")
    version = _save(client, partner, later, None)
    _submit(client, partner, version)
    assert _approve(client, approver_who_writes, version).status_code == 200
