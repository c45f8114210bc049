"""Only records that can lead to work wake a stream function: every record of real writes
on moto is handed to its handler unfiltered, and those the handler did anything with (any
AWS call) must pass the event source's filters (read from infra/template.json, as the local
stack's pump reads them); the kinds that lead to nothing must not."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import pytest

from chalicelib.adapters.stream_events import process_changes
from chalicelib.domain.model import Actor, WaitingListMode
from chalicelib.entrypoints.events.streams import on_bookings_images, on_outbox_message
from chalicelib.services.catalogue import SlotChanges
from chalicelib.settings import get_settings
from local.event_filters import filter_patterns, passes
from tests.support.aws import StreamFeed
from tests.support.calls import aws_call_log
from tests.support.shop import Shop

Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass(frozen=True)
class Seen:
    function: str
    record: dict[str, Any]
    worked: bool
    """The handler made an AWS call for it: read, wrote, scheduled or sent."""

    @property
    def passes(self) -> bool:
        return passes(filter_patterns(self.function), self.record)

    def new(self, name: str) -> str | None:
        value = self.record["dynamodb"].get("NewImage", {}).get(name, {})
        return str(value["S"]) if "S" in value else None

    def old(self, name: str) -> str | None:
        value = self.record["dynamodb"].get("OldImage", {}).get(name, {})
        return str(value["S"]) if "S" in value else None


@dataclass
class Witness:
    """Both streams read unfiltered, each record handed alone to its handler."""

    shop: Shop
    seen: list[Seen] = field(default_factory=list)
    feeds: list[StreamFeed] = field(default_factory=list)

    def __post_init__(self) -> None:
        settings = get_settings()
        self.feeds = [
            StreamFeed(settings.bookings_table, self._watched("on_booking_change", self._bookings)),
            StreamFeed(
                settings.outbox_table, self._watched("on_outbox_message", on_outbox_message)
            ),
        ]

    def _bookings(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        return process_changes(
            event, context, lambda old, new: on_bookings_images(self.shop, old, new)
        )

    def _watched(self, function: str, handler: Handler) -> Handler:
        def run(event: dict[str, Any], context: Any) -> dict[str, Any]:
            with aws_call_log() as log:
                response = handler(event, context)
            (record,) = event["Records"]
            self.seen.append(Seen(function, record, worked=bool(list(log))))
            return response

        return run

    def settle(self) -> None:
        for _ in range(10):
            if not any([feed.deliver() for feed in self.feeds]):
                return
        raise AssertionError("the streams did not settle")


def kind(seen: Seen) -> str:
    return seen.new("kind") or seen.old("kind") or "message"


def claims(seen: Seen) -> bool:
    """A message's claim: the attempt that wrote it is sending it (or its record, retried,
    will look again), so a function woken by it would only find the message taken."""
    return seen.function == "on_outbox_message" and seen.new("claim_until") is not None


def check(witness: Witness) -> None:
    assert not [s for s in witness.seen if claims(s) and s.passes]
    wrong = [
        (s.function, kind(s), s.record["eventName"], s.new("status"))
        for s in witness.seen
        if s.worked and not s.passes and not claims(s)
    ]
    assert not wrong, f"records that led to work were filtered out: {wrong}"
    idle = [
        (s.function, kind(s), s.record["eventName"], s.new("status"))
        for s in witness.seen
        if s.passes and not s.worked
    ]
    assert not idle, f"records that led to nothing passed the filters: {idle}"


@pytest.mark.usefixtures("aws")
def test_a_cancellation_refilled_wakes_a_function_for_the_freed_seat_and_each_message() -> None:
    shop = Shop()
    shop.wait(1)
    witness = Witness(shop)
    witness.settle()
    witness.seen.clear()

    shop.cancel_holder()
    witness.settle()

    check(witness)
    passed = [(s.function, kind(s), s.new("status")) for s in witness.seen if s.passes]
    assert ("on_booking_change", "booking", "cancelled") in passed
    assert [p for p in passed if p[0] == "on_outbox_message"] == [
        ("on_outbox_message", "message", "queued"),
        ("on_outbox_message", "message", "queued"),
    ]
    assert len(passed) <= 4
    dropped = {(s.function, kind(s), s.record["eventName"]) for s in witness.seen if not s.passes}
    assert ("on_booking_change", "history", "INSERT") in dropped
    assert ("on_booking_change", "waiting_entry", "MODIFY") in dropped
    assert ("on_booking_change", "refill", "MODIFY") in dropped, "the refill's decision"
    assert ("on_booking_change", "booking", "INSERT") in dropped, "the new customer's booking"
    sent = [s for s in witness.seen if s.function == "on_outbox_message" and s.new("status")]
    assert any(s.new("status") == "sent" and not s.passes for s in sent), "marked sent"
    assert any(claims(s) for s in witness.seen), "a message claimed for its send"


@pytest.mark.usefixtures("aws")
def test_a_seat_release_from_a_capacity_raise_wakes_the_refill() -> None:
    shop = Shop()
    shop.wait(1)
    witness = Witness(shop)
    witness.settle()
    witness.seen.clear()

    shop.catalogue.change_slot("shop", shop.slot_id, SlotChanges(capacity=2))
    witness.settle()

    check(witness)
    releases = [s for s in witness.seen if kind(s) == "seat_release"]
    assert releases and all(s.passes and s.worked for s in releases)


@pytest.mark.usefixtures("aws")
def test_an_accepted_offer_wakes_the_round_and_offers_made_do_not() -> None:
    shop = Shop(waiting_list_mode=WaitingListMode.OFFER_TO_MANY, offer_window_seconds=600)
    shop.wait(2)
    witness = Witness(shop)
    witness.settle()
    shop.cancel_holder()
    witness.settle()
    offers = shop.uow().offers.offers_of_round(
        "shop", shop.slot_id, f"{shop.holder.booking_id}.v1", 1
    )
    witness.seen.clear()

    shop.offers.accept(shop.links.offer_token("shop", shop.slot_id, offers[0].offer_id))
    witness.settle()

    check(witness)
    accepted = [s for s in witness.seen if kind(s) == "offer" and s.new("status") == "accepted"]
    assert accepted and all(s.passes for s in accepted)
    assert any(kind(s) == "offer" and s.new("status") != "accepted" for s in witness.seen)


@pytest.mark.usefixtures("aws")
def test_a_freed_seat_in_manual_mode_wakes_the_function_that_tells_staff() -> None:
    shop = Shop(waiting_list_mode=WaitingListMode.MANUAL)
    shop.wait(1)
    witness = Witness(shop)
    witness.settle()
    witness.seen.clear()

    shop.bookings.cancel("shop", shop.slot_id, shop.holder.booking_id, by=Actor.CUSTOMER)
    witness.settle()

    check(witness)
    freed = [s for s in witness.seen if kind(s) == "booking" and s.new("status") == "cancelled"]
    assert freed and all(s.passes and s.worked for s in freed)
