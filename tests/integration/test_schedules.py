"""One-time schedules on EventBridge Scheduler (moto stores them; nothing fires here)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import boto3
import pytest
from moto import mock_aws

from chalicelib.adapters.scheduler import EventBridgeScheduler
from chalicelib.settings import Settings, get_settings

QUEUE_ARN = "arn:aws:sqs:eu-west-1:123456789012:standby-DeadLetterQueue"
WHEN = datetime(2030, 6, 1, 7, 0, tzinfo=UTC)


@pytest.fixture
def scheduler() -> Iterator[Any]:
    with mock_aws():
        yield boto3.client("scheduler", region_name="eu-west-1")


def settings(dead_letter_queue_arn: str | None) -> Settings:
    return dataclasses.replace(get_settings(), dead_letter_queue_arn=dead_letter_queue_arn)


def test_a_schedule_that_cannot_invoke_its_function_is_parked_in_the_dead_letter_queue(
    scheduler: Any,
) -> None:
    EventBridgeScheduler(settings(QUEUE_ARN)).at("offer-1", WHEN, {"offer": "o-1"})

    target = scheduler.get_schedule(Name="offer-1")["Target"]

    assert target["DeadLetterConfig"] == {"Arn": QUEUE_ARN}
    assert target["Input"] == '{"offer": "o-1"}'


def test_without_a_dead_letter_queue_a_schedule_names_none(scheduler: Any) -> None:
    EventBridgeScheduler(settings(None)).at("offer-1", WHEN, {"offer": "o-1"})

    assert "DeadLetterConfig" not in scheduler.get_schedule(Name="offer-1")["Target"]


def test_a_fired_schedule_reaches_its_tasks_use_case(aws: None) -> None:
    # Nothing to do for a round or a message that does not exist: each use case says so.
    from chalicelib.entrypoints.events.schedules import run_scheduled_task

    expired = run_scheduled_task(
        {"task": "expire_offer", "business_id": "b", "slot_id": "s", "cause": "c", "round": 1},
        None,
    )
    sent = run_scheduled_task({"task": "send_message", "business_id": "b", "message_id": "m"}, None)

    assert expired == {"expired": False}
    assert sent == {"sent": False}
