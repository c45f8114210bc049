"""The refill's rules against DynamoDB: order, cost, the slot's start, partial failures."""

from __future__ import annotations

import json
from datetime import timedelta
from typing import Any

import pytest

from chalicelib.bootstrap import services
from chalicelib.domain.refill import RefillOutcome
from chalicelib.entrypoints.events.streams import on_booking_change
from tests.support.aws import Streams
from tests.support.calls import aws_calls
from tests.support.shop import START, Shop


@pytest.fixture
def shop(aws: None) -> Shop:
    return Shop()


def test_a_seat_freed_after_the_slot_started_goes_back_on_sale_with_the_reason_recorded(
    shop: Shop,
) -> None:
    shop.wait(2)
    shop.cancel_holder()
    shop.clock.current = START + timedelta(minutes=1)
    shop.feed_changes()

    decision = shop.refill_record()
    assert (decision.outcome, decision.reason) == (RefillOutcome.RELEASED, "the slot has started")
    assert [s.reason for s in decision.skipped] == ["the slot has started"] * 2
    slot = shop.catalogue.slot("shop", shop.slot_id)
    assert (slot.taken, slot.held, slot.waiting) == (0, 0, 2)


def test_the_refill_records_who_was_skipped_and_who_got_the_seat(shop: Shop) -> None:
    shop.wait(3)
    first = shop.waiting_list.list_for_slot("shop", shop.slot_id)[0]
    shop.cancel_holder()
    shop.feed_changes()
    decision = shop.refill_record()
    assert (decision.outcome, decision.entry_id) == (RefillOutcome.BOOKED, first.entry_id)


@pytest.mark.parametrize("waiting", [3, 60])
def test_the_next_customer_is_found_with_one_query_whatever_the_lists_length(
    shop: Shop, waiting: int
) -> None:
    shop.wait(waiting)
    shop.cancel_holder()
    with aws_calls() as calls:
        shop.feed_changes()
    refill_calls = [call for call in calls if not call.startswith("dynamodbstreams.")]
    # The business's settings, the next candidates, then the one transaction.
    assert refill_calls == [
        "dynamodb.BatchGetItem",
        "dynamodb.Query",
        "dynamodb.TransactWriteItems",
    ]
    assert shop.refill_record().outcome == RefillOutcome.BOOKED


def test_a_record_that_fails_is_reported_alone_and_the_rest_of_the_batch_is_processed(
    aws: None, streams: Streams
) -> None:
    shop = Shop()
    shop.wait(1)
    shop.cancel_holder()
    good = _records(shop)
    assert good, "the cancellation reached the stream"
    cancellation = next(
        r
        for r in good
        if r["eventName"] == "MODIFY" and r["dynamodb"]["NewImage"]["kind"]["S"] == "booking"
    )
    broken = json.loads(json.dumps(cancellation))
    broken["dynamodb"]["SequenceNumber"] = "999"
    broken["dynamodb"]["NewImage"]["status"] = {"S": "no-such-status"}
    response = on_booking_change({"Records": [broken, *good]}, None)
    assert response == {"batchItemFailures": [{"itemIdentifier": "999"}]}
    assert shop.refill_record().outcome == RefillOutcome.BOOKED


def _records(shop: Shop) -> list[dict[str, Any]]:
    captured: list[dict[str, Any]] = []

    def capture(event: dict[str, Any], context: Any) -> dict[str, Any]:
        captured.extend(event["Records"])
        return {"batchItemFailures": []}

    shop.bookings_feed.handler = capture
    shop.bookings_feed.deliver()
    services.cache_clear()
    return captured
