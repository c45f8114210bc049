"""What a unit of work promises, whichever database is behind it."""

from __future__ import annotations

import pytest

from chalicelib.domain.model import EntryStatus
from chalicelib.domain.refusals import (
    AlreadyExists,
    DailyOfferLimit,
    EntryNoLongerWaiting,
    SeatChanged,
    WriteRejected,
)
from chalicelib.ports.unit_of_work import UnitOfWorkFactory
from tests.contract.builders import (
    BIZ,
    CUT,
    book,
    booking,
    commit,
    contact,
    entry,
    join,
    message,
    offer,
    open_shop,
    slot,
)


def test_reads_see_staged_writes_only_once_committed(uow: UnitOfWorkFactory) -> None:
    open_shop(uow)
    with uow() as work:
        work.catalogue.add_slot(slot("s1"))
        assert work.catalogue.get_slot(BIZ, "s1") is None
        work.commit()
        found = work.catalogue.get_slot(BIZ, "s1")
    assert found is not None and found.capacity == 1


def test_leaving_without_commit_writes_nothing(uow: UnitOfWorkFactory) -> None:
    open_shop(uow)
    with uow() as work:
        work.catalogue.add_slot(slot("s1"))
    with uow() as work:
        work.commit()  # a fresh unit of work has nothing staged
        assert work.catalogue.get_slot(BIZ, "s1") is None


def test_a_failing_condition_writes_nothing_of_the_commit(uow: UnitOfWorkFactory) -> None:
    open_shop(uow, slot("s1"))
    with uow() as work:
        work.outbox.add([message("Ada")])
        work.catalogue.add_slot(slot("s2"))
        work.catalogue.add_slot(slot("s1"))  # exists
        with pytest.raises(AlreadyExists):
            work.commit()
    with uow() as work:
        assert work.outbox.get_message(BIZ, "seat_assigned:ada") is None
        assert work.catalogue.get_slot(BIZ, "s2") is None


def test_conditions_are_checked_against_the_state_before_the_commit_not_the_staged_writes(
    uow: UnitOfWorkFactory,
) -> None:
    """Bo takes the last seat and Cy joins the list as if it were full, in one commit: the
    join's condition reads the slot as it was before the commit (one seat free), not as
    Bo's staged write leaves it, so the commit is refused whole."""
    open_shop(uow, slot("s1", capacity=2))
    with uow() as work:
        work.seats.take_free(BIZ, "s1", contact("Ada"))
        work.bookings.add(booking(slot("s1"), "Ada"))
        work.commit()
        work.seats.take_free(BIZ, "s1", contact("Bo"))
        work.waiting_list.add(entry(slot("s1"), "Cy"), seen_waiting=0, max_open_entries=0)
        # The seat is free as it was before this commit, so Cy's join (the slot full) fails.
        with pytest.raises(SeatChanged):
            work.commit()
        found = work.catalogue.get_slot(BIZ, "s1")
    assert found is not None
    assert found.holders == {"ada@example.com"}


def test_writes_of_one_slot_merge_into_one_and_tell_the_seats_refusal(
    uow: UnitOfWorkFactory,
) -> None:
    """A seat given to a waiting customer: the seat (held - 1, holder added) and their place
    (waiting - 1) are one update of the slot; with no seat held, the seat's refusal is told."""
    full = slot("s1")
    open_shop(uow, full)
    book(uow, full, "Ada")
    place = join(uow, entry(full, "Bo"))
    made = booking(full, "Bo")

    with uow() as work:
        work.seats.take_held(BIZ, "s1", place.contact)
        work.waiting_list.booked(place, made)
        work.bookings.add(made)
        with pytest.raises(SeatChanged):
            work.commit()
    with uow() as work:
        found = work.catalogue.get_slot(BIZ, "s1")
        still = work.waiting_list.get_entry(BIZ, "s1", place.entry_id)
    assert found is not None and found.waiting == 1
    assert still is not None and still.status is EntryStatus.WAITING


def test_of_several_failed_conditions_the_first_in_precedence_is_told(
    uow: UnitOfWorkFactory,
) -> None:
    full = slot("s1")
    open_shop(uow, full)
    book(uow, full, "Ada")
    place = join(uow, entry(full, "Cy", entry_id="e1"), seen_waiting=0)
    commit(uow, lambda work: work.waiting_list.left(place, place.signed_up_at, EntryStatus.LEFT))
    with uow() as work:
        work.seats.take_free(BIZ, "s1", contact("Bo"))  # not free: SeatChanged
        work.waiting_list.offered(offer(place))  # no longer waiting
        with pytest.raises(EntryNoLongerWaiting):
            work.commit()


def test_every_entry_over_the_daily_offer_limit_is_named(uow: UnitOfWorkFactory) -> None:
    full = slot("s1")
    open_shop(uow, full)
    ada, bo = entry(full, "Ada"), entry(full, "Bo", minutes=1)
    commit(
        uow, lambda work: work.offers.add(offer(ada, cause="c0"), day="2030-02-28", max_per_day=1)
    )
    commit(
        uow, lambda work: work.offers.add(offer(bo, cause="c0"), day="2030-02-28", max_per_day=1)
    )
    with uow() as work:
        work.offers.add(offer(ada), day="2030-02-28", max_per_day=1)
        work.offers.add(offer(bo), day="2030-02-28", max_per_day=1)
        with pytest.raises(DailyOfferLimit) as refused:
            work.commit()
    assert set(refused.value.entry_ids) == {ada.entry_id, bo.entry_id}


def test_more_than_a_hundred_items_are_rejected_whole(uow: UnitOfWorkFactory) -> None:
    open_shop(uow)
    with uow() as work:
        work.outbox.add([message(f"C{n}", message_id=f"m{n}") for n in range(101)])
        with pytest.raises(WriteRejected):
            work.commit()
    with uow() as work:
        page = work.outbox.recent_messages(BIZ, None, 10)
    assert page.messages == []


def test_a_hundred_items_fit_one_commit(uow: UnitOfWorkFactory) -> None:
    open_shop(uow)
    commit(
        uow,
        lambda work: work.outbox.add([message(f"C{n}", message_id=f"m{n}") for n in range(100)]),
    )
    with uow() as work:
        assert work.outbox.get_message(BIZ, "m99") is not None
        assert work.catalogue.get_service_and_business(BIZ, CUT.service_id)[0] == CUT


def test_one_update_may_not_set_an_attribute_twice(uow: UnitOfWorkFactory) -> None:
    """Two seats of one slot taken in one commit would set the slot's holders twice in
    one update, which DynamoDB rejects: nothing is written."""
    open_shop(uow, slot("s1", capacity=2))
    with uow() as work:
        work.seats.take_free(BIZ, "s1", contact("Ada"))
        work.seats.take_free(BIZ, "s1", contact("Bo"))
        with pytest.raises(WriteRejected):
            work.commit()
        found = work.catalogue.get_slot(BIZ, "s1")
    assert found is not None and found.taken == 0
