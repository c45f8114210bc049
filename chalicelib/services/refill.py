"""The refill: a seat held for the waiting list goes to whoever signed up first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.adapters.dynamodb.store import DynamoStore, RetryableConflict
from chalicelib.adapters.observability import logger
from chalicelib.domain.allocation import STAFF_CHOOSE
from chalicelib.domain.errors import NotFound
from chalicelib.domain.messages import MessageType, OutboxMessage
from chalicelib.domain.model import (
    Actor,
    Allocation,
    Booking,
    BookingSource,
    BookingStatus,
    Business,
    PaymentStatus,
    RefillDecision,
    SkippedEntry,
    SlotSummary,
    WaitingEntry,
    WaitingListMode,
)
from chalicelib.domain.offers import mode_for
from chalicelib.domain.refusals import (
    AlreadyDecided,
    BookingChanged,
    EntryNoLongerWaiting,
    Refused,
    SeatChanged,
)
from chalicelib.domain.seats import (
    FreedSeat,
    Hold,
    SeatRelease,
    freed_seat,
    freed_seats_of,
)
from chalicelib.ports.runtime import Clock
from chalicelib.services.booking_messages import message_about, moved_message, slot_context
from chalicelib.services.ids import id_for_cause
from chalicelib.services.links import Links
from chalicelib.services.message_rules import outbox_messages, owes_messages
from chalicelib.services.offers import MOVED_EARLIER, Offers, chain_step_note

AUTOMATIC = WaitingListMode.AUTOMATIC
MAX_LISTED = 25
MAX_ATTEMPTS = 5
BOOKED = "booked"
RELEASED = "released"
ALREADY_DECIDED = "already_decided"
HOLDS_PER_SWEEP = 100
STUCK = "the refill could not decide"


@dataclass(frozen=True)
class RefillOutcome:
    outcome: str
    booking_id: str | None = None
    entry_id: str | None = None


class UnresolvedHolds(Exception):
    """Holds the sweep could not resolve, after resolving every other one it found."""

    def __init__(self, causes: list[str]) -> None:
        super().__init__(f"{len(causes)} overdue hold(s) could not be resolved: {causes}")
        self.causes = causes


@dataclass(frozen=True)
class AwaitedHold:
    hold: Hold
    overdue: bool
    """Past its deadline: the sweep will refill it, or staff can now."""


class Refill:
    def __init__(self, store: DynamoStore, clock: Clock, links: Links, offers: Offers) -> None:
        self._store = store
        self._clock = clock
        self._links = links
        self._offers = offers

    def on_booking_change(self, old: Booking | None, new: Booking | None) -> RefillOutcome | None:
        """React to one change of a booking; only a seat held for the list needs work."""
        freed = freed_seat(old, new)
        if freed is None:
            return None
        if not freed.held_for_waiting_list:
            self._tell_staff_if_manual(freed)
            return None
        return self.refill(freed)

    def _tell_staff_if_manual(self, freed: FreedSeat) -> None:
        """In manual mode staff are told the seat is free and who waits for it, in order."""
        slot, business = self._store.get_slot_and_business(freed.business_id, freed.slot_id)
        if business is None or not business.waiting_list_open:
            return
        if mode_for(business, freed.slot) is not WaitingListMode.MANUAL:
            return
        now = self._clock.now()
        if not owes_messages(business, MessageType.SLOT_AVAILABLE, freed.slot):
            return
        found = self._offers.plan(
            business,
            freed.slot_id,
            freed.slot,
            now,
            wanted=MAX_LISTED,
            holders=slot.holders if slot else frozenset(),
        )
        if not found.in_order:
            return
        waiting = "\n".join(
            f"{number}. {entry.contact.name}"
            + "".join(f", {way}" for way in (entry.contact.email, entry.contact.phone) if way)
            for number, entry in enumerate(found.in_order[:MAX_LISTED], start=1)
        )
        for message in outbox_messages(
            business,
            MessageType.SLOT_AVAILABLE,
            freed.slot,
            contact=None,
            cause_id=freed.cause,
            context={
                **slot_context("", freed.slot),
                "slot_id": freed.slot_id,
                "waiting_list": waiting,
            },
            created_at=now,
            business_id=freed.business_id,
        ):
            self._store.queue_message(message)

    def on_seat_release(self, release: SeatRelease) -> list[RefillOutcome]:
        """Refill each seat a capacity raise held for the list, each once."""
        return [self.refill(freed) for freed in freed_seats_of(release)]

    def refill(self, freed: FreedSeat, *, last_chance: bool = False) -> RefillOutcome:
        """Give the held seat to the earliest-signed-up customer still waiting, or put it
        back on sale when no one can take it. Once per cause, however often delivered.

        A refusal that trying again cannot fix puts the seat back on sale with the reason
        recorded, rather than holding it for ever; so does running out of attempts when
        this is the `last_chance` (the sweep of overdue holds)."""
        try:
            return self._refill(freed)
        except AlreadyDecided:
            logger.info("seat already refilled for this cause", extra={"cause": freed.cause})
            return RefillOutcome(ALREADY_DECIDED)
        except RetryableConflict as error:
            if not last_chance:
                raise
            return self._give_up(freed, str(error))
        except Refused as error:
            logger.error(
                "refill refused", extra={"cause": freed.cause, "refusal": type(error).__name__}
            )
            return self._give_up(freed, f"{type(error).__name__}: {error}")

    def _give_up(self, freed: FreedSeat, why: str) -> RefillOutcome:
        """Back on sale, the reason recorded in the allocation log: the seat is not held
        for a decision that cannot be made."""
        decision = RefillDecision(
            cause=freed.cause,
            outcome=RELEASED,
            decided_at=self._clock.now(),
            skipped=(),
            reason=f"{STUCK} ({why}); the seat went back on sale",
        )
        try:
            self._store.release_held_seat(freed, decision)
        except AlreadyDecided:
            return RefillOutcome(ALREADY_DECIDED)
        logger.warning(
            "held seat back on sale after a failed refill", extra=_log_fields(freed, decision)
        )
        return RefillOutcome(RELEASED)

    def _refill(self, freed: FreedSeat) -> RefillOutcome:
        for _ in range(MAX_ATTEMPTS):
            # The slot comes with the business in one read: who holds its seats already.
            slot, business = self._store.get_slot_and_business(freed.business_id, freed.slot_id)
            holders = slot.holders if slot else frozenset()
            now = self._clock.now()
            if business is not None and mode_for(business, freed.slot) is WaitingListMode.MANUAL:
                # Switched to manual after the seat was held: staff choose, the seat is sold.
                decision = RefillDecision(
                    cause=freed.cause,
                    outcome=RELEASED,
                    decided_at=now,
                    skipped=(),
                    reason=STAFF_CHOOSE,
                )
                self._store.release_held_seat(freed, decision)
                return RefillOutcome(RELEASED)
            if business is not None and mode_for(business, freed.slot) is not AUTOMATIC:
                try:
                    outcome = self._offers.next_round(freed, business, None, holders=holders)
                except (EntryNoLongerWaiting, SeatChanged, RetryableConflict):
                    continue  # someone asked left the list meanwhile: ask again
                return RefillOutcome(outcome)
            allocation = self._offers.plan(
                business,
                freed.slot_id,
                freed.slot,
                now,
                chain_step=freed.chain_step,
                holders=holders,
            )
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
                assert business is not None  # no one is chosen without a business
                if allocation.chosen.earlier_than is not None:
                    moved = self._move_earlier(
                        freed, business, allocation.chosen, allocation.skipped, now
                    )
                    if moved is None:
                        continue  # their booking had gone: their request was closed
                    return moved
                return self._assign(freed, business, allocation.chosen, allocation.skipped, now)
            except (EntryNoLongerWaiting, BookingChanged, SeatChanged, RetryableConflict):
                # That customer left, their booking changed, or they took a seat of this
                # slot meanwhile: read again and ask again.
                continue
        raise RetryableConflict(f"could not refill the seat freed by {freed.cause}")

    def heal_overdue_holds(self) -> int:
        """The sweep: every seat held for the waiting list past its deadline without a
        decision — a refused write, a lost or parked stream record — is refilled through
        the same code, or put back on sale with the reason. Reads only undecided holds.
        Returns how many it resolved."""
        resolved, unresolved = 0, []
        for hold in self._store.overdue_holds(self._clock.now(), HOLDS_PER_SWEEP):
            logger.warning("overdue hold", extra={"cause": hold.cause, "slot_id": hold.slot_id})
            try:
                outcome = self.refill(hold.freed(), last_chance=True)
            except Exception:
                # One hold that cannot be resolved must not keep the others held: it stays
                # listed for staff, and the sweep fails at the end so that its alarm fires.
                logger.exception("overdue hold not resolved", extra={"cause": hold.cause})
                unresolved.append(hold.cause)
                continue
            resolved += outcome.outcome != ALREADY_DECIDED
        if unresolved:
            raise UnresolvedHolds(unresolved)
        return resolved

    def holds(self, business_id: str) -> list[AwaitedHold]:
        """The business's seats held for the waiting list still awaiting a decision,
        oldest first, each saying whether its deadline has passed."""
        now = self._clock.now()
        return [
            AwaitedHold(hold, hold.is_overdue(now))
            for hold in self._store.holds_of(business_id, HOLDS_PER_SWEEP)
        ]

    def resolve_hold(self, business_id: str, slot_id: str, cause: str) -> RefillOutcome:
        """Staff release a held seat by hand: through the refill, so the list keeps its
        first claim; when the refill cannot decide, the seat goes back on sale."""
        hold = self._store.get_hold(business_id, slot_id, cause)
        if hold is None:
            raise NotFound(f"no seat of slot {slot_id!r} is held awaiting a decision as {cause!r}")
        return self.refill(hold.freed(), last_chance=True)

    def plan(
        self,
        business: Business | None,
        slot_id: str,
        slot: SlotSummary,
        now: datetime,
        holders: frozenset[str] = frozenset(),
    ) -> Allocation:
        """Who would get a seat of this slot freed now. The refill acts on this answer; a
        dry run before a release shows it."""
        return self._offers.plan(business, slot_id, slot, now, holders=holders)

    def _assign(
        self,
        freed: FreedSeat,
        business: Business,
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
            # A window entry's summary describes its window; the booking names the slot.
            slot=freed.slot if entry.window else entry.slot,
            created_at=now,
            waiting_entry_id=entry.entry_id,
            payment_status=PaymentStatus.UNPAID,
        )
        decision = RefillDecision(
            cause=freed.cause,
            outcome=BOOKED,
            decided_at=now,
            skipped=skipped,
            booking_id=booking.booking_id,
            entry_id=entry.entry_id,
        )
        self._store.assign_held_seat(
            freed, entry, booking, self._seat_assigned(booking, business), decision
        )
        logger.info("held seat given to the waiting list", extra=_log_fields(freed, decision))
        return RefillOutcome(BOOKED, booking_id=booking.booking_id, entry_id=entry.entry_id)

    def _move_earlier(
        self,
        freed: FreedSeat,
        business: Business,
        entry: WaitingEntry,
        skipped: tuple[SkippedEntry, ...],
        now: datetime,
    ) -> RefillOutcome | None:
        """Meet an earlier-slot request: the customer's booking moves into the held seat,
        and the later seat it leaves is freed — for that slot's list when anyone waits,
        which may move the next customer in turn (each move is one step of a bounded
        chain, recorded in each slot's allocation log). None when the booking to move
        no longer holds a seat: the request is closed and the list asked again."""
        assert entry.earlier_than is not None
        step = freed.chain_step + 1
        found = self._offers.earlier_move(
            business,
            entry.earlier_than,
            to_slot_id=freed.slot_id,
            to_slot=freed.slot,
            by=Actor.WAITING_LIST,
            at=now,
            step=step,
        )
        if found is None:
            self._store.leave(entry, now)
            logger.info("earlier-slot request closed: its booking is gone", extra=_ids(entry))
            return None
        moving, booking, list_open = found
        decision = RefillDecision(
            cause=freed.cause,
            outcome=MOVED_EARLIER,
            decided_at=now,
            skipped=skipped,
            booking_id=booking.booking_id,
            entry_id=entry.entry_id,
            reason=chain_step_note(booking.slot_id, step),
        )
        messages = moved_message(booking, moving.arrived, self._links, business)
        self._store.move_into_held_seat(
            freed,
            entry,
            moving.moved_away,
            moving.arrived,
            moving.change,
            messages,
            decision,
            list_open=list_open,
        )
        logger.info("booking moved to an earlier seat", extra=_log_fields(freed, decision))
        return RefillOutcome(MOVED_EARLIER, booking_id=booking.booking_id, entry_id=entry.entry_id)

    def _seat_assigned(self, booking: Booking, business: Business) -> list[OutboxMessage]:
        return message_about(booking, MessageType.SEAT_ASSIGNED, self._links, business)


def _ids(entry: WaitingEntry) -> dict[str, str]:
    return {"business_id": entry.business_id, "entry_id": entry.entry_id}


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
