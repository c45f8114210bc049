"""What a business's own message text may say: the variables each message type offers, and
sample values for previewing a text before customers see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from chalicelib.domain.messages import Channel, MessageType

DATED = ("starts_at", "ends_at", "previous_starts_at", "previous_ends_at", "expires_at")
"""Moments a message carries as ISO strings; each is also offered written out in the
message's language and the business's time zone, as <name>_date and <name>_time."""

MAX_TEXT_LENGTH = 20_000

_SLOT = {
    "customer_name": "Ada Lovelace",
    "business_name": "Salon Lys",
    "service_name": "Haircut",
    "starts_at": "2030-03-01T09:00:00+00:00",
    "ends_at": "2030-03-01T09:30:00+00:00",
    "staff": "Kari",
    "location": "Storgata 12",
}
_BOOKING = _SLOT | {
    "manage_url": "https://book.example.com/bookings/sample",
    "booking_id": "sample-booking",
    "reason": "The salon is closed that day.",
}
_OFFER_URL = "https://book.example.com/offers/sample"

SAMPLES: dict[MessageType, dict[str, str]] = {
    MessageType.SEAT_ASSIGNED: _BOOKING,
    MessageType.BOOKING_PENDING: _BOOKING,
    MessageType.BOOKING_CONFIRMED: _BOOKING,
    MessageType.BOOKING_REJECTED: _BOOKING,
    MessageType.BOOKING_CANCELLED_BY_STAFF: _BOOKING,
    MessageType.BOOKING_CANCELLED_BY_CUSTOMER: _BOOKING,
    MessageType.BOOKING_MOVED: _BOOKING
    | {
        "previous_starts_at": "2030-02-28T14:00:00+00:00",
        "previous_ends_at": "2030-02-28T14:30:00+00:00",
    },
    MessageType.STAFF_BOOKING_CONFIRMED: _BOOKING
    | {"customer_email": "ada@example.com", "customer_phone": "+4791234567"},
    MessageType.OFFER_MADE: _SLOT
    | {
        "offer_url": _OFFER_URL,
        "accept_url": f"{_OFFER_URL}/accept",
        "decline_url": f"{_OFFER_URL}/decline",
        "expires_at": "2030-02-28T14:00:00+00:00",
    },
    MessageType.OFFER_EXPIRED: _SLOT,
    MessageType.OFFER_TAKEN: _SLOT,
    MessageType.SLOT_AVAILABLE: _SLOT
    | {
        "slot_id": "sample-slot",
        "waiting_list": "1. Ada Lovelace, ada@example.com\n2. Bo Ek, +4791234567",
    },
    MessageType.WAITING_LIST_JOINED: _SLOT
    | {
        "manage_url": "https://book.example.com/waiting-list/sample",
        "entry_id": "sample-entry",
        "position": "3",
    },
    MessageType.WAITING_LIST_LEFT: _SLOT | {"entry_id": "sample-entry"},
}
"""What a message of each type carries (its context), with realistic values."""


def sample_context(message_type: MessageType) -> dict[str, str]:
    # A type added since (and not listed) is about a booking.
    return dict(SAMPLES.get(message_type, _BOOKING))


def variables_for(message_type: MessageType) -> frozenset[str]:
    """Every name a text of this type may use."""
    context = sample_context(message_type)
    written_out = {f"{key}_{part}" for key in DATED if key in context for part in ("date", "time")}
    # A booking without a staff member, location or reason still offers the name (empty).
    return frozenset(context) | written_out | {"staff", "location", "reason"}


@dataclass(frozen=True)
class CustomTemplate:
    """A business's own text for one message type, channel and language. An email has a
    subject, a plain-text body and optionally an HTML body; an SMS has a text."""

    business_id: str
    message_type: MessageType
    channel: Channel
    language: str
    version: int
    text: str
    subject: str | None = None
    html: str | None = None
    updated_at: datetime | None = None
