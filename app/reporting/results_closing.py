"""When a quarter closes for the public results page, and which quarters have closed.

A quarter (of touchpoint dates) closes when no response of it can still be submitted or
withdrawn, so its figures can be frozen once and never move. Both must hold:

1. **By the settings** (`settings_close_at`): the latest an invitation for a touchpoint on the
   quarter's last day can still have a live link. A row may be uploaded up to
   VV_MAX_TOUCHPOINT_AGE_DAYS after its touchpoint, and is first sent no earlier than the
   longest delay of app/invitations/delays.py (VV_DISPATCH_DELAY_DAYS for most); a row passed
   to a support service waits up to VV_HANDOVER_DAYS for its handover; a link then lives
   VV_LINK_TTL_DAYS. The sum of the later of the first two and the last two, plus one day
   for London and UTC dates, bounds every path (docs/results.md).
2. **By the database**: no invitation whose touchpoint date falls in the quarter still has a
   live link (app.reporting.comment_release's definition: not yet sent, or sent and not past
   its expiry, and not ended). A dispatch running late, or settings changed since, keep the
   quarter open until the last link has really ended.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import func, select
from sqlmodel import Session, col

from app.invitations.delays import DELAYS, DISPATCH_DELAY
from app.invitations.models import Invitation
from app.reporting import periods
from app.reporting.comment_release import cells_with_live_links
from app.reporting.models import RollupCount
from app.settings import Settings


def longest_delay_days(settings: Settings) -> int:
    """The longest wait from a touchpoint to its first message, over the whole delay table."""
    days = [
        settings.dispatch_delay_days if rule.days == DISPATCH_DELAY else rule.days
        for rule in DELAYS
    ]
    return max([settings.dispatch_delay_days, *days])


def days_open_after_quarter(settings: Settings) -> int:
    """How many days after a quarter's last day a link for it may still be live."""
    first_send = max(settings.max_touchpoint_age_days, longest_delay_days(settings))
    return first_send + settings.handover_days + settings.link_ttl_days + 1


def settings_close_at(quarter: str, settings: Settings) -> datetime:
    """The instant from which, by the settings alone, no link of `quarter` can be live."""
    _first, last = periods.parse_quarter(quarter)
    day = periods.next_month(last) + timedelta(days=days_open_after_quarter(settings))
    return datetime.combine(day, time.min, tzinfo=UTC)


def has_live_link(session: Session, quarter: str, *, at: datetime) -> bool:
    """Whether any invitation of the quarter's touchpoint dates may still be used at `at`."""
    first, last = periods.parse_quarter(quarter)
    return bool(cells_with_live_links(session, periods.months_between(first, last), at=at))


def first_data_month(session: Session) -> date | None:
    """The earliest month anything was invited or counted in (None on an empty service)."""
    invited = session.execute(select(func.min(col(Invitation.touchpoint_date)))).scalar()
    counted = session.execute(select(func.min(col(RollupCount.month)))).scalar()
    months = [value.replace(day=1) for value in (invited, counted) if value is not None]
    return min(months) if months else None


def closed_quarters(
    session: Session,
    settings: Settings,
    *,
    at: datetime,
    skip: set[str] | frozenset[str] = frozenset(),
) -> list[str]:
    """Quarters (oldest first) from the first with any data that have closed at `at`; those in
    `skip` (already frozen) are not checked again."""
    first = first_data_month(session)
    if first is None:
        return []
    candidates = periods.quarters_between(first, at.date().replace(day=1))
    return [
        quarter
        for quarter in candidates
        if quarter not in skip
        and at >= settings_close_at(quarter, settings)
        and not has_live_link(session, quarter, at=at)
    ]
