"""DynamoDB stream batches, one record at a time, through Powertools' batch processor:
a record that fails is reported alone (partial batch response) and retried by Lambda.

Each record's images are decoded here into what the change is (an offer accepted, a seat
release written, a booking changed, a message queued); which use case hears of it is the
entry points' business (chalicelib/entrypoints/events/streams.py).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.dynamodb.stream_images import (
    booking_from_stream_image,
    message_from_stream_image,
    offer_from_stream_image,
    seat_release_from_stream_image,
)
from chalicelib.adapters.observability import logger
from chalicelib.domain.messages import OutboxMessage
from chalicelib.domain.model import Booking
from chalicelib.domain.offers import Offer, OfferStatus
from chalicelib.domain.seats import SeatRelease

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
        DynamoDBRecord,
    )

Image = dict[str, Any] | None
ImagesHandler = Callable[[Image, Image], object]


@dataclass(frozen=True)
class OfferAccepted:
    """An offer went to accepted with this change (not one accepted before it)."""

    offer: Offer


@dataclass(frozen=True)
class SeatReleased:
    """A seat release was written: seats held for the waiting list to refill."""

    release: SeatRelease


@dataclass(frozen=True)
class BookingChanged:
    """Any other change of the bookings table, with the booking before and after (None
    when the item is not a booking)."""

    old: Booking | None
    new: Booking | None


@dataclass(frozen=True)
class MessageQueued:
    """A message of the outbox, as it is after the change."""

    message: OutboxMessage


BookingsChange = OfferAccepted | SeatReleased | BookingChanged


def process_changes(
    event: dict[str, Any], context: Any, on_images: ImagesHandler
) -> dict[str, Any]:
    """Hand each record's old and new image (DynamoDB JSON) to `on_images`."""
    # Imported here, not at import: Powertools' batch module (~45 ms) is needed only by
    # the stream functions, and the API function would pay for it at every cold start.
    from aws_lambda_powertools.utilities.batch import (
        BatchProcessor,
        EventType,
        process_partial_response,
    )

    def handle(record: DynamoDBRecord) -> None:
        logger.set_correlation_id(record.event_id)
        change = record.raw_event.get("dynamodb", {})
        on_images(change.get("OldImage"), change.get("NewImage"))

    return dict(
        process_partial_response(
            event=event,
            record_handler=handle,
            processor=BatchProcessor(event_type=EventType.DynamoDBStreams),
            context=context,
        )
    )


def bookings_change(old: Image, new: Image) -> BookingsChange:
    """What a record of the bookings table's stream is."""
    before, after = offer_from_stream_image(old), offer_from_stream_image(new)
    newly_accepted = after is not None and after.status is OfferStatus.ACCEPTED
    if newly_accepted and (before is None or before.status is not OfferStatus.ACCEPTED):
        assert after is not None
        return OfferAccepted(after)
    release = seat_release_from_stream_image(new) if old is None else None
    if release is not None:
        return SeatReleased(release)
    return BookingChanged(booking_from_stream_image(old), booking_from_stream_image(new))


def outbox_change(old: Image, new: Image) -> MessageQueued | None:
    """What a record of the outbox's stream is: a message, or nothing to act on."""
    message = message_from_stream_image(new)
    return MessageQueued(message) if message is not None else None
