"""What a stream record's images are, decoded at the edge into domain objects: a
booking, an offer, a seat release, an outbox message, or None for any other item of the
table (and for the keys-only first record moto emits on an insert)."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamodb.mapping import (
    booking_from_item,
    message_from_item,
    offer_from_item,
    seat_release_from_item,
)
from chalicelib.adapters.dynamodb.models import (
    BookingItem,
    BookingsItem,
    OfferItem,
    OutboxMessageItem,
    SeatReleaseItem,
)
from chalicelib.domain.messages import OutboxMessage
from chalicelib.domain.model import Booking
from chalicelib.domain.offers import Offer
from chalicelib.domain.seats import SeatRelease

Image = dict[str, Any] | None


def _kind(image: Image) -> str | None:
    return image.get("kind", {}).get("S") if image else None


def booking_from_stream_image(image: Image) -> Booking | None:
    if not image or _kind(image) != "booking" or "status" not in image:
        return None
    item = BookingsItem.from_raw_data(image)
    return booking_from_item(item) if isinstance(item, BookingItem) else None


def offer_from_stream_image(image: Image) -> Offer | None:
    if not image or _kind(image) != "offer" or "status" not in image:
        return None
    item = BookingsItem.from_raw_data(image)
    return offer_from_item(item) if isinstance(item, OfferItem) else None


def seat_release_from_stream_image(image: Image) -> SeatRelease | None:
    if not image or _kind(image) != "seat_release" or "seats" not in image:
        return None
    item = BookingsItem.from_raw_data(image)
    return seat_release_from_item(item) if isinstance(item, SeatReleaseItem) else None


def message_from_stream_image(image: Image) -> OutboxMessage | None:
    if not image or "message_type" not in image:
        return None
    return message_from_item(OutboxMessageItem.from_raw_data(image))
