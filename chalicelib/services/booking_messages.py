"""The message a change of a booking owes its customer, queued with the change itself."""

from __future__ import annotations

from chalicelib.domain.messages import (
    Channel,
    MessageType,
    OutboxMessage,
    channels_for,
    message_id_for,
    message_language,
)
from chalicelib.domain.model import Booking, ChannelPreference
from chalicelib.services.links import Links


def message_about(
    booking: Booking,
    message_type: MessageType,
    links: Links,
    channels: ChannelPreference,
    *,
    extra: dict[str, str] | None = None,
) -> list[OutboxMessage]:
    """The customer's message on each channel the business wants; none when the customer
    left no way to reach them."""
    token = links.booking_token(booking.business_id, booking.slot_id, booking.booking_id)
    context = booking_message_context(booking, links.booking_url(token))
    context.update(extra or {})
    return [
        OutboxMessage(
            business_id=booking.business_id,
            # One message of a type per version of the booking and channel: a retried
            # change cannot queue it twice.
            message_id=message_id_for(
                message_type, f"{booking.booking_id}.v{booking.version}.{channel.value}"
            ),
            message_type=message_type,
            channel=channel,
            recipient=recipient,
            language=message_language(booking.contact, booking.slot.language),
            time_zone=booking.slot.time_zone,
            context=context,
            created_at=booking.updated_at or booking.created_at,
        )
        for channel, recipient in channels_for(booking.contact, channels)
    ]


def staff_copy(booking: Booking, address: str, language: str) -> OutboxMessage:
    """The staff member's (or location's) copy of a confirmed booking."""
    return OutboxMessage(
        business_id=booking.business_id,
        message_id=message_id_for(
            MessageType.STAFF_BOOKING_CONFIRMED, f"{booking.booking_id}.v{booking.version}"
        ),
        message_type=MessageType.STAFF_BOOKING_CONFIRMED,
        channel=Channel.EMAIL,
        recipient=address,
        language=language,
        time_zone=booking.slot.time_zone,
        context={
            **booking_message_context(booking, ""),
            "customer_email": booking.contact.email or "",
            "customer_phone": booking.contact.phone or "",
        },
        created_at=booking.updated_at or booking.created_at,
    )


def booking_message_context(booking: Booking, manage_url: str) -> dict[str, str]:
    """What a message about a booking may say; only strings, kept with the message."""
    summary = booking.slot
    context = {
        "customer_name": booking.contact.name,
        "business_name": summary.business_name,
        "service_name": summary.service_name,
        "starts_at": summary.starts_at.isoformat(),
        "ends_at": summary.ends_at.isoformat(),
        "manage_url": manage_url,
        "booking_id": booking.booking_id,
    }
    if summary.staff:
        context["staff"] = summary.staff
    if summary.location:
        context["location"] = summary.location
    if booking.reason:
        context["reason"] = booking.reason
    return context
