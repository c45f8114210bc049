"""The refill: a seat held for the waiting list goes to whoever signed up first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.adapters.dynamodb.store import (
    DynamoStore,
    RefillDecision,
    RetryableConflict,
    TransactionCancelled,
)
from chalicelib.adapters.observability import logger
from chalicelib.domain.allocation import choose_next
from chalicelib.domain.messages import (
    MessageType,
    OutboxMessage,
    message_id_for,
    message_language,
    preferred_channel,
)
from chalicelib.domain.model import (
    Booking,
    BookingSource,
    BookingStatus,
    SkippedEntry,
    WaitingEntry,
)
from chalicelib.domain.seats import FreedSeat, freed_seat
from chalicelib.services.ids import id_for_cause
from chalicelib.services.links import Links
from chalicelib.services.ports import Clock

CANDIDATES_PER_QUERY = 10
MAX_ATTEMPTS = 5
BOOKED = "booked"
RELEASED = "released"
ALREADY_DECIDED = "already_decided"
DUPLICATE_LABELS = frozenset({"refill", "booking", "message"})


@dataclass(frozen=True)
class RefillOutcome:
    outcome: str
    booking_id: str | None = None
    entry_id: str | None = None


class Refill:
    def __init__(self, store: DynamoStore, clock: Clock, links: Links) -> None:
        self._store = store
        self._clock = clock
        self._links = links

    def on_booking_change(self, old: Booking | None, new: Booking | None) -> RefillOutcome | None:
        """React to one change of a booking; only a seat held for the list needs work."""
        freed = freed_seat(old, new)
        if freed is None or not freed.held_for_waiting_list:
            return None
        return self.refill(freed)

    def refill(self, freed: FreedSeat) -> RefillOutcome:
        """Give the held seat to the earliest-signed-up customer still waiting, or put it
        back on sale when no one can take it. Once per cause, however often delivered."""
        for _ in range(MAX_ATTEMPTS):
            candidates = self._store.waiting_candidates(
                freed.business_id, freed.slot_id, CANDIDATES_PER_QUERY
            )
            now = self._clock.now()
            allocation = choose_next(candidates, slot_starts_at=freed.slot.starts_at, now=now)
            try:
                if allocation.chosen is None:
                    decision = RefillDecision(
                        cause=freed.cause,
                        outcome=RELEASED,
                        decided_at=now,
                        skipped=allocation.skipped,
                        reason=allocation.reason_if_none,
                    )
                    self._store.release_held_seat(freed, decision)
                    logger.info("held seat back on sale", extra=_log_fields(freed, decision))
                    return RefillOutcome(RELEASED)
                return self._assign(freed, allocation.chosen, allocation.skipped, now)
            except TransactionCancelled as error:
                if error.failed & DUPLICATE_LABELS:
                    logger.info(
                        "seat already refilled for this cause", extra={"cause": freed.cause}
                    )
                    return RefillOutcome(ALREADY_DECIDED)
                if "entry" in error.failed:
                    continue  # that customer left meanwhile: ask the list again
                raise
            except RetryableConflict:
                continue
        raise RetryableConflict(f"could not refill the seat freed by {freed.cause}")

    def _assign(
        self,
        freed: FreedSeat,
        entry: WaitingEntry,
        skipped: tuple[SkippedEntry, ...],
        now: datetime,
    ) -> RefillOutcome:
        booking = Booking(
            business_id=freed.business_id,
            slot_id=freed.slot_id,
            booking_id=id_for_cause(freed.cause),
            status=BookingStatus.CONFIRMED,
            source=BookingSource.WAITING_LIST,
            contact=entry.contact,
            slot=entry.slot,
            created_at=now,
            waiting_entry_id=entry.entry_id,
        )
        decision = RefillDecision(
            cause=freed.cause,
            outcome=BOOKED,
            decided_at=now,
            skipped=skipped,
            booking_id=booking.booking_id,
            entry_id=entry.entry_id,
        )
        self._store.assign_held_seat(freed, entry, booking, self._seat_assigned(booking), decision)
        logger.info("held seat given to the waiting list", extra=_log_fields(freed, decision))
        return RefillOutcome(BOOKED, booking_id=booking.booking_id, entry_id=entry.entry_id)

    def _seat_assigned(self, booking: Booking) -> OutboxMessage:
        channel = preferred_channel(booking.contact)
        if channel is None:  # entries are refused without a way to reach the customer
            raise ValueError("a waiting customer without email or phone")
        token = self._links.booking_token(booking.business_id, booking.slot_id, booking.booking_id)
        return OutboxMessage(
            business_id=booking.business_id,
            message_id=message_id_for(MessageType.SEAT_ASSIGNED, booking.booking_id),
            message_type=MessageType.SEAT_ASSIGNED,
            channel=channel[0],
            recipient=channel[1],
            language=message_language(booking.contact, booking.slot.language),
            time_zone=booking.slot.time_zone,
            context=booking_message_context(booking, self._links.booking_url(token)),
            created_at=booking.created_at,
        )


def booking_message_context(booking: Booking, manage_url: str) -> dict[str, str]:
    """What a message about a booking may say; only strings, kept with the message."""
    summary = booking.slot
    context = {
        "customer_name": booking.contact.name,
        "business_name": summary.business_name,
        "service_name": summary.service_name,
        "starts_at": summary.starts_at.isoformat(),
        "ends_at": summary.ends_at.isoformat(),
        "manage_url": manage_url,
        "booking_id": booking.booking_id,
    }
    if summary.staff:
        context["staff"] = summary.staff
    if summary.location:
        context["location"] = summary.location
    return context


def _log_fields(freed: FreedSeat, decision: RefillDecision) -> dict[str, object]:
    return {
        "business_id": freed.business_id,
        "slot_id": freed.slot_id,
        "cause": freed.cause,
        "outcome": decision.outcome,
        "booking_id": decision.booking_id,
        "entry_id": decision.entry_id,
        "skipped": len(decision.skipped),
    }
