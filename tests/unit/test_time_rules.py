from __future__ import annotations

from datetime import UTC, datetime, timedelta, timezone

import pytest

from chalicelib.domain.errors import SlotStarted
from chalicelib.domain.time_rules import (
    UnknownTimeZone,
    has_started,
    refuse_if_started,
    to_utc,
    within_years,
)


def test_a_time_without_offset_is_read_at_the_business_across_daylight_saving() -> None:
    summer = to_utc(datetime(2026, 7, 1, 10, 0), "Europe/Oslo")
    winter = to_utc(datetime(2026, 12, 1, 10, 0), "Europe/Oslo")
    assert (summer.hour, winter.hour) == (8, 9)
    assert summer.tzinfo is UTC


def test_a_time_with_an_offset_keeps_its_moment() -> None:
    moment = datetime.fromisoformat("2026-12-01T10:00:00+05:00")
    assert to_utc(moment, "Europe/Oslo") == datetime(2026, 12, 1, 5, 0, tzinfo=UTC)


def test_an_unknown_time_zone_is_refused_by_name() -> None:
    with pytest.raises(UnknownTimeZone, match="Mars/Olympus"):
        to_utc(datetime(2026, 1, 1), "Mars/Olympus")


NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)


def test_a_slot_has_started_from_its_very_start() -> None:
    assert not has_started(NOW + timedelta(seconds=1), NOW)
    assert has_started(NOW, NOW)
    assert has_started(NOW - timedelta(days=1), NOW)


def test_a_slot_that_has_started_is_refused_saying_so() -> None:
    refuse_if_started(NOW + timedelta(minutes=1), NOW)
    with pytest.raises(SlotStarted) as refused:
        refuse_if_started(NOW, NOW)
    assert str(refused.value) == "the slot has already started"


@pytest.mark.parametrize(
    ("moment", "served"),
    [
        (datetime(1999, 12, 31, 23, 59), False),
        (datetime(2000, 1, 1), True),
        (datetime(2099, 12, 31, 23, 59, tzinfo=UTC), True),
        (datetime(2100, 1, 1), False),
        (datetime(9999, 12, 31), False),
    ],
)
def test_times_are_served_in_the_years_2000_to_2099(moment: datetime, served: bool) -> None:
    assert within_years(moment) is served


def test_the_last_moment_served_stays_a_datetime_in_any_zone_and_a_day_later() -> None:
    last = datetime(2099, 12, 31, 23, 59, tzinfo=timezone(timedelta(hours=-14)))
    assert to_utc(last, "Pacific/Kiritimati") + timedelta(days=1) > last
    first = datetime(2000, 1, 1, 0, 0, tzinfo=timezone(timedelta(hours=14)))
    assert to_utc(first, "UTC") - timedelta(days=7) < first
