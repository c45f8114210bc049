"""The refill's cost as the waiting list grows, in each mode that reads the list: calls and
items read must not change.

Each size gets a fresh account: a full slot, its holder, and the waiting entries written
straight into moto's table (``bench.seeding``). The holder cancels through the API; the
cancellation's change is then handed to ``on_booking_change`` exactly as the stream would
carry it, and every call the handler makes is counted.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import boto3

from bench.in_process import Business, running_app, set_up_business
from bench.report import Figure, Section, verdict
from bench.seeding import write_straight
from chalicelib.adapters.dynamodb import keys, mapping
from chalicelib.adapters.dynamodb.keys import business_key, slot_partition
from chalicelib.adapters.dynamodb.models import (
    SlotItem,
    WaitingEntryItem,
)
from chalicelib.bootstrap import services
from chalicelib.domain.allocation import queue_position
from chalicelib.domain.model import Contact, EntryStatus, SlotSummary, WaitingEntry
from chalicelib.entrypoints.events.streams import on_booking_change
from chalicelib.services.ids import new_id
from chalicelib.settings import get_settings
from tests.support.aws import REGION
from tests.support.calls import Call, aws_call_log

SIZES = (10, 1_000, 100_000)
DESIGN_SIZES = SIZES


MODES = {
    "automatic": "booked",
    "one_at_a_time": "offering",
    "offer_to_many": "offering",
}
"""Each waiting-list mode whose refill reads the list, and the outcome it must reach."""
OFFER_TO_MANY_COUNT = 2
"""Fewer than the smallest list, so every size asks as many customers."""


@dataclass(frozen=True)
class RefillCost:
    mode: str
    size: int
    calls: list[Call]
    seed_seconds: float
    handler_seconds: float
    outcome: str

    @property
    def names(self) -> str:
        return ", ".join(call.name for call in self.calls)

    @property
    def items_read(self) -> int:
        return sum(call.items_read for call in self.calls)

    @property
    def items_written(self) -> int:
        return sum(call.items_written for call in self.calls)

    @property
    def shape(self) -> tuple[str, int, int]:
        return self.names, self.items_read, self.items_written


def measure(sizes: Sequence[int] = SIZES) -> Section:
    by_size = [_refills_with_waiting(size) for size in sizes]
    figures: list[Figure] = []
    for mode, expected in MODES.items():
        costs = [refills[mode] for refills in by_size]
        same = all(cost.shape == costs[0].shape for cost in costs)
        reached = all(cost.outcome == expected for cost in costs)
        figures += [
            Figure(
                f"{mode}: refill beside {c.size:,} waiting: calls / items read / written",
                f"{len(c.calls)} / {c.items_read} / {c.items_written}",
                "unchanged",
                verdict(same and reached),
                f"{c.names}; outcome {c.outcome}; handler {c.handler_seconds * 1000:.0f} ms "
                f"in moto (list written in {c.seed_seconds:.1f} s)",
            )
            for c in costs
        ]
    return Section(
        "Cost against waiting-list size",
        figures,
        notes=[
            _sizes_note(sizes),
            "Each size: a fresh account, a one-seat slot, its holder, and the entries written "
            "once (two more than the size, so that each refill finds that many waiting); then "
            "one refill per mode, in turn, the business switched to that mode "
            "first: the holder cancels (automatic books the first entry), that booking is "
            "cancelled (one at a time offers the seat to the next, who accepts), and that "
            "booking is cancelled (offer to many). Each cancellation goes through the API "
            "and its change is handed to `on_booking_change`, whose calls are counted. "
            f"Offers to many ask {OFFER_TO_MANY_COUNT} at once.",
            "The handler's time is moto's (it reads and sorts every item of the table in "
            "Python to answer a Query on an index), shown only to tell the runs apart: it is "
            "not a DynamoDB latency.",
        ],
    )


def _sizes_note(sizes: Sequence[int]) -> str:
    note = "Sizes: " + ", ".join(f"{size:,}" for size in sizes) + " entries on one slot's list"
    if tuple(sizes) == DESIGN_SIZES:
        return note + "."
    return note + ", not the design's 10 / 1,000 / 100,000."


def _refills_with_waiting(size: int) -> dict[str, RefillCost]:
    """A refill in each mode beside `size` waiting entries, written once."""
    with running_app() as api:
        shop = set_up_business(
            api,
            f"bench-list-{size}",
            settings={"offer_to_many_count": OFFER_TO_MANY_COUNT},
            services=[{"name": "Haircut", "duration_minutes": 30}],
        )
        slot_id = shop.add_slots(1)[0]
        booking = shop.book(slot_id, "Holder")
        began = time.monotonic()
        # Each mode's refill books one entry before the next mode's: each sees `size`.
        _seed_waiting_list(shop, slot_id, size + len(MODES) - 1)
        seeded = time.monotonic() - began
        costs: dict[str, RefillCost] = {}
        holder = (booking["booking"]["booking_id"], booking["manage_token"])
        for mode in MODES:
            _switch_mode(shop, mode)
            calls, handled = _cancel_and_refill(shop, slot_id, *holder)
            outcome = _outcome(shop, slot_id)
            costs[mode] = RefillCost(mode, size, calls, seeded, handled, outcome)
            holder = _next_holder(shop, slot_id, mode)
        return costs


def _switch_mode(shop: Business, mode: str) -> None:
    profile = {"name": "Bench Salon", "time_zone": "Europe/Oslo", "language": "en"}
    settings = {"waiting_list_mode": mode, "offer_to_many_count": OFFER_TO_MANY_COUNT}
    shop.staff("PUT", "/staff/business", {**profile, **settings})


def _cancel_and_refill(
    shop: Business, slot_id: str, booking_id: str, token: str
) -> tuple[list[Call], float]:
    """Cancel through the API; hand the change to the refill as the stream would."""
    key = _booking_key(shop.business_id, slot_id, booking_id)
    old = _image(key)
    shop.api.call("POST", f"/bookings/{token}/cancel")
    record = _modify_record(key, old, _image(key))
    with aws_call_log() as log:
        began = time.monotonic()
        response = on_booking_change({"Records": [record]}, None)
        handled = time.monotonic() - began
    if response.get("batchItemFailures"):
        raise RuntimeError(f"the refill failed: {response}")
    return list(log), handled


def _next_holder(shop: Business, slot_id: str, mode: str) -> tuple[str, str]:
    """Whoever holds the seat after the refill in `mode`: the entry it booked, or the one
    who accepts its offer."""
    links = services().links
    if mode != "automatic":
        decision = shop.staff("GET", f"/staff/slots/{slot_id}/allocations")["allocations"][0]
        uow = services().uow()
        record = uow.refills.get_refill(shop.business_id, slot_id, decision["cause"])
        assert record is not None
        [first, *_] = uow.offers.offers_of_round(
            shop.business_id, slot_id, record.cause, record.round
        )
        offer = links.offer_token(shop.business_id, slot_id, first.offer_id)
        shop.api.call("POST", f"/offers/{offer}/accept")
    bookings = shop.staff("GET", f"/staff/slots/{slot_id}/bookings")["bookings"]
    [held] = [b for b in bookings if b["status"] == "confirmed"]
    booking_id = str(held["booking_id"])
    return booking_id, links.booking_token(shop.business_id, slot_id, booking_id)


def _seed_waiting_list(shop: Business, slot_id: str, size: int) -> None:
    summary = _summary(shop, slot_id)
    start = datetime.now(UTC) - timedelta(days=1)
    write_straight(
        get_settings().bookings_table,
        (
            _waiting(shop.business_id, slot_id, summary, start, number).serialize()
            for number in range(size)
        ),
    )
    # The slot counts who waits; a cancellation holds the seat only when someone does.
    SlotItem(business_key(shop.business_id), keys.slot_key(slot_id)).update(
        actions=[SlotItem.waiting.set(size)]
    )


def _waiting(
    business_id: str, slot_id: str, summary: SlotSummary, start: datetime, number: int
) -> WaitingEntryItem:
    entry = WaitingEntry(
        business_id=business_id,
        slot_id=slot_id,
        entry_id=new_id(),
        status=EntryStatus.WAITING,
        contact=Contact(f"Waiting {number}", f"waiting{number}@example.com"),
        slot=summary,
        signed_up_at=start + timedelta(milliseconds=number),
    )
    return mapping.entry_to_item(entry, queue_position(entry.signed_up_at, entry.entry_id))


def _summary(shop: Business, slot_id: str) -> SlotSummary:
    slot = SlotItem.get(business_key(shop.business_id), keys.slot_key(slot_id))
    assert isinstance(slot, SlotItem)
    return SlotSummary(
        business_name="Bench Salon",
        time_zone="Europe/Oslo",
        language="en",
        service_name=slot.service_name,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
    )


def _booking_key(business_id: str, slot_id: str, booking_id: str) -> dict[str, Any]:
    return {
        "pk": {"S": slot_partition(business_id, slot_id)},
        "sk": {"S": keys.booking_key(booking_id)},
    }


def _client() -> Any:
    return boto3.client("dynamodb", region_name=REGION)


def _image(key: dict[str, Any]) -> dict[str, Any]:
    item: dict[str, Any] = _client().get_item(
        TableName=get_settings().bookings_table, Key=key, ConsistentRead=True
    )["Item"]
    return item


def _modify_record(key: dict[str, Any], old: dict[str, Any], new: dict[str, Any]) -> dict[str, Any]:
    """The change as a Lambda stream event record carries it (NEW_AND_OLD_IMAGES)."""
    table = get_settings().bookings_table
    return {
        "eventID": new_id(),
        "eventName": "MODIFY",
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": {
            "Keys": key,
            "OldImage": old,
            "NewImage": new,
            "SequenceNumber": "1",
            "SizeBytes": 1,
            "StreamViewType": "NEW_AND_OLD_IMAGES",
        },
        "eventSourceARN": f"arn:aws:dynamodb:{REGION}:123456789012:table/{table}/stream/bench",
    }


def _outcome(shop: Business, slot_id: str) -> str:
    decisions = shop.staff("GET", f"/staff/slots/{slot_id}/allocations")["allocations"]
    return str(decisions[0]["outcome"]) if decisions else "none"
