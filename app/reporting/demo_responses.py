"""Demo responses: six closed quarters of invented answers, sent through the survey's own submit.

Every response is a real invitation, answered and submitted with `app/survey/submit.py`, so the
responses, answers, comments and funnel are exactly what the live service would hold. Only the
rollup counting is deferred: submit's per-response upserts cost ~0.1 s each, so the counts are
made once at the end by `app/reporting/rollups.py: rebuild` (the same rows and cell-key sums,
from the stored answers; what `victim-voice rollups rebuild` runs). The
answers are drawn from a seeded generator with patterns an analyst can find (crime groups, areas
and touchpoints differ; satisfaction improves over the quarters; some rights are rarely met),
and a few small cells on purpose (one area, the sentence stage) so suppression and low bases
show too. Never run in production (app/demo.py checks).
"""

from __future__ import annotations

import random
from collections.abc import Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any

from sqlmodel import Session, col, select

from app import clock
from app.banks.context import StageContext
from app.banks.service import latest_published
from app.invitations import lifecycle
from app.invitations.models import Invitation, InvitationBatch
from app.invitations.stage_offer import stage_questions_of
from app.reporting import periods, rollups
from app.survey import submit as survey_submit
from app.survey.answers import save_answers
from app.survey.bank import invitation_questions, pin_bank, stage_context
from app.survey.models import Answer, Response

# The batch that holds the demo's history: its presence means the history is already there.
HISTORY_ACTOR = "demo:history"
QUARTERS = 6
SEED = 20261202

# Invitations per quarter by crime group and stage: RASSO is smaller, as in a real force.
VOLUMES: dict[str, dict[str, int]] = {
    "general": {"reporting": 36, "investigation": 24, "outcome": 20, "court": 7, "sentence": 3},
    "vawg": {"reporting": 24, "investigation": 16, "outcome": 12, "court": 5, "sentence": 2},
    "rasso": {"reporting": 20, "investigation": 14, "outcome": 10, "court": 4, "sentence": 2},
}
RESPONSE_RATE = {"general": 0.55, "vawg": 0.6, "rasso": 0.65}
# One small area on purpose: its cells fall below min_cell and are suppressed.
AREAS = (("DEMO-N", 0.35), ("DEMO-S", 0.3), ("DEMO-E", 0.28), ("DEMO-W", 0.07))
OUTCOMES = ("charged", "nfa", "out_of_court", "victim_withdrew", "not_known")
# How likely a victim is to give the favourable answer, before the adjustments below.
BASE = {"general": 0.62, "vawg": 0.55, "rasso": 0.5}
TREND = {"general": 0.025, "vawg": 0.03, "rasso": 0.04}  # per quarter: things get better
AREA_SHIFT = {"DEMO-N": 0.05, "DEMO-S": 0.0, "DEMO-E": -0.1, "DEMO-W": 0.0}
STAGE_SHIFT = {"reporting": 0.08, "investigation": -0.05, "outcome": -0.08, "court": 0.0}
# Rights the force says it meets that victims say it does not (the compliance gap to find).
QUESTION_SHIFT = {
    "right_1_understood": 0.15,
    "right_5_compensation": -0.3,
    "right_6_update_plan": -0.2,
    "right_6_updates_kept": -0.15,
    "right_7_vps": -0.2,
    "right_11_contact_scheme": -0.25,
    "sat_kept_informed": -0.12,
}
# Questions whose first options are the harmful ones (being hurt again, wanting to give up).
HARM_FIRST = frozenset({"retraumatisation", "retraumatisation_court", "attrition"})
UNSURE = frozenset({"dont_know", "not_applicable", "prefer_not_to_say"})
SKIP_RATE = 0.04
COMMENT_RATE = 0.15
# Invented comments with nothing that could identify anyone.
COMMENTS = (
    "The officer who took my report was kind and explained what would happen next.",
    "I was not kept up to date and had to chase for news every time.",
    "It took a long time before anyone called me back.",
    "The support worker made a real difference to me.",
    "I did not know I could make a personal statement until it was too late.",
    "Being believed from the start mattered more than anything.",
    "Court was frightening and nobody told me what to expect on the day.",
    "Please explain the letters in plain words.",
)


@dataclass(frozen=True)
class Case:
    """One invented invitation: where and when, and whether (and how favourably) it answers."""

    crime_group: str
    touchpoint: str
    touchpoint_date: date
    area: str
    outcome: str | None
    quarter_index: int  # 0 the oldest of the six quarters
    responds: bool
    language: str


def demo_quarters(today: date) -> list[date]:
    """First months of the six quarters that end with the last complete one before `today`."""
    this_quarter = date(today.year, (today.month - 1) // 3 * 3 + 1, 1)
    return [periods.add_months(this_quarter, -3 * n) for n in range(QUARTERS, 0, -1)]


def history_seeded(session: Session) -> bool:
    found = session.exec(
        select(InvitationBatch.id).where(col(InvitationBatch.created_by) == HISTORY_ACTOR)
    ).first()
    return found is not None


def plan_cases(today: date, rng: random.Random) -> Iterator[Case]:
    """Every invitation of the history, quarter by quarter (pure, from the seeded generator)."""
    for index, first in enumerate(demo_quarters(today)):
        for crime_group, stages in VOLUMES.items():
            for touchpoint, count in stages.items():
                for _ in range(count):
                    yield _case(rng, crime_group, touchpoint, first, index)


def _case(rng: random.Random, crime_group: str, touchpoint: str, first: date, index: int) -> Case:
    area = rng.choices([a for a, _ in AREAS], weights=[w for _, w in AREAS])[0]
    language = rng.choices(["en", "ur", "pl"], weights=[94, 4, 2])[0]
    return Case(
        crime_group=crime_group,
        touchpoint=touchpoint,
        touchpoint_date=first + timedelta(days=rng.randrange(0, 88)),
        area=area,
        outcome=rng.choice(OUTCOMES) if touchpoint == "outcome" else None,
        quarter_index=index,
        responds=rng.random() < RESPONSE_RATE[crime_group],
        language=language,
    )


def favour(case: Case, rng: random.Random) -> float:
    """How likely this victim is to give favourable answers (pure)."""
    value = (
        BASE[case.crime_group]
        + TREND[case.crime_group] * case.quarter_index
        + AREA_SHIFT[case.area]
        + STAGE_SHIFT.get(case.touchpoint, 0.0)
        + rng.gauss(0, 0.12)
    )
    return min(0.95, max(0.05, value))


def draw_answer(question: Mapping[str, Any], chance: float, rng: random.Random) -> Any:
    """One answer to `question` (None: skipped) for a victim of favour `chance` (pure)."""
    if rng.random() < SKIP_RATE:
        return None
    kind = question["type"]
    if kind == "text":
        return rng.choice(COMMENTS) if rng.random() < COMMENT_RATE else None
    codes = [option["code"] for option in question.get("options") or []]
    meant = [code for code in codes if code not in UNSURE and code != "under_18"]
    unsure = [code for code in codes if code in UNSURE]
    if not meant:
        return rng.choice(codes) if codes else None
    if kind == "multi":
        return rng.sample(meant, k=min(len(meant), rng.randint(1, 2)))
    if question.get("characteristic") or question["id"] in ("equality_gate", "outcome_charged"):
        return rng.choice(meant)
    if unsure and rng.random() < 0.06:
        return rng.choice(unsure)
    if question["id"] in HARM_FIRST:
        meant = meant[::-1]
    chance = min(0.95, max(0.05, chance + QUESTION_SHIFT.get(question["id"], 0.0)))
    half = max(1, len(meant) // 2)
    best, rest = meant[:half], meant[half:] or meant[:half]
    return rng.choice(best) if rng.random() < chance else rng.choice(rest)


def _at(day: date, days_later: int) -> datetime:
    return datetime.combine(day + timedelta(days=days_later), time(10), tzinfo=UTC)


class Banks:
    """The latest published version of each bank and its questions per stage, read once: the
    survey reads them per request, which over a thousand invitations is most of the time."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.version_ids: dict[str, int] = {}
        self.questions: dict[tuple[int, str, StageContext], list[dict[str, Any]]] = {}

    def version_id(self, crime_group: str) -> int | None:
        if crime_group not in self.version_ids:
            version = latest_published(self.session, slug=crime_group)
            if version is None or version.id is None:
                return None
            self.version_ids[crime_group] = version.id
        return self.version_ids[crime_group]

    def questions_of(self, invitation: Invitation) -> list[dict[str, Any]]:
        """As `app/survey/bank.py: invitation_questions` (English: the language offered)."""
        assert invitation.bank_version_id is not None
        context = stage_context(invitation)
        key = (invitation.bank_version_id, invitation.touchpoint, context)
        if key not in self.questions:
            bank = pin_bank(self.session, invitation)
            self.questions[key] = invitation_questions(self.session, bank, invitation, "en")
        return self.questions[key]


def _invitation(batch_id: str, case: Case, rng: random.Random, banks: Banks) -> Invitation:
    invitation = Invitation(
        batch_id=batch_id,
        crime_group=case.crime_group,
        touchpoint=case.touchpoint,
        touchpoint_date=case.touchpoint_date,
        area=case.area,
        language=case.language,
        channel=rng.choice(["sms", "sms", "email"]),
        outcome=case.outcome,
        vcs_eligible=rng.random() < 0.5 if case.touchpoint == "sentence" else None,
        not_asked=[],
        bank_version_id=banks.version_id(case.crime_group),
    )
    bank = pin_bank(banks.session, invitation)
    stage = stage_questions_of(bank.document, case.touchpoint, stage_context(invitation))
    # As an import draws one (app/invitations/stage_offer.py: draw_module), but reproducibly.
    invitation.module = rng.choice(stage.modules) if stage.modules else None
    sent = _at(case.touchpoint_date, 3)
    lifecycle.mark_sent(invitation, at=sent, expires_at=sent + timedelta(days=28))
    if rng.random() < 0.93:
        lifecycle.mark_delivered(invitation, at=sent + timedelta(minutes=2))
    if case.responds or rng.random() < 0.3:
        lifecycle.mark_opened(invitation, at=sent + timedelta(hours=rng.randrange(1, 72)))
    banks.session.add(invitation)
    return invitation


@contextmanager
def _clock_at(moment: datetime) -> Iterator[None]:
    """Run the survey's own code as on the day the victim answered (the link was alive then,
    and the times it records are that day's). The demo is one process and one thread."""
    real_now = clock.now
    clock.now = lambda: moment
    try:
        yield
    finally:
        clock.now = real_now


@contextmanager
def _counting_deferred() -> Iterator[None]:
    """Submit without its rollup upserts; the caller rebuilds the rollups once after."""
    count_response = survey_submit.count_response

    def not_yet(session: Session, response: Response, answers: Sequence[Answer]) -> None:
        return None

    survey_submit.count_response = not_yet
    try:
        yield
    finally:
        survey_submit.count_response = count_response


def _answer_and_submit(
    invitation: Invitation, case: Case, rng: random.Random, banks: Banks
) -> None:
    """Answer every question the invitation's victim is shown, then submit as the survey does."""
    session = banks.session
    questions = banks.questions_of(invitation)
    chance = favour(case, rng)
    answers = {question["id"]: draw_answer(question, chance, rng) for question in questions}
    answered = (invitation.opened_at or _at(case.touchpoint_date, 3)) + timedelta(minutes=9)
    with _clock_at(answered):
        save_answers(session, invitation.id, answers, saved_by=None, questions=questions)
        lifecycle.mark_started(invitation, at=invitation.opened_at)
        survey_submit.submit(session, invitation.id)


def seed_demo_history(session: Session, *, today: date | None = None) -> str:
    """Seed the six quarters once (a second run finds the batch and adds nothing)."""
    if history_seeded(session):
        return "demo history: already seeded (six quarters of responses)"
    banks = Banks(session)
    if any(banks.version_id(crime_group) is None for crime_group in VOLUMES):
        return "demo history: not seeded (a bank has no published version)"
    rng = random.Random(SEED)
    cases: Sequence[Case] = list(plan_cases(today or clock.today(), rng))
    batch = InvitationBatch(created_by=HISTORY_ACTOR, rows=len(cases), accepted=len(cases))
    session.add(batch)
    session.flush()
    unanswered: list[str] = []
    submitted = 0
    with _counting_deferred():
        for case in cases:
            invitation = _invitation(batch.id, case, rng, banks)
            if case.responds:
                _answer_and_submit(invitation, case, rng, banks)
                submitted += 1
            else:
                unanswered.append(invitation.id)
    # Every link of these quarters has ended: the ones never answered are expired.
    lifecycle.expire(session, unanswered)
    session.flush()
    rollups.rebuild(session)
    first = demo_quarters(today or clock.today())[0]
    return (
        f"demo history: {len(cases)} invitations from {periods.quarter_label(first)}, "
        f"{submitted} responses submitted"
    )
