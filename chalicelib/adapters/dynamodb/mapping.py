"""Translation between pynamodb items and domain objects."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.keys import (
    OPEN_OFFERS,
    OPEN_WINDOWS,
    booking_key,
    business_key,
    entry_key,
    entry_partition,
    offer_key,
    pipeline_status_key,
    reminder_due_key,
    reminder_shard,
    service_key,
    slot_key,
    slot_partition,
    status_key,
)
from chalicelib.adapters.dynamodb.models import (
    BookingItem,
    BusinessItem,
    ContactMap,
    OfferItem,
    OutboxMessageItem,
    PipelineStatusItem,
    SeatReleaseItem,
    ServiceItem,
    SlotItem,
    SlotSummaryMap,
    WaitingEntryItem,
    WindowCountItem,
)
from chalicelib.adapters.dynamodb.workflow_mapping import rules_from_items, rules_to_items
from chalicelib.domain.messages import Channel, MessageStatus, MessageType, OutboxMessage
from chalicelib.domain.model import (
    Actor,
    Booking,
    BookingSource,
    BookingStatus,
    Business,
    ChannelPreference,
    Contact,
    EarlierThan,
    EntryStatus,
    EntryWindow,
    PaymentStatus,
    SeatAfterRelease,
    Service,
    Slot,
    SlotSummary,
    WaitingEntry,
    WaitingListMode,
)
from chalicelib.domain.offers import Offer, OfferStatus
from chalicelib.domain.pipeline import PipelineStatus, StepKind
from chalicelib.domain.reminders import DEFAULT_LEAD_MINUTES, Reminder, next_reminder
from chalicelib.domain.seats import SeatRelease
from chalicelib.domain.time_rules import ActiveHours, parse_clock


def business_from_item(item: BusinessItem, windows: WindowCountItem | None = None) -> Business:
    return Business(
        open_windows=int(windows.open_windows or 0) if windows is not None else 0,
        business_id=item.business_id,
        name=item.name,
        time_zone=item.time_zone,
        language=item.language,
        waiting_list_open=bool(item.waiting_list_open),
        addresses={
            str(k): str(v)
            for k, v in (item.addresses.as_dict() if item.addresses is not None else {}).items()
        },
        pipeline_start_id=item.pipeline_start_id,
        pipeline_start_name=item.pipeline_start_name,
        refill_cutoff_minutes=int(item.refill_cutoff_minutes or 0),
        message_channels=ChannelPreference(item.message_channels or "email_first"),
        waiting_list_mode=WaitingListMode(item.waiting_list_mode or "automatic"),
        offer_window_seconds=int(item.offer_window_seconds or 30 * 60),
        offer_to_many_count=int(item.offer_to_many_count or 0),
        staff_email=item.staff_email,
        max_open_entries=int(item.max_open_entries or 0),
        max_offers_per_day=int(item.max_offers_per_day or 0),
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
        reminder_lead_times=_lead_times(item.reminder_lead_times),
        revision=int(item.revision or 0),
    )


def _lead_times(value: list[Any] | None) -> tuple[int, ...]:
    return DEFAULT_LEAD_MINUTES if value is None else tuple(int(minutes) for minutes in value)


def business_to_item(business: Business) -> BusinessItem:
    return BusinessItem(
        business_key(business.business_id),
        BusinessItem.SORT_KEY,
        business_id=business.business_id,
        name=business.name,
        time_zone=business.time_zone,
        language=business.language,
        waiting_list_open=business.waiting_list_open,
        addresses=dict(business.addresses),
        pipeline_start_id=business.pipeline_start_id,
        pipeline_start_name=business.pipeline_start_name,
        refill_cutoff_minutes=business.refill_cutoff_minutes,
        message_channels=business.message_channels.value,
        waiting_list_mode=business.waiting_list_mode.value,
        offer_window_seconds=business.offer_window_seconds,
        offer_to_many_count=business.offer_to_many_count,
        staff_email=business.staff_email,
        max_open_entries=business.max_open_entries,
        max_offers_per_day=business.max_offers_per_day,
        active_opens=business.active_hours.opens.strftime("%H:%M")
        if business.active_hours
        else None,
        active_closes=business.active_hours.closes.strftime("%H:%M")
        if business.active_hours
        else None,
        workflows=rules_to_items(business.workflows),
        custom_templates=dict(business.custom_templates),
        reminder_lead_times=list(business.reminder_lead_times),
    )


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
        waiting_list_mode=_mode(item.waiting_list_mode),
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
        waiting_list_mode=_mode_value(service.waiting_list_mode),
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
        waiting_list_mode=_mode(item.waiting_list_mode),
        taken=int(item.taken),
        held=int(item.held),
        waiting=int(item.waiting),
        holders=frozenset(item.holders or ()),
    )


def slot_to_item(slot: Slot) -> SlotItem:
    return SlotItem(
        business_key(slot.business_id),
        slot_key(slot.slot_id),
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
        waiting_list_mode=_mode_value(slot.waiting_list_mode),
        taken=slot.taken,
        held=slot.held,
        waiting=slot.waiting,
        # DynamoDB keeps no empty set: no holders is no attribute.
        holders=set(slot.holders) or None,
    )


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
        waiting_list_mode=_mode_value(summary.waiting_list_mode),
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
        waiting_list_mode=_mode(value.waiting_list_mode),
        service_id=value.service_id,
        reminder_lead_minutes=_lead_times(value.reminder_lead_minutes),
    )


def summary_sort(booking: Booking) -> str:
    moment = booking.slot.starts_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ")
    return f"{moment}#{booking.slot_id}#{booking.booking_id}"


def upcoming_reminder(booking: Booking) -> Reminder | None:
    """The booking's next reminder, while it holds a seat: cancelling, rejecting or moving
    it away takes it off the due-reminders index in the same write."""
    if not booking.status.holds_seat:
        return None
    return next_reminder(
        booking.slot.starts_at,
        booking.slot.reminder_lead_minutes,
        booking.reminded_until or booking.created_at,
    )


def booking_to_item(booking: Booking) -> BookingItem:
    reminder = upcoming_reminder(booking)
    return BookingItem(
        slot_partition(booking.business_id, booking.slot_id),
        booking_key(booking.booking_id),
        business_id=booking.business_id,
        slot_id=booking.slot_id,
        booking_id=booking.booking_id,
        status=booking.status.value,
        source=booking.source.value,
        contact=contact_to_map(booking.contact),
        slot=summary_to_map(booking.slot),
        created_at=booking.created_at,
        updated_at=booking.updated_at,
        version=booking.version,
        cancelled_by=booking.cancelled_by.value if booking.cancelled_by else None,
        seat_after_release=(
            booking.seat_after_release.value if booking.seat_after_release else None
        ),
        waiting_entry_id=booking.waiting_entry_id,
        status_key=status_key(booking.business_id, booking.status)
        if booking.status.holds_seat
        else None,
        status_sort=f"{summary_sort(booking)}" if booking.status.holds_seat else None,
        reason=booking.reason,
        moved_to_slot_id=booking.moved_to_slot_id,
        moved_from_slot_id=booking.moved_from_slot_id,
        pipeline_status_id=booking.pipeline_status_id,
        pipeline_status_name=booking.pipeline_status_name,
        payment_status=booking.payment_status.value if booking.payment_status else None,
        chain_step=booking.chain_step or None,
        reminded_until=booking.reminded_until,
        due_shard=reminder_shard(booking.booking_id) if reminder else None,
        reminder_due=reminder_due_key(reminder.due, booking.booking_id) if reminder else None,
    )


def booking_from_item(item: BookingItem) -> Booking:
    return Booking(
        business_id=item.business_id,
        slot_id=item.slot_id,
        booking_id=item.booking_id,
        status=BookingStatus(item.status),
        source=BookingSource(item.source),
        contact=contact_from_map(item.contact),
        slot=summary_from_map(item.slot),
        created_at=item.created_at,
        updated_at=item.updated_at,
        version=int(item.version),
        cancelled_by=Actor(item.cancelled_by) if item.cancelled_by else None,
        seat_after_release=(
            SeatAfterRelease(item.seat_after_release) if item.seat_after_release else None
        ),
        waiting_entry_id=item.waiting_entry_id,
        reason=item.reason,
        moved_to_slot_id=item.moved_to_slot_id,
        moved_from_slot_id=item.moved_from_slot_id,
        pipeline_status_id=item.pipeline_status_id,
        pipeline_status_name=item.pipeline_status_name,
        payment_status=PaymentStatus(item.payment_status) if item.payment_status else None,
        chain_step=int(item.chain_step or 0),
        reminded_until=item.reminded_until,
    )


def entry_to_item(entry: WaitingEntry, queue_position: str | None) -> WaitingEntryItem:
    window, earlier = entry.window, entry.earlier_than
    return WaitingEntryItem(
        entry_partition(entry),
        entry_key(entry.entry_id),
        window_service_id=window.service_id if window else None,
        window_from=window.starts_from if window else None,
        window_to=window.ends_by if window else None,
        window_staff=window.staff if window else None,
        window_location=window.location if window else None,
        earlier_than_slot_id=earlier.slot_id if earlier else None,
        earlier_than_booking_id=earlier.booking_id if earlier else None,
        open_partition=OPEN_WINDOWS if window_deadline(entry) else None,
        open_until=window_deadline(entry),
        business_id=entry.business_id,
        slot_id=entry.slot_id,
        entry_id=entry.entry_id,
        status=entry.status.value,
        contact=contact_to_map(entry.contact),
        slot=summary_to_map(entry.slot),
        signed_up_at=entry.signed_up_at,
        updated_at=entry.updated_at,
        booking_id=entry.booking_id,
        queue_position=queue_position,
    )


def entry_from_item(item: WaitingEntryItem) -> WaitingEntry:
    return WaitingEntry(
        business_id=item.business_id,
        slot_id=item.slot_id,
        entry_id=item.entry_id,
        status=EntryStatus(item.status),
        contact=contact_from_map(item.contact),
        slot=summary_from_map(item.slot),
        signed_up_at=item.signed_up_at,
        updated_at=item.updated_at,
        booking_id=item.booking_id,
        window=EntryWindow(
            service_id=item.window_service_id,
            starts_from=item.window_from,
            ends_by=item.window_to,
            staff=item.window_staff,
            location=item.window_location,
        )
        if item.window_service_id and item.window_from and item.window_to
        else None,
        earlier_than=EarlierThan(item.earlier_than_slot_id, item.earlier_than_booking_id)
        if item.earlier_than_slot_id and item.earlier_than_booking_id
        else None,
    )


def seat_release_to_item(release: SeatRelease, at: datetime) -> SeatReleaseItem:
    return SeatReleaseItem(
        slot_partition(release.business_id, release.slot_id),
        f"RELEASE#{release.release_id}",
        business_id=release.business_id,
        slot_id=release.slot_id,
        release_id=release.release_id,
        seats=release.count,
        slot=summary_to_map(release.slot),
        at=at,
    )


def _mode(value: str | None) -> WaitingListMode | None:
    return WaitingListMode(value) if value else None


def _mode_value(mode: WaitingListMode | None) -> str | None:
    return mode.value if mode else None


def window_deadline(entry: WaitingEntry) -> str | None:
    """The key that lists an open window entry by when its window ends."""
    if entry.window is None or entry.status not in (EntryStatus.WAITING, EntryStatus.OFFERED):
        return None
    return f"{entry.window.ends_by.astimezone(UTC).isoformat()}#{entry.entry_id}"


def offer_to_item(offer: Offer) -> OfferItem:
    is_open = offer.status is OfferStatus.OPEN
    return OfferItem(
        slot_partition(offer.business_id, offer.slot_id),
        offer_key(offer.offer_id),
        business_id=offer.business_id,
        slot_id=offer.slot_id,
        cause=offer.cause,
        round=offer.round,
        entry_id=offer.entry_id,
        contact=contact_to_map(offer.contact),
        slot=summary_to_map(offer.slot),
        status=offer.status.value,
        offered_at=offer.offered_at,
        expires_at=offer.expires_at,
        signed_up_at=offer.signed_up_at,
        window_service_id=offer.window_service_id,
        earlier_than_slot_id=offer.earlier_than.slot_id if offer.earlier_than else None,
        earlier_than_booking_id=offer.earlier_than.booking_id if offer.earlier_than else None,
        chain_step=offer.chain_step or None,
        list_key=offer.list_key,
        open_partition=OPEN_OFFERS if is_open else None,
        open_until=f"{offer.expires_at.astimezone(UTC).isoformat()}#{offer.offer_id}"
        if is_open
        else None,
    )


def offer_from_item(item: OfferItem) -> Offer:
    return Offer(
        business_id=item.business_id,
        slot_id=item.slot_id,
        cause=item.cause,
        round=int(item.round),
        entry_id=item.entry_id,
        contact=contact_from_map(item.contact),
        slot=summary_from_map(item.slot),
        status=OfferStatus(item.status),
        offered_at=item.offered_at,
        expires_at=item.expires_at,
        signed_up_at=item.signed_up_at,
        window_service_id=item.window_service_id,
        earlier_than=EarlierThan(item.earlier_than_slot_id, item.earlier_than_booking_id)
        if item.earlier_than_slot_id and item.earlier_than_booking_id
        else None,
        chain_step=int(item.chain_step or 0),
        list_key=item.list_key,
    )


def seat_release_from_item(item: SeatReleaseItem) -> SeatRelease:
    return SeatRelease(
        business_id=item.business_id,
        slot_id=item.slot_id,
        release_id=item.release_id,
        count=int(item.seats),
        slot=summary_from_map(item.slot),
    )


def message_to_item(message: OutboxMessage) -> OutboxMessageItem:
    return OutboxMessageItem(
        *keys.message_keys(message.business_id, message.message_id),
        business_id=message.business_id,
        message_id=message.message_id,
        message_type=message.message_type.value,
        channel=message.channel.value,
        recipient=message.recipient,
        language=message.language,
        time_zone=message.time_zone,
        context=message.context,
        status=message.status.value,
        status_key=keys.message_status_key(message.business_id, message.status),
        when_queued=f"{message.created_at.astimezone(UTC).isoformat()}#{message.message_id}",
        created_at=message.created_at,
        send_after=message.send_after,
        template_version=message.template_version,
        attempts=message.attempts,
        fallback_recipient=message.fallback_recipient,
    )


def message_from_item(item: OutboxMessageItem) -> OutboxMessage:
    return OutboxMessage(
        business_id=item.business_id,
        message_id=item.message_id,
        message_type=MessageType(item.message_type),
        channel=Channel(item.channel),
        recipient=item.recipient,
        language=item.language,
        time_zone=item.time_zone,
        context=item.context.as_dict(),
        created_at=item.created_at,
        status=MessageStatus(item.status),
        sent_at=item.sent_at,
        provider_message_id=item.provider_message_id,
        failure=item.failure,
        send_after=item.send_after,
        template_version=int(item.template_version) if item.template_version is not None else None,
        attempts=int(item.attempts or 0),
        last_error=item.last_error,
        next_attempt_at=item.next_attempt_at,
        fallback_recipient=item.fallback_recipient,
        fallback_message_id=item.fallback_message_id,
    )
