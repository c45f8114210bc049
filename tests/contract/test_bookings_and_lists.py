"""Bookings, reminders and waiting lists: reads and staged writes, on both implementations."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from chalicelib.domain.lifecycle import Change, Move
from chalicelib.domain.model import (
    Actor,
    BookingStatus,
    EntryStatus,
    list_key,
)
from chalicelib.domain.refusals import (
    AlreadyDecided,
    AlreadyOnList,
    BookingChanged,
    EntryNoLongerWaiting,
    OpenListLimit,
    SeatChanged,
)
from chalicelib.ports.unit_of_work import UnitOfWorkFactory
from tests.contract.builders import (
    BIZ,
    NOW,
    START,
    book,
    booking,
    commit,
    contact,
    entry,
    join,
    offer,
    open_shop,
    slot,
    window_entry,
)


def test_a_booking_is_read_with_its_slot_and_its_first_step_and_added_once(
    uow: UnitOfWorkFactory,
) -> None:
    open_shop(uow, slot("s1"))
    made = book(uow, slot("s1"), "Ada")
    with uow() as work:
        found, its_slot, business = work.bookings.get_booking_context(BIZ, "s1", made.booking_id)
        history = work.bookings.history(BIZ, made.booking_id)
        work.bookings.add(made)
        with pytest.raises(AlreadyDecided):
            work.commit()
    assert found is not None and found.contact == made.contact
    assert its_slot is not None and its_slot.holders == {"ada@example.com"}
    assert business is not None
    assert [(c.version, c.to_status) for c in history] == [(1, BookingStatus.CONFIRMED)]


def test_a_booking_changes_only_from_the_version_read_and_its_history_is_newest_first(
    uow: UnitOfWorkFactory,
) -> None:
    open_shop(uow, slot("s1"))
    made = book(uow, slot("s1"), "Ada", status=BookingStatus.PENDING)
    confirmed = replace(made, status=BookingStatus.CONFIRMED, version=2)
    step = Change(made.booking_id, 2, NOW, Actor.STAFF, BookingStatus.PENDING, confirmed.status)
    commit(uow, lambda work: work.bookings.update(made, confirmed, step))
    with uow() as work:
        work.bookings.update(made, replace(confirmed, version=3), replace(step, version=3))
        with pytest.raises(BookingChanged):
            work.commit()
        history = work.bookings.history(BIZ, made.booking_id)
    assert [c.version for c in history] == [2, 1]


def test_a_booking_moves_to_another_slot_once(uow: UnitOfWorkFactory) -> None:
    open_shop(uow, slot("s1"), slot("s2", hours=1))
    made = book(uow, slot("s1"), "Ada")
    away = replace(made, status=BookingStatus.MOVED, version=2, moved_to_slot_id="s2")
    arrived = replace(made, slot_id="s2", version=2, moved_from_slot_id="s1")
    step = Change(made.booking_id, 2, NOW, Actor.STAFF, made.status, made.status, None, "s1", "s2")
    commit(uow, lambda work: work.bookings.move(Move(away, arrived, step)))
    with uow() as work:
        assert work.bookings.seat_of(BIZ, "s2", contact("Ada")) is not None
        assert work.bookings.seat_of(BIZ, "s1", contact("Ada")) is None
        work.bookings.move(Move(away, arrived, step))
        with pytest.raises(BookingChanged):
            work.commit()


def test_bookings_with_a_status_are_those_holding_a_seat_soonest_first(
    uow: UnitOfWorkFactory,
) -> None:
    open_shop(uow, slot("late", hours=3, capacity=2), slot("early", hours=1, capacity=2))
    book(uow, slot("late", hours=3), "Ada")
    book(uow, slot("early", hours=1), "Bo")
    book(uow, slot("early", hours=1), "Cy", status=BookingStatus.PENDING)
    with uow() as work:
        confirmed = work.bookings.bookings_with_status(BIZ, BookingStatus.CONFIRMED, 10)
        first = work.bookings.bookings_with_status(BIZ, BookingStatus.CONFIRMED, 1)
        cancelled = work.bookings.bookings_with_status(BIZ, BookingStatus.CANCELLED, 10)
    assert [b.contact.name for b in confirmed] == ["Bo", "Ada"]
    assert [b.contact.name for b in first] == ["Bo"]
    assert cancelled == []


def test_a_due_reminder_is_handled_by_one_sweep(uow: UnitOfWorkFactory) -> None:
    open_shop(uow, slot("s1"))
    made = book(uow, slot("s1"), "Ada", at=NOW - timedelta(days=1))
    with uow() as work:
        assert work.reminders.due(START - timedelta(days=2), 10) == []
        [(due, key)] = work.reminders.due(START - timedelta(hours=23), 10)
        assert due.booking_id == made.booking_id
        work.reminders.reminded(replace(due, reminded_until=START - timedelta(hours=23)), key)
        work.commit()
        assert work.reminders.due(START - timedelta(hours=1), 10) == []
        work.reminders.reminded(replace(due, reminded_until=START), key)
        with pytest.raises(AlreadyDecided):
            work.commit()


def _full_with_ada(uow: UnitOfWorkFactory) -> None:
    open_shop(uow, slot("s1"))
    book(uow, slot("s1"), "Ada")


def test_joining_a_full_slot_puts_the_customer_in_line(uow: UnitOfWorkFactory) -> None:
    _full_with_ada(uow)
    bo = join(uow, entry(slot("s1"), "Bo", minutes=2))
    cy = join(uow, entry(slot("s1"), "Cy", minutes=1))
    with uow() as work:
        assert work.waiting_list.position_of(bo) == 2
        assert work.waiting_list.position_of(cy) == 1
        assert [e.contact.name for e in work.waiting_list.waiting_candidates(BIZ, "s1", 1)] == [
            "Cy"
        ]
        assert [e.contact.name for e in work.waiting_list.list_entries(BIZ, "s1")] == ["Cy", "Bo"]
        place = work.waiting_list.open_place(BIZ, str(list_key(bo)), contact("Bo"))
        found, business = work.waiting_list.get_entry_and_business(BIZ, "s1", bo.entry_id)
        its_slot = work.catalogue.get_slot(BIZ, "s1")
    assert place is not None and place.entry_id == bo.entry_id
    assert found is not None and business is not None
    assert its_slot is not None and its_slot.waiting == 2


@pytest.mark.parametrize(
    ("who", "seen", "refusal"),
    [
        ("Ada", 0, SeatChanged),  # holds a seat of the slot
        ("Bo", 1, SeatChanged),  # the list is not as long as read
    ],
)
def test_joining_is_refused_unless_the_slot_is_as_read(
    uow: UnitOfWorkFactory, who: str, seen: int, refusal: type[Exception]
) -> None:
    _full_with_ada(uow)
    with uow() as work:
        work.waiting_list.add(entry(slot("s1"), who), seen_waiting=seen, max_open_entries=0)
        with pytest.raises(refusal):
            work.commit()


def test_joining_a_slot_with_a_free_seat_is_refused(uow: UnitOfWorkFactory) -> None:
    open_shop(uow, slot("s1"))
    with uow() as work:
        work.waiting_list.add(entry(slot("s1"), "Bo"), seen_waiting=0, max_open_entries=0)
        with pytest.raises(SeatChanged):
            work.commit()


def test_a_customer_has_one_place_per_list_and_no_more_lists_than_allowed(
    uow: UnitOfWorkFactory,
) -> None:
    _full_with_ada(uow)
    join(uow, entry(slot("s1"), "Bo"), limit=2)
    with uow() as work:
        work.waiting_list.add(
            entry(slot("s1"), "Bo", entry_id="again"), seen_waiting=1, max_open_entries=0
        )
        with pytest.raises(AlreadyOnList):
            work.commit()
    join(uow, window_entry("Bo"), limit=2)
    with uow() as work:
        work.waiting_list.add(
            replace(window_entry("Bo", days=3), entry_id="w-bo-2"),
            seen_waiting=None,
            max_open_entries=2,
        )
        with pytest.raises(OpenListLimit):
            work.commit()


def test_leaving_closes_the_place_once_and_frees_it_to_join_again(
    uow: UnitOfWorkFactory,
) -> None:
    _full_with_ada(uow)
    bo = join(uow, entry(slot("s1"), "Bo"))
    commit(uow, lambda work: work.waiting_list.left(bo, NOW, EntryStatus.LEFT))
    with uow() as work:
        work.waiting_list.left(bo, NOW, EntryStatus.LEFT)
        with pytest.raises(EntryNoLongerWaiting):
            work.commit()
        its_slot = work.catalogue.get_slot(BIZ, "s1")
        assert its_slot is not None and its_slot.waiting == 0
        assert work.waiting_list.open_place(BIZ, str(list_key(bo)), bo.contact) is None
    join(uow, entry(slot("s1"), "Bo", entry_id="again"), limit=1)


def test_window_entries_wait_for_any_slot_that_fits_them(uow: UnitOfWorkFactory) -> None:
    open_shop(uow)
    join(uow, window_entry("Any"))
    join(uow, window_entry("Kim", minutes=1, staff="Kim"))
    join(uow, window_entry("Soon", minutes=2, days=0))
    join(uow, window_entry("Oslo", minutes=3, location="Oslo"))
    summary = slot("x", hours=2, staff="Kim", location="Bergen").summary
    from tests.contract.builders import SHOP

    with uow() as work:
        fits = work.waiting_list.window_candidates(BIZ, summary(SHOP), 10)
        first = work.waiting_list.window_candidates(BIZ, summary(SHOP), 1)
        ended = work.waiting_list.ended_windows(START + timedelta(days=1), 10)
        listed = work.waiting_list.list_window_entries(BIZ, "cut")
        business = work.catalogue.get_business(BIZ)
        soon = work.waiting_list.get_window_entry(BIZ, "cut", "w-soon")
    assert [e.contact.name for e in fits] == ["Any", "Kim"]
    assert [e.contact.name for e in first] == ["Any"]
    assert [e.contact.name for e in ended] == ["Soon"]
    assert [e.contact.name for e in listed] == ["Any", "Kim", "Soon", "Oslo"]
    assert business is not None and business.open_windows == 4
    assert soon is not None and soon.window is not None


def test_a_services_waiting_windows_list_only_those_still_waiting_in_sign_up_order(
    uow: UnitOfWorkFactory,
) -> None:
    open_shop(uow)
    gone = join(uow, window_entry("Gone"))
    join(uow, window_entry("Any", minutes=1))
    join(uow, window_entry("Kim", minutes=2, staff="Kim"))
    commit(uow, lambda work: work.waiting_list.left(gone, NOW, EntryStatus.LEFT))
    with uow() as work:
        waiting = work.waiting_list.waiting_in_windows(BIZ, "cut", 10)
        first = work.waiting_list.waiting_in_windows(BIZ, "cut", 1)
        elsewhere = work.waiting_list.waiting_in_windows(BIZ, "colour", 10)
    assert [e.contact.name for e in waiting] == ["Any", "Kim"]
    assert [e.contact.name for e in first] == ["Any"]
    assert elsewhere == []


def test_a_waiting_customer_booked_from_the_list_leaves_it(uow: UnitOfWorkFactory) -> None:
    _full_with_ada(uow)
    bo = join(uow, entry(slot("s1"), "Bo"))
    made = booking(slot("s1"), "Bo")
    with uow() as work:
        work.waiting_list.booked(bo, made)
        work.bookings.add(made)
        work.commit()
        found = work.waiting_list.get_entry(BIZ, "s1", bo.entry_id)
        its_slot = work.catalogue.get_slot(BIZ, "s1")
        work.waiting_list.booked(bo, made)
        with pytest.raises(EntryNoLongerWaiting):
            work.commit()
    assert found is not None and (found.status, found.booking_id) == (
        EntryStatus.BOOKED,
        made.booking_id,
    )
    assert its_slot is not None and its_slot.waiting == 0
    join(uow, entry(slot("s1"), "Bo", entry_id="again"))


def test_an_offered_place_steps_out_of_line_and_comes_back_or_takes_the_seat(
    uow: UnitOfWorkFactory,
) -> None:
    _full_with_ada(uow)
    bo = join(uow, entry(slot("s1"), "Bo"))
    cy = join(uow, entry(slot("s1"), "Cy", minutes=1))
    to_bo = offer(bo)
    commit(uow, lambda work: work.waiting_list.offered(to_bo))
    with uow() as work:
        assert [e.contact.name for e in work.waiting_list.waiting_candidates(BIZ, "s1", 5)] == [
            "Cy"
        ]
        assert work.waiting_list.position_of(cy) == 1
        work.waiting_list.offered(to_bo)
        with pytest.raises(EntryNoLongerWaiting):
            work.commit()
        work.waiting_list.returned(to_bo)
        work.commit()
        assert work.waiting_list.position_of(cy) == 2
        work.waiting_list.accepted(to_bo, booking(slot("s1"), "Bo"), NOW)
        with pytest.raises(EntryNoLongerWaiting):
            work.commit()
        work.waiting_list.offered(to_bo)
        work.commit()
        work.waiting_list.accepted(to_bo, booking(slot("s1"), "Bo"), NOW)
        work.commit()
        found = work.waiting_list.get_entry(BIZ, "s1", bo.entry_id)
        its_slot = work.catalogue.get_slot(BIZ, "s1")
    assert found is not None and found.status is EntryStatus.BOOKED
    assert its_slot is not None and its_slot.waiting == 1
