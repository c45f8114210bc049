"""How domain objects look in JSON responses."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from chalicelib.domain.errors import InvalidRequest
from chalicelib.domain.lifecycle import Change
from chalicelib.domain.messages import OutboxMessage
from chalicelib.domain.model import (
    Booking,
    Business,
    Contact,
    RefillDecision,
    Service,
    Slot,
    WaitingEntry,
)
from chalicelib.domain.offers import Offer
from chalicelib.domain.pipeline import PipelineStatus
from chalicelib.domain.seats import Hold
from chalicelib.services.bookings import ReleasePreview


def business_view(business: Business) -> dict[str, Any]:
    """The business's settings, flat, as PUT /staff/business takes them."""
    return {
        "business_id": business.business_id,
        **profile_view(business),
        **waiting_list_policy_view(business),
        **messaging_view(business),
    }


def profile_view(business: Business) -> dict[str, Any]:
    return {
        "name": business.name,
        "time_zone": business.time_zone,
        "language": business.language,
        "staff_email": business.staff_email,
        "addresses": business.addresses,
        "embed_origins": list(business.embed_origins),
    }


def waiting_list_policy_view(business: Business) -> dict[str, Any]:
    return {
        "waiting_list_open": business.waiting_list_open,
        "refill_cutoff_minutes": business.refill_cutoff_minutes,
        "waiting_list_mode": business.waiting_list_mode.value,
        "offer_window_seconds": business.offer_window_seconds,
        "offer_to_many_count": business.offer_to_many_count,
        "max_open_entries": business.max_open_entries,
        "max_offers_per_day": business.max_offers_per_day,
    }


def messaging_view(business: Business) -> dict[str, Any]:
    hours = business.active_hours
    return {
        "message_channels": business.message_channels.value,
        "active_hours": {
            "opens": hours.opens.strftime("%H:%M"),
            "closes": hours.closes.strftime("%H:%M"),
        }
        if hours
        else None,
        "reminder_lead_times": list(business.reminder_lead_times),
    }


def pipeline_status_view(status: PipelineStatus) -> dict[str, Any]:
    return {
        "status_id": status.status_id,
        "name": status.name,
        "description": status.description,
        "position": status.position,
        "colour": status.colour,
        "kind": status.kind.value,
    }


def service_view(service: Service) -> dict[str, Any]:
    return {
        "service_id": service.service_id,
        "name": service.name,
        "duration_minutes": service.duration_minutes,
        "requires_confirmation": service.requires_confirmation,
        "uses_status_pipeline": service.uses_status_pipeline,
        "waiting_list_mode": service.waiting_list_mode.value if service.waiting_list_mode else None,
    }


def slot_view(slot: Slot, *, for_staff: bool) -> dict[str, Any]:
    view: dict[str, Any] = {
        "slot_id": slot.slot_id,
        "service_id": slot.service_id,
        "service_name": slot.service_name,
        "starts_at": slot.starts_at.isoformat(),
        "ends_at": slot.ends_at.isoformat(),
        "capacity": slot.capacity,
        "free_seats": slot.free_seats,
        "staff": slot.staff,
        "location": slot.location,
        "waiting_list_length": slot.waiting,
    }
    if for_staff:
        view["held_for_waiting_list"] = slot.held
    return view


def contact_view(contact: Contact) -> dict[str, Any]:
    return {
        "name": contact.name,
        "email": contact.email,
        "phone": contact.phone,
        "language": contact.language,
    }


def booking_view(booking: Booking) -> dict[str, Any]:
    return {
        "booking_id": booking.booking_id,
        "slot_id": booking.slot_id,
        "status": booking.status.value,
        "source": booking.source.value,
        "customer": contact_view(booking.contact),
        "service_name": booking.slot.service_name,
        "starts_at": booking.slot.starts_at.isoformat(),
        "ends_at": booking.slot.ends_at.isoformat(),
        "created_at": booking.created_at.isoformat(),
        "cancelled_by": booking.cancelled_by.value if booking.cancelled_by else None,
        "reason": booking.reason,
        "moved_from_slot_id": booking.moved_from_slot_id,
        "payment_status": booking.payment_status.value if booking.payment_status else None,
        "pipeline_status": {
            "status_id": booking.pipeline_status_id,
            "name": booking.pipeline_status_name,
        }
        if booking.pipeline_status_id
        else None,
        "version": booking.version,
    }


def change_view(change: Change) -> dict[str, Any]:
    return {
        "version": change.version,
        "at": change.at.isoformat(),
        "by": change.by.value,
        "from": change.from_status.value if change.from_status else None,
        "to": change.to_status.value,
        "reason": change.reason,
        "from_slot_id": change.from_slot_id,
        "to_slot_id": change.to_slot_id,
        "from_step": change.from_step,
        "to_step": change.to_step,
    }


def preview_view(preview: ReleasePreview) -> dict[str, Any]:
    chosen = preview.allocation.chosen if preview.allocation else None
    if preview.seat == "kept":
        summary = "The booking keeps its seat."
    elif preview.seat == "back_on_sale":
        summary = "No one is waiting: the seat goes back on sale."
    elif chosen is not None:
        summary = (
            f"The next customer on the waiting list, {chosen.contact.name}, will get the seat."
        )
    else:
        reason = preview.allocation.reason_if_none if preview.allocation else None
        summary = f"No one on the waiting list can take the seat ({reason}): it goes back on sale."
    return {
        "action": preview.action.value,
        "seat": preview.seat,
        "next_customer": {"entry_id": chosen.entry_id, "name": chosen.contact.name}
        if chosen
        else None,
        "summary": summary,
    }


def entry_view(entry: WaitingEntry, position: int | None) -> dict[str, Any]:
    return {
        "entry_id": entry.entry_id,
        "slot_id": entry.slot_id,
        "status": entry.status.value,
        "position": position,
        "customer": contact_view(entry.contact),
        "service_name": entry.slot.service_name,
        "starts_at": entry.slot.starts_at.isoformat(),
        "signed_up_at": entry.signed_up_at.isoformat(),
        "booking_id": entry.booking_id,
        "window": {
            "service_id": entry.window.service_id,
            "starts_from": entry.window.starts_from.isoformat(),
            "ends_by": entry.window.ends_by.isoformat(),
            "staff": entry.window.staff,
            "location": entry.window.location,
        }
        if entry.window
        else None,
        "earlier_than": {
            "slot_id": entry.earlier_than.slot_id,
            "booking_id": entry.earlier_than.booking_id,
        }
        if entry.earlier_than
        else None,
    }


def decision_view(decision: RefillDecision) -> dict[str, Any]:
    return {
        "cause": decision.cause,
        "outcome": decision.outcome,
        "decided_at": decision.decided_at.isoformat(),
        "booking_id": decision.booking_id,
        "entry_id": decision.entry_id,
        "reason": decision.reason,
        "skipped": [{"entry_id": s.entry_id, "reason": s.reason} for s in decision.skipped],
        "offer_rounds": decision.round,
        "offered_to": list(decision.offered),
    }


def hold_view(hold: Hold, *, overdue: bool) -> dict[str, Any]:
    return {
        "slot_id": hold.slot_id,
        "cause": hold.cause,
        "service_name": hold.slot.service_name,
        "starts_at": hold.slot.starts_at.isoformat(),
        "held_at": hold.held_at.isoformat(),
        "decide_by": hold.decide_by.isoformat(),
        "overdue": overdue,
    }


def offer_view(offer: Offer) -> dict[str, Any]:
    return {
        "slot_id": offer.slot_id,
        "status": offer.status.value,
        "service_name": offer.slot.service_name,
        "business_name": offer.slot.business_name,
        "starts_at": offer.slot.starts_at.isoformat(),
        "ends_at": offer.slot.ends_at.isoformat(),
        "expires_at": offer.expires_at.isoformat(),
        "customer": contact_view(offer.contact),
    }


def page_limit(raw: str | None, maximum: int) -> int:
    """`?limit=`: how many a page holds, 1 to `maximum` (the default)."""
    if raw is None:
        return maximum
    if not raw.isdigit() or not 1 <= int(raw) <= maximum:
        raise InvalidRequest("limit", f"a whole number from 1 to {maximum}")
    return int(raw)


def page_cursor(raw: str | None) -> str | None:
    """`?before=`: the `next` of an earlier page (when the last message on it was queued,
    and its id)."""
    if raw is None:
        return None
    moment, _, message_id = raw.partition("#")
    try:
        datetime.fromisoformat(moment)
    except ValueError:
        message_id = ""
    if not message_id:
        raise InvalidRequest("before", "pass the `next` of an earlier page as it was given")
    return raw


def message_view(message: OutboxMessage) -> dict[str, Any]:
    """A message as staff see it: where it went, and whether it did."""

    def moment(value: datetime | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "message_id": message.message_id,
        "message_type": message.message_type.value,
        "channel": message.channel.value,
        "recipient": message.recipient,
        "status": message.status.value,
        "queued_at": message.created_at.isoformat(),
        "send_after": moment(message.send_after),
        "sent_at": moment(message.sent_at),
        "attempts": message.attempts,
        "last_error": message.last_error,
        "next_attempt_at": moment(message.next_attempt_at),
        "failure": message.failure,
        "fallback_message_id": message.fallback_message_id,
        "booking_id": message.context.get("booking_id"),
    }
