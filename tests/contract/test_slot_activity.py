"""Everything of one slot's own, read at once, on both implementations."""

from __future__ import annotations

from chalicelib.domain.model import BookingStatus
from chalicelib.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests.contract.builders import (
    BIZ,
    book,
    commit,
    decision,
    entry,
    freed,
    join,
    offer,
    open_shop,
    slot,
)


def test_a_slots_activity_holds_its_bookings_entries_offers_and_refill_records_only(
    uow: UnitOfWorkFactory,
) -> None:
    one, other = slot("s1", capacity=2), slot("s2", capacity=1)
    open_shop(uow, one, other)
    ada = book(uow, one, "Ada")
    cy = book(uow, one, "Cy", status=BookingStatus.PENDING)
    book(uow, other, "Di")
    bo = join(uow, entry(one, "Bo", minutes=5))
    ed = join(uow, entry(one, "Ed", minutes=1))
    join(uow, entry(other, "Fi"))
    made = offer(bo)

    def stage(work: UnitOfWork) -> None:
        work.refills.decide(freed(one), decision(round=1), None)
        work.offers.add(made, day="2030-02-28", max_per_day=0)

    commit(uow, stage)

    with uow() as work:
        activity = work.bookings.slot_activity(BIZ, "s1")
        empty = work.bookings.slot_activity(BIZ, "nowhere")

    assert [b.booking_id for b in activity.bookings] == [ada.booking_id, cy.booking_id]
    assert [e.entry_id for e in activity.entries] == [ed.entry_id, bo.entry_id]
    assert [o.offer_id for o in activity.offers] == [made.offer_id]
    assert [(d.cause, d.round) for d in activity.decisions] == [("b-gone.v1", 1)]
    assert (empty.bookings, empty.entries, empty.offers, empty.decisions) == ([], [], [], [])
