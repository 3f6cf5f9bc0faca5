"""Staff pages for banks: list, versions, preview as a victim sees, compare, draft, approve."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlmodel import Session

from app.banks import service
from app.banks.schema import normalize, parse_document
from app.banks.yaml_files import document_as_yaml
from app.enums import Role
from tests.auth_helpers import form_csrf_token, signed_in_client, staff_csrf_token
from tests.banks.conftest import create_loaded_version, fixture_document


def test_bank_list_and_versions(client: TestClient, db: Session) -> None:
    create_loaded_version(db)
    staff = signed_in_client(client, db, [Role.analyst])
    listing = staff.get("/staff/banks")
    assert listing.status_code == 200
    assert 'href="/staff/banks/general"' in listing.text
    assert "Your experience with the police" in listing.text
    page = staff.get("/staff/banks/general")
    assert page.status_code == 200
    assert "published" in page.text
    assert "from a file" in page.text
    assert "Start a new draft" not in page.text  # an analyst cannot edit


def test_preview_shows_the_touchpoints_questions_and_show_if(
    client: TestClient, db: Session
) -> None:
    create_loaded_version(db)
    staff = signed_in_client(client, db, [Role.analyst])
    page = staff.get("/staff/banks/general/versions/1?touchpoint=outcome")
    assert page.status_code == 200
    assert "Has anyone been charged?" in page.text
    assert "Shown only if the answer to “Has anyone been charged?” was: Yes." in page.text
    assert "How satisfied were you with how easy it was to contact the police?" not in page.text
    assert "The next questions ask how the process has made you feel." in page.text


def test_preview_of_a_draft_language_shows_the_draft_with_a_warning(
    client: TestClient, db: Session
) -> None:
    create_loaded_version(db)
    staff = signed_in_client(client, db, [Role.editor], banks=["general"])
    polish = staff.get("/staff/banks/general/versions/1?language=pl")
    assert "Twoje doświadczenia z policją" in polish.text
    assert "The pl translation is a draft. Victims do not see it" in polish.text
    urdu = staff.get("/staff/banks/general/versions/1?language=ur")
    assert 'lang="ur" dir="rtl"' in urdu.text
    assert "is a draft" not in urdu.text


def test_editor_drafts_in_the_browser_and_another_approver_publishes(
    client: TestClient, db: Session
) -> None:
    create_loaded_version(db)
    editor = signed_in_client(client, db, [Role.editor], banks=["general"])
    form = editor.get("/staff/banks/general/drafts/new")
    assert form.status_code == 200
    assert "sat_ease_of_contact" in form.text
    published = service.latest_published(db, "general")
    assert published is not None
    text = document_as_yaml(published.document)
    db.rollback()  # end the read: SQLite's write lock is taken at BEGIN
    changed = text.replace(
        "Is there anything else you would like to tell us about the service you got?",
        "Is there anything else you want to tell us?",
    )
    assert changed != text
    token = staff_csrf_token(editor)
    saved = editor.post(
        "/staff/banks/general/drafts",
        data={"document": changed, "change_note": "Shorter", "csrf_token": token},
    )
    assert saved.status_code == 200 and saved.url.path == "/staff/banks/general"
    assert "Draft version 2 is saved." in saved.text
    submitted = editor.post("/staff/banks/general/drafts/2/submit", data={"csrf_token": token})
    assert "Version 2 is submitted for review." in submitted.text
    editor.post("/staff/logout", data={"csrf_token": token})

    approver = signed_in_client(client, db, [Role.approver])
    page = approver.get("/staff/banks/general")
    assert 'href="/staff/banks/general/drafts/2/approve">Review and approve' in page.text
    review = approver.get("/staff/banks/general/drafts/2/approve")
    assert "Review version 2 before you publish it" in review.text
    assert "<code>comments</code>" in review.text  # the changes from version 1
    assert "Is there anything else you want to tell us?" in review.text  # the whole text
    shown = re.search(r'name="content_hash" value="([0-9a-f]{64})"', review.text)
    assert shown is not None
    done = approver.post(
        "/staff/banks/general/drafts/2/approve",
        data={"csrf_token": form_csrf_token(review.text), "content_hash": shown.group(1)},
    )
    assert "Version 2 is published." in done.text
    db.expire_all()
    latest = service.latest_published(db, "general")
    assert latest is not None and latest.version == 2 and latest.source == "service"
    db.rollback()
    diff = approver.get("/staff/banks/general/diff?from=1&to=2")
    assert "<code>comments</code>" in diff.text
    assert "Breaks comparability" not in diff.text


def test_a_draft_with_problems_shows_the_checkers_messages(client: TestClient, db: Session) -> None:
    editor = signed_in_client(client, db, [Role.editor], banks=["general"])
    text = document_as_yaml(normalize(parse_document(fixture_document()))).replace(
        "Is there anything else you would like to tell us about the service you got?",
        "Please describe what happened.",
    )
    response = editor.post(
        "/staff/banks/general/drafts",
        data={"document": text, "change_note": "", "csrf_token": staff_csrf_token(editor)},
    )
    assert response.status_code == 422
    assert "The checker found problems to fix" in response.text
    assert "comments: the question asks the victim to describe the offence" in response.text
    assert "Please describe what happened." in response.text  # their text is kept
    broken = editor.post(
        "/staff/banks/general/drafts",
        data={"document": "slug: general\ntitle: [", "csrf_token": staff_csrf_token(editor)},
    )
    assert broken.status_code == 422
    assert "not valid YAML" in broken.text


def test_editor_of_another_bank_cannot_draft(client: TestClient, db: Session) -> None:
    create_loaded_version(db)
    editor = signed_in_client(client, db, [Role.editor], banks=["rasso"])
    assert editor.get("/staff/banks/general/drafts/new").status_code == 403


def test_document_as_yaml_round_trips() -> None:
    import yaml

    stored = normalize(parse_document(fixture_document()))
    text = document_as_yaml(stored)
    assert "hint: null" not in text  # defaults are left out for a readable file
    assert normalize(parse_document(yaml.safe_load(text))) == stored


def test_approver_cannot_approve_own_draft_in_the_browser(client: TestClient, db: Session) -> None:
    create_loaded_version(db)
    staff = signed_in_client(client, db, [Role.editor, Role.approver], banks=["general"])
    token = staff_csrf_token(staff)
    text = document_as_yaml(normalize(parse_document(fixture_document()))).replace(
        "Is there anything else you would like to tell us about the service you got?",
        "Anything else to tell us?",
    )
    staff.post("/staff/banks/general/drafts", data={"document": text, "csrf_token": token})
    page = staff.post("/staff/banks/general/drafts/2/submit", data={"csrf_token": token})
    assert "You changed the content of this draft: another approver must approve it" in page.text
    assert "Review and approve" not in page.text
    assert staff.get("/staff/banks/general/drafts/2/approve").status_code == 403
    refused = staff.post("/staff/banks/general/drafts/2/approve", data={"csrf_token": token})
    assert refused.status_code == 403
    from sqlmodel import select

    from app.audit import AuditEvent

    db.expire_all()
    denials = db.exec(select(AuditEvent).where(AuditEvent.action == "access.denied")).all()
    assert [event.detail["reason"] for event in denials] == ["own_draft", "own_draft"]
