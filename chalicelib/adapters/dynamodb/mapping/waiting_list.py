"""Places on waiting lists."""

from __future__ import annotations

from datetime import UTC

from chalicelib.adapters.dynamodb.keys import (
    OPEN_WINDOWS,
    entry_key,
    entry_partition,
)
from chalicelib.adapters.dynamodb.mapping.shared import (
    contact_from_map,
    contact_to_map,
    summary_from_map,
    summary_to_map,
)
from chalicelib.adapters.dynamodb.models import (
    WaitingEntryItem,
)
from chalicelib.domain.model import (
    EarlierThan,
    EntryStatus,
    EntryWindow,
    WaitingEntry,
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


def window_deadline(entry: WaitingEntry) -> str | None:
    """The key that lists an open window entry by when its window ends."""
    if entry.window is None or entry.status not in (EntryStatus.WAITING, EntryStatus.OFFERED):
        return None
    return f"{entry.window.ends_by.astimezone(UTC).isoformat()}#{entry.entry_id}"
