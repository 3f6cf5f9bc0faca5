"""Demo actions ("you said, we did"), published through the service's own publish_action."""

from __future__ import annotations

from dataclasses import dataclass

from sqlmodel import Session, col, select

from app import clock
from app.reporting.actions import publish_action
from app.reporting.demo_responses import demo_quarters
from app.reporting.models import PublishedAction
from app.reporting.periods import quarter_label

ACTOR = "demo"


# Each action as the log holds it: what prompted it, who owns it, its state and the periods
# its effect is measured over (quarters relative to the demo's history: -1 is the last one).
@dataclass(frozen=True)
class DemoAction:
    crime_group: str | None
    text: str
    finding: str
    rights: tuple[int, ...]
    metrics: tuple[str, ...]
    owner: str
    agency: str
    status: str
    before: int  # the quarter before, counted back from the last demo quarter
    after: int | None  # the quarter after, or None while it is not done


DEMO_ACTIONS: tuple[DemoAction, ...] = (
    DemoAction(
        None,
        "You told us you were not kept up to date. Every victim now agrees with their officer "
        "how often they will hear from us, and a supervisor checks it each month.",
        "Under half said they were kept up to date as agreed (right 6).",
        (6,),
        ("satisfaction.kept_informed", "victims_code.right_6"),
        "Head of investigations",
        "police",
        "done",
        -4,
        -1,
    ),
    DemoAction(
        None,
        "Few of you were told about compensation. Officers now give the compensation leaflet "
        "when the crime is reported, and we are checking that it happens.",
        "Few victims were told how to claim compensation (right 5).",
        (5,),
        ("victims_code.right_5",),
        "Victim care lead",
        "police",
        "in_progress",
        -2,
        None,
    ),
    DemoAction(
        "rasso",
        "You said court was frightening. Every victim going to court is now offered a visit "
        "beforehand with an independent sexual violence adviser.",
        "Victims of rape and sexual offences rated court lowest of every stage.",
        (8,),
        ("victims_code.right_8",),
        "Witness care manager",
        "witness_care",
        "done",
        -5,
        -2,
    ),
    DemoAction(
        "vawg",
        "You asked for plainer letters. We are rewriting our letters with victims and "
        "support services.",
        "Comments said letters about the decision were hard to understand (right 6).",
        (6,),
        ("victims_code.right_6.reasons_understood",),
        "Public protection unit",
        "police",
        "planned",
        -1,
        None,
    ),
)


def seed_demo_actions(session: Session) -> str:
    """Publish the demo's actions once (a second run finds them and adds nothing)."""
    existing = session.exec(
        select(PublishedAction.id).where(col(PublishedAction.published_by) == ACTOR)
    ).first()
    if existing is not None:
        return "actions: already published"
    quarters = [quarter_label(month) for month in demo_quarters(clock.today())]
    for action in DEMO_ACTIONS:
        before = quarters[action.before]
        after = None if action.after is None else quarters[action.after]
        publish_action(
            session,
            text=action.text,
            crime_group=action.crime_group,
            actor=ACTOR,
            finding=action.finding,
            rights=list(action.rights),
            metrics=list(action.metrics),
            owner=action.owner,
            agency=action.agency,
            status=action.status,
            before_from=before,
            after_from=after,
        )
    return f"actions: {len(DEMO_ACTIONS)} published"
