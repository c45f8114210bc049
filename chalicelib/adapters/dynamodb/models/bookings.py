"""The bookings table: bookings, waiting entries, offers and refill records, one partition
per slot."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, LocalSecondaryIndex
from pynamodb.models import Model

from chalicelib.adapters.dynamodb.models.base import TableMeta, settings


class ContactMap(MapAttribute[str, Any]):
    name = UnicodeAttribute()
    email = UnicodeAttribute(null=True)
    phone = UnicodeAttribute(null=True)
    language = UnicodeAttribute(null=True)


class SlotSummaryMap(MapAttribute[str, Any]):
    business_name = UnicodeAttribute()
    time_zone = UnicodeAttribute()
    language = UnicodeAttribute()
    service_name = UnicodeAttribute()
    starts_at = UTCDateTimeAttribute()
    ends_at = UTCDateTimeAttribute()
    staff = UnicodeAttribute(null=True)
    location = UnicodeAttribute(null=True)
    waiting_list_mode = UnicodeAttribute(null=True)
    service_id = UnicodeAttribute(null=True)
    reminder_lead_minutes = ListAttribute(of=NumberAttribute, null=True)


class QueueIndex(LocalSecondaryIndex["BookingsItem"]):
    class Meta:
        index_name = "queue"
        projection = AllProjection()

    pk = UnicodeAttribute(hash_key=True)
    queue_position = UnicodeAttribute(range_key=True)


class StatusIndex(GlobalSecondaryIndex["BookingsItem"]):
    """Bookings that hold a seat, by business and status, in slot order: the requests
    waiting for confirmation, or the confirmed ones, across every slot."""

    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    status_key = UnicodeAttribute(hash_key=True)
    status_sort = UnicodeAttribute(range_key=True)


class OpenOffersIndex(GlobalSecondaryIndex["BookingsItem"]):
    """Things still open, by deadline, across every business, one partition per kind:
    offers (what the backstop reads to expire offers whose schedule never fired) and
    window entries (what the sweep reads to close windows that have ended)."""

    class Meta:
        index_name = "open_offers"
        projection = AllProjection()

    open_partition = UnicodeAttribute(hash_key=True)
    open_until = UnicodeAttribute(range_key=True)


class DueRemindersIndex(GlobalSecondaryIndex["BookingsItem"]):
    """Bookings holding a seat with a reminder still to come, by when it is due, across
    every business, spread over a few fixed shards: what the reminder sweep reads."""

    class Meta:
        index_name = "due_reminders"
        projection = AllProjection()

    due_shard = UnicodeAttribute(hash_key=True)
    reminder_due = UnicodeAttribute(range_key=True)


class BookingsItem(Model):
    class Meta(TableMeta):
        table_name = settings.bookings_table
        stream_view_type = "NEW_AND_OLD_IMAGES"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    queue_position = UnicodeAttribute(null=True)
    queue = QueueIndex()
    status_key = UnicodeAttribute(null=True)
    status_sort = UnicodeAttribute(null=True)
    by_status = StatusIndex()
    open_partition = UnicodeAttribute(null=True)
    open_until = UnicodeAttribute(null=True)
    open_offers = OpenOffersIndex()
    due_shard = UnicodeAttribute(null=True)
    reminder_due = UnicodeAttribute(null=True)
    due_reminders = DueRemindersIndex()


class BookingItem(BookingsItem, discriminator="booking"):
    business_id = UnicodeAttribute()
    slot_id = UnicodeAttribute()
    booking_id = UnicodeAttribute()
    status = UnicodeAttribute()
    source = UnicodeAttribute()
    contact = ContactMap()
    slot = SlotSummaryMap()
    created_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)
    version = NumberAttribute(default=1)
    cancelled_by = UnicodeAttribute(null=True)
    seat_after_release = UnicodeAttribute(null=True)
    waiting_entry_id = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    moved_to_slot_id = UnicodeAttribute(null=True)
    moved_from_slot_id = UnicodeAttribute(null=True)
    pipeline_status_id = UnicodeAttribute(null=True)
    pipeline_status_name = UnicodeAttribute(null=True)
    payment_status = UnicodeAttribute(null=True)
    chain_step = NumberAttribute(null=True)
    reminded_until = UTCDateTimeAttribute(null=True)


class HistoryItem(BookingsItem, discriminator="history"):
    """One change of a booking. Kept in the booking's own partition, so its history is
    one Query, newest first, wherever the booking has moved."""

    business_id = UnicodeAttribute()
    booking_id = UnicodeAttribute()
    version = NumberAttribute()
    at = UTCDateTimeAttribute()
    by = UnicodeAttribute()
    from_status = UnicodeAttribute(null=True)
    to_status = UnicodeAttribute()
    reason = UnicodeAttribute(null=True)
    from_slot_id = UnicodeAttribute(null=True)
    to_slot_id = UnicodeAttribute(null=True)
    from_step = UnicodeAttribute(null=True)
    to_step = UnicodeAttribute(null=True)


class WaitingEntryItem(BookingsItem, discriminator="waiting_entry"):
    business_id = UnicodeAttribute()
    slot_id = UnicodeAttribute()
    entry_id = UnicodeAttribute()
    status = UnicodeAttribute()
    contact = ContactMap()
    slot = SlotSummaryMap()
    signed_up_at = UTCDateTimeAttribute()
    updated_at = UTCDateTimeAttribute(null=True)
    booking_id = UnicodeAttribute(null=True)
    window_service_id = UnicodeAttribute(null=True)
    window_from = UTCDateTimeAttribute(null=True)
    window_to = UTCDateTimeAttribute(null=True)
    window_staff = UnicodeAttribute(null=True)
    window_location = UnicodeAttribute(null=True)
    earlier_than_slot_id = UnicodeAttribute(null=True)
    earlier_than_booking_id = UnicodeAttribute(null=True)


class SeatReleaseItem(BookingsItem, discriminator="seat_release"):
    """Seats a capacity raise held for the waiting list; its insert starts their refill."""

    business_id = UnicodeAttribute()
    slot_id = UnicodeAttribute()
    release_id = UnicodeAttribute()
    seats = NumberAttribute()
    slot = SlotSummaryMap()
    at = UTCDateTimeAttribute()


class OfferItem(BookingsItem, discriminator="offer"):
    business_id = UnicodeAttribute()
    slot_id = UnicodeAttribute()
    cause = UnicodeAttribute()
    round = NumberAttribute()
    entry_id = UnicodeAttribute()
    contact = ContactMap()
    slot = SlotSummaryMap()
    status = UnicodeAttribute()
    offered_at = UTCDateTimeAttribute()
    expires_at = UTCDateTimeAttribute()
    signed_up_at = UTCDateTimeAttribute()
    window_service_id = UnicodeAttribute(null=True)
    earlier_than_slot_id = UnicodeAttribute(null=True)
    earlier_than_booking_id = UnicodeAttribute(null=True)
    chain_step = NumberAttribute(null=True)
    list_key = UnicodeAttribute(null=True)
    """The list the offered place is on; accepting closes that place."""


class CustomerItem(BookingsItem, discriminator="customer"):
    """What the limits need to know of one customer of one business."""

    business_id = UnicodeAttribute()
    open_entries = NumberAttribute(default=0)
    offers = NumberAttribute(default=0)
    """Offers received on the day the item's key names."""


class SkippedMap(MapAttribute[str, Any]):
    entry_id = UnicodeAttribute()
    reason = UnicodeAttribute()


class RefillItem(BookingsItem, discriminator="refill"):
    """One record per freed seat. The write that holds a seat for the waiting list puts it
    as `held`, with a deadline on the index of open deadlines and on the business's list
    of holds; the refill's decision replaces it, once (only over `held`), so a
    redelivered change can never allocate the same seat twice, and a hold left undecided
    past its deadline is found by a sweep that reads only holds."""

    business_id = UnicodeAttribute()
    slot_id = UnicodeAttribute()
    cause = UnicodeAttribute()
    outcome = UnicodeAttribute()
    decided_at = UTCDateTimeAttribute()
    booking_id = UnicodeAttribute(null=True)
    entry_id = UnicodeAttribute(null=True)
    reason = UnicodeAttribute(null=True)
    skipped = ListAttribute(of=SkippedMap, default=list)
    round = NumberAttribute(default=0)
    """Rounds of offers made for this seat so far."""
    closed_round = NumberAttribute(default=0)
    """The last round whose offers were all closed (expired or declined)."""
    offered = ListAttribute[str](default=list)
    """Every entry this seat was offered to, so no one is asked twice."""
    offered_customers = ListAttribute[str](null=True)
    """Their customer keys: a customer asked through one list is not asked again through
    another."""
    holds_seat = BooleanAttribute(default=True)
    slot = SlotSummaryMap(null=True)
    """On a hold awaiting its decision: the slot, so a sweep can refill it."""
    chain_step = NumberAttribute(null=True)
    held_at = UTCDateTimeAttribute(null=True)
