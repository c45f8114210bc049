"""The staff board's day, as a read model: the day's slots, each with who holds a seat, who
waits, the offers awaiting an answer and the refill's decisions.

One Query for the day's slots (the index by start), then one Query per slot (its own
partition): the same reads whatever the business's history."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from chalicelib.domain.errors import NotFound
from chalicelib.domain.model import (
    Booking,
    BookingStatus,
    Business,
    EntryStatus,
    RefillDecision,
    Slot,
    WaitingEntry,
)
from chalicelib.domain.offers import Offer, OfferStatus
from chalicelib.domain.refill import RefillOutcome
from chalicelib.domain.time_rules import zone
from chalicelib.ports.bookings import SlotActivity
from chalicelib.ports.catalogue import SlotPage
from chalicelib.ports.unit_of_work import UnitOfWorkFactory

ACTIVE_ENTRIES = (EntryStatus.WAITING, EntryStatus.OFFERED)
SLOTS_PER_READ = 500
"""A day's slots come in one Query unless a business has more than this in one day."""


@dataclass(frozen=True)
class BoardSlot:
    slot: Slot
    seated: list[Booking]
    """Bookings holding a seat, oldest first."""
    released: list[Booking]
    """Bookings that gave their seat up (not deleted or moved away)."""
    waiting: list[WaitingEntry]
    """Entries still waiting or offered a seat, in sign-up order."""
    offers: list[Offer]
    """Open offers of rounds still running, soonest deadline first."""
    allocations: list[RefillDecision]
    """The refill's decisions, newest first."""
    names: dict[str, str]
    """Each entry's customer name, by entry id."""
    offered_names: dict[str, str]
    """Whom each decision offered the seat to, by its cause."""


@dataclass(frozen=True)
class BoardDay:
    business: Business
    day: date
    slots: list[BoardSlot]


class StaffBoard:
    def __init__(self, uow: UnitOfWorkFactory) -> None:
        self._uow = uow

    def day(self, business: Business, day: date) -> BoardDay:
        """The business's slots starting on `day` of its calendar, in start order, each
        with what staff act on."""
        local = zone(business.time_zone)
        start = datetime.combine(day, time(), tzinfo=local).astimezone(UTC)
        end = datetime.combine(day + timedelta(days=1), time(), tzinfo=local).astimezone(UTC)
        with self._uow() as uow:
            slots: list[Slot] = []
            page = SlotPage([], None)
            while True:
                page = uow.catalogue.slots_between(
                    business.business_id, start, end, limit=SLOTS_PER_READ, after=page.next
                )
                slots += page.slots
                if page.next is None:
                    break
            views = [
                board_slot(slot, uow.bookings.slot_activity(business.business_id, slot.slot_id))
                for slot in slots
            ]
        return BoardDay(business, day, views)

    def week(self, business: Business, monday: date) -> list[BoardDay]:
        """Seven days from `monday` of the business's calendar: one paged Query of the
        index by start for the week, then one Query per slot (its own partition)."""
        local = zone(business.time_zone)
        start = datetime.combine(monday, time(), tzinfo=local).astimezone(UTC)
        end = datetime.combine(monday + timedelta(days=7), time(), tzinfo=local)
        with self._uow() as uow:
            slots: list[Slot] = []
            page = SlotPage([], None)
            while True:
                page = uow.catalogue.slots_between(
                    business.business_id,
                    start,
                    end.astimezone(UTC),
                    limit=SLOTS_PER_READ,
                    after=page.next,
                )
                slots += page.slots
                if page.next is None:
                    break
            views = [
                board_slot(slot, uow.bookings.slot_activity(business.business_id, slot.slot_id))
                for slot in slots
            ]
        days = [monday + timedelta(days=offset) for offset in range(7)]
        return [
            BoardDay(
                business,
                day,
                [v for v in views if v.slot.starts_at.astimezone(local).date() == day],
            )
            for day in days
        ]

    def slot(self, business_id: str, slot_id: str) -> BoardSlot:
        """One slot as the front desk sees it (its own partition, one Query): every
        booking, the waiting list, offers and the refill's log; NotFound for a slot of
        another business or none."""
        with self._uow() as uow:
            slot = uow.catalogue.get_slot(business_id, slot_id)
            if slot is None:
                raise NotFound(f"no slot {slot_id!r}")
            return board_slot(slot, uow.bookings.slot_activity(business_id, slot_id))


def board_slot(slot: Slot, activity: SlotActivity) -> BoardSlot:
    bookings = [
        booking
        for booking in activity.bookings
        if booking.status not in (BookingStatus.DELETED, BookingStatus.MOVED)
    ]
    names = {entry.entry_id: entry.contact.name for entry in activity.entries}
    return BoardSlot(
        slot=slot,
        seated=[b for b in bookings if b.status.holds_seat],
        released=[b for b in bookings if not b.status.holds_seat],
        waiting=[e for e in activity.entries if e.status in ACTIVE_ENTRIES],
        offers=_in_flight(activity),
        allocations=activity.decisions,
        names=names,
        offered_names={
            decision.cause: ", ".join(names.get(entry_id, "?") for entry_id in decision.offered)
            for decision in activity.decisions
        },
    )


def _in_flight(activity: SlotActivity) -> list[Offer]:
    """The open offers of each round still running, soonest deadline first."""
    running = {
        (decision.cause, decision.round)
        for decision in activity.decisions
        if decision.outcome == RefillOutcome.OFFERING and decision.closed_round < decision.round
    }
    offers = [
        offer
        for offer in activity.offers
        if (offer.cause, offer.round) in running and offer.status is OfferStatus.OPEN
    ]
    return sorted(offers, key=lambda offer: (offer.expires_at, offer.signed_up_at))
