"""Messages to customers: which channel, to whom, and one identity per cause."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Any

from chalicelib.domain.languages import served_language
from chalicelib.domain.values import ChannelPreference, Contact


class Channel(StrEnum):
    EMAIL = "email"
    SMS = "sms"


class MessageType(StrEnum):
    SEAT_ASSIGNED = "seat_assigned"
    BOOKING_PENDING = "booking_pending"
    BOOKING_CONFIRMED = "booking_confirmed"
    BOOKING_REJECTED = "booking_rejected"
    BOOKING_CANCELLED_BY_STAFF = "booking_cancelled_by_staff"
    BOOKING_CANCELLED_BY_CUSTOMER = "booking_cancelled_by_customer"
    BOOKING_MOVED = "booking_moved"
    BOOKING_REMINDER = "booking_reminder"
    STAFF_BOOKING_CONFIRMED = "staff_booking_confirmed"
    OFFER_MADE = "offer_made"
    OFFER_EXPIRED = "offer_expired"
    OFFER_TAKEN = "offer_taken"
    SLOT_AVAILABLE = "slot_available"
    """To staff, in manual mode: a seat is free and these customers wait for it."""
    WAITING_LIST_JOINED = "waiting_list_joined"
    WAITING_LIST_LEFT = "waiting_list_left"


class MessageStatus(StrEnum):
    QUEUED = "queued"
    SENT = "sent"
    FAILED = "failed"


@dataclass(frozen=True)
class OutboxMessage:
    business_id: str
    message_id: str
    """Derived from the cause, so one cause can only ever queue one message."""
    message_type: MessageType
    channel: Channel
    recipient: str
    language: str
    time_zone: str
    context: dict[str, Any]
    created_at: datetime
    status: MessageStatus = MessageStatus.QUEUED
    sent_at: datetime | None = None
    provider_message_id: str | None = None
    failure: str | None = None
    send_after: datetime | None = None
    """Held back until then: the business's active hours."""
    template_version: int | None = None
    """The business's own text for this type, channel and language, at this version, when
    it saved one; None: Standby's text."""
    attempts: int = 0
    """Hand-overs to the channel that failed, or the one that succeeded."""
    last_error: str | None = None
    next_attempt_at: datetime | None = None
    """After a failed attempt, when the next one is due."""
    fallback_recipient: str | None = None
    """The customer's address on the other channel, tried when this one keeps failing."""
    fallback_message_id: str | None = None
    """The message queued on the other channel when this one was given up."""
    claimed_by: str | None = None
    """The attempt that holds the message while it hands it over (see `Claim`), its
    number and when its hold lapses (None: no attempt holds it)."""
    claimed_attempt: int | None = None
    claim_until: datetime | None = None


def message_id_for(message_type: MessageType, cause_id: str) -> str:
    return f"{message_type.value}:{cause_id}"


def channels_for(
    contact: Contact, preference: ChannelPreference = ChannelPreference.EMAIL_FIRST
) -> list[tuple[Channel, str]]:
    """Where to send a customer's message: the preferred channel when they gave it, the
    other one otherwise, or every channel they gave when the business wants both."""
    email = [(Channel.EMAIL, contact.email)] if contact.email else []
    sms = [(Channel.SMS, contact.phone)] if contact.phone else []
    if preference is ChannelPreference.BOTH:
        return email + sms
    first, second = (sms, email) if preference is ChannelPreference.SMS_FIRST else (email, sms)
    return (first or second)[:1]


def fallback_for(contact: Contact, channel: Channel, preference: ChannelPreference) -> str | None:
    """Where to try when `channel` keeps failing: the customer's other channel, unless the
    business already sends on both."""
    if preference is ChannelPreference.BOTH:
        return None
    return contact.phone if channel is Channel.EMAIL else contact.email


def message_language(contact: Contact, business_language: str) -> str:
    """The customer's language, else the business's, else English: the first Standby
    writes (a language stored before languages were checked may be one it does not)."""
    return served_language(contact.language, business_language)
