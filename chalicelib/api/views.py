"""How domain objects look in JSON responses."""

from __future__ import annotations

from typing import Any

from chalicelib.domain.model import Booking, Business, Contact, Service, Slot, WaitingEntry


def business_view(business: Business) -> dict[str, Any]:
    return {
        "business_id": business.business_id,
        "name": business.name,
        "time_zone": business.time_zone,
        "language": business.language,
        "waiting_list_open": business.waiting_list_open,
    }


def service_view(service: Service) -> dict[str, Any]:
    return {
        "service_id": service.service_id,
        "name": service.name,
        "duration_minutes": service.duration_minutes,
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
    }
