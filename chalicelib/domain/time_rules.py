"""Time rules: slot times are stored in UTC and read in the business's time zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime, time, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from chalicelib.domain.errors import SlotStarted

FIRST_YEAR = 2000
LAST_YEAR = 2099
"""The years a time given to Standby may fall in: any real booking fits, and no time zone
or slot length can move a time in them past what a datetime holds."""


class UnknownTimeZone(ValueError):
    pass


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise UnknownTimeZone(f"unknown time zone {name!r}") from error


def to_utc(moment: datetime, time_zone: str) -> datetime:
    """A time without an offset is a wall-clock time at the business."""
    if moment.tzinfo is None:
        moment = moment.replace(tzinfo=zone(time_zone))
    return moment.astimezone(UTC)


def in_zone(moment: datetime, time_zone: str) -> datetime:
    return moment.astimezone(zone(time_zone))


def within_years(moment: datetime) -> bool:
    return FIRST_YEAR <= moment.year <= LAST_YEAR


def has_started(starts_at: datetime, now: datetime) -> bool:
    return starts_at <= now


def refuse_if_started(starts_at: datetime, now: datetime) -> None:
    """A slot that has started can no longer be booked, waited for or moved into."""
    if has_started(starts_at, now):
        raise SlotStarted("the slot has already started")


@dataclass(frozen=True)
class ActiveHours:
    """When a business lets messages go out, in its own wall-clock time."""

    opens: time
    closes: time

    def next_open_moment(self, moment: datetime, time_zone: str) -> datetime:
        """`moment` itself when it falls within active hours; otherwise the next opening,
        on the wall clock of the business's zone (so daylight-saving changes are honoured)."""
        local = moment.astimezone(zone(time_zone))
        for days_ahead in range(0, 3):
            day = (local + timedelta(days=days_ahead)).date()
            opens = datetime.combine(day, self.opens, tzinfo=zone(time_zone))
            closes = datetime.combine(day, self.closes, tzinfo=zone(time_zone))
            if days_ahead == 0 and opens <= local < closes:
                return moment
            if local < opens:
                return opens.astimezone(UTC)
        raise ValueError("active hours never open")  # opens < closes is checked on input


def parse_clock(value: str) -> time:
    """'08:30' as a wall-clock time."""
    hours, _, minutes = value.partition(":")
    return time(int(hours), int(minutes))
