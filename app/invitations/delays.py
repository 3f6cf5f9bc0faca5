"""How long after a stage its invitation may go: one table, by crime group × touchpoint × outcome.

A rule names a contact class (`general`, `specialist`) or one crime group's slug, a touchpoint
or `*`, an outcome or `*`. The most specific rule that matches wins: a slug over a contact class,
then a named touchpoint over `*`, then a named outcome over `*`. A combination no rule names
falls back to its group's default (`*`, `*`). `DISPATCH_DELAY` stands for
`VV_DISPATCH_DELAY_DAYS`, which stays the default of general crime. docs/outcome-and-timing.md
shows the same table.
"""

from __future__ import annotations

from dataclasses import dataclass

from app.crime_groups import is_specialist

ANY = "*"
GENERAL = "general"
SPECIALIST = "specialist"
DISPATCH_DELAY = -1  # the value of VV_DISPATCH_DELAY_DAYS


@dataclass(frozen=True, slots=True)
class DelayRule:
    group: str  # a contact class (general, specialist) or a crime group's slug
    touchpoint: str  # a touchpoint or ANY
    outcome: str  # a coarse outcome or ANY
    days: int  # days after the touchpoint date, or DISPATCH_DELAY


DELAYS: tuple[DelayRule, ...] = (
    # group         touchpoint    outcome   days
    DelayRule(GENERAL, ANY, ANY, DISPATCH_DELAY),
    DelayRule(SPECIALIST, ANY, ANY, DISPATCH_DELAY),
    # A no-further-action decision is hard news after rape or abuse: give it three weeks.
    DelayRule(SPECIALIST, ANY, "nfa", 21),
    # Sent 56 days after the sentencing date: after any appeal window and first VCS contact.
    DelayRule(GENERAL, "sentence", ANY, 56),
    DelayRule(SPECIALIST, "sentence", ANY, 56),
)


def _contact_class(crime_group: str) -> str:
    return SPECIALIST if is_specialist(crime_group) else GENERAL


def _specificity(rule: DelayRule) -> int:
    return (
        (4 if rule.group not in (GENERAL, SPECIALIST) else 0)
        + (2 if rule.touchpoint != ANY else 0)
        + (1 if rule.outcome != ANY else 0)
    )


def delay_days(
    crime_group: str,
    touchpoint: str,
    outcome: str | None,
    *,
    dispatch_delay_days: int,
    rules: tuple[DelayRule, ...] = DELAYS,
) -> int:
    """Days from the touchpoint date to the first send, by the table's most specific rule."""
    groups = {crime_group, _contact_class(crime_group)}
    matching = [
        rule
        for rule in rules
        if rule.group in groups
        and rule.touchpoint in (ANY, touchpoint)
        and rule.outcome in (ANY, outcome)
    ]
    if not matching:
        return dispatch_delay_days
    best = max(matching, key=_specificity)
    return dispatch_delay_days if best.days == DISPATCH_DELAY else best.days
