"""Booking, cancelling, moving, joining and leaving on the fakes: one seat and one place
per customer, the seat held for the list, and earlier-slot requests met in a bounded
chain."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.allocation import CHAIN_LIMIT, MAX_CHAIN_STEPS
from chalicelib.domain.customer_refusals import (
    AlreadyAsked,
    AlreadyBooked,
    AlreadyWaiting,
    HoldsASeat,
    TooManyEntries,
)
from chalicelib.domain.errors import NotActive
from chalicelib.domain.messages import MessageType
from chalicelib.domain.model import (
    Actor,
    BookingStatus,
    EntryStatus,
    EntryWindow,
    SeatAfterRelease,
)
from tests.unit.use_cases.shop import BIZ, START, Shop, customer


def test_a_booking_takes_a_free_seat_and_queues_its_confirmation() -> None:
    shop = Shop(book_ada=False, capacity=2)
    made = shop.book("Ada")
    assert made.status is BookingStatus.CONFIRMED
    assert shop.seat_holders() == ["Ada"]
    assert shop.slot().holders == {"ada@example.com"}
    assert shop.told(MessageType.BOOKING_CONFIRMED) == ["ada@example.com"]


def test_booking_a_slot_again_answers_with_the_booking_held_and_takes_no_second_seat() -> None:
    shop = Shop(capacity=2)
    assert shop.holder is not None
    with pytest.raises(AlreadyBooked) as again:
        shop.bookings.book(BIZ, shop.slot_id, customer("ADA"))
    assert again.value.booking.booking_id == shop.holder.booking_id
    assert shop.slot().taken == 1


def test_a_full_slot_refuses_a_booking() -> None:
    shop = Shop()
    with pytest.raises(Exception, match="full"):
        shop.book("Bo")


def test_a_cancelled_seat_is_held_for_the_list_in_the_same_write_while_someone_waits() -> None:
    shop = Shop()
    shop.wait("Bo")
    assert shop.holder is not None
    cancelled = shop.bookings.cancel(BIZ, shop.slot_id, shop.holder.booking_id, by=Actor.STAFF)
    assert cancelled.seat_after_release is SeatAfterRelease.HELD_FOR_WAITING_LIST
    slot = shop.slot()
    assert (slot.taken, slot.held, slot.holders) == (1, 1, frozenset())
    with pytest.raises(Exception, match="full"):
        shop.book("Zed")  # nobody takes it between the cancellation and the refill
    [awaited] = shop.refill.holds(BIZ)
    assert awaited.hold.cause == shop.cause


def test_a_cancelled_seat_goes_straight_back_on_sale_when_nobody_waits() -> None:
    shop = Shop()
    assert shop.holder is not None
    cancelled = shop.bookings.cancel(BIZ, shop.slot_id, shop.holder.booking_id, by=Actor.STAFF)
    assert cancelled.seat_after_release is SeatAfterRelease.BACK_ON_SALE
    assert shop.book("Zed").contact.name == "Zed"


def test_joining_a_full_slot_tells_the_customer_their_place() -> None:
    shop = Shop()
    shop.wait("Bo")
    shop.clock.advance(seconds=1)
    entry, position = shop.waiting_list.join(BIZ, shop.slot_id, customer("Cy"))
    assert position == 2
    assert shop.slot().waiting == 2
    assert sorted(shop.told(MessageType.WAITING_LIST_JOINED)) == [
        "bo@example.com",
        "cy@example.com",
    ]
    assert entry.status is EntryStatus.WAITING


def test_joining_again_answers_with_the_place_already_held_and_queues_nothing_more() -> None:
    shop = Shop()
    [bo] = shop.wait("Bo")
    queued = len(shop.queued())
    with pytest.raises(AlreadyWaiting) as again:
        shop.waiting_list.join(BIZ, shop.slot_id, customer("Bo"))
    assert (again.value.entry.entry_id, again.value.position) == (bo.entry_id, 1)
    assert len(shop.queued()) == queued
    assert shop.slot().waiting == 1


def test_a_customer_holding_a_seat_cannot_join_the_slots_list() -> None:
    shop = Shop()
    with pytest.raises(HoldsASeat):
        shop.waiting_list.join(BIZ, shop.slot_id, customer("Ada"))


def test_a_customer_who_left_a_list_can_join_it_again() -> None:
    shop = Shop()
    [bo] = shop.wait("Bo")
    left = shop.waiting_list.leave(BIZ, shop.slot_id, bo.entry_id)
    assert left.status is EntryStatus.LEFT
    assert shop.slot().waiting == 0
    assert shop.told(MessageType.WAITING_LIST_LEFT) == ["bo@example.com"]
    with pytest.raises(NotActive):
        shop.waiting_list.leave(BIZ, shop.slot_id, bo.entry_id)
    again = shop.join("Bo")
    assert again.entry_id != bo.entry_id


def test_a_customer_on_as_many_lists_as_allowed_cannot_join_another() -> None:
    shop = Shop(max_open_entries=1)
    other = shop.add_slot(hours=1)
    shop.book("Ada", other)
    shop.join("Bo")
    with pytest.raises(TooManyEntries):
        shop.join("Bo", other)
    [bo] = [e for e in shop.waiting_list.list_for_slot(BIZ, shop.slot_id)]
    shop.waiting_list.leave(BIZ, shop.slot_id, bo.entry_id)
    shop.join("Bo", other)


def test_joining_the_same_window_again_answers_with_the_place_already_held() -> None:
    shop = Shop()
    window = EntryWindow(shop.service_id, START - timedelta(hours=1), START + timedelta(days=1))
    entry, _ = shop.waiting_list.join_window(BIZ, shop.service_id, customer("Bo"), window)
    with pytest.raises(AlreadyWaiting) as again:
        shop.waiting_list.join_window(BIZ, shop.service_id, customer("Bo"), window)
    assert again.value.entry.entry_id == entry.entry_id
    assert shop.catalogue.business(BIZ).open_windows == 1


def test_ended_windows_are_closed_by_their_sweep() -> None:
    shop = Shop()
    window = EntryWindow(shop.service_id, START - timedelta(hours=1), START + timedelta(hours=1))
    shop.waiting_list.join_window(BIZ, shop.service_id, customer("Bo"), window)
    shop.clock.set(START + timedelta(hours=2))
    assert shop.waiting_list.close_ended_windows() == 1
    [entry] = shop.waiting_list.list_for_service(BIZ, shop.service_id)
    assert entry.status is EntryStatus.ENDED
    assert shop.catalogue.business(BIZ).open_windows == 0


def _earlier_shop() -> tuple[Shop, str]:
    """Ada holds the early slot; Bo holds a later one and asks for an earlier seat."""
    shop = Shop()
    later = shop.add_slot(hours=5)
    bo = shop.book("Bo", later)
    shop.waiting_list.ask_for_earlier(BIZ, later, bo.booking_id, starts_from=None)
    return shop, later


def test_an_earlier_seat_moves_a_booking_and_frees_its_later_seat() -> None:
    shop, later = _earlier_shop()
    shop.cancel()
    assert shop.seat_holders() == ["Bo"]
    assert shop.seat_holders(later) == []
    assert shop.record().outcome == "moved_earlier"
    assert shop.told(MessageType.BOOKING_MOVED) == ["bo@example.com"]
    assert (shop.slot(later).taken, shop.slot(later).held) == (0, 0)


def test_a_booking_waits_for_an_earlier_slot_once() -> None:
    shop, later = _earlier_shop()
    bo = shop.booking_of("Bo", later)
    assert bo is not None
    with pytest.raises(AlreadyAsked):
        shop.waiting_list.ask_for_earlier(BIZ, later, bo.booking_id, starts_from=None)


def test_the_seat_a_move_frees_goes_to_the_next_in_line_for_it() -> None:
    shop, later = _earlier_shop()
    shop.join("Cy", later)
    shop.cancel()
    assert shop.seat_holders() == ["Bo"]
    assert shop.seat_holders(later) == ["Cy"]


def test_a_chain_of_earlier_slot_moves_stops_at_its_limit() -> None:
    """Each of MAX_CHAIN_STEPS + 1 customers holds a later slot and wants the one before
    it; a seat freed in the first slot moves them up one by one, and the last stays put."""
    shop = Shop()
    slots = [shop.slot_id] + [shop.add_slot(hours=h) for h in range(1, MAX_CHAIN_STEPS + 2)]
    names = [f"C{n}" for n in range(1, len(slots))]
    for name, slot_id in zip(names, slots[1:], strict=True):
        made = shop.book(name, slot_id)
        shop.clock.advance(seconds=1)
        shop.waiting_list.ask_for_earlier(BIZ, slot_id, made.booking_id, starts_from=None)
    shop.cancel()
    for name, slot_id in zip(names[:MAX_CHAIN_STEPS], slots, strict=False):
        assert shop.seat_holders(slot_id) == [name]
    last = names[MAX_CHAIN_STEPS]
    assert shop.seat_holders(slots[MAX_CHAIN_STEPS + 1]) == [last]
    with shop.uow() as uow:
        last_seat = uow.refills.refills(BIZ, slots[MAX_CHAIN_STEPS])
    assert [s.reason for d in last_seat for s in d.skipped] == [CHAIN_LIMIT]


def test_a_booking_cut_short_by_a_concurrent_write_is_tried_again_and_made_once() -> None:
    from chalicelib.domain.refusals import RetryableConflict

    shop = Shop(book_ada=False)
    shop.state.fail_next_commit(RetryableConflict("a concurrent change got there first"))
    made = shop.book("Ada")
    assert shop.seat_holders() == ["Ada"]
    assert shop.booking_of("Ada") == made
    assert shop.told(MessageType.BOOKING_CONFIRMED) == ["ada@example.com"]
