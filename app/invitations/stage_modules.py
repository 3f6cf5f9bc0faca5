"""The module set a stage is offered: the bank sections its questions come from, chosen at
invitation from the crime group, touchpoint and context, never from answers."""

from __future__ import annotations

from sqlmodel import Session

from app.banks import localize
from app.banks import service as bank_service
from app.banks.context import StageContext
from app.invitations.stage_ledger import ModulesFor


def modules_offered(session: Session) -> ModulesFor:
    """A lookup of the module set, reading each bank once per import."""
    found: dict[tuple[str, str, str | None, bool | None], list[str]] = {}

    def modules_for(
        crime_group: str, touchpoint: str, outcome: str | None, vcs_eligible: bool | None
    ) -> list[str]:
        key = (crime_group, touchpoint, outcome, vcs_eligible)
        if key not in found:
            version = bank_service.latest_published(session, slug=crime_group)
            modules: list[str] = []
            if version is not None:
                context = StageContext(outcome=outcome, vcs_eligible=vcs_eligible)
                for question in localize.questions_for(
                    version.document, touchpoint, "en", context=context
                ):
                    section = question["section"] or "questions"
                    if section not in modules:
                        modules.append(section)
            found[key] = modules
        return found[key]

    return modules_for
