"""The bank version an invitation answers, read once per process, and live support services."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from sqlmodel import Session, col, select

from app.banks import localize, signoff
from app.banks import service as bank_service
from app.banks.context import NOT_KNOWN, StageContext
from app.banks.models import BankVersion, QuestionBank, SupportService
from app.banks.support import support_services_for
from app.i18n import offered_languages
from app.invitations.models import Invitation


class NoBankPublished(Exception):
    """No published bank for the invitation's crime group: the survey cannot be shown yet."""


@dataclass(frozen=True)
class PinnedBank:
    """A published bank version: immutable, so it is safe to keep in memory for the process."""

    version_id: int
    slug: str
    version: int
    document: dict[str, Any]

    def questions(
        self,
        touchpoint: str,
        language: str,
        context: StageContext = NOT_KNOWN,
        released: frozenset[str] = frozenset(),
    ) -> list[dict[str, Any]]:
        """The questions asked at `touchpoint`, routed by the stage's context; a question
        awaiting partner review only when `released` (signed off: `released_questions`)."""
        return _questions(self.version_id, self.document, touchpoint, language, context, released)

    def english_parts(
        self,
        question: dict[str, Any] | Any,
        touchpoint: str,
        language: str,
        context: StageContext = NOT_KNOWN,
    ) -> dict[str, Any]:
        """Which of a question's texts fell back to English in `language` (to mark lang="en")."""
        if language == "en":
            return {"text": False, "hint": False, "options": {}}
        english = next(
            (
                q
                for q in _questions(self.version_id, self.document, touchpoint, "en", context)
                if q["id"] == question["id"]
            ),
            None,
        )
        if english is None:
            return {"text": False, "hint": False, "options": {}}
        labels = {option["code"]: option["label"] for option in english["options"]}
        return {
            "text": question["text"] == english["text"],
            "hint": question["hint"] is not None and question["hint"] == english["hint"],
            "options": {
                option["code"]: option["label"] == labels.get(option["code"])
                for option in question["options"]
            },
        }

    def english_section(self, section_id: str | None, language: str) -> dict[str, bool]:
        """Which of a section's texts fell back to English in `language`."""
        shown, english = self.section(section_id, language), self.section(section_id, "en")
        if language == "en" or shown is None or english is None:
            return {"title": False, "content_note": False}
        return {
            "title": shown["title"] == english["title"],
            "content_note": shown["content_note"] == english["content_note"],
        }

    def english_text(self, language: str) -> dict[str, bool]:
        """Which of the bank's title and introduction fell back to English."""
        shown, english = self.text(language), self.text("en")
        return {key: language != "en" and shown[key] == english[key] for key in shown}

    def section(self, section_id: str | None, language: str) -> dict[str, Any] | None:
        return localize.section_info(self.document, section_id, language)

    def text(self, language: str) -> dict[str, str | None]:
        return localize.bank_text(self.document, language)

    def offered_languages(self) -> list[str]:
        return offered_languages(localize.approved_languages(self.document))


# Published versions never change, so the parsed document and the localized question lists
# are cached by version id for the life of the process (no query per page).
_BANKS: dict[int, PinnedBank] = {}
_QUESTIONS: dict[
    tuple[int, str, str, StageContext, frozenset[str] | None], list[dict[str, Any]]
] = {}


def _questions(
    version_id: int,
    document: dict[str, Any],
    touchpoint: str,
    language: str,
    context: StageContext,
    released: frozenset[str] | None = None,
) -> list[dict[str, Any]]:
    """`released` None: every question, awaiting review or not (to look one up by id)."""
    key = (version_id, touchpoint, language, context, released)
    if key not in _QUESTIONS:
        _QUESTIONS[key] = localize.questions_for(
            document,
            touchpoint,
            language,
            context=context,
            released=released or (),
            include_pending=released is None,
        )
    return _QUESTIONS[key]


def stage_context(invitation: Invitation) -> StageContext:
    """The context the invitation's upload gave (never shown, never stored on a response), with
    the module drawn for it and the questions an earlier stage of its case was offered."""
    return StageContext(
        outcome=invitation.outcome,
        vcs_eligible=invitation.vcs_eligible,
        module=invitation.module,
        not_asked=frozenset(invitation.not_asked or ()),
    )


def released_questions(session: Session, bank: PinnedBank) -> frozenset[str]:
    """The questions of `bank` awaiting partner review whose wording is signed off: read on
    every page (a sign-off shows at once), one query, none when nothing awaits review."""
    return signoff.released_ids(session, bank.slug, bank.document)


def invitation_questions(
    session: Session, bank: PinnedBank, invitation: Invitation, language: str
) -> list[dict[str, Any]]:
    """The questions this invitation's victim is asked: its touchpoint, context, module, not
    asked again, and nothing awaiting partner review."""
    return bank.questions(
        invitation.touchpoint,
        language,
        stage_context(invitation),
        released_questions(session, bank),
    )


def clear_cache() -> None:
    """Forget cached versions (tests reuse ids across a truncated database)."""
    _BANKS.clear()
    _QUESTIONS.clear()


def _remember(version: BankVersion, slug: str) -> PinnedBank:
    assert version.id is not None
    pinned = PinnedBank(
        version_id=version.id, slug=slug, version=version.version, document=version.document
    )
    if version.status in {bank_service.PUBLISHED, bank_service.RETIRED}:
        _BANKS[version.id] = pinned
    return pinned


def load_bank(session: Session, version_id: int) -> PinnedBank:
    """The pinned version by id, from memory when it has been read before."""
    cached = _BANKS.get(version_id)
    if cached is not None:
        return cached
    row = session.exec(
        select(BankVersion, QuestionBank.slug)
        .join(QuestionBank, col(QuestionBank.id) == col(BankVersion.bank_id))
        .where(BankVersion.id == version_id)
    ).first()
    if row is None:
        raise NoBankPublished
    version, slug = row
    return _remember(version, slug)


def pin_bank(session: Session, invitation: Invitation) -> PinnedBank:
    """The invitation's bank version, choosing the latest published one on first entry."""
    if invitation.bank_version_id is not None:
        return load_bank(session, invitation.bank_version_id)
    version = bank_service.latest_published(session, slug=invitation.crime_group)
    if version is None or version.id is None:
        raise NoBankPublished
    invitation.bank_version_id = version.id
    session.add(invitation)
    return load_bank(session, version.id)


def support_services(
    session: Session, crime_group: str | None, area: str | None
) -> list[SupportService]:
    """Support services for a crime group and area (live data, never cached)."""
    return support_services_for(session, crime_group, area)
