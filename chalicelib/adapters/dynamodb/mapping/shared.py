"""Maps shared by several items: a customer's contact and a slot's summary."""

from __future__ import annotations

from typing import Any

from chalicelib.adapters.dynamodb.models import (
    ContactMap,
    SlotSummaryMap,
)
from chalicelib.domain.model import (
    Contact,
    SlotSummary,
    WaitingListMode,
)
from chalicelib.domain.reminders import DEFAULT_LEAD_MINUTES


def contact_to_map(contact: Contact) -> ContactMap:
    return ContactMap(
        name=contact.name, email=contact.email, phone=contact.phone, language=contact.language
    )


def contact_from_map(value: ContactMap) -> Contact:
    return Contact(name=value.name, email=value.email, phone=value.phone, language=value.language)


def summary_to_map(summary: SlotSummary) -> SlotSummaryMap:
    return SlotSummaryMap(
        business_name=summary.business_name,
        time_zone=summary.time_zone,
        language=summary.language,
        service_name=summary.service_name,
        starts_at=summary.starts_at,
        ends_at=summary.ends_at,
        staff=summary.staff,
        location=summary.location,
        waiting_list_mode=mode_value(summary.waiting_list_mode),
        service_id=summary.service_id,
        reminder_lead_minutes=list(summary.reminder_lead_minutes),
    )


def summary_from_map(value: SlotSummaryMap) -> SlotSummary:
    return SlotSummary(
        business_name=value.business_name,
        time_zone=value.time_zone,
        language=value.language,
        service_name=value.service_name,
        starts_at=value.starts_at,
        ends_at=value.ends_at,
        staff=value.staff,
        location=value.location,
        waiting_list_mode=mode_of(value.waiting_list_mode),
        service_id=value.service_id,
        reminder_lead_minutes=lead_times(value.reminder_lead_minutes),
    )


def mode_of(value: str | None) -> WaitingListMode | None:
    return WaitingListMode(value) if value else None


def mode_value(mode: WaitingListMode | None) -> str | None:
    return mode.value if mode else None


def lead_times(value: list[Any] | None) -> tuple[int, ...]:
    return DEFAULT_LEAD_MINUTES if value is None else tuple(int(minutes) for minutes in value)
