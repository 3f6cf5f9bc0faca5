"""Demo actions ("you said, we did"), published through the service's own publish_action."""

from __future__ import annotations

from sqlmodel import Session, col, select

from app.reporting.actions import publish_action
from app.reporting.models import PublishedAction

ACTOR = "demo"
# (crime group or None for every victim, the statement): what the demo's figures point to.
DEMO_ACTIONS: tuple[tuple[str | None, str], ...] = (
    (
        None,
        "You told us you were not kept up to date. Every victim now agrees with their officer "
        "how often they will hear from us, and a supervisor checks it each month.",
    ),
    (
        None,
        "Few of you were told about compensation. Officers now give the compensation leaflet "
        "when the crime is reported, and we are checking that it happens.",
    ),
    (
        "rasso",
        "You said court was frightening. Every victim going to court is now offered a visit "
        "beforehand with an independent sexual violence adviser.",
    ),
    (
        "vawg",
        "You asked for plainer letters. We have rewritten our letters with victims and "
        "support services.",
    ),
)


def seed_demo_actions(session: Session) -> str:
    """Publish the demo's actions once (a second run finds them and adds nothing)."""
    existing = session.exec(
        select(PublishedAction.id).where(col(PublishedAction.published_by) == ACTOR)
    ).first()
    if existing is not None:
        return "actions: already published"
    for crime_group, text in DEMO_ACTIONS:
        publish_action(session, text=text, crime_group=crime_group, actor=ACTOR)
    return f"actions: {len(DEMO_ACTIONS)} published"
