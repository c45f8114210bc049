"""Which slots a listing asks for: a range of start times, read on the business's calendar."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from chalicelib.domain.errors import InvalidRequest
from chalicelib.domain.time_rules import FIRST_YEAR, LAST_YEAR, to_utc, within_years, zone

DEFAULT_SPAN = timedelta(weeks=4)
"""What a listing covers when it names no end."""
LONGEST_SPAN = timedelta(days=92)
"""The most one listing may cover: a quarter, one Query of bounded size."""

Moment = date | datetime
"""A date (that whole day at the business), or a time (without an offset: the business's
wall clock)."""


@dataclass(frozen=True)
class SlotRange:
    """The slots starting from `starts_from` (default: now) and before `to` (default: four
    weeks after the start; a date: up to the end of that day), a page at a time."""

    starts_from: Moment | None = None
    to: Moment | None = None
    after: str | None = None
    """The `next` of an earlier page: where this one continues."""

    def resolve(self, time_zone: str, now: datetime) -> tuple[datetime, datetime]:
        """[start, end) in UTC; refused, naming the field, when it is out of the years a
        slot may fall in, ends before it starts, or spans more than LONGEST_SPAN."""
        start = _instant("from", self.starts_from, time_zone, end_of_day=False) or now
        end = _instant("to", self.to, time_zone, end_of_day=True) or start + DEFAULT_SPAN
        if end <= start:
            raise InvalidRequest("to", "must be after from")
        if end - start > LONGEST_SPAN:
            raise InvalidRequest("to", f"at most {LONGEST_SPAN.days} days after from")
        return start, end


def _instant(
    field: str, moment: Moment | None, time_zone: str, *, end_of_day: bool
) -> datetime | None:
    if moment is None:
        return None
    if not (FIRST_YEAR <= moment.year <= LAST_YEAR):
        raise InvalidRequest(field, f"must fall in the years {FIRST_YEAR} to {LAST_YEAR}")
    if isinstance(moment, datetime):
        found = to_utc(moment, time_zone)
        if not within_years(found):
            raise InvalidRequest(field, f"must fall in the years {FIRST_YEAR} to {LAST_YEAR}")
        return found
    day = moment + timedelta(days=1) if end_of_day else moment
    return datetime.combine(day, time(), tzinfo=zone(time_zone)).astimezone(UTC)


def parse_moment(field: str, text: str | None) -> Moment | None:
    """`YYYY-MM-DD`, or an ISO 8601 date-time with or without an offset; None when not
    given; refused, naming the field, otherwise."""
    if text is None or not text.strip():
        return None
    text = text.strip()
    try:
        if len(text) == len("YYYY-MM-DD"):
            return date.fromisoformat(text)
        return datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError as error:
        raise InvalidRequest(field, "a date (YYYY-MM-DD) or an ISO 8601 date-time") from error
