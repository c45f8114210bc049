from __future__ import annotations

from datetime import UTC, datetime, time

from chalicelib.domain.time_rules import ActiveHours

OSLO = "Europe/Oslo"
DAYTIME = ActiveHours(time(8, 0), time(21, 0))


def test_a_moment_within_active_hours_is_kept() -> None:
    noon = datetime(2026, 7, 1, 10, 0, tzinfo=UTC)  # 12:00 in Oslo
    assert DAYTIME.next_open_moment(noon, OSLO) == noon


def test_a_moment_at_night_waits_for_the_next_morning_in_the_business_zone() -> None:
    late = datetime(2026, 7, 1, 20, 30, tzinfo=UTC)  # 22:30 in Oslo (summer, UTC+2)
    assert DAYTIME.next_open_moment(late, OSLO) == datetime(2026, 7, 2, 6, 0, tzinfo=UTC)
    early = datetime(2026, 12, 1, 5, 0, tzinfo=UTC)  # 06:00 in Oslo (winter, UTC+1)
    assert DAYTIME.next_open_moment(early, OSLO) == datetime(2026, 12, 1, 7, 0, tzinfo=UTC)


def test_the_opening_follows_the_wall_clock_across_a_daylight_saving_change() -> None:
    # Clocks in Oslo go forward on 29 March 2026: 22:00 local on the 28th is 21:00 UTC,
    # and 08:00 local on the 29th is already summer time, 06:00 UTC.
    night_before = datetime(2026, 3, 28, 21, 0, tzinfo=UTC)
    assert DAYTIME.next_open_moment(night_before, OSLO) == datetime(2026, 3, 29, 6, 0, tzinfo=UTC)
    # And back on 25 October 2026: 08:00 local on the 25th is winter time, 07:00 UTC.
    night_before_autumn = datetime(2026, 10, 24, 20, 0, tzinfo=UTC)
    assert DAYTIME.next_open_moment(night_before_autumn, OSLO) == datetime(
        2026, 10, 25, 7, 0, tzinfo=UTC
    )
