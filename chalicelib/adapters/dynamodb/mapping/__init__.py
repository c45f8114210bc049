"""Translation between pynamodb items and domain objects, one module per aggregate."""

from chalicelib.adapters.dynamodb.mapping.bookings import (
    booking_from_item,
    booking_to_item,
    change_from_item,
    created,
    history_item,
    summary_sort,
    upcoming_reminder,
)
from chalicelib.adapters.dynamodb.mapping.catalogue import (
    business_from_item,
    business_to_item,
    pipeline_status_from_item,
    pipeline_status_to_item,
    service_from_item,
    service_to_item,
    slot_from_item,
    slot_to_item,
)
from chalicelib.adapters.dynamodb.mapping.outbox import message_from_item, message_to_item
from chalicelib.adapters.dynamodb.mapping.refills import (
    HELD,
    OFFERING,
    decision_from_item,
    hold_from_item,
    hold_item,
    offer_from_item,
    offer_to_item,
    refill_item,
    seat_release_from_item,
    seat_release_to_item,
)
from chalicelib.adapters.dynamodb.mapping.shared import (
    contact_from_map,
    contact_to_map,
    summary_from_map,
    summary_to_map,
)
from chalicelib.adapters.dynamodb.mapping.waiting_list import (
    entry_from_item,
    entry_to_item,
    window_deadline,
)

__all__ = [
    "HELD",
    "OFFERING",
    "booking_from_item",
    "booking_to_item",
    "business_from_item",
    "business_to_item",
    "change_from_item",
    "contact_from_map",
    "contact_to_map",
    "created",
    "decision_from_item",
    "entry_from_item",
    "entry_to_item",
    "history_item",
    "hold_from_item",
    "hold_item",
    "message_from_item",
    "message_to_item",
    "offer_from_item",
    "offer_to_item",
    "pipeline_status_from_item",
    "pipeline_status_to_item",
    "refill_item",
    "seat_release_from_item",
    "seat_release_to_item",
    "service_from_item",
    "service_to_item",
    "slot_from_item",
    "slot_to_item",
    "summary_from_map",
    "summary_sort",
    "summary_to_map",
    "upcoming_reminder",
    "window_deadline",
]
