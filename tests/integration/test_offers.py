"""Offers: one customer at a time with a response window, or many at once where the first
to accept wins; expiry by schedule or backstop, each settled once."""

from __future__ import annotations

import json
from typing import Any

import boto3
import pytest

from chalicelib.domain.errors import NotActive
from chalicelib.domain.model import EntryStatus, WaitingListMode
from chalicelib.domain.offers import OfferStatus
from chalicelib.entrypoints.events.streams import on_outbox_message
from chalicelib.services.offers import schedule_name
from chalicelib.settings import get_settings
from local.event_filters import filter_patterns
from tests.support.aws import REGION, StreamFeed, sent_about
from tests.support.calls import aws_calls
from tests.support.shop import Shop

WINDOW = 600


class OfferShop(Shop):
    """A full slot with three customers waiting, Ada holding the seat."""

    def __init__(self, mode: WaitingListMode, **settings: Any) -> None:
        super().__init__(waiting_list_mode=mode, offer_window_seconds=WINDOW, **settings)
        self.wait(3)
        self.outbox_feed = StreamFeed(
            get_settings().outbox_table, on_outbox_message, filter_patterns("on_outbox_message")
        )

    @property
    def cause(self) -> str:
        return f"{self.holder.booking_id}.v1"

    def deliver(self) -> None:
        self.feed_changes()
        self.outbox_feed.deliver()

    def entries(self) -> dict[str, EntryStatus]:
        entries = self.waiting_list.list_for_slot("shop", self.slot_id)
        return {entry.contact.name: entry.status for entry in entries}

    def offers_in(self, round_number: int) -> dict[str, OfferStatus]:
        offers = self.uow().offers.offers_of_round("shop", self.slot_id, self.cause, round_number)
        return {offer.contact.name: offer.status for offer in offers}

    def token(self, name: str, round_number: int) -> str:
        for offer in self.uow().offers.offers_of_round(
            "shop", self.slot_id, self.cause, round_number
        ):
            if offer.contact.name == name:
                return self.links.offer_token("shop", self.slot_id, offer.offer_id)
        raise AssertionError(f"no offer to {name}")

    def scheduled(self) -> list[dict[str, Any]]:
        client: Any = boto3.client("scheduler", region_name=REGION)
        names = [s["Name"] for s in client.list_schedules()["Schedules"]]
        return [client.get_schedule(Name=name) for name in names]

    def fire_schedule(self, round_number: int) -> None:
        """What EventBridge Scheduler does when the round's time comes."""
        [schedule] = [
            s for s in self.scheduled() if s["Name"] == schedule_name(self.cause, round_number)
        ]
        payload = json.loads(schedule["Target"]["Input"])
        self.offers.expire(
            payload["business_id"], payload["slot_id"], payload["cause"], payload["round"]
        )

    def cancel_and_offer(self) -> None:
        self.cancel_holder()
        self.deliver()


@pytest.fixture
def one_at_a_time(aws: None) -> OfferShop:
    return OfferShop(WaitingListMode.ONE_AT_A_TIME)


@pytest.fixture
def offer_to_many(aws: None) -> OfferShop:
    return OfferShop(WaitingListMode.OFFER_TO_MANY)


def test_one_at_a_time_asks_the_first_customer_and_schedules_the_end_of_their_window(
    one_at_a_time: OfferShop,
) -> None:
    shop = one_at_a_time
    shop.cancel_and_offer()

    assert shop.offers_in(1) == {"C0": OfferStatus.OPEN}
    assert shop.entries() == {
        "C0": EntryStatus.OFFERED,
        "C1": EntryStatus.WAITING,
        "C2": EntryStatus.WAITING,
    }
    [schedule] = shop.scheduled()
    assert schedule["Name"] == schedule_name(shop.cause, 1)
    assert schedule["ScheduleExpression"].startswith("at(")
    assert schedule["ActionAfterCompletion"] == "DELETE"
    [offer] = sent_about("answer by")
    assert offer.to == "c0@example.com"
    slot = shop.catalogue.slot("shop", shop.slot_id)
    assert (slot.taken, slot.held) == (1, 1)  # the seat is held while C0 decides


def test_when_the_window_ends_the_next_customer_is_asked_and_the_first_cannot_claim(
    one_at_a_time: OfferShop,
) -> None:
    shop = one_at_a_time
    shop.cancel_and_offer()
    first_token = shop.token("C0", 1)
    shop.clock.advance(seconds=WINDOW + 1)
    shop.fire_schedule(1)
    shop.deliver()

    assert shop.offers_in(1) == {"C0": OfferStatus.EXPIRED}
    assert shop.offers_in(2) == {"C1": OfferStatus.OPEN}
    assert shop.entries()["C0"] is EntryStatus.WAITING  # keeps their place on the list
    with pytest.raises(NotActive, match="expired"):
        shop.offers.accept(first_token)
    assert [m.to for m in sent_about("offered to someone else")] == ["c0@example.com"]

    booking = shop.offers.accept(shop.token("C1", 2))
    assert (booking.contact.name, booking.payment_status and booking.payment_status.value) == (
        "C1",
        "unpaid",
    )
    assert shop.entries()["C1"] is EntryStatus.BOOKED
    slot = shop.catalogue.slot("shop", shop.slot_id)
    assert (slot.taken, slot.held, slot.waiting) == (1, 0, 2)
    assert shop.refill_record().outcome == "booked"


def test_an_expiry_delivered_twice_or_by_both_schedule_and_backstop_takes_effect_once(
    one_at_a_time: OfferShop,
) -> None:
    shop = one_at_a_time
    shop.cancel_and_offer()
    shop.clock.advance(seconds=WINDOW + 1)
    shop.fire_schedule(1)
    shop.fire_schedule(1)
    assert shop.offers.expire_overdue() == 0  # the backstop finds nothing left to do
    shop.deliver()

    assert shop.offers_in(2) == {"C1": OfferStatus.OPEN}
    assert shop.offers_in(3) == {}
    assert len(sent_about("offered to someone else")) == 1
    assert len(sent_about("answer by")) == 2  # C0, then C1


def test_the_backstop_expires_an_offer_whose_schedule_never_fired(
    one_at_a_time: OfferShop,
) -> None:
    shop = one_at_a_time
    shop.cancel_and_offer()
    assert shop.offers.expire_overdue() == 0  # not due yet
    shop.clock.advance(seconds=WINDOW + 1)
    assert shop.offers.expire_overdue() == 1
    assert shop.offers_in(2) == {"C1": OfferStatus.OPEN}


def test_declining_asks_the_next_customer_at_once(one_at_a_time: OfferShop) -> None:
    shop = one_at_a_time
    shop.cancel_and_offer()
    shop.offers.decline(shop.token("C0", 1))
    assert shop.offers_in(1) == {"C0": OfferStatus.DECLINED}
    assert shop.offers_in(2) == {"C1": OfferStatus.OPEN}
    with pytest.raises(NotActive, match="declined"):
        shop.offers.accept(shop.token("C0", 1))


def test_declining_reads_once_and_writes_once_before_the_next_offer(
    one_at_a_time: OfferShop,
) -> None:
    shop = one_at_a_time
    shop.cancel_and_offer()
    token = shop.token("C0", 1)

    with aws_calls() as calls:
        shop.offers.decline(token)

    # The offer, its seat's record and the business; the decline; then the next round:
    # the next candidates, its offer, and the schedule that ends it.
    assert calls == [
        "dynamodb.BatchGetItem",
        "dynamodb.TransactWriteItems",
        "dynamodb.Query",
        "dynamodb.TransactWriteItems",
        "scheduler.CreateSchedule",
    ]


def test_when_everyone_has_been_asked_the_seat_goes_back_on_sale(
    one_at_a_time: OfferShop,
) -> None:
    shop = one_at_a_time
    shop.cancel_and_offer()
    for round_number, name in enumerate(["C0", "C1", "C2"], start=1):
        shop.offers.decline(shop.token(name, round_number))
    record = shop.refill_record()
    assert (record.outcome, len(record.offered), record.reason) == (
        "released",
        3,
        "no one is waiting",
    )
    slot = shop.catalogue.slot("shop", shop.slot_id)
    assert (slot.taken, slot.held, slot.waiting) == (0, 0, 3)


def test_an_offer_to_many_asks_everyone_and_the_first_to_accept_wins(
    offer_to_many: OfferShop,
) -> None:
    shop = offer_to_many
    shop.cancel_and_offer()
    assert shop.offers_in(1) == {name: OfferStatus.OPEN for name in ("C0", "C1", "C2")}
    late = shop.token("C0", 1)

    booking = shop.offers.accept(shop.token("C2", 1))
    assert booking.contact.name == "C2"
    with pytest.raises(NotActive, match="another customer accepted this seat first"):
        shop.offers.accept(late)
    shop.deliver()  # the accepted offer's change closes the rest of the round
    assert shop.offers_in(1) == {
        "C0": OfferStatus.TAKEN,
        "C1": OfferStatus.TAKEN,
        "C2": OfferStatus.ACCEPTED,
    }
    assert sorted(m.to for m in sent_about("has been taken")) == [
        "c0@example.com",
        "c1@example.com",
    ]
    assert shop.entries() == {
        "C0": EntryStatus.WAITING,
        "C1": EntryStatus.WAITING,
        "C2": EntryStatus.BOOKED,
    }


def test_the_others_are_told_once_when_the_accepted_offer_is_delivered_twice(
    offer_to_many: OfferShop,
) -> None:
    shop = offer_to_many
    shop.cancel_and_offer()
    shop.offers.accept(shop.token("C1", 1))

    shop.bookings_feed.deliver(copies=2)
    shop.outbox_feed.deliver()

    assert sorted(m.to for m in sent_about("has been taken")) == [
        "c0@example.com",
        "c2@example.com",
    ]
    assert shop.offers_in(1)["C0"] is OfferStatus.TAKEN


def test_an_offer_to_many_with_no_taker_by_the_deadline_puts_the_seat_back_on_sale(
    offer_to_many: OfferShop,
) -> None:
    shop = offer_to_many
    shop.cancel_and_offer()
    shop.clock.advance(seconds=WINDOW + 1)
    shop.fire_schedule(1)
    assert shop.refill_record().outcome == "released"
    assert shop.refill_record().reason == "no one took the offer in time"
    slot = shop.catalogue.slot("shop", shop.slot_id)
    assert (slot.taken, slot.held) == (0, 0)
    assert set(shop.entries().values()) == {EntryStatus.WAITING}


def test_an_offer_to_a_few_asks_only_the_first_few(aws: None) -> None:
    shop = OfferShop(WaitingListMode.OFFER_TO_MANY, offer_to_many_count=2)
    shop.cancel_and_offer()
    assert shop.offers_in(1) == {"C0": OfferStatus.OPEN, "C1": OfferStatus.OPEN}


def test_staff_offers_in_manual_mode_simply_lapse_when_their_window_ends(aws: None) -> None:
    shop = OfferShop(WaitingListMode.MANUAL)
    shop.cancel_holder()
    shop.deliver()
    entries = shop.waiting_list.list_for_slot("shop", shop.slot_id)
    [offer] = shop.offers.offer_chosen("shop", shop.slot_id, [entries[1].entry_id])
    shop.clock.advance(seconds=WINDOW + 1)
    assert shop.offers.expire("shop", shop.slot_id, offer.cause, 1)

    record = shop.uow().refills.get_refill("shop", shop.slot_id, offer.cause)
    assert record is not None and (record.outcome, record.holds_seat) == ("lapsed", False)
    assert set(shop.entries().values()) == {EntryStatus.WAITING}
    slot = shop.catalogue.slot("shop", shop.slot_id)
    assert (slot.taken, slot.held, slot.waiting) == (0, 0, 3)  # nothing was held, nothing freed
