"""Things to store, as a use case would build them, and a way to commit them."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.domain.messages import Channel, MessageType, OutboxMessage
from chalicelib.domain.model import (
    Booking,
    BookingSource,
    BookingStatus,
    Business,
    Contact,
    EarlierThan,
    EntryStatus,
    EntryWindow,
    RefillDecision,
    Service,
    Slot,
    WaitingEntry,
    list_key,
)
from chalicelib.domain.offers import Offer, OfferStatus
from chalicelib.domain.refill import RefillOutcome
from chalicelib.domain.seats import FreedSeat
from chalicelib.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory

BIZ = "shop"
START = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
NOW = START - timedelta(days=1)
SHOP = Business(BIZ, "Shop", "Europe/Oslo", "en")
CUT = Service(BIZ, "cut", "Cut", 30)


def commit(uow: UnitOfWorkFactory, stage: Callable[[UnitOfWork], Any]) -> None:
    """Stage writes in a fresh unit of work and commit them."""
    with uow() as work:
        stage(work)
        work.commit()


def contact(name: str) -> Contact:
    return Contact(name, f"{name.lower()}@example.com")


def slot(
    slot_id: str = "s1",
    *,
    capacity: int = 1,
    hours: int = 0,
    staff: str | None = None,
    location: str | None = None,
) -> Slot:
    starts = START + timedelta(hours=hours)
    return Slot(
        BIZ,
        slot_id,
        CUT.service_id,
        CUT.name,
        starts,
        starts + timedelta(minutes=30),
        capacity,
        staff=staff,
        location=location,
    )


def open_shop(uow: UnitOfWorkFactory, *slots: Slot, business: Business = SHOP) -> None:
    def stage(work: UnitOfWork) -> None:
        work.catalogue.save_business(business)
        work.catalogue.add_service(CUT)
        for each in slots:
            work.catalogue.add_slot(each)

    commit(uow, stage)


def booking(
    of: Slot,
    name: str,
    *,
    booking_id: str | None = None,
    status: BookingStatus = BookingStatus.CONFIRMED,
    at: datetime = NOW,
) -> Booking:
    return Booking(
        BIZ,
        of.slot_id,
        booking_id or f"b-{name.lower()}-{of.slot_id}",
        status,
        BookingSource.DIRECT,
        contact(name),
        of.summary(SHOP),
        created_at=at,
    )


def book(uow: UnitOfWorkFactory, of: Slot, name: str, **extra: Any) -> Booking:
    """A customer takes a free seat, as booking does."""
    made = booking(of, name, **extra)

    def stage(work: UnitOfWork) -> None:
        work.seats.take_free(BIZ, of.slot_id, made.contact)
        work.bookings.add(made)

    commit(uow, stage)
    return made


def entry(of: Slot, name: str, *, minutes: int = 0, entry_id: str | None = None) -> WaitingEntry:
    return WaitingEntry(
        BIZ,
        of.slot_id,
        entry_id or f"e-{name.lower()}-{of.slot_id}",
        EntryStatus.WAITING,
        contact(name),
        of.summary(SHOP),
        signed_up_at=NOW + timedelta(minutes=minutes),
    )


def window_entry(
    name: str,
    *,
    minutes: int = 0,
    days: int = 7,
    staff: str | None = None,
    location: str | None = None,
    earlier_than: EarlierThan | None = None,
) -> WaitingEntry:
    window = EntryWindow(
        CUT.service_id, START - timedelta(days=1), START + timedelta(days=days), staff, location
    )
    base = entry(slot(), name, minutes=minutes, entry_id=f"w-{name.lower()}")
    return WaitingEntry(
        BIZ,
        "",
        base.entry_id,
        EntryStatus.WAITING,
        base.contact,
        base.slot,
        base.signed_up_at,
        window=window,
        earlier_than=earlier_than,
    )


def join(
    uow: UnitOfWorkFactory, place: WaitingEntry, *, seen_waiting: int | None = None, limit: int = 0
) -> WaitingEntry:
    def stage(work: UnitOfWork) -> None:
        seen = seen_waiting
        if place.window is None and seen is None:
            found = work.catalogue.get_slot(BIZ, place.slot_id)
            seen = found.waiting if found else 0
        work.waiting_list.add(place, seen_waiting=seen, max_open_entries=limit)

    commit(uow, stage)
    return place


def freed(of: Slot, cause: str = "b-gone.v1") -> FreedSeat:
    return FreedSeat(BIZ, of.slot_id, cause, True, of.summary(SHOP))


def decision(
    cause: str = "b-gone.v1", outcome: RefillOutcome = RefillOutcome.OFFERING, **extra: Any
) -> RefillDecision:
    return RefillDecision(cause=cause, outcome=outcome, decided_at=NOW, skipped=(), **extra)


def offer(
    to: WaitingEntry,
    *,
    cause: str = "b-gone.v1",
    round_number: int = 1,
    minutes: int = 30,
    at: datetime = NOW,
) -> Offer:
    return Offer(
        BIZ,
        to.slot_id,
        cause,
        round_number,
        to.entry_id,
        to.contact,
        to.slot,
        OfferStatus.OPEN,
        offered_at=at,
        expires_at=at + timedelta(minutes=minutes),
        signed_up_at=to.signed_up_at,
        list_key=list_key(to),
    )


def message(
    name: str, *, minutes: int = 0, message_id: str | None = None, **extra: Any
) -> OutboxMessage:
    return OutboxMessage(
        BIZ,
        message_id or f"seat_assigned:{name.lower()}",
        MessageType.SEAT_ASSIGNED,
        Channel.EMAIL,
        f"{name.lower()}@example.com",
        "en",
        "Europe/Oslo",
        {"name": name},
        created_at=NOW + timedelta(minutes=minutes),
        **extra,
    )
