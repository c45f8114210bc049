"""A one-time schedule's payload is read by its own task's handler, and one that cannot be
acted on is refused by name — never a KeyError from somewhere inside."""

from __future__ import annotations

import logging
from typing import Any

import pytest

from chalicelib.adapters.observability import logger
from chalicelib.entrypoints.events.payloads import (
    HeldMessage,
    OfferDeadline,
    ScheduledTaskRefused,
    read_payload,
)
from chalicelib.entrypoints.events.schedules import (
    SCHEDULED_TASKS,
    expire_offer_round,
    run_scheduled_task,
    send_held_message,
)
from chalicelib.services.notifications import SEND_MESSAGE
from chalicelib.services.offers import EXPIRE_OFFER

DEADLINE = {"task": "expire_offer", "business_id": "b", "slot_id": "s", "cause": "c", "round": 2}


def refusal(event: Any) -> ScheduledTaskRefused:
    with pytest.raises(ScheduledTaskRefused) as raised:
        run_scheduled_task(event, None)
    return raised.value


def test_each_task_the_services_schedule_has_a_handler_of_its_own() -> None:
    handlers = dict(SCHEDULED_TASKS)

    assert handlers == {EXPIRE_OFFER: expire_offer_round, SEND_MESSAGE: send_held_message}


def test_an_empty_payload_is_refused_naming_every_field_an_offer_deadline_needs() -> None:
    refused = refusal({})

    assert refused.task == "expire_offer"
    assert refused.fields == ("business_id", "slot_id", "cause", "round")
    assert "business_id: missing" in str(refused)


def test_a_held_message_without_its_id_is_refused_naming_it() -> None:
    refused = refusal({"task": "send_message", "business_id": "b"})

    assert refused.task == "send_message"
    assert refused.problems == {"message_id": "missing"}


def test_an_offer_deadline_with_a_round_that_is_not_a_number_is_refused_naming_it() -> None:
    refused = refusal({**DEADLINE, "round": "second"})

    assert refused.fields == ("round",)


def test_an_unknown_task_is_refused_naming_the_tasks_there_are() -> None:
    refused = refusal({"task": "water_the_plants"})

    assert refused.task == "water_the_plants"
    assert refused.problems == {"task": "unknown; one of expire_offer, send_message"}


def test_a_payload_that_is_not_an_object_is_refused() -> None:
    assert refusal(["expire_offer"]).problems == {"payload": "must be a JSON object"}


def test_a_refused_payload_is_logged_with_what_is_wrong(caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.ERROR, logger=logger.service):
        refusal({"task": "send_message"})

    [record] = [r for r in caplog.records if r.getMessage() == "scheduled task refused"]
    assert record.__dict__["task"] == "send_message"
    assert record.__dict__["problems"] == {
        "business_id": "missing",
        "message_id": "missing",
    }


def test_a_payload_is_read_as_its_task_says_and_later_fields_are_ignored() -> None:
    deadline = read_payload(OfferDeadline, EXPIRE_OFFER, {**DEADLINE, "added_later": True})
    held = read_payload(HeldMessage, SEND_MESSAGE, {"business_id": "b", "message_id": "m"})

    assert (deadline.business_id, deadline.slot_id, deadline.cause, deadline.round) == (
        "b",
        "s",
        "c",
        2,
    )
    assert (held.task, held.business_id, held.message_id) == ("send_message", "b", "m")
