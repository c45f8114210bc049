"""The catalogue table: businesses, services, slots, and what staff configure."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    BooleanAttribute,
    DiscriminatorAttribute,
    ListAttribute,
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UnicodeSetAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.expressions.condition import Condition
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.adapters.dynamodb.models.base import TableMeta, settings


class SlotsByStartIndex(GlobalSecondaryIndex["CatalogueItem"]):
    """A business's slots by start time (sparse: only slots carry its keys), so a range of
    days is one Query, however many slots the business had before or has after it."""

    class Meta:
        index_name = "slots_by_start"
        projection = AllProjection()

    slots_key = UnicodeAttribute(hash_key=True)
    slot_start = UnicodeAttribute(range_key=True)


class CatalogueItem(Model):
    class Meta(TableMeta):
        table_name = settings.catalogue_table

    pk = UnicodeAttribute(hash_key=True)
    sk = UnicodeAttribute(range_key=True)
    kind = DiscriminatorAttribute()
    slots_key = UnicodeAttribute(null=True)
    slot_start = UnicodeAttribute(null=True)
    slots_by_start = SlotsByStartIndex()


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
    embed_origins = ListAttribute(of=UnicodeAttribute, null=True)
    """Sites that may frame the booking site; missing: none."""
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
