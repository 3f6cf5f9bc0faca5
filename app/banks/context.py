"""Routing a bank's questions by the stage's context (what the upload said), silently.

The context is the coarse outcome and the Victim Contact Scheme flag the force gave with the
invitation. It is applied before a victim sees anything, so a question it rules out is not
asked, not counted in "Question N of M", not listed by the JSON API, and the victim is never
told why (docs/question-banks.md, "Routing by the stage's context"):

- `show_if: {context: outcome, in: [...]}` asks a question only when the context is listed;
  a question it rules out goes, and so does every question whose show_if names it;
- `known_from: {context: outcome, codes: {nfa: "no", ...}}` does not ask a question whose
  answer the context gives; a show_if on it reads the code given.
A condition that passes becomes no condition at all, so what reaches the survey has only the
contract's `{"question", "in"}` show_ifs.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from app.enums import Outcome


@dataclass(frozen=True, slots=True)
class StageContext:
    """What the upload said about the stage; None where it said nothing (not known). And what
    the import decided for the invitation (app/invitations/stage_offer.py): the module drawn
    (None: every module, as for invitations made before modules were drawn) and the questions
    not asked again because an earlier stage of the case was offered them."""

    outcome: str | None = None
    vcs_eligible: bool | None = None
    module: str | None = None
    not_asked: frozenset[str] = frozenset()

    def value(self, name: str) -> str:
        if name == "outcome":
            return self.outcome or Outcome.not_known.value
        if self.vcs_eligible is None:
            return "not_known"
        return "true" if self.vcs_eligible else "false"


NOT_KNOWN = StageContext()


def route_questions(
    questions: Sequence[Mapping[str, Any]], context: StageContext
) -> list[dict[str, Any]]:
    """The questions (bank dicts, in order) this context asks, with context conditions gone."""
    known: dict[str, str] = {}  # question id → code the context gives it
    dropped: set[str] = set()
    routed: list[dict[str, Any]] = []
    for question in questions:
        given = _given_code(question, context)
        if given is not None:
            known[question["id"]] = given
            continue
        condition = question.get("show_if")
        kept = dict(question)
        if condition and condition.get("context"):
            if context.value(condition["context"]) not in _codes(condition):
                dropped.add(question["id"])
                continue
            kept["show_if"] = None
        elif condition and condition.get("question") in known:
            if known[condition["question"]] not in _codes(condition):
                dropped.add(question["id"])
                continue
            kept["show_if"] = None
        elif condition and condition.get("question") in dropped:
            dropped.add(question["id"])
            continue
        routed.append(kept)
    return routed


def without(
    questions: Sequence[Mapping[str, Any]], gone: Collection[str]
) -> list[Mapping[str, Any]]:
    """The questions (in order) less those in `gone` and every question whose show_if names one
    that is not asked (as `route_questions` drops what a dropped question opens)."""
    dropped = set(gone)
    kept: list[Mapping[str, Any]] = []
    for question in questions:
        condition = question.get("show_if") or {}
        if question["id"] in dropped or condition.get("question") in dropped:
            dropped.add(question["id"])
            continue
        kept.append(question)
    return kept


def _codes(condition: Mapping[str, Any]) -> list[str]:
    return list(condition.get("in", condition.get("in_", [])))


def _given_code(question: Mapping[str, Any], context: StageContext) -> str | None:
    known_from = question.get("known_from")
    if not known_from:
        return None
    codes = known_from.get("codes") or {}
    return codes.get(context.value(known_from["context"]))
