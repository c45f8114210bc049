"""Reminders before a slot: when each is due, and which comes next."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

DEFAULT_LEAD_MINUTES: tuple[int, ...] = (24 * 60,)
"""A day ahead, unless the business says otherwise."""
MIN_LEAD_MINUTES = 10
MAX_LEAD_MINUTES = 30 * 24 * 60
MAX_LEAD_TIMES = 5


@dataclass(frozen=True)
class Reminder:
    due: datetime
    lead_minutes: int


def next_reminder(
    starts_at: datetime, lead_minutes: Sequence[int], after: datetime
) -> Reminder | None:
    """The first reminder of a slot starting at `starts_at` that falls due strictly after
    `after` (a booking made or moved late skips the reminders already past)."""
    due = sorted(
        (Reminder(starts_at - timedelta(minutes=lead), lead) for lead in set(lead_minutes)),
        key=lambda reminder: reminder.due,
    )
    return next((reminder for reminder in due if reminder.due > after), None)


def reminder_cause(booking_id: str, lead_minutes: int, starts_at: datetime) -> str:
    """One reminder per booking, lead time and slot start: a booking moved back and forth,
    or two sweeps reading the same booking, can never queue it twice."""
    return f"{booking_id}.{lead_minutes}m.{starts_at.astimezone(UTC):%Y%m%dT%H%M%SZ}"


def worth_sending(starts_at: datetime, sendable_from: datetime) -> bool:
    """A reminder that could only go out once the slot has started says nothing useful."""
    return sendable_from < starts_at
