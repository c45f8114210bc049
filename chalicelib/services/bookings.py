"""Use cases of bookings: take a seat, then confirm, reject, cancel, mark a no-show,
delete or move it; a preview says what a release would do before it is done."""

from __future__ import annotations

from dataclasses import replace
from typing import NoReturn

from chalicelib.adapters.observability import logger
from chalicelib.domain.customer_refusals import AlreadyBooked, full_message
from chalicelib.domain.errors import (
    Conflict,
    InvalidRequest,
    NotActive,
    NotFound,
    SlotFull,
)
from chalicelib.domain.lifecycle import Action, Change, NotAllowed, apply, move
from chalicelib.domain.messages import MessageType
from chalicelib.domain.model import (
    Actor,
    Booking,
    BookingSource,
    BookingStatus,
    Business,
    Contact,
    EntryStatus,
)
from chalicelib.domain.pipeline import PipelineStatus, StepKind, action_on_entering
from chalicelib.domain.refusals import (
    AlreadyQueued,
    BookingChanged,
    EntryNoLongerWaiting,
    RetryableConflict,
    SeatChanged,
)
from chalicelib.domain.time_rules import refuse_if_started
from chalicelib.ports.runtime import Clock
from chalicelib.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from chalicelib.services.booking_changes import (
    ReleasePreview as ReleasePreview,
)
from chalicelib.services.booking_changes import (
    change_of,
    locate,
    preview_release,
    released,
    seat_decision,
    stage_change,
    status_messages,
)
from chalicelib.services.booking_messages import message_about, moved_message
from chalicelib.services.catalogue import slot_and_business
from chalicelib.services.ids import new_id
from chalicelib.services.links import Links
from chalicelib.services.refill.seat_booking import waiting_list_booking
from chalicelib.services.retry import retry

KEPT_CHANGING = "the booking kept changing; try again"
LISTING_LIMIT = 200

STATUS_ACTIONS = (Action.CONFIRM, Action.REJECT, Action.CANCEL, Action.NO_SHOW, Action.DELETE)
CHANGED_MEANWHILE = (RetryableConflict, BookingChanged, SeatChanged, AlreadyQueued)
"""The booking or its slot changed since it was read: read again and try again."""


class Bookings:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, links: Links) -> None:
        self._uow = uow
        self._clock = clock
        self._links = links

    def book(self, business_id: str, slot_id: str, contact: Contact) -> Booking:
        """Take a free seat, or refuse with SlotFull when there is none. The booking waits
        as pending when the service asks staff to confirm. A customer who holds a seat of
        the slot already gets AlreadyBooked with that booking: a repeated request (a double
        click) never takes a second seat."""
        with self._uow() as uow:
            slot, business = slot_and_business(uow.catalogue, business_id, slot_id)
            refuse_if_started(slot.starts_at, self._clock.now())
            if slot.is_held_by(contact):
                raise _already_booked(uow, business_id, slot_id, contact)
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

        def attempt() -> Booking:
            with self._uow() as uow:
                uow.seats.take_free(business_id, slot_id, contact)
                uow.bookings.add(booking)
                uow.outbox.add(messages)
                try:
                    uow.commit()
                except SeatChanged as error:
                    # Full, or this customer's other request took a seat first.
                    self._refuse_seat(business_id, slot_id, contact, business, error)
            return booking

        retry(attempt, on=(RetryableConflict,), gave_up="the slot is busy; try again")
        logger.info("booked", extra={**_ids(booking), "status": booking.status.value})
        return booking

    def _refuse_seat(
        self,
        business_id: str,
        slot_id: str,
        contact: Contact,
        business: Business,
        error: SeatChanged,
    ) -> NoReturn:
        with self._uow() as uow:
            now_slot = uow.catalogue.get_slot(business_id, slot_id)
            if now_slot is not None and now_slot.is_held_by(contact):
                raise _already_booked(uow, business_id, slot_id, contact) from error
        raise SlotFull(full_message(business.waiting_list_open)) from error

    def book_from_list(
        self, business_id: str, slot_id: str, entry_id: str, *, by: Actor
    ) -> Booking:
        """Staff give a free seat straight to a customer on the waiting list, whatever
        their place (manual mode's choice); refused when the slot is full."""
        with self._uow() as uow:
            slot, business = slot_and_business(uow.catalogue, business_id, slot_id)
            entry = uow.waiting_list.get_entry(business_id, slot_id, entry_id)
            if entry is None:
                raise NotFound(f"no waiting-list entry {entry_id!r}")
            if entry.status is not EntryStatus.WAITING:
                raise NotActive(f"this customer is no longer waiting ({entry.status.value})")
            booking = waiting_list_booking(
                business_id=business_id,
                slot_id=slot_id,
                slot=slot.summary(business),
                contact=entry.contact,
                entry_id=entry.entry_id,
                at=self._clock.now(),
                cause=None,
            )
            messages = message_about(booking, MessageType.SEAT_ASSIGNED, self._links, business)
            if slot.is_held_by(entry.contact):
                raise Conflict(f"{entry.contact.name} already holds a seat of this slot")
            uow.seats.take_free(business_id, slot_id, entry.contact)
            uow.waiting_list.booked(entry, booking)
            uow.bookings.add(booking)
            uow.outbox.add(messages)
            try:
                uow.commit()
            except SeatChanged as error:
                raise SlotFull("the slot is full") from error
            except EntryNoLongerWaiting as error:
                raise NotActive("this customer is no longer waiting") from error
        logger.info("booked from the waiting list", extra={**_ids(booking), "by": by.value})
        return booking

    def get(self, business_id: str, slot_id: str, booking_id: str) -> Booking:
        with self._uow() as uow:
            return locate(uow, business_id, slot_id, booking_id)[0]

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

        def attempt() -> Booking:
            with self._uow() as uow:
                booking, slot, business = locate(uow, business_id, slot_id, booking_id)
                after = released(
                    apply(booking, action, by=by, at=self._clock.now(), reason=reason),
                    booking,
                    slot,
                    business,
                )
                stage_change(uow, booking, after, change_of(booking, after, by), slot, business)
                uow.outbox.add(status_messages(action, after, by, business, self._links))
                uow.commit()
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

        return retry(attempt, on=CHANGED_MEANWHILE, gave_up=KEPT_CHANGING)

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
        with self._uow() as uow:
            found = uow.catalogue.get_pipeline_status(business_id, status_id)
        if found is None:
            raise NotFound(f"status_id: no status {status_id!r}")
        step = found
        if step.kind is StepKind.CANCELLATION and not (reason and reason.strip()):
            raise InvalidRequest("reason", f"required to move a booking into {step.name!r}")

        def attempt() -> Booking:
            with self._uow() as uow:
                return self._enter_step(uow, business_id, slot_id, booking_id, step, by, reason)

        return retry(attempt, on=CHANGED_MEANWHILE, gave_up=KEPT_CHANGING)

    def _enter_step(
        self,
        uow: UnitOfWork,
        business_id: str,
        slot_id: str,
        booking_id: str,
        step: PipelineStatus,
        by: Actor,
        reason: str | None,
    ) -> Booking:
        booking, slot, business = locate(uow, business_id, slot_id, booking_id)
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
        after = released(
            replace(after, pipeline_status_id=step.status_id, pipeline_status_name=step.name),
            booking,
            slot,
            business,
        )
        change = replace(
            change_of(booking, after, by),
            from_step=booking.pipeline_status_name,
            to_step=step.name,
        )
        # A cancellation step sends the rejection, whatever the booking's status was.
        message_action = Action.REJECT if step.kind is StepKind.CANCELLATION else action
        stage_change(uow, booking, after, change, slot, business)
        uow.outbox.add(status_messages(message_action, after, by, business, self._links))
        uow.commit()
        logger.info(
            "booking moved along its pipeline",
            extra={**_ids(after), "status_id": step.status_id, "status": after.status.value},
        )
        return after

    def move(
        self, business_id: str, slot_id: str, booking_id: str, target_slot_id: str, *, by: Actor
    ) -> Booking:
        """Move a booking to another slot: the new seat is taken and the old one freed (for
        the waiting list when anyone waits), or nothing changes."""

        def attempt() -> Booking:
            with self._uow() as uow:
                return self._move(uow, business_id, slot_id, booking_id, target_slot_id, by)

        return retry(
            attempt,
            on=(RetryableConflict, BookingChanged, AlreadyQueued),
            gave_up=KEPT_CHANGING,
        )

    def _move(
        self,
        uow: UnitOfWork,
        business_id: str,
        slot_id: str,
        booking_id: str,
        target_slot_id: str,
        by: Actor,
    ) -> Booking:
        booking, slot, business = locate(uow, business_id, slot_id, booking_id)
        if target_slot_id == booking.slot_id:
            raise InvalidRequest("slot_id", "the booking is already in that slot")
        target = uow.catalogue.get_slot(business_id, target_slot_id)
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
            seat_after_release=seat_decision(slot, business),
        )
        moved_away, arrived = moving.moved_away, moving.arrived
        uow.bookings.move(moving)
        uow.seats.take_free(business_id, target.slot_id, arrived.contact)
        uow.seats.give_up(
            moved_away, list_open=business.list_claims_freed_seats(slot.summary(business))
        )
        uow.outbox.add(moved_message(booking, arrived, self._links, business))
        try:
            uow.commit()
        except SeatChanged as error:
            raise SlotFull("the new slot is full; the booking stays where it was") from error
        logger.info("booking moved", extra={**_ids(arrived), "from_slot_id": booking.slot_id})
        return arrived

    def preview(
        self, business_id: str, slot_id: str, booking_id: str, action: Action, *, by: Actor
    ) -> ReleasePreview:
        """What `action` would do: the seat kept, held for the list — and then who the
        refill would give it to, by the same plan the refill follows — or back on sale."""
        with self._uow() as uow:
            return preview_release(
                uow, business_id, slot_id, booking_id, action, by, self._clock.now()
            )

    def history(self, business_id: str, slot_id: str, booking_id: str) -> list[Change]:
        """Every change of the booking, newest first."""
        with self._uow() as uow:
            locate(uow, business_id, slot_id, booking_id)
            return uow.bookings.history(business_id, booking_id)

    def with_status(self, business_id: str, status: BookingStatus) -> list[Booking]:
        """Requests waiting for confirmation, or confirmed bookings, soonest first."""
        if not status.holds_seat:
            raise InvalidRequest("status", "list pending or confirmed bookings")
        with self._uow() as uow:
            return uow.bookings.bookings_with_status(business_id, status, LISTING_LIMIT)

    def list_for_slot(self, business_id: str, slot_id: str) -> list[Booking]:
        with self._uow() as uow:
            if uow.catalogue.get_slot(business_id, slot_id) is None:
                raise NotFound(f"no slot {slot_id!r}")
            bookings = uow.bookings.list_bookings(business_id, slot_id)
        return [
            booking
            for booking in bookings
            if booking.status not in (BookingStatus.DELETED, BookingStatus.MOVED)
        ]


def _already_booked(uow: UnitOfWork, business_id: str, slot_id: str, contact: Contact) -> Conflict:
    held = uow.bookings.seat_of(business_id, slot_id, contact)
    if held is None:
        return Conflict("you already have a booking for this time")
    return AlreadyBooked(held)


def _ids(booking: Booking) -> dict[str, str]:
    return {
        "business_id": booking.business_id,
        "slot_id": booking.slot_id,
        "booking_id": booking.booking_id,
    }
