"""The outbox table: one message per cause, which also guards its own hand-over (its
claim)."""

from __future__ import annotations

from typing import Any

from pynamodb.attributes import (
    MapAttribute,
    NumberAttribute,
    UnicodeAttribute,
    UTCDateTimeAttribute,
)
from pynamodb.indexes import AllProjection, GlobalSecondaryIndex
from pynamodb.models import Model

from chalicelib.adapters.dynamodb.models.base import TableMeta, settings


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
    class Meta(TableMeta):
        table_name = settings.outbox_table
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
    claimed_by = UnicodeAttribute(null=True)
    """The attempt holding the message while it hands it over; with `claimed_attempt` and
    `claim_until` (when the hold lapses), removed once the attempt is recorded."""
    claimed_attempt = NumberAttribute(null=True)
    claim_until = UTCDateTimeAttribute(null=True)
