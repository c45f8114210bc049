"""Use cases of bookings: take a seat, then confirm, reject, cancel, mark a no-show,
delete or move it; a preview says what a release would do before it is done."""

from __future__ import annotations

from dataclasses import dataclass, replace

from chalicelib.adapters.dynamodb.store import DynamoStore, RetryableConflict
from chalicelib.adapters.observability import logger
from chalicelib.domain.errors import (
    Conflict,
    InvalidRequest,
    MissingSetup,
    NotActive,
    NotFound,
    SlotFull,
)
from chalicelib.domain.lifecycle import Action, Change, NotAllowed, apply, move
from chalicelib.domain.messages import MessageType, OutboxMessage
from chalicelib.domain.model import (
    Actor,
    Allocation,
    Booking,
    BookingSource,
    BookingStatus,
    Business,
    Contact,
    EntryStatus,
    PaymentStatus,
    SeatAfterRelease,
    Slot,
    customer_key,
)
from chalicelib.domain.pipeline import StepKind, action_on_entering
from chalicelib.domain.refusals import BookingChanged, EntryNoLongerWaiting, SeatChanged
from chalicelib.domain.seats import seat_after_release_for
from chalicelib.domain.time_rules import refuse_if_started
from chalicelib.ports.runtime import Clock
from chalicelib.services.booking_messages import message_about, moved_message, staff_copies
from chalicelib.services.catalogue import slot_and_business
from chalicelib.services.ids import new_id
from chalicelib.services.links import Links
from chalicelib.services.refill import Refill

MAX_ATTEMPTS = 5
MAX_MOVES_FOLLOWED = 10
LISTING_LIMIT = 200

STATUS_ACTIONS = (Action.CONFIRM, Action.REJECT, Action.CANCEL, Action.NO_SHOW, Action.DELETE)


class AlreadyBooked(Conflict):
    """The customer already holds a seat of this slot: one seat per customer per slot."""

    def __init__(self, booking: Booking) -> None:
        super().__init__("you already have a booking for this time")
        self.booking = booking


@dataclass(frozen=True)
class ReleasePreview:
    """What a change would do to the seat, without doing it."""

    action: Action
    seat: str
    """`kept`, `held_for_waiting_list` or `back_on_sale`."""
    allocation: Allocation | None
    """Who the refill would give the seat to, when it is held for the list."""


class Bookings:
    def __init__(self, store: DynamoStore, clock: Clock, links: Links, refill: Refill) -> None:
        self._store = store
        self._clock = clock
        self._links = links
        self._refill = refill

    def book(self, business_id: str, slot_id: str, contact: Contact) -> Booking:
        """Take a free seat, or refuse with SlotFull when there is none. The booking waits
        as pending when the service asks staff to confirm. A customer who holds a seat of
        the slot already gets AlreadyBooked with that booking: a repeated request (a double
        click) never takes a second seat."""
        slot, business = slot_and_business(self._store, business_id, slot_id)
        refuse_if_started(slot.starts_at, self._clock.now())
        if slot.is_held_by(contact):
            raise self._already_booked(business_id, slot_id, contact)
        booking = Booking(
            business_id=business_id,
            slot_id=slot_id,
            booking_id=new_id(),
            status=BookingStatus.PENDING
            if slot.requires_confirmation or slot.uses_status_pipeline
            else BookingStatus.CONFIRMED,
            source=BookingSource.DIRECT,
            contact=contact,
            slot=slot.summary(business),
            created_at=self._clock.now(),
            pipeline_status_id=business.pipeline_start_id if slot.uses_status_pipeline else None,
            pipeline_status_name=business.pipeline_start_name
            if slot.uses_status_pipeline
            else None,
        )
        message_type = (
            MessageType.BOOKING_PENDING
            if booking.status is BookingStatus.PENDING
            else MessageType.BOOKING_CONFIRMED
        )
        messages = message_about(booking, message_type, self._links, business)
        for _ in range(MAX_ATTEMPTS):
            try:
                self._store.book(booking, messages)
            except RetryableConflict:
                continue
            except SeatChanged as error:
                # Full, or this customer's other request took a seat first.
                now_slot = self._store.get_slot(business_id, slot_id)
                if now_slot is not None and now_slot.is_held_by(contact):
                    raise self._already_booked(business_id, slot_id, contact) from error
                raise SlotFull(_full_message(business.waiting_list_open)) from error
            logger.info("booked", extra={**_ids(booking), "status": booking.status.value})
            return booking
        raise RetryableConflict("the slot is busy; try again")

    def _already_booked(self, business_id: str, slot_id: str, contact: Contact) -> Conflict:
        held = self._store.seat_of(business_id, slot_id, contact)
        if held is None:
            return Conflict("you already have a booking for this time")
        return AlreadyBooked(held)

    def book_from_list(
        self, business_id: str, slot_id: str, entry_id: str, *, by: Actor
    ) -> Booking:
        """Staff give a free seat straight to a customer on the waiting list, whatever
        their place (manual mode's choice); refused when the slot is full."""
        slot, business = slot_and_business(self._store, business_id, slot_id)
        entry = self._store.get_entry(business_id, slot_id, entry_id)
        if entry is None:
            raise NotFound(f"no waiting-list entry {entry_id!r}")
        if entry.status is not EntryStatus.WAITING:
            raise NotActive(f"this customer is no longer waiting ({entry.status.value})")
        booking = Booking(
            business_id=business_id,
            slot_id=slot_id,
            booking_id=new_id(),
            status=BookingStatus.CONFIRMED,
            source=BookingSource.WAITING_LIST,
            contact=entry.contact,
            slot=slot.summary(business),
            created_at=self._clock.now(),
            waiting_entry_id=entry.entry_id,
            payment_status=PaymentStatus.UNPAID,
        )
        messages = message_about(booking, MessageType.SEAT_ASSIGNED, self._links, business)
        if slot.is_held_by(entry.contact):
            raise Conflict(f"{entry.contact.name} already holds a seat of this slot")
        try:
            self._store.book_from_list(entry, booking, messages)
        except SeatChanged as error:
            raise SlotFull("the slot is full") from error
        except EntryNoLongerWaiting as error:
            raise NotActive("this customer is no longer waiting") from error
        logger.info("booked from the waiting list", extra={**_ids(booking), "by": by.value})
        return booking

    def get(self, business_id: str, slot_id: str, booking_id: str) -> Booking:
        return self._locate(business_id, slot_id, booking_id)[0]

    def cancel(self, business_id: str, slot_id: str, booking_id: str, *, by: Actor) -> Booking:
        return self.act(business_id, slot_id, booking_id, Action.CANCEL, by=by)

    def act(
        self,
        business_id: str,
        slot_id: str,
        booking_id: str,
        action: Action,
        *,
        by: Actor,
        reason: str | None = None,
    ) -> Booking:
        """Change a booking's status. A booking that gives up its seat hands it to the
        waiting list when anyone waits (the refill takes it from there), or back on sale."""
        if action not in STATUS_ACTIONS:
            raise InvalidRequest("action", f"{action.value} is not a change of status")
        for _ in range(MAX_ATTEMPTS):
            booking, slot, business = self._locate(business_id, slot_id, booking_id)
            after = self._released(
                apply(booking, action, by=by, at=self._clock.now(), reason=reason),
                booking,
                slot,
                business,
            )
            change = _change(booking, after, by)
            try:
                self._store.change_booking(
                    booking,
                    after,
                    change,
                    self._messages(action, after, by, business),
                    list_open=business.list_claims_freed_seats(slot.summary(business)),
                )
            except RetryableConflict:
                continue
            logger.info(
                "booking changed",
                extra={
                    **_ids(after),
                    "action": action.value,
                    "by": by.value,
                    "status": after.status.value,
                    "seat": after.seat_after_release.value if after.seat_after_release else None,
                },
            )
            return after
        raise RetryableConflict("the booking kept changing; try again")

    def enter_step(
        self,
        business_id: str,
        slot_id: str,
        booking_id: str,
        status_id: str,
        *,
        by: Actor,
        reason: str | None = None,
    ) -> Booking:
        """Move a booking along its service's status pipeline. A confirmation step confirms
        it; a cancellation step needs a reason, frees its seat and sends the rejection."""
        step = self._store.get_pipeline_status(business_id, status_id)
        if step is None:
            raise NotFound(f"status_id: no status {status_id!r}")
        if step.kind is StepKind.CANCELLATION and not (reason and reason.strip()):
            raise InvalidRequest("reason", f"required to move a booking into {step.name!r}")
        for _ in range(MAX_ATTEMPTS):
            booking, slot, business = self._locate(business_id, slot_id, booking_id)
            if not slot.uses_status_pipeline:
                raise NotAllowed("this booking's service does not use the status pipeline")
            if booking.pipeline_status_id == step.status_id:
                raise NotAllowed(f"the booking is already in {step.name!r}")
            now = self._clock.now()
            action = action_on_entering(step.kind, booking.status)
            if action is None:
                if not booking.status.holds_seat:
                    raise NotAllowed(f"a {booking.status.value} booking has left the pipeline")
                after = replace(booking, version=booking.version + 1, updated_at=now)
            else:
                after = apply(booking, action, by=by, at=now, reason=reason)
            after = self._released(
                replace(after, pipeline_status_id=step.status_id, pipeline_status_name=step.name),
                booking,
                slot,
                business,
            )
            change = replace(
                _change(booking, after, by),
                from_step=booking.pipeline_status_name,
                to_step=step.name,
            )
            # A cancellation step sends the rejection, whatever the booking's status was.
            message_action = Action.REJECT if step.kind is StepKind.CANCELLATION else action
            try:
                self._store.change_booking(
                    booking,
                    after,
                    change,
                    self._messages(message_action, after, by, business),
                    list_open=business.list_claims_freed_seats(slot.summary(business)),
                )
            except RetryableConflict:
                continue
            logger.info(
                "booking moved along its pipeline",
                extra={**_ids(after), "status_id": step.status_id, "status": after.status.value},
            )
            return after
        raise RetryableConflict("the booking kept changing; try again")

    def move(
        self, business_id: str, slot_id: str, booking_id: str, target_slot_id: str, *, by: Actor
    ) -> Booking:
        """Move a booking to another slot: the new seat is taken and the old one freed (for
        the waiting list when anyone waits), or nothing changes."""
        for _ in range(MAX_ATTEMPTS):
            booking, slot, business = self._locate(business_id, slot_id, booking_id)
            if target_slot_id == booking.slot_id:
                raise InvalidRequest("slot_id", "the booking is already in that slot")
            target = self._store.get_slot(business_id, target_slot_id)
            if target is None:
                raise NotFound(f"slot_id: no slot {target_slot_id!r}")
            refuse_if_started(target.starts_at, self._clock.now())
            if by is Actor.CUSTOMER and target.service_id != slot.service_id:
                raise InvalidRequest(
                    "slot_id", "a customer can move only to a slot of the same service"
                )
            if target.is_held_by(booking.contact):
                raise Conflict("this customer already has a booking in that slot")
            moving = move(
                booking,
                to_slot_id=target.slot_id,
                to_slot=target.summary(business),
                by=by,
                at=self._clock.now(),
                seat_after_release=_seat_decision(slot, business),
            )
            moved_away, arrived, change = moving.moved_away, moving.arrived, moving.change
            messages = moved_message(booking, arrived, self._links, business)
            try:
                self._store.move_booking(
                    booking,
                    moved_away,
                    arrived,
                    change,
                    messages,
                    list_open=business.list_claims_freed_seats(slot.summary(business)),
                )
            except (RetryableConflict, BookingChanged):
                continue
            except SeatChanged as error:
                raise SlotFull("the new slot is full; the booking stays where it was") from error
            logger.info("booking moved", extra={**_ids(arrived), "from_slot_id": booking.slot_id})
            return arrived
        raise RetryableConflict("the booking kept changing; try again")

    def preview(
        self, business_id: str, slot_id: str, booking_id: str, action: Action, *, by: Actor
    ) -> ReleasePreview:
        """What `action` would do: the seat kept, held for the list — and then who the
        refill would give it to, by the same plan the refill follows — or back on sale."""
        booking, slot, business = self._locate(business_id, slot_id, booking_id)
        now = self._clock.now()
        after = apply(
            booking, action, by=by, at=now, reason="preview" if action is Action.REJECT else None
        )
        if after.status.holds_seat:
            return ReleasePreview(action, "kept", None)
        decision = _seat_decision(slot, business)
        if decision is SeatAfterRelease.BACK_ON_SALE:
            return ReleasePreview(action, decision.value, None)
        # Once released, this customer no longer holds a seat of the slot.
        holders = slot.holders - {customer_key(booking.contact)}
        allocation = self._refill.plan(business, booking.slot_id, booking.slot, now, holders)
        return ReleasePreview(action, decision.value, allocation)

    def history(self, business_id: str, slot_id: str, booking_id: str) -> list[Change]:
        """Every change of the booking, newest first."""
        self._locate(business_id, slot_id, booking_id)
        return self._store.history(business_id, booking_id)

    def with_status(self, business_id: str, status: BookingStatus) -> list[Booking]:
        """Requests waiting for confirmation, or confirmed bookings, soonest first."""
        if not status.holds_seat:
            raise InvalidRequest("status", "list pending or confirmed bookings")
        return self._store.bookings_with_status(business_id, status, LISTING_LIMIT)

    def list_for_slot(self, business_id: str, slot_id: str) -> list[Booking]:
        if self._store.get_slot(business_id, slot_id) is None:
            raise NotFound(f"no slot {slot_id!r}")
        return [
            booking
            for booking in self._store.list_bookings(business_id, slot_id)
            if booking.status not in (BookingStatus.DELETED, BookingStatus.MOVED)
        ]

    def _locate(
        self, business_id: str, slot_id: str, booking_id: str
    ) -> tuple[Booking, Slot, Business]:
        """The booking where it is now: a moved booking is followed to its new slot, so the
        customer's link keeps working."""
        for _ in range(MAX_MOVES_FOLLOWED):
            booking, slot, business = self._store.get_booking_context(
                business_id, slot_id, booking_id
            )
            if booking is None or slot is None or booking.status is BookingStatus.DELETED:
                break
            if business is None:
                raise MissingSetup("the business has no profile yet")
            if booking.status is BookingStatus.MOVED and booking.moved_to_slot_id:
                slot_id = booking.moved_to_slot_id
                continue
            # Staff and location may have changed since the booking was made; what is said
            # about it from now on should name the current ones.
            current = replace(booking.slot, staff=slot.staff, location=slot.location)
            return replace(booking, slot=current), slot, business
        raise NotFound(f"no booking {booking_id!r}")

    def _released(self, after: Booking, before: Booking, slot: Slot, business: Business) -> Booking:
        if before.status.holds_seat and not after.status.holds_seat:
            return replace(after, seat_after_release=_seat_decision(slot, business))
        return after

    def _messages(
        self, action: Action | None, after: Booking, by: Actor, business: Business
    ) -> list[OutboxMessage]:
        """The customer's message for `action`; on a confirmation, also the staff copy (to the
        staff member's or location's address when the business gave one), as its rules say."""
        message_type = (
            {
                Action.CONFIRM: MessageType.BOOKING_CONFIRMED,
                Action.REJECT: MessageType.BOOKING_REJECTED,
                Action.CANCEL: MessageType.BOOKING_CANCELLED_BY_CUSTOMER
                if by is Actor.CUSTOMER
                else MessageType.BOOKING_CANCELLED_BY_STAFF,
            }.get(action)
            if action
            else None
        )
        messages = message_about(after, message_type, self._links, business) if message_type else []
        if action is Action.CONFIRM:
            messages += staff_copies(after, business)
        return messages


def _seat_decision(slot: Slot, business: Business) -> SeatAfterRelease:
    return seat_after_release_for(slot, business)


def _change(before: Booking, after: Booking, by: Actor) -> Change:
    return Change(
        booking_id=after.booking_id,
        version=after.version,
        at=after.updated_at or after.created_at,
        by=by,
        from_status=before.status,
        to_status=after.status,
        reason=after.reason if after.reason != before.reason else None,
    )


def _full_message(waiting_list_open: bool) -> str:
    if waiting_list_open:
        return "the slot is full; its waiting list is open: join it to get the next free seat"
    return "the slot is full"


def _ids(booking: Booking) -> dict[str, str]:
    return {
        "business_id": booking.business_id,
        "slot_id": booking.slot_id,
        "booking_id": booking.booking_id,
    }
