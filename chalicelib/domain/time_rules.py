"""Time rules: slot times are stored in UTC and read in the business's time zone."""

from __future__ import annotations

from datetime import UTC, datetime
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError


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
