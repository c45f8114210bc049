"""The catalogue's items: business profiles, services, slots and pipeline statuses."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from chalicelib.adapters.dynamodb.keys import (
    business_key,
    pipeline_status_key,
    service_key,
    slot_key,
    slots_key,
)
from chalicelib.adapters.dynamodb.mapping.shared import (
    lead_times,
    mode_of,
    mode_value,
)
from chalicelib.adapters.dynamodb.models import (
    BusinessItem,
    PipelineStatusItem,
    ServiceItem,
    SlotItem,
    WindowCountItem,
)
from chalicelib.adapters.dynamodb.workflow_mapping import rules_from_items, rules_to_items
from chalicelib.domain.model import (
    Business,
    ChannelPreference,
    Service,
    Slot,
    WaitingListMode,
)
from chalicelib.domain.pipeline import PipelineStatus, StepKind
from chalicelib.domain.time_rules import ActiveHours, parse_clock
from chalicelib.ports.catalogue import slot_cursor


def business_from_item(item: BusinessItem, windows: WindowCountItem | None = None) -> Business:
    """The profile item, read by concern: the profile itself, the waiting-list policy and
    the messaging settings, with what is read along (pipeline start, open windows)."""
    business = Business(
        business_id=item.business_id,
        name=item.name,
        time_zone=item.time_zone,
        language=item.language,
        addresses={
            str(k): str(v)
            for k, v in (item.addresses.as_dict() if item.addresses is not None else {}).items()
        },
        staff_email=item.staff_email,
        embed_origins=tuple(str(origin) for origin in item.embed_origins or ()),
        pipeline_start_id=item.pipeline_start_id,
        pipeline_start_name=item.pipeline_start_name,
        open_windows=int(windows.open_windows or 0) if windows is not None else 0,
        revision=int(item.revision or 0),
    )
    return _messaging_from_item(_policy_from_item(business, item), item)


def _policy_from_item(business: Business, item: BusinessItem) -> Business:
    return replace(
        business,
        waiting_list_open=bool(item.waiting_list_open),
        refill_cutoff_minutes=int(item.refill_cutoff_minutes or 0),
        waiting_list_mode=WaitingListMode(item.waiting_list_mode or "automatic"),
        offer_window_seconds=int(item.offer_window_seconds or 30 * 60),
        offer_to_many_count=int(item.offer_to_many_count or 0),
        max_open_entries=int(item.max_open_entries or 0),
        max_offers_per_day=int(item.max_offers_per_day or 0),
    )


def _messaging_from_item(business: Business, item: BusinessItem) -> Business:
    return replace(
        business,
        message_channels=ChannelPreference(item.message_channels or "email_first"),
        active_hours=ActiveHours(parse_clock(item.active_opens), parse_clock(item.active_closes))
        if item.active_opens and item.active_closes
        else None,
        workflows=rules_from_items(item.workflows or []),
        custom_templates={
            str(k): int(v)
            for k, v in (
                item.custom_templates.as_dict() if item.custom_templates is not None else {}
            ).items()
        },
        reminder_lead_times=lead_times(item.reminder_lead_times),
    )


def business_to_item(business: Business) -> BusinessItem:
    return BusinessItem(
        business_key(business.business_id),
        BusinessItem.SORT_KEY,
        business_id=business.business_id,
        name=business.name,
        time_zone=business.time_zone,
        language=business.language,
        addresses=dict(business.addresses),
        staff_email=business.staff_email,
        embed_origins=list(business.embed_origins),
        pipeline_start_id=business.pipeline_start_id,
        pipeline_start_name=business.pipeline_start_name,
        **_policy_attributes(business),
        **_messaging_attributes(business),
    )


def _policy_attributes(business: Business) -> dict[str, Any]:
    return {
        "waiting_list_open": business.waiting_list_open,
        "refill_cutoff_minutes": business.refill_cutoff_minutes,
        "waiting_list_mode": business.waiting_list_mode.value,
        "offer_window_seconds": business.offer_window_seconds,
        "offer_to_many_count": business.offer_to_many_count,
        "max_open_entries": business.max_open_entries,
        "max_offers_per_day": business.max_offers_per_day,
    }


def _messaging_attributes(business: Business) -> dict[str, Any]:
    hours = business.active_hours
    return {
        "message_channels": business.message_channels.value,
        "active_opens": hours.opens.strftime("%H:%M") if hours else None,
        "active_closes": hours.closes.strftime("%H:%M") if hours else None,
        "workflows": rules_to_items(business.workflows),
        "custom_templates": dict(business.custom_templates),
        "reminder_lead_times": list(business.reminder_lead_times),
    }


def pipeline_status_from_item(item: PipelineStatusItem) -> PipelineStatus:
    return PipelineStatus(
        business_id=item.business_id,
        status_id=item.status_id,
        name=item.name,
        position=int(item.position),
        colour=item.colour,
        kind=StepKind(item.step_kind),
        description=item.description,
    )


def pipeline_status_to_item(status: PipelineStatus) -> PipelineStatusItem:
    return PipelineStatusItem(
        business_key(status.business_id),
        pipeline_status_key(status.status_id),
        business_id=status.business_id,
        status_id=status.status_id,
        name=status.name,
        position=status.position,
        colour=status.colour,
        step_kind=status.kind.value,
        description=status.description,
    )


def service_from_item(item: ServiceItem) -> Service:
    return Service(
        business_id=item.business_id,
        service_id=item.service_id,
        name=item.name,
        duration_minutes=int(item.duration_minutes),
        requires_confirmation=bool(item.requires_confirmation),
        uses_status_pipeline=bool(item.uses_status_pipeline),
        waiting_list_mode=mode_of(item.waiting_list_mode),
    )


def service_to_item(service: Service) -> ServiceItem:
    return ServiceItem(
        business_key(service.business_id),
        service_key(service.service_id),
        business_id=service.business_id,
        service_id=service.service_id,
        name=service.name,
        duration_minutes=service.duration_minutes,
        requires_confirmation=service.requires_confirmation,
        uses_status_pipeline=service.uses_status_pipeline,
        waiting_list_mode=mode_value(service.waiting_list_mode),
    )


def slot_from_item(item: SlotItem) -> Slot:
    return Slot(
        business_id=item.business_id,
        slot_id=item.slot_id,
        service_id=item.service_id,
        service_name=item.service_name,
        starts_at=item.starts_at,
        ends_at=item.ends_at,
        capacity=int(item.capacity),
        staff=item.staff,
        location=item.location,
        requires_confirmation=bool(item.requires_confirmation),
        uses_status_pipeline=bool(item.uses_status_pipeline),
        waiting_list_mode=mode_of(item.waiting_list_mode),
        taken=int(item.taken),
        held=int(item.held),
        waiting=int(item.waiting),
        holders=frozenset(item.holders or ()),
    )


def slot_to_item(slot: Slot) -> SlotItem:
    """The whole slot, with its keys on the index of slots by start (written with every
    put; updates change neither start nor id, so they keep them)."""
    return SlotItem(
        business_key(slot.business_id),
        slot_key(slot.slot_id),
        slots_key=slots_key(slot.business_id),
        slot_start=slot_cursor(slot),
        business_id=slot.business_id,
        slot_id=slot.slot_id,
        service_id=slot.service_id,
        service_name=slot.service_name,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        capacity=slot.capacity,
        staff=slot.staff,
        location=slot.location,
        requires_confirmation=slot.requires_confirmation,
        uses_status_pipeline=slot.uses_status_pipeline,
        waiting_list_mode=mode_value(slot.waiting_list_mode),
        taken=slot.taken,
        held=slot.held,
        waiting=slot.waiting,
        # DynamoDB keeps no empty set: no holders is no attribute.
        holders=set(slot.holders) or None,
    )
