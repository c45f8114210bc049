"""DynamoDB stream batches, one record at a time, through Powertools' batch processor:
a record that fails is reported alone (partial batch response) and retried by Lambda."""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

from chalicelib.adapters.dynamodb.stream_images import (
    booking_from_stream_image,
    message_from_stream_image,
)
from chalicelib.adapters.observability import logger
from chalicelib.domain.messages import OutboxMessage
from chalicelib.domain.model import Booking

if TYPE_CHECKING:
    from aws_lambda_powertools.utilities.data_classes.dynamo_db_stream_event import (
        DynamoDBRecord,
    )

Image = dict[str, Any] | None
ImagesHandler = Callable[[Image, Image], object]


def process_changes(
    event: dict[str, Any], context: Any, on_images: ImagesHandler
) -> dict[str, Any]:
    """Hand each record's old and new image (DynamoDB JSON) to `on_images`."""
    # Imported here, not with app.py: Powertools' batch module (~45 ms) is needed only by
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


def booking_changes(on_change: Callable[[Booking | None, Booking | None], object]) -> ImagesHandler:
    def on_images(old: Image, new: Image) -> None:
        on_change(booking_from_stream_image(old), booking_from_stream_image(new))

    return on_images


def queued_messages(on_message: Callable[[OutboxMessage], object]) -> ImagesHandler:
    def on_images(old: Image, new: Image) -> None:
        message = message_from_stream_image(new)
        if message is not None:
            on_message(message)

    return on_images
