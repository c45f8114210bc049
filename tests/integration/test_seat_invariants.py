"""Whatever customers do, in whatever order, a slot's seats add up and never oversell."""

from __future__ import annotations

import random

import pytest

from chalicelib.domain.errors import Conflict
from chalicelib.domain.model import Actor, BookingStatus, Contact, EntryStatus, Slot
from tests.support.shop import Shop


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_seats_never_exceed_capacity_and_the_counts_match_the_bookings(
    aws: None, seed: int
) -> None:
    shop = Shop()
    rng = random.Random(seed)
    for step in range(60):
        action = rng.choice(["book", "book", "join", "cancel", "leave", "refill"])
        shop.clock.advance(seconds=1)
        contact = Contact(f"C{step}", f"c{step}@example.com")
        try:
            if action == "book":
                shop.bookings.book("shop", shop.slot_id, contact)
            elif action == "join":
                shop.waiting_list.join("shop", shop.slot_id, contact)
            elif action == "cancel":
                active = [
                    b
                    for b in shop.bookings.list_for_slot("shop", shop.slot_id)
                    if b.status is BookingStatus.CONFIRMED
                ]
                if active:
                    chosen = rng.choice(active)
                    shop.bookings.cancel("shop", shop.slot_id, chosen.booking_id, by=Actor.CUSTOMER)
            elif action == "leave":
                waiting = [
                    e
                    for e in shop.waiting_list.list_for_slot("shop", shop.slot_id)
                    if e.status is EntryStatus.WAITING
                ]
                if waiting:
                    shop.waiting_list.leave("shop", shop.slot_id, rng.choice(waiting).entry_id)
            else:
                shop.feed_changes()
        except Conflict:
            pass  # a full slot, a slot with seats, an entry that just got a seat: refusals
        _assert_seats_add_up(shop)
    shop.feed_changes()
    slot = _assert_seats_add_up(shop)
    assert slot.held == 0, "every held seat was refilled or released"


def _assert_seats_add_up(shop: Shop) -> Slot:
    slot = shop.catalogue.slot("shop", shop.slot_id)
    confirmed = [
        b
        for b in shop.bookings.list_for_slot("shop", shop.slot_id)
        if b.status is BookingStatus.CONFIRMED
    ]
    waiting = [
        e
        for e in shop.waiting_list.list_for_slot("shop", shop.slot_id)
        if e.status is EntryStatus.WAITING
    ]
    assert slot.taken <= slot.capacity
    assert slot.taken == len(confirmed) + slot.held
    assert slot.waiting == len(waiting)
    return slot
