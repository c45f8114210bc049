from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.domain.time_rules import UnknownTimeZone, to_utc


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
