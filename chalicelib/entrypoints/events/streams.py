"""The stream functions: each record of a table's stream is decoded (adapters) into what
the change is, and handed to the use case this module's tables name for it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from chalice import Blueprint
from chalice.app import DynamoDBEvent

from chalicelib.adapters.dynamodb.streams import BOOKINGS, OUTBOX, placeholder_stream_arn
from chalicelib.adapters.stream_events import (
    BookingChanged,
    BookingsChange,
    Image,
    MessageQueued,
    OfferAccepted,
    SeatReleased,
    bookings_change,
    outbox_change,
    process_changes,
)
from chalicelib.bootstrap import services
from chalicelib.services.notifications import Notifications
from chalicelib.services.offers import Offers
from chalicelib.services.refill.held_seats import Refill

streams = Blueprint(__name__)


class BookingsUseCases(Protocol):
    """What hears of the bookings table's changes: the app's services, or a test's own."""

    @property
    def refill(self) -> Refill: ...

    @property
    def offers(self) -> Offers: ...


class OutboxUseCases(Protocol):
    @property
    def notifications(self) -> Notifications: ...


def _tell_the_others(use: BookingsUseCases, change: OfferAccepted) -> object:
    """An accepted offer closes the rest of its round: the others asked are told."""
    return use.offers.tell_the_others(change.offer)


def _refill_released_seats(use: BookingsUseCases, change: SeatReleased) -> object:
    """A new seat release starts the refill of the seats it held."""
    return use.refill.on_seat_release(change.release)


def _refill_freed_seat(use: BookingsUseCases, change: BookingChanged) -> object:
    """A booking that gave up its seat for the list starts the refill of that seat; the
    refill itself finds any other change no business of its own."""
    return use.refill.on_booking_change(change.old, change.new)


def _send(use: OutboxUseCases, change: MessageQueued) -> object:
    """A queued message is sent, or held for the business's active hours."""
    return use.notifications.deliver(change.message)


BOOKINGS_ROUTES: dict[type[BookingsChange], Callable[[BookingsUseCases, Any], object]] = {
    OfferAccepted: _tell_the_others,
    SeatReleased: _refill_released_seats,
    BookingChanged: _refill_freed_seat,
}
"""Which use case each kind of change of the bookings table goes to."""

OUTBOX_ROUTES: dict[type[MessageQueued], Callable[[OutboxUseCases, Any], object]] = {
    MessageQueued: _send,
}
"""Which use case each kind of change of the outbox goes to."""


def on_bookings_images(use: BookingsUseCases, old: Image, new: Image) -> object:
    change = bookings_change(old, new)
    return BOOKINGS_ROUTES[type(change)](use, change)


def on_outbox_images(use: OutboxUseCases, old: Image, new: Image) -> object:
    change = outbox_change(old, new)
    return None if change is None else OUTBOX_ROUTES[type(change)](use, change)


@streams.on_dynamodb_record(
    stream_arn=placeholder_stream_arn(BOOKINGS), batch_size=10, starting_position="TRIM_HORIZON"
)
def on_booking_change(event: DynamoDBEvent) -> dict[str, Any]:
    """A seat held for the waiting list is refilled from it; when an offer is accepted, the
    others asked with it are told the seat is taken."""
    use = services()
    return process_changes(
        event.to_dict(), event.context, lambda old, new: on_bookings_images(use, old, new)
    )


@streams.on_dynamodb_record(
    stream_arn=placeholder_stream_arn(OUTBOX), batch_size=10, starting_position="TRIM_HORIZON"
)
def on_outbox_message(event: DynamoDBEvent) -> dict[str, Any]:
    """A queued message is sent."""
    use = services()
    return process_changes(
        event.to_dict(), event.context, lambda old, new: on_outbox_images(use, old, new)
    )
