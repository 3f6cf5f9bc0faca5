"""The batch fields that say where a case stands: `outcome` and `vcs_eligible`.

Each rejects its row alone with a message naming the rule, never the value. Two rules of
issue 11 live here because they decide whether a row may be invited at all:

- after `victim_withdrew` no invitation goes unless `VV_INVITE_AFTER_VICTIM_WITHDREW` is on,
  and then only through a support service (`contact_via: support_service`); any other such row
  is rejected, since the contract's skip reasons have no name for it and the force should see
  that it asked for something the service will not do;
- the `court` and `sentence` stages follow a charge, so a row there whose outcome says the case
  ended without one (`nfa`, `out_of_court`) is rejected: a victim whose case ended NFA is never
  asked about a trial or an offender.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from app.enums import Outcome, Touchpoint
from app.invitations.outcome_codes import OUTCOME_MESSAGE, parse_outcome
from app.settings import get_settings

SUPPORT_SERVICE = "support_service"
DIRECT = "direct"
AFTER_CHARGE = frozenset({Touchpoint.court, Touchpoint.sentence})
WITHOUT_CHARGE = frozenset({Outcome.nfa, Outcome.out_of_court})


@dataclass(frozen=True, slots=True)
class StageFields:
    outcome: str | None
    vcs_eligible: bool | None


def _boolean(value: Any) -> bool | None:
    if isinstance(value, bool):
        return value
    if isinstance(value, str):
        return {"true": True, "false": False}.get(value.strip().lower())
    return None


def _blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def read_stage_fields(
    raw: Mapping[str, Any], touchpoint: str | None
) -> tuple[StageFields, list[dict[str, Any]]]:
    """The row's outcome and VCS eligibility, with one error per wrong field."""
    errors: list[dict[str, Any]] = []
    outcome: str | None = None
    if not _blank(raw.get("outcome")):
        outcome = parse_outcome(raw.get("outcome"))
        if outcome is None:
            errors.append({"loc": ["outcome"], "msg": OUTCOME_MESSAGE})
        else:
            errors.extend(_outcome_rules(raw, outcome, touchpoint))
    vcs_eligible: bool | None = None
    if not _blank(raw.get("vcs_eligible")):
        vcs_eligible = _boolean(raw.get("vcs_eligible"))
        if vcs_eligible is None:
            errors.append({"loc": ["vcs_eligible"], "msg": "must be true or false"})
    return StageFields(outcome=outcome, vcs_eligible=vcs_eligible), errors


def _outcome_rules(
    raw: Mapping[str, Any], outcome: str, touchpoint: str | None
) -> list[dict[str, Any]]:
    if outcome == Outcome.victim_withdrew:
        if not get_settings().invite_after_victim_withdrew:
            return [
                {
                    "loc": ["outcome"],
                    "msg": "no invitation is sent after the victim withdrew "
                    "(VV_INVITE_AFTER_VICTIM_WITHDREW is off)",
                }
            ]
        via = raw.get("contact_via")
        if not isinstance(via, str) or via.strip() != SUPPORT_SERVICE:
            return [
                {
                    "loc": ["contact_via"],
                    "msg": "after the victim withdrew, an invitation goes only through a "
                    "support service (contact_via: support_service)",
                }
            ]
    if touchpoint in AFTER_CHARGE and outcome in WITHOUT_CHARGE:
        return [
            {
                "loc": ["outcome"],
                "msg": "must be charged or not_known at the court and sentence stages "
                "(they follow a charge)",
            }
        ]
    return []
