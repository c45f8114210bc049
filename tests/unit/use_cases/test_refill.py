"""The refill on the fakes: who gets a freed seat, in what order, and why the others did
not — each outcome read from the seat's record, the bookings and the messages queued."""

from __future__ import annotations

from datetime import timedelta

from chalicelib.domain.allocation import (
    HOLDS_A_SEAT,
    NO_ONE_WAITING,
    SAME_CUSTOMER,
    SLOT_HAS_STARTED,
    STAFF_CHOOSE,
    WITHIN_CUTOFF,
)
from chalicelib.domain.messages import MessageType
from chalicelib.domain.model import Actor, EntryStatus, EntryWindow, WaitingListMode
from tests.unit.use_cases.shop import BIZ, START, Shop, customer


def test_a_cancelled_seat_goes_to_the_customer_who_signed_up_first() -> None:
    shop = Shop()
    shop.wait("Bo", "Cy")
    shop.cancel()
    assert shop.seat_holders() == ["Bo"]
    assert shop.entries() == {"Bo": EntryStatus.BOOKED, "Cy": EntryStatus.WAITING}
    record = shop.record()
    assert record.outcome == "booked" and list(record.skipped) == []
    assert shop.told(MessageType.SEAT_ASSIGNED) == ["bo@example.com"]
    slot = shop.slot()
    assert (slot.taken, slot.held, slot.waiting) == (1, 0, 1)


def test_a_cancellation_delivered_twice_still_makes_one_booking_and_one_message() -> None:
    shop = Shop()
    shop.wait("Bo")
    shop.settle()
    shop.bookings.cancel(BIZ, shop.slot_id, shop.cause.split(".")[0], by=Actor.STAFF)
    shop.settle(copies=2)
    assert shop.seat_holders() == ["Bo"]
    assert shop.told(MessageType.SEAT_ASSIGNED) == ["bo@example.com"]


def test_when_nobody_waits_the_seat_goes_back_on_sale_at_once() -> None:
    shop = Shop()
    shop.cancel()
    slot = shop.slot()
    assert (slot.taken, slot.held) == (0, 0)
    assert shop.bookings.book(BIZ, shop.slot_id, customer("Zed")).contact.name == "Zed"


def test_when_everyone_waiting_left_the_held_seat_goes_back_on_sale_with_the_reason() -> None:
    shop = Shop()
    [bo] = shop.wait("Bo")
    shop.settle()
    shop.bookings.cancel(BIZ, shop.slot_id, shop.cause.split(".")[0], by=Actor.STAFF)
    shop.waiting_list.leave(BIZ, shop.slot_id, bo.entry_id)
    shop.settle()
    record = shop.record()
    assert (record.outcome, record.reason) == ("released", NO_ONE_WAITING)
    assert shop.skipped() == {}  # who left is no candidate at all
    assert (shop.slot().taken, shop.slot().held) == (0, 0)


def test_a_seat_freed_after_the_slot_started_goes_back_on_sale_and_says_why() -> None:
    shop = Shop()
    shop.wait("Bo")
    shop.settle()
    shop.clock.set(START + timedelta(minutes=1))
    shop.bookings.cancel(BIZ, shop.slot_id, shop.cause.split(".")[0], by=Actor.STAFF)
    shop.settle()
    record = shop.record()
    assert (record.outcome, record.reason) == ("released", SLOT_HAS_STARTED)
    assert shop.skipped() == {"Bo": SLOT_HAS_STARTED}
    assert shop.entries() == {"Bo": EntryStatus.WAITING}


def test_within_the_cutoff_before_the_start_nobody_is_given_the_seat() -> None:
    shop = Shop(refill_cutoff_minutes=120)
    shop.wait("Bo")
    shop.clock.set(START - timedelta(minutes=60))
    shop.cancel()
    assert (shop.record().outcome, shop.record().reason) == ("released", WITHIN_CUTOFF)
    assert shop.skipped() == {"Bo": WITHIN_CUTOFF}
    assert shop.seat_holders() == []


def test_a_customer_holding_a_seat_of_the_slot_is_passed_over_with_the_reason() -> None:
    shop = Shop(capacity=2)
    shop.book("Bo")
    # Bo's window entry fits the slot, but Bo holds a seat of it already.
    shop.clock.advance(seconds=1)
    shop.waiting_list.join_window(
        BIZ,
        shop.service_id,
        customer("Bo"),
        EntryWindow(shop.service_id, START - timedelta(hours=1), START + timedelta(days=1)),
    )
    shop.wait("Cy")
    shop.cancel()
    assert shop.seat_holders() == ["Bo", "Cy"]
    assert shop.skipped() == {"Bo": HOLDS_A_SEAT}


def test_one_customer_on_two_lists_is_one_candidate_and_their_later_place_is_passed_over() -> None:
    shop = Shop()
    shop.wait("Bo")
    shop.clock.advance(seconds=1)
    shop.waiting_list.join_window(
        BIZ,
        shop.service_id,
        customer("Bo"),
        EntryWindow(shop.service_id, START - timedelta(hours=1), START + timedelta(days=1)),
    )
    shop.wait("Cy")
    shop.cancel()
    assert shop.seat_holders() == ["Bo"]
    record = shop.record()
    assert record.outcome == "booked"
    assert list(shop.skipped().values()) == [SAME_CUSTOMER]


def test_a_window_entry_that_does_not_fit_the_slot_is_not_asked() -> None:
    shop = Shop()
    shop.clock.advance(seconds=1)
    shop.waiting_list.join_window(
        BIZ,
        shop.service_id,
        customer("Late"),
        EntryWindow(shop.service_id, START + timedelta(days=1), START + timedelta(days=3)),
    )
    shop.cancel()
    assert shop.seat_holders() == []
    assert shop.record().outcome == "released"


def test_a_window_entry_that_fits_gets_the_seat_before_later_sign_ups() -> None:
    shop = Shop()
    shop.clock.advance(seconds=1)
    shop.waiting_list.join_window(
        BIZ,
        shop.service_id,
        customer("Win"),
        EntryWindow(shop.service_id, START - timedelta(hours=1), START + timedelta(days=1)),
    )
    shop.wait("Bo")
    shop.cancel()
    assert shop.seat_holders() == ["Win"]
    business = shop.catalogue.business(BIZ)
    assert business.open_windows == 0


def test_in_manual_mode_the_seat_stays_on_sale_and_staff_are_told_who_waits() -> None:
    shop = Shop(waiting_list_mode=WaitingListMode.MANUAL, staff_email="staff@example.com")
    shop.wait("Bo", "Cy")
    shop.cancel()
    assert shop.seat_holders() == []
    assert (shop.slot().taken, shop.slot().held) == (0, 0)
    [notice] = shop.queued(MessageType.SLOT_AVAILABLE)
    assert notice.recipient == "staff@example.com"
    assert "1. Bo" in notice.context["waiting_list"] and "2. Cy" in notice.context["waiting_list"]


def test_staff_give_a_free_seat_to_any_customer_on_the_list_in_manual_mode() -> None:
    shop = Shop(waiting_list_mode=WaitingListMode.MANUAL)
    _, cy = shop.wait("Bo", "Cy")
    shop.cancel()
    shop.bookings.book_from_list(BIZ, shop.slot_id, cy.entry_id, by=Actor.STAFF)
    assert shop.seat_holders() == ["Cy"]
    assert shop.entries() == {"Bo": EntryStatus.WAITING, "Cy": EntryStatus.BOOKED}
    assert shop.slot().waiting == 1


def test_a_seat_held_after_the_mode_changed_to_manual_goes_back_on_sale_for_staff() -> None:
    shop = Shop()
    shop.wait("Bo")
    shop.settle()
    shop.bookings.cancel(BIZ, shop.slot_id, shop.cause.split(".")[0], by=Actor.STAFF)
    from dataclasses import replace

    shop.catalogue.set_up_business(replace(shop.business, waiting_list_mode=WaitingListMode.MANUAL))
    shop.settle()
    assert (shop.record().outcome, shop.record().reason) == ("released", STAFF_CHOOSE)
    assert shop.seat_holders() == []


def test_a_capacity_raise_gives_the_new_seats_to_the_list_first() -> None:
    from chalicelib.services.catalogue import SlotChanges

    shop = Shop()
    shop.wait("Bo", "Cy", "Di")
    shop.settle()
    shop.catalogue.change_slot(BIZ, shop.slot_id, SlotChanges(capacity=3))
    shop.settle()
    assert sorted(shop.seat_holders()) == ["Ada", "Bo", "Cy"]
    assert shop.entries()["Di"] is EntryStatus.WAITING


def test_a_hold_whose_refill_never_ran_is_healed_by_the_sweep_to_the_next_customer() -> None:
    shop = Shop()
    shop.wait("Bo")
    shop.settle()
    shop.bookings.cancel(BIZ, shop.slot_id, shop.cause.split(".")[0], by=Actor.STAFF)
    shop.stream.take()  # the record is lost
    [awaited] = shop.refill.holds(BIZ)
    assert not awaited.overdue
    shop.clock.advance(minutes=3)
    assert shop.refill.heal_overdue_holds() == 1
    assert shop.seat_holders() == ["Bo"]
    assert shop.refill.holds(BIZ) == []
    assert shop.refill.heal_overdue_holds() == 0


def test_a_hold_the_sweep_finds_nobody_for_goes_back_on_sale() -> None:
    shop = Shop()
    [bo] = shop.wait("Bo")
    shop.settle()
    shop.bookings.cancel(BIZ, shop.slot_id, shop.cause.split(".")[0], by=Actor.STAFF)
    shop.stream.take()
    shop.waiting_list.leave(BIZ, shop.slot_id, bo.entry_id)
    shop.clock.advance(minutes=3)
    assert shop.refill.heal_overdue_holds() == 1
    assert shop.record().outcome == "released"
    assert (shop.slot().taken, shop.slot().held) == (0, 0)
