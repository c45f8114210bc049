"""The catalogue's and the seats' reads and staged writes, on both implementations."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest

from chalicelib.domain.model import BookingStatus, SeatAfterRelease, Service
from chalicelib.domain.pipeline import PipelineStatus, StepKind
from chalicelib.domain.refusals import (
    AlreadyExists,
    BookingChanged,
    ProfileChanged,
    SeatChanged,
)
from chalicelib.domain.seats import SeatRelease
from chalicelib.ports.unit_of_work import UnitOfWorkFactory
from tests.contract.builders import (
    BIZ,
    CUT,
    NOW,
    SHOP,
    book,
    booking,
    commit,
    contact,
    entry,
    join,
    open_shop,
    slot,
    window_entry,
)


def test_a_saved_profile_is_read_back_with_its_revision_and_its_open_windows(
    uow: UnitOfWorkFactory,
) -> None:
    open_shop(uow)
    join(uow, window_entry("Ada"))
    with uow() as work:
        business = work.catalogue.get_business(BIZ)
        assert work.catalogue.get_businesses({BIZ, "other"}).keys() == {BIZ}
    assert business is not None
    assert (business.name, business.revision, business.open_windows) == ("Shop", 1, 1)


def test_a_profile_saved_from_a_stale_read_is_refused(uow: UnitOfWorkFactory) -> None:
    open_shop(uow)
    commit(uow, lambda work: work.catalogue.save_business(replace(SHOP, name="New", revision=1)))
    with uow() as work:
        work.catalogue.save_business(replace(SHOP, name="Stale", revision=1))
        with pytest.raises(ProfileChanged):
            work.commit()
        business = work.catalogue.get_business(BIZ)
    assert business is not None and (business.name, business.revision) == ("New", 2)


EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))


def test_services_and_slots_are_listed_in_order_and_never_added_twice(
    uow: UnitOfWorkFactory,
) -> None:
    later, sooner = slot("b", hours=2), slot("a", hours=1)
    open_shop(uow, later, sooner)
    colour = Service(BIZ, "colour", "Colour", 60)
    commit(uow, lambda work: work.catalogue.add_service(colour))
    with uow() as work:
        assert [s.service_id for s in work.catalogue.list_services(BIZ)] == ["colour", "cut"]
        assert work.catalogue.get_services(BIZ, {"cut", "nope"}) == {"cut": CUT}
        every = work.catalogue.slots_between(BIZ, EVER[0], EVER[1], limit=10).slots
        assert [s.slot_id for s in every] == ["a", "b"]
        found, business = work.catalogue.get_slot_and_business(BIZ, "a")
        assert found is not None and found.starts_at == sooner.starts_at
        assert business is not None
        work.catalogue.add_service(CUT)
        with pytest.raises(AlreadyExists):
            work.commit()
        work.catalogue.add_slot(sooner)
        with pytest.raises(AlreadyExists):
            work.commit()


def test_pipeline_statuses_are_saved_and_the_profile_notes_where_they_start(
    uow: UnitOfWorkFactory,
) -> None:
    open_shop(uow)
    start = PipelineStatus(BIZ, "st1", "New", 1, "blue", StepKind.START)
    with uow() as work:
        business = work.catalogue.get_business(BIZ)
        assert business is not None
        work.catalogue.save_pipeline_status(start)
        work.catalogue.set_pipeline_start(business, start)
        work.commit()
        assert work.catalogue.list_pipeline_statuses(BIZ) == [start]
        assert work.catalogue.get_pipeline_status(BIZ, "st1") == start
        after = work.catalogue.get_business(BIZ)
    assert after is not None
    assert (after.pipeline_start_id, after.pipeline_start_name, after.revision) == ("st1", "New", 2)


def test_the_pipeline_start_of_a_business_without_a_profile_is_refused(
    uow: UnitOfWorkFactory,
) -> None:
    with uow() as work:
        work.catalogue.set_pipeline_start(SHOP, None)
        with pytest.raises(ProfileChanged):
            work.commit()


def test_a_capacity_raise_holds_seats_for_the_list_each_with_its_hold(
    uow: UnitOfWorkFactory,
) -> None:
    full = slot("s1")
    open_shop(uow, full)
    book(uow, full, "Ada")
    join(uow, entry(full, "Bo"))
    with uow() as work:
        before = work.catalogue.get_slot(BIZ, "s1")
        assert before is not None
        release = SeatRelease(BIZ, "s1", "r1", 1, full.summary(SHOP))
        work.catalogue.change_slot(before, replace(before, capacity=3, staff="Kim"), release, NOW)
        work.commit()
        after = work.catalogue.get_slot(BIZ, "s1")
        holds = work.refills.holds_of(BIZ, 10)
        # From the stale read again: the counts changed.
        work.catalogue.change_slot(before, replace(before, capacity=4), None, NOW)
        with pytest.raises(SeatChanged):
            work.commit()
    assert after is not None
    assert (after.capacity, after.taken, after.held, after.staff) == (3, 2, 1, "Kim")
    assert [hold.cause for hold in holds] == ["r1.0"]


def test_a_free_seat_is_taken_once_per_customer_and_never_past_capacity(
    uow: UnitOfWorkFactory,
) -> None:
    open_shop(uow, slot("s1", capacity=2))
    commit(uow, lambda work: work.seats.take_free(BIZ, "s1", contact("Ada")))
    for who, slot_id in (("ADA", "s1"), ("Bo", "gone")):
        with uow() as work:
            work.seats.take_free(BIZ, slot_id, replace(contact(who), email=f"{who}@EXAMPLE.com"))
            with pytest.raises(SeatChanged):
                work.commit()
    commit(uow, lambda work: work.seats.take_free(BIZ, "s1", contact("Bo")))
    with uow() as work:
        work.seats.take_free(BIZ, "s1", contact("Cy"))
        with pytest.raises(SeatChanged):
            work.commit()
        found = work.catalogue.get_slot(BIZ, "s1")
    assert found is not None
    assert (found.taken, found.holders) == (2, frozenset({"ada@example.com", "bo@example.com"}))


def test_a_seat_given_up_for_the_list_is_held_with_its_hold_until_released(
    uow: UnitOfWorkFactory,
) -> None:
    full = slot("s1")
    open_shop(uow, full)
    made = book(uow, full, "Ada")
    gone = replace(
        made,
        status=BookingStatus.CANCELLED,
        version=2,
        updated_at=NOW + timedelta(minutes=5),
        seat_after_release=SeatAfterRelease.HELD_FOR_WAITING_LIST,
    )
    commit(uow, lambda work: work.seats.give_up(gone, list_open=False))
    with uow() as work:
        held = work.catalogue.get_slot(BIZ, "s1")
        hold = work.refills.get_hold(BIZ, "s1", f"{made.booking_id}.v1")
        record = work.refills.get_refill(BIZ, "s1", f"{made.booking_id}.v1")
        work.seats.take_free(BIZ, "s1", contact("Bo"))  # held, so not free
        with pytest.raises(SeatChanged):
            work.commit()
        work.seats.release_held(BIZ, "s1")
        work.commit()
        released = work.catalogue.get_slot(BIZ, "s1")
        work.seats.release_held(BIZ, "s1")
        with pytest.raises(SeatChanged):
            work.commit()
        work.seats.take_held(BIZ, "s1", contact("Bo"))
        with pytest.raises(SeatChanged):
            work.commit()
    assert held is not None and (held.taken, held.held, held.holders) == (1, 1, frozenset())
    assert hold is not None and hold.held_at == NOW + timedelta(minutes=5)
    assert record is not None and record.outcome == "held"
    assert released is not None and (released.taken, released.held) == (0, 0)


def test_a_seat_put_back_on_sale_while_nobody_waited_is_refused_once_someone_joined(
    uow: UnitOfWorkFactory,
) -> None:
    full = slot("s1")
    open_shop(uow, full)
    made = book(uow, full, "Ada")
    join(uow, entry(full, "Bo"))
    gone = replace(
        made,
        status=BookingStatus.CANCELLED,
        version=2,
        seat_after_release=SeatAfterRelease.BACK_ON_SALE,
    )
    with uow() as work:
        work.seats.give_up(gone, list_open=True, refusal=BookingChanged)
        with pytest.raises(BookingChanged):
            work.commit()
        work.seats.give_up(gone, list_open=False)
        work.commit()
        found = work.catalogue.get_slot(BIZ, "s1")
    assert found is not None and (found.taken, found.holders) == (0, frozenset())


def test_a_booking_taken_from_a_held_seat_needs_one_held(uow: UnitOfWorkFactory) -> None:
    full = slot("s1")
    open_shop(uow, full)
    made = booking(full, "Ada")
    with uow() as work:
        work.seats.take_held(BIZ, "s1", made.contact)
        work.bookings.add(made)
        with pytest.raises(SeatChanged):
            work.commit()
        assert work.bookings.list_bookings(BIZ, "s1") == []
