"""The DynamoDB tables, defined once as pynamodb models.

Every key starts with the business id (tenancy). Bookings, waiting entries and refill
records of one slot share a partition, so a slot's waiting list is one Query away: the
sparse local index `queue` holds only entries still waiting, sorted by sign-up time, and
can be read consistently.
"""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    TTLAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex, LocalSecondaryIndex
from pynamodb.models import Model

from chalicelib.settings import get_settings

_settings = get_settings()


class _Meta:
    region = _settings.region
    billing_mode = "PAY_PER_REQUEST"


# --- catalogue: businesses, services, slots -------------------------------------------


class CatalogueItem(Model):
    class Meta(_Meta):
        table_name = _settings.catalogue_table

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()


class ScopeMap(MapAttribute[str, Any]):
    services = ListAttribute[str](default=list)
    locations = ListAttribute[str](default=list)
    staff = ListAttribute[str](default=list)


class WorkflowRuleMap(MapAttribute[str, Any]):
    rule_id = UnicodeAttribute()
    name = UnicodeAttribute()
    trigger = UnicodeAttribute()
    channel = UnicodeAttribute()
    recipients = ListAttribute[str](default=list)
    addresses = ListAttribute[str](default=list)
    scope = ScopeMap(default=dict)
    enabled = BooleanAttribute(default=True)
    use_custom_text = BooleanAttribute(default=True)


class BusinessItem(CatalogueItem, discriminator="business"):
    SORT_KEY = "PROFILE"
    business_id = UnicodeAttribute()
    name = UnicodeAttribute()
    time_zone = UnicodeAttribute()
    language = UnicodeAttribute()
    waiting_list_open = BooleanAttribute(default=True)
    addresses = MapAttribute[str, Any](default=dict)
    pipeline_start_id = UnicodeAttribute(null=True)
    pipeline_start_name = UnicodeAttribute(null=True)
    refill_cutoff_minutes = NumberAttribute(default=0)
    message_channels = UnicodeAttribute(default="email_first")
    waiting_list_mode = UnicodeAttribute(default="automatic")
    offer_window_seconds = NumberAttribute(default=30 * 60)
    offer_to_many_count = NumberAttribute(default=0)
    staff_email = UnicodeAttribute(null=True)
    max_open_entries = NumberAttribute(default=0)
    max_offers_per_day = NumberAttribute(default=0)
    active_opens = UnicodeAttribute(null=True)
    active_closes = UnicodeAttribute(null=True)
    workflows = ListAttribute(of=WorkflowRuleMap, null=True)
    """On the profile, which booking, cancelling and the refill read anyway: rules cost
    those paths no extra call."""
    custom_templates = MapAttribute[str, Any](null=True)
    """type/channel/language -> version of each text the business wrote itself."""

    reminder_lead_times = ListAttribute(of=NumberAttribute, null=True)
    """Missing: the default lead time; empty: no reminders."""
    revision = NumberAttribute(null=True)
    """Raised by every change of the profile (missing: 0). A change made from a profile as
    read is written only if the profile is still at that revision, so two staff members
    saving at once never lose one of the changes."""


def profile_at(revision: int) -> Condition:
    """The profile is still at the revision it was read at (0: none yet)."""
    condition: Condition = (
        BusinessItem.revision == revision
        if revision
        else BusinessItem.revision.does_not_exist() | (BusinessItem.revision == 0)
    )
    return condition


class MessageTemplateItem(CatalogueItem, discriminator="message_template"):
    """A business's own text for one message type, channel and language; beside its profile,
    so all of them are one Query."""

    business_id = UnicodeAttribute()
    message_type = UnicodeAttribute()
    channel = UnicodeAttribute()
    language = UnicodeAttribute()
    version = NumberAttribute()
    subject = UnicodeAttribute(null=True)
    text = UnicodeAttribute()
    html = UnicodeAttribute(null=True)
    updated_at = UTCDateTimeAttribute()


class WindowCountItem(CatalogueItem, discriminator="window_count"):
    """How many window entries of the business are open. Read with the business profile
    (same BatchGetItem), so deciding whether to hold a freed seat costs no extra call."""

    SORT_KEY = "WINDOWS"
    business_id = UnicodeAttribute()
    open_windows = NumberAttribute(default=0)


class ServiceItem(CatalogueItem, discriminator="service"):
    business_id = UnicodeAttribute()
    service_id = UnicodeAttribute()
    name = UnicodeAttribute()
    duration_minutes = NumberAttribute()
    requires_confirmation = BooleanAttribute(default=False)
    uses_status_pipeline = BooleanAttribute(default=False)
    waiting_list_mode = UnicodeAttribute(null=True)


class PipelineStatusItem(CatalogueItem, discriminator="pipeline_status"):
    business_id = UnicodeAttribute()
    status_id = UnicodeAttribute()
    name = UnicodeAttribute()
    description = UnicodeAttribute(null=True)
    position = NumberAttribute()
    colour = UnicodeAttribute()
    step_kind = UnicodeAttribute()


class SlotItem(CatalogueItem, discriminator="slot"):
    business_id = UnicodeAttribute()
    slot_id = UnicodeAttribute()
    service_id = UnicodeAttribute()
    service_name = UnicodeAttribute()
    starts_at = UTCDateTimeAttribute()
    ends_at = UTCDateTimeAttribute()
    capacity = NumberAttribute()
    staff = UnicodeAttribute(null=True)
    location = UnicodeAttribute(null=True)
    requires_confirmation = BooleanAttribute(default=False)
    uses_status_pipeline = BooleanAttribute(default=False)
    waiting_list_mode = UnicodeAttribute(null=True)
    taken = NumberAttribute(default=0)
    held = NumberAttribute(default=0)
    waiting = NumberAttribute(default=0)
    holders = UnicodeSetAttribute(null=True)
    """The customer keys holding a seat: every write that takes a seat is conditioned on
    its customer not being among them, so one customer never holds two."""


class ListMemberItem(CatalogueItem, discriminator="list_member"):
    """One customer's open place on one list (a slot's, or one window). Joining puts it
    only if it is not there, and every write that closes the place deletes it: a repeated
    join finds the place it already has. In the catalogue table, whose changes wake no
    function."""

    business_id = UnicodeAttribute()
    entry_id = UnicodeAttribute()
    entry_partition = UnicodeAttribute()


# --- bookings, waiting entries and refill records, one partition per slot -------------


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
    class Meta(_Meta):
        table_name = _settings.bookings_table
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


# --- outbox: one message per cause -------------------------------------------------------


class RecentMessagesIndex(GlobalSecondaryIndex["OutboxMessageItem"]):
    """A business's messages by when they were queued: what staff read, newest first."""

    class Meta:
        index_name = "recent"
        projection = AllProjection()

    business_id = UnicodeAttribute(hash_key=True)
    when_queued = UnicodeAttribute(range_key=True)


class MessagesByStatusIndex(GlobalSecondaryIndex["OutboxMessageItem"]):
    """A business's messages of one status (queued, sent, failed) by when they were queued."""

    class Meta:
        index_name = "by_status"
        projection = AllProjection()

    status_key = UnicodeAttribute(hash_key=True)
    when_queued = UnicodeAttribute(range_key=True)


class OutboxMessageItem(Model):
    class Meta(_Meta):
        table_name = _settings.outbox_table
        stream_view_type = "NEW_AND_OLD_IMAGES"

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    business_id = UnicodeAttribute()
    when_queued = UnicodeAttribute(null=True)
    status_key = UnicodeAttribute(null=True)
    recent = RecentMessagesIndex()
    by_status = MessagesByStatusIndex()
    message_id = UnicodeAttribute()
    message_type = UnicodeAttribute()
    channel = UnicodeAttribute()
    recipient = UnicodeAttribute()
    language = UnicodeAttribute()
    time_zone = UnicodeAttribute()
    context = MapAttribute[str, Any]()
    status = UnicodeAttribute()
    created_at = UTCDateTimeAttribute()
    sent_at = UTCDateTimeAttribute(null=True)
    provider_message_id = UnicodeAttribute(null=True)
    failure = UnicodeAttribute(null=True)
    send_after = UTCDateTimeAttribute(null=True)
    template_version = NumberAttribute(null=True)
    """The business's own text to render, at this version; none: Standby's."""
    attempts = NumberAttribute(default=0)
    last_error = UnicodeAttribute(null=True)
    next_attempt_at = UTCDateTimeAttribute(null=True)
    fallback_recipient = UnicodeAttribute(null=True)
    fallback_message_id = UnicodeAttribute(null=True)


# --- Powertools' idempotency records -----------------------------------------------------


class IdempotencyRecordItem(Model):
    """The layout Powertools' DynamoDB persistence layer expects; it reads and writes the
    items itself, this model only defines the table."""

    class Meta(_Meta):
        table_name = _settings.idempotency_table

    id = UnicodeAttribute(hash_key=True)
    expiration = TTLAttribute(null=True)


ALL_TABLE_MODELS: tuple[type[Model], ...] = (
    CatalogueItem,
    BookingsItem,
    OutboxMessageItem,
    IdempotencyRecordItem,
)
