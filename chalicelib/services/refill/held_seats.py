"""The refill: a seat held for the waiting list goes to whoever signed up first."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.adapters.observability import logger
from chalicelib.domain.allocation import STAFF_CHOOSE
from chalicelib.domain.errors import NotFound
from chalicelib.domain.messages import MessageType
from chalicelib.domain.model import (
    Actor,
    Booking,
    Business,
    EntryStatus,
    RefillDecision,
    SkippedEntry,
    WaitingEntry,
    WaitingListMode,
)
from chalicelib.domain.offers import mode_for
from chalicelib.domain.refill import RefillOutcome
from chalicelib.domain.refusals import (
    AlreadyDecided,
    AlreadyQueued,
    BookingChanged,
    EntryNoLongerWaiting,
    Refused,
    RetryableConflict,
    SeatChanged,
)
from chalicelib.domain.seats import FreedSeat, Hold, SeatRelease, freed_seat, freed_seats_of
from chalicelib.ports.runtime import Clock
from chalicelib.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from chalicelib.services.booking_messages import message_about, moved_message
from chalicelib.services.links import Links
from chalicelib.services.offers import Offers
from chalicelib.services.refill.manual import tell_staff_if_manual
from chalicelib.services.refill.moves import chain_step_note, earlier_move, stage_move
from chalicelib.services.refill.planning import plan
from chalicelib.services.refill.seat_booking import waiting_list_booking
from chalicelib.services.retry import TryAgain, retry

AUTOMATIC = WaitingListMode.AUTOMATIC
HOLDS_PER_SWEEP = 100
STUCK = "the refill could not decide"
RETRIED = (EntryNoLongerWaiting, BookingChanged, SeatChanged, RetryableConflict)
"""That customer left, their booking changed, or they took a seat of this slot meanwhile
(or a concurrent write came first): read again and ask again."""


@dataclass(frozen=True)
class Refilled:
    """What one run of the refill did with a seat."""

    outcome: RefillOutcome
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
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, links: Links, offers: Offers) -> None:
        self._uow = uow
        self._clock = clock
        self._links = links
        self._offers = offers

    def on_booking_change(self, old: Booking | None, new: Booking | None) -> Refilled | None:
        """React to one change of a booking; only a seat held for the list needs work."""
        freed = freed_seat(old, new)
        if freed is None:
            return None
        if not freed.held_for_waiting_list:
            tell_staff_if_manual(self._uow, self._clock, freed)
            return None
        return self.refill(freed)

    def on_seat_release(self, release: SeatRelease) -> list[Refilled]:
        """Refill each seat a capacity raise held for the list, each once."""
        return [self.refill(freed) for freed in freed_seats_of(release)]

    def refill(self, freed: FreedSeat, *, last_chance: bool = False) -> Refilled:
        """Give the held seat to the earliest-signed-up customer still waiting, or put it
        back on sale when no one can take it. Once per cause, however often delivered.

        A refusal that trying again cannot fix puts the seat back on sale with the reason
        recorded, rather than holding it for ever; so does running out of attempts when
        this is the `last_chance` (the sweep of overdue holds)."""
        try:
            return retry(
                lambda: self._attempt(freed),
                on=(),
                gave_up=f"could not refill the seat freed by {freed.cause}",
            )
        except (AlreadyDecided, AlreadyQueued):
            # Its messages are queued by the same write that decides: either says so.
            logger.info("seat already refilled for this cause", extra={"cause": freed.cause})
            return Refilled(RefillOutcome.ALREADY_DECIDED)
        except RetryableConflict as error:
            if not last_chance:
                raise
            return self._give_up(freed, str(error))
        except Refused as error:
            logger.error(
                "refill refused", extra={"cause": freed.cause, "refusal": type(error).__name__}
            )
            return self._give_up(freed, f"{type(error).__name__}: {error}")

    def _give_up(self, freed: FreedSeat, why: str) -> Refilled:
        """Back on sale, the reason recorded in the allocation log: the seat is not held
        for a decision that cannot be made."""
        decision = RefillDecision(
            cause=freed.cause,
            outcome=RefillOutcome.RELEASED,
            decided_at=self._clock.now(),
            skipped=(),
            reason=f"{STUCK} ({why}); the seat went back on sale",
        )
        try:
            self._release(freed, decision)
        except AlreadyDecided:
            return Refilled(RefillOutcome.ALREADY_DECIDED)
        logger.warning(
            "held seat back on sale after a failed refill", extra=_log_fields(freed, decision)
        )
        return Refilled(RefillOutcome.RELEASED)

    def _release(self, freed: FreedSeat, decision: RefillDecision) -> None:
        with self._uow() as uow:
            uow.refills.decide(freed, decision, None)
            uow.seats.release_held(freed.business_id, freed.slot_id)
            uow.commit()

    def _attempt(self, freed: FreedSeat) -> Refilled:
        with self._uow() as uow:
            # The slot comes with the business in one read: who holds its seats already.
            slot, business = uow.catalogue.get_slot_and_business(freed.business_id, freed.slot_id)
            holders = slot.holders if slot else frozenset()
            now = self._clock.now()
            if business is not None and mode_for(business, freed.slot) is WaitingListMode.MANUAL:
                # Switched to manual after the seat was held: staff choose, the seat is sold.
                decision = RefillDecision(
                    cause=freed.cause,
                    outcome=RefillOutcome.RELEASED,
                    decided_at=now,
                    skipped=(),
                    reason=STAFF_CHOOSE,
                )
                uow.refills.decide(freed, decision, None)
                uow.seats.release_held(freed.business_id, freed.slot_id)
                uow.commit()
                return Refilled(RefillOutcome.RELEASED)
            if business is not None and mode_for(business, freed.slot) is not AUTOMATIC:
                try:
                    outcome = self._offers.next_round(freed, business, None, holders=holders)
                except (EntryNoLongerWaiting, SeatChanged, RetryableConflict) as error:
                    raise TryAgain() from error  # someone asked left the list meanwhile
                return Refilled(outcome)
            try:
                return self._automatic(uow, freed, business, holders, now)
            except RETRIED as error:
                raise TryAgain() from error

    def _automatic(
        self,
        uow: UnitOfWork,
        freed: FreedSeat,
        business: Business | None,
        holders: frozenset[str],
        now: datetime,
    ) -> Refilled:
        """Give the seat to the first customer the plan names, or back on sale."""
        allocation = plan(
            uow.waiting_list,
            business,
            freed.slot_id,
            freed.slot,
            now,
            chain_step=freed.chain_step,
            holders=holders,
        )
        if allocation.chosen is None:
            decision = RefillDecision(
                cause=freed.cause,
                outcome=RefillOutcome.RELEASED,
                decided_at=now,
                skipped=allocation.skipped,
                reason=allocation.reason_if_none,
            )
            uow.refills.decide(freed, decision, None)
            uow.seats.release_held(freed.business_id, freed.slot_id)
            uow.commit()
            logger.info("held seat back on sale", extra=_log_fields(freed, decision))
            return Refilled(RefillOutcome.RELEASED)
        assert business is not None  # no one is chosen without a business
        if allocation.chosen.earlier_than is not None:
            return self._move_earlier(
                uow, freed, business, allocation.chosen, allocation.skipped, now
            )
        return self._assign(uow, freed, business, allocation.chosen, allocation.skipped, now)

    def heal_overdue_holds(self) -> int:
        """The sweep: every seat held for the waiting list past its deadline without a
        decision — a refused write, a lost or parked stream record — is refilled through
        the same code, or put back on sale with the reason. Reads only undecided holds.
        Returns how many it resolved."""
        resolved, unresolved = 0, []
        with self._uow() as uow:
            overdue = uow.refills.overdue_holds(self._clock.now(), HOLDS_PER_SWEEP)
        for hold in overdue:
            logger.warning("overdue hold", extra={"cause": hold.cause, "slot_id": hold.slot_id})
            try:
                refilled = self.refill(hold.freed(), last_chance=True)
            except Exception:
                # One hold that cannot be resolved must not keep the others held: it stays
                # listed for staff, and the sweep fails at the end so that its alarm fires.
                logger.exception("overdue hold not resolved", extra={"cause": hold.cause})
                unresolved.append(hold.cause)
                continue
            resolved += refilled.outcome is not RefillOutcome.ALREADY_DECIDED
        if unresolved:
            raise UnresolvedHolds(unresolved)
        return resolved

    def holds(self, business_id: str) -> list[AwaitedHold]:
        """The business's seats held for the waiting list still awaiting a decision,
        oldest first, each saying whether its deadline has passed."""
        now = self._clock.now()
        with self._uow() as uow:
            held = uow.refills.holds_of(business_id, HOLDS_PER_SWEEP)
        return [AwaitedHold(hold, hold.is_overdue(now)) for hold in held]

    def resolve_hold(self, business_id: str, slot_id: str, cause: str) -> Refilled:
        """Staff release a held seat by hand: through the refill, so the list keeps its
        first claim; when the refill cannot decide, the seat goes back on sale."""
        with self._uow() as uow:
            hold = uow.refills.get_hold(business_id, slot_id, cause)
        if hold is None:
            raise NotFound(f"no seat of slot {slot_id!r} is held awaiting a decision as {cause!r}")
        return self.refill(hold.freed(), last_chance=True)

    def _assign(
        self,
        uow: UnitOfWork,
        freed: FreedSeat,
        business: Business,
        entry: WaitingEntry,
        skipped: tuple[SkippedEntry, ...],
        now: datetime,
    ) -> Refilled:
        """The hold becomes the waiting customer's booking, their entry is closed, their
        message queued and the decision recorded: all or nothing, once per cause."""
        booking = waiting_list_booking(
            business_id=freed.business_id,
            slot_id=freed.slot_id,
            # A window entry's summary describes its window; the booking names the slot.
            slot=freed.slot if entry.window else entry.slot,
            contact=entry.contact,
            entry_id=entry.entry_id,
            at=now,
            cause=freed.cause,
        )
        decision = RefillDecision(
            cause=freed.cause,
            outcome=RefillOutcome.BOOKED,
            decided_at=now,
            skipped=skipped,
            booking_id=booking.booking_id,
            entry_id=entry.entry_id,
        )
        uow.bookings.add(booking)
        uow.refills.decide(freed, decision, None)
        uow.outbox.add(message_about(booking, MessageType.SEAT_ASSIGNED, self._links, business))
        uow.seats.take_held(freed.business_id, freed.slot_id, booking.contact)
        uow.waiting_list.booked(entry, booking)
        uow.commit()
        logger.info("held seat given to the waiting list", extra=_log_fields(freed, decision))
        return Refilled(RefillOutcome.BOOKED, booking.booking_id, entry.entry_id)

    def _move_earlier(
        self,
        uow: UnitOfWork,
        freed: FreedSeat,
        business: Business,
        entry: WaitingEntry,
        skipped: tuple[SkippedEntry, ...],
        now: datetime,
    ) -> Refilled:
        """Meet an earlier-slot request: the customer's booking moves into the held seat,
        and the later seat it leaves is freed — for that slot's list when anyone waits,
        which may move the next customer in turn (each move is one step of a bounded
        chain, recorded in each slot's allocation log). When the booking to move no
        longer holds a seat, the request is closed and the list asked again."""
        assert entry.earlier_than is not None
        step = freed.chain_step + 1
        found = earlier_move(
            uow,
            business,
            entry.earlier_than,
            to_slot_id=freed.slot_id,
            to_slot=freed.slot,
            by=Actor.WAITING_LIST,
            at=now,
            step=step,
        )
        if found is None:
            uow.waiting_list.left(entry, now, EntryStatus.LEFT)
            try:
                uow.commit()
            except EntryNoLongerWaiting as error:
                raise TryAgain() from error
            logger.info("earlier-slot request closed: its booking is gone", extra=_ids(entry))
            raise TryAgain()
        booking = found.booking
        decision = RefillDecision(
            cause=freed.cause,
            outcome=RefillOutcome.MOVED_EARLIER,
            decided_at=now,
            skipped=skipped,
            booking_id=booking.booking_id,
            entry_id=entry.entry_id,
            reason=chain_step_note(booking.slot_id, step),
        )
        uow.refills.decide(freed, decision, None)
        uow.seats.take_held(freed.business_id, freed.slot_id, found.moving.arrived.contact)
        stage_move(uow, found)
        uow.outbox.add(moved_message(booking, found.moving.arrived, self._links, business))
        uow.waiting_list.booked(entry, found.moving.arrived)
        uow.commit()
        logger.info("booking moved to an earlier seat", extra=_log_fields(freed, decision))
        return Refilled(RefillOutcome.MOVED_EARLIER, booking.booking_id, entry.entry_id)


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
