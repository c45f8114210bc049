"""The local scheduler pump fires what EventBridge would: due schedules and rate functions."""

from __future__ import annotations

import json
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError
from chalice import Chalice, Rate
from moto import mock_aws

from local.dead_letters import DeadLetters
from local.scheduler_pump import SchedulerPump

START = datetime(2030, 6, 1, 7, 0, tzinfo=UTC)
FUNCTION_ARN = "arn:aws:lambda:eu-west-1:123456789012:function:sched-fixture-dev-expire_offer"


class FakeClock:
    def __init__(self, now: datetime) -> None:
        self.now = now

    def __call__(self) -> datetime:
        return self.now

    def advance(self, **delta: float) -> None:
        self.now += timedelta(**delta)


class Calls:
    def __init__(self, failures: int = 0) -> None:
        self.expire_offer: list[Any] = []
        self.sweep: list[Any] = []
        self.failures_left = failures

    def fail_if_told(self) -> None:
        if self.failures_left:
            self.failures_left -= 1
            raise RuntimeError("the offer table is on fire")


def fixture_app(calls: Calls) -> Chalice:
    app = Chalice(app_name="sched-fixture")

    @app.lambda_function(name="expire_offer")
    def expire_offer(event: dict[str, Any], context: Any) -> None:
        calls.fail_if_told()
        calls.expire_offer.append(event)

    @app.schedule(Rate(5, unit=Rate.MINUTES))
    def sweep(event: Any) -> None:
        calls.sweep.append({"detail_type": event.detail_type, "time": event.time})

    return app


@pytest.fixture
def scheduler() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("scheduler")


def create_schedule(
    scheduler: Any,
    name: str,
    at: str,
    *,
    time_zone: str = "UTC",
    after: str = "DELETE",
    target_arn: str = FUNCTION_ARN,
    payload: dict[str, Any] | None = None,
) -> None:
    scheduler.create_schedule(
        Name=name,
        ScheduleExpression=f"at({at})",
        ScheduleExpressionTimezone=time_zone,
        FlexibleTimeWindow={"Mode": "OFF"},
        Target={
            "Arn": target_arn,
            "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
            "Input": json.dumps(payload or {"offer_id": name}),
        },
        ActionAfterCompletion=after,
    )


def exists(scheduler: Any, name: str) -> bool:
    try:
        scheduler.get_schedule(Name=name)
    except ClientError:
        return False
    return True


def make_pump(
    scheduler: Any, calls: Calls, clock: FakeClock, dead_letters: DeadLetters | None = None
) -> SchedulerPump:
    return SchedulerPump(
        scheduler=scheduler,
        app=fixture_app(calls),
        dead_letters=dead_letters or DeadLetters(),
        region="eu-west-1",
        clock=clock,
        max_attempts=2,
        retry_delay=timedelta(minutes=1),
    )


class TestOneTimeSchedules:
    def test_a_schedule_fires_once_its_time_comes_with_its_input_and_is_deleted(
        self, scheduler: Any
    ) -> None:
        calls, clock = Calls(), FakeClock(START)
        pump = make_pump(scheduler, calls, clock)
        create_schedule(scheduler, "offer-1", "2030-06-01T07:10:00", payload={"offer_id": "o-1"})

        pump.tick()
        clock.advance(minutes=10)
        pump.tick()
        pump.tick()

        assert calls.expire_offer == [{"offer_id": "o-1"}]
        assert not exists(scheduler, "offer-1")

    def test_nothing_fires_before_its_time(self, scheduler: Any) -> None:
        calls, clock = Calls(), FakeClock(START)
        pump = make_pump(scheduler, calls, clock)
        create_schedule(scheduler, "offer-1", "2030-06-01T07:10:00")

        clock.advance(minutes=9, seconds=59)
        pump.tick()

        assert calls.expire_offer == []
        assert exists(scheduler, "offer-1")

    def test_the_time_is_read_in_the_schedules_time_zone(self, scheduler: Any) -> None:
        calls, clock = Calls(), FakeClock(START)
        pump = make_pump(scheduler, calls, clock)
        # 10:00 in Oslo in summer is 08:00 UTC.
        create_schedule(scheduler, "offer-1", "2030-06-01T10:00:00", time_zone="Europe/Oslo")

        clock.now = datetime(2030, 6, 1, 7, 59, 59, tzinfo=UTC)
        pump.tick()
        fired_early = len(calls.expire_offer)
        clock.now = datetime(2030, 6, 1, 8, 0, tzinfo=UTC)
        pump.tick()

        assert (fired_early, len(calls.expire_offer)) == (0, 1)

    def test_a_schedule_kept_after_completion_fires_only_once(self, scheduler: Any) -> None:
        calls, clock = Calls(), FakeClock(START)
        pump = make_pump(scheduler, calls, clock)
        create_schedule(scheduler, "offer-1", "2030-06-01T07:00:00", after="NONE")

        pump.tick()
        clock.advance(minutes=1)
        pump.tick()

        assert len(calls.expire_offer) == 1
        assert exists(scheduler, "offer-1")

    def test_a_failed_call_is_retried_later_and_delivered(self, scheduler: Any) -> None:
        calls, clock = Calls(failures=1), FakeClock(START)
        dead_letters = DeadLetters()
        pump = make_pump(scheduler, calls, clock, dead_letters)
        create_schedule(scheduler, "offer-1", "2030-06-01T07:00:00", payload={"offer_id": "o-1"})

        pump.tick()
        pump.tick()
        attempts_before_the_retry_delay = calls.failures_left, len(calls.expire_offer)
        clock.advance(minutes=1)
        pump.tick()

        assert attempts_before_the_retry_delay == (0, 0)
        assert calls.expire_offer == [{"offer_id": "o-1"}]
        assert dead_letters.all() == []
        assert not exists(scheduler, "offer-1")

    def test_a_call_that_keeps_failing_is_parked_as_a_dead_letter(self, scheduler: Any) -> None:
        calls, clock = Calls(failures=99), FakeClock(START)
        dead_letters = DeadLetters()
        pump = make_pump(scheduler, calls, clock, dead_letters)
        create_schedule(scheduler, "offer-1", "2030-06-01T07:00:00", payload={"offer_id": "o-1"})

        for _ in range(4):
            pump.tick()
            clock.advance(minutes=1)

        (letter,) = dead_letters.all()
        assert letter.source == "scheduler"
        assert letter.attempts == 2
        assert letter.payload == {"offer_id": "o-1"}
        assert "the offer table is on fire" in letter.reason
        assert not exists(scheduler, "offer-1")

    def test_a_schedule_aimed_at_no_local_function_is_parked(self, scheduler: Any) -> None:
        calls, clock = Calls(), FakeClock(START)
        dead_letters = DeadLetters()
        pump = make_pump(scheduler, calls, clock, dead_letters)
        create_schedule(
            scheduler,
            "stray",
            "2030-06-01T07:00:00",
            target_arn="arn:aws:lambda:eu-west-1:123456789012:function:someone-else",
        )

        pump.tick()

        (letter,) = dead_letters.all()
        assert "no local function" in letter.reason
        assert calls.expire_offer == []


class TestRateFunctions:
    def test_a_rate_function_runs_at_its_rate(self, scheduler: Any) -> None:
        calls, clock = Calls(), FakeClock(START)
        pump = make_pump(scheduler, calls, clock)

        runs = []
        for minutes in (0, 4, 1, 5, 5):
            clock.advance(minutes=minutes)
            pump.tick()
            runs.append(len(calls.sweep))

        assert runs == [0, 0, 1, 2, 3]

    def test_a_rate_function_gets_a_scheduled_event(self, scheduler: Any) -> None:
        calls, clock = Calls(), FakeClock(START)
        pump = make_pump(scheduler, calls, clock)

        clock.advance(minutes=5)
        pump.tick()

        assert calls.sweep == [{"detail_type": "Scheduled Event", "time": "2030-06-01T07:05:00Z"}]

    def test_runs_missed_while_nothing_listened_are_not_caught_up(self, scheduler: Any) -> None:
        calls, clock = Calls(), FakeClock(START)
        pump = make_pump(scheduler, calls, clock)

        clock.advance(minutes=30)
        pump.tick()
        pump.tick()

        assert len(calls.sweep) == 1


class TestReplay:
    def test_a_parked_event_replayed_once_its_function_works_again_leaves_the_dead_letters(
        self, scheduler: Any
    ) -> None:
        calls, clock = Calls(failures=2), FakeClock(START)
        dead_letters = DeadLetters()
        pump = make_pump(scheduler, calls, clock, dead_letters)
        create_schedule(scheduler, "offer-1", "2030-06-01T07:00:00", payload={"offer_id": "o-1"})
        for _ in range(3):
            pump.tick()
            clock.advance(minutes=1)
        parked = len(dead_letters.all())

        replayed = dead_letters.replay(pump.redeliver)

        assert parked == 1
        assert (replayed.replayed, replayed.still_parked) == (1, 0)
        assert calls.expire_offer == [{"offer_id": "o-1"}]
        assert dead_letters.all() == []

    def test_a_parked_event_that_fails_again_stays_with_the_new_reason(
        self, scheduler: Any
    ) -> None:
        calls, clock = Calls(failures=99), FakeClock(START)
        dead_letters = DeadLetters()
        pump = make_pump(scheduler, calls, clock, dead_letters)
        create_schedule(scheduler, "offer-1", "2030-06-01T07:00:00", payload={"offer_id": "o-1"})
        for _ in range(3):
            pump.tick()
            clock.advance(minutes=1)
        [before] = dead_letters.all()

        replayed = dead_letters.replay(pump.redeliver)

        [after] = dead_letters.all()
        assert (replayed.replayed, replayed.still_parked) == (0, 1)
        assert "the offer table is on fire" in after.reason
        assert after.attempts == before.attempts + 1
        assert calls.expire_offer == []

    def test_a_parked_event_for_no_local_function_stays_and_says_so(self, scheduler: Any) -> None:
        calls, clock = Calls(), FakeClock(START)
        dead_letters = DeadLetters()
        pump = make_pump(scheduler, calls, clock, dead_letters)
        create_schedule(
            scheduler,
            "stray",
            "2030-06-01T07:00:00",
            target_arn="arn:aws:lambda:eu-west-1:123456789012:function:someone-else",
        )
        pump.tick()

        replayed = dead_letters.replay(pump.redeliver)

        [letter] = dead_letters.all()
        assert replayed.still_parked == 1
        assert letter.reason == "no local function for someone-else"
