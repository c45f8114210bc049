"""The message a change of a booking owes its customer, queued with the change itself."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.messages import (
    Channel,
    MessageType,
    OutboxMessage,
    channels_for,
    fallback_for,
    message_id_for,
    message_language,
)
from chalicelib.domain.model import Booking, Business, Contact, SlotSummary
from chalicelib.services.links import Links


def message_about(
    booking: Booking,
    message_type: MessageType,
    links: Links,
    business: Business,
    *,
    extra: dict[str, str] | None = None,
) -> list[OutboxMessage]:
    """The customer's message on each channel the business wants; none when the customer
    left no way to reach them."""
    token = links.booking_token(booking.business_id, booking.slot_id, booking.booking_id)
    context = booking_message_context(booking, links.booking_url(token))
    context.update(extra or {})
    # One message of a type per version of the booking and channel: a retried change
    # cannot queue it twice.
    return messages_to(
        booking.business_id,
        booking.contact,
        booking.slot,
        message_type,
        cause_id=f"{booking.booking_id}.v{booking.version}",
        context=context,
        business=business,
        created_at=booking.updated_at or booking.created_at,
    )


def messages_to(
    business_id: str,
    contact: Contact,
    slot: SlotSummary,
    message_type: MessageType,
    *,
    cause_id: str,
    context: dict[str, str],
    business: Business,
    created_at: datetime,
) -> list[OutboxMessage]:
    """A customer's message on each channel the business wants, one per cause, held back
    until the business's active hours when written outside them."""
    send_from = business.sendable_from(created_at)
    return [
        OutboxMessage(
            business_id=business_id,
            message_id=message_id_for(message_type, f"{cause_id}.{channel.value}"),
            message_type=message_type,
            channel=channel,
            recipient=recipient,
            language=message_language(contact, slot.language),
            time_zone=slot.time_zone,
            context=context,
            created_at=created_at,
            send_after=send_from if send_from > created_at else None,
            fallback_recipient=fallback_for(contact, channel, business.message_channels),
        )
        for channel, recipient in channels_for(contact, business.message_channels)
    ]


def slot_context(customer_name: str, slot: SlotSummary) -> dict[str, str]:
    context = {
        "customer_name": customer_name,
        "business_name": slot.business_name,
        "service_name": slot.service_name,
        "starts_at": slot.starts_at.isoformat(),
        "ends_at": slot.ends_at.isoformat(),
    }
    if slot.staff:
        context["staff"] = slot.staff
    if slot.location:
        context["location"] = slot.location
    return context


def staff_copy(booking: Booking, address: str, business: Business) -> OutboxMessage:
    """The staff member's (or location's) copy of a confirmed booking."""
    created_at = booking.updated_at or booking.created_at
    send_from = business.sendable_from(created_at)
    return OutboxMessage(
        business_id=booking.business_id,
        message_id=message_id_for(
            MessageType.STAFF_BOOKING_CONFIRMED, f"{booking.booking_id}.v{booking.version}"
        ),
        message_type=MessageType.STAFF_BOOKING_CONFIRMED,
        channel=Channel.EMAIL,
        recipient=address,
        language=business.language,
        time_zone=booking.slot.time_zone,
        context={
            **booking_message_context(booking, ""),
            "customer_email": booking.contact.email or "",
            "customer_phone": booking.contact.phone or "",
        },
        created_at=created_at,
        send_after=send_from if send_from > created_at else None,
    )


def booking_message_context(booking: Booking, manage_url: str) -> dict[str, str]:
    """What a message about a booking may say; only strings, kept with the message."""
    context = slot_context(booking.contact.name, booking.slot)
    context.update({"manage_url": manage_url, "booking_id": booking.booking_id})
    if booking.reason:
        context["reason"] = booking.reason
    return context
