"""The DynamoDB tables, defined once as pynamodb models.

Every key starts with the business id (tenancy). Bookings, waiting entries and refill
records of one slot share a partition, so a slot's waiting list is one Query away: the
sparse local index `queue` holds only entries still waiting, sorted by sign-up time, and
can be read consistently. A business's slots are also on the catalogue's sparse global
index `slots_by_start`, by start time, so a day or a week of them is one Query.
"""

from __future__ import annotations

from pynamodb.models import Model

from chalicelib.adapters.dynamodb.models.bookings import (
    BookingItem,
    BookingsItem,
    ContactMap,
    CustomerItem,
    DueRemindersIndex,
    HistoryItem,
    OfferItem,
    OpenOffersIndex,
    QueueIndex,
    RefillItem,
    SeatReleaseItem,
    SkippedMap,
    SlotSummaryMap,
    StatusIndex,
    WaitingEntryItem,
)
from chalicelib.adapters.dynamodb.models.catalogue import (
    BusinessItem,
    CatalogueItem,
    ListMemberItem,
    MessageTemplateItem,
    PipelineStatusItem,
    ScopeMap,
    ServiceItem,
    SlotItem,
    SlotsByStartIndex,
    WindowCountItem,
    WorkflowRuleMap,
    profile_at,
)
from chalicelib.adapters.dynamodb.models.outbox import (
    MessagesByStatusIndex,
    OutboxMessageItem,
    RecentMessagesIndex,
)

ALL_TABLE_MODELS: tuple[type[Model], ...] = (
    CatalogueItem,
    BookingsItem,
    OutboxMessageItem,
)

__all__ = [
    "ALL_TABLE_MODELS",
    "BookingItem",
    "BookingsItem",
    "BusinessItem",
    "CatalogueItem",
    "ContactMap",
    "CustomerItem",
    "DueRemindersIndex",
    "HistoryItem",
    "ListMemberItem",
    "MessageTemplateItem",
    "MessagesByStatusIndex",
    "OfferItem",
    "OpenOffersIndex",
    "OutboxMessageItem",
    "PipelineStatusItem",
    "QueueIndex",
    "RecentMessagesIndex",
    "RefillItem",
    "ScopeMap",
    "SeatReleaseItem",
    "ServiceItem",
    "SkippedMap",
    "SlotItem",
    "SlotSummaryMap",
    "SlotsByStartIndex",
    "StatusIndex",
    "WaitingEntryItem",
    "WindowCountItem",
    "WorkflowRuleMap",
    "profile_at",
]
