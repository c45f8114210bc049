"""Use case: remind customers of their booking ahead of the slot, once per lead time."""

from __future__ import annotations

from contextlib import suppress
from dataclasses import replace
from datetime import datetime

from chalicelib.adapters.observability import logger
from chalicelib.domain.messages import MessageType, OutboxMessage
from chalicelib.domain.model import Booking, Business
from chalicelib.domain.refusals import AlreadyDecided, AlreadyQueued, RetryableConflict
from chalicelib.domain.reminders import next_reminder, reminder_cause, worth_sending
from chalicelib.ports.runtime import Clock
from chalicelib.ports.unit_of_work import UnitOfWorkFactory
from chalicelib.services.booking_messages import booking_message_context, messages_to
from chalicelib.services.links import Links

DUE_PER_SHARD = 250
"""Reminders one sweep takes from each shard; what is left stays due for the next sweep."""


class Reminders:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, links: Links) -> None:
        self._uow = uow
        self._clock = clock
        self._links = links

    def send_due(self) -> int:
        """Queue every reminder due by now and move each booking on to its next one.
        Sweeps may overlap or repeat: each reminder is queued once. Returns how many
        bookings this sweep reminded."""
        now = self._clock.now()
        with self._uow() as uow:
            due = uow.reminders.due(now, DUE_PER_SHARD)
            if not due:
                return 0
            businesses = uow.catalogue.get_businesses({booking.business_id for booking, _ in due})
        return sum(
            self._remind(booking, read_due, businesses.get(booking.business_id), now)
            for booking, read_due in due
        )

    def _remind(
        self, booking: Booking, read_due: str, business: Business | None, now: datetime
    ) -> bool:
        reminder = next_reminder(
            booking.slot.starts_at,
            booking.slot.reminder_lead_minutes,
            booking.reminded_until or booking.created_at,
        )
        # A sweep that ran late sends one reminder, not one per lead time it missed.
        after = replace(booking, reminded_until=now)
        messages: list[OutboxMessage] = []
        if (
            reminder is not None
            and business is not None
            and worth_sending(booking.slot.starts_at, business.sendable_from(now))
        ):
            messages = self._messages(booking, reminder.lead_minutes, business, now)
        try:
            self._reminded(after, read_due, messages)
        except AlreadyDecided:
            return False  # another sweep took it, or the booking changed: read again
        except AlreadyQueued:
            # Queued before (a concurrent change wrote the booking's old key back): only
            # move the key on.
            return self._move_on(after, read_due)
        except RetryableConflict:
            return False  # still due: the next sweep tries again
        if messages:
            logger.info(
                "reminder queued",
                extra={
                    "business_id": booking.business_id,
                    "booking_id": booking.booking_id,
                    "lead_minutes": reminder.lead_minutes if reminder else None,
                },
            )
        return bool(messages)

    def _move_on(self, after: Booking, read_due: str) -> bool:
        with suppress(AlreadyDecided, RetryableConflict):
            self._reminded(after, read_due, [])
        return False

    def _reminded(self, after: Booking, read_due: str, messages: list[OutboxMessage]) -> None:
        """The reminder queued and the booking's due key moved on, together, only if the
        key is still the one read."""
        with self._uow() as uow:
            uow.reminders.reminded(after, read_due)
            uow.outbox.add(messages)
            uow.commit()

    def _messages(
        self, booking: Booking, lead_minutes: int, business: Business, now: datetime
    ) -> list[OutboxMessage]:
        token = self._links.booking_token(booking.business_id, booking.slot_id, booking.booking_id)
        return messages_to(
            booking.business_id,
            booking.contact,
            booking.slot,
            MessageType.BOOKING_REMINDER,
            cause_id=reminder_cause(booking.booking_id, lead_minutes, booking.slot.starts_at),
            context={
                **booking_message_context(booking, self._links.booking_url(token)),
                "lead_minutes": str(lead_minutes),
            },
            business=business,
            created_at=now,
        )
