"""Every key format of the tables, in one place.

Every key starts with the business id (tenancy). A slot's bookings, waiting entries,
offers and refill records share the slot's partition, so a slot's list is one Query
away; a service's window entries share the service's. The sparse indexes take their
partitions from here too.
"""

from __future__ import annotations

import zlib
from datetime import UTC, datetime

from chalicelib.domain.messages import MessageStatus
from chalicelib.domain.model import BookingStatus, WaitingEntry

# --- partitions -----------------------------------------------------------------------------


def business_key(business_id: str) -> str:
    return f"BIZ#{business_id}"


def slot_partition(business_id: str, slot_id: str) -> str:
    return f"BIZ#{business_id}#SLOT#{slot_id}"


def service_partition(business_id: str, service_id: str) -> str:
    """Where a service's window entries live: one list, sorted by sign-up time like a
    slot's, through the same local index."""
    return f"BIZ#{business_id}#SERVICE#{service_id}"


def entry_partition(entry: WaitingEntry) -> str:
    """A slot's entries live with the slot; window entries on their service's list."""
    if entry.window is not None:
        return service_partition(entry.business_id, entry.window.service_id)
    return slot_partition(entry.business_id, entry.slot_id)


def history_partition(business_id: str, booking_id: str) -> str:
    """A booking's changes, in a partition of their own, wherever the booking moves."""
    return f"BIZ#{business_id}#BOOKING#{booking_id}"


def customer_partition(business_id: str, customer: str) -> str:
    """What the limits know of one customer (`customer_key`) of one business."""
    return f"BIZ#{business_id}#CUSTOMER#{customer}"


def message_keys(business_id: str, message_id: str) -> tuple[str, str]:
    """Each message is a partition of its own: a table's stream keeps the records of one
    partition key in one ordered line, so a business's messages keyed together would be
    sent one after another, however many arrive at once."""
    return f"{business_key(business_id)}#MSG#{message_id}", "MESSAGE"


# --- sort keys ----------------------------------------------------------------------------


def service_key(service_id: str) -> str:
    return f"SERVICE#{service_id}"


def slot_key(slot_id: str) -> str:
    return f"SLOT#{slot_id}"


def pipeline_status_key(status_id: str) -> str:
    return f"STATUS#{status_id}"


def member_key(on_list: str, customer: str) -> str:
    """A customer's open place on one list (`model.list_key`), beside the catalogue."""
    return f"MEMBER#{on_list}#{customer}"


def booking_key(booking_id: str) -> str:
    return f"BOOKING#{booking_id}"


def entry_key(entry_id: str) -> str:
    return f"ENTRY#{entry_id}"


def refill_key(cause: str) -> str:
    return f"REFILL#{cause}"


def offer_key(offer_id: str) -> str:
    return f"OFFER#{offer_id}"


def round_prefix(cause: str, round_number: int) -> str:
    """Offer keys sort by cause and round, so one round's offers are one Query away."""
    return offer_key(f"{cause}#r{round_number:04d}#")


def history_key(version: int) -> str:
    return f"HIST#{version:08d}"


CUSTOMER_LIMITS = "LIMITS"


def daily_offers_key(day: str) -> str:
    """A customer's count of offers on one day of the business's calendar."""
    return f"OFFERS#{day}"


# --- index keys ----------------------------------------------------------------------------

OPEN_OFFERS = "OPEN"
OPEN_WINDOWS = "WINDOWS"
OPEN_HOLDS = "HOLDS"
"""Partitions of the index of open deadlines, one per kind of thing still open."""


def slots_key(business_id: str) -> str:
    """The business's partition on the catalogue's index of slots by start; its sort key
    is the slot's cursor (`ports.catalogue.slot_cursor`: UTC start, then slot id)."""
    return f"SLOTS#{business_id}"


def status_key(business_id: str, status: BookingStatus) -> str:
    return f"BIZ#{business_id}#STATUS#{status.value}"


def holds_key(business_id: str) -> str:
    """The business's holds awaiting a decision, on the same index as its bookings by
    status."""
    return f"{business_key(business_id)}#HOLDS"


def message_status_key(business_id: str, status: MessageStatus) -> str:
    return f"{business_id}#{status.value}"


REMINDER_SHARDS = 4
"""The due-reminders index spreads its writes over this many partitions; the sweep reads
each of them."""


def reminder_partition(shard: int) -> str:
    return f"REMIND#{shard}"


def reminder_shard(booking_id: str) -> str:
    return reminder_partition(zlib.crc32(booking_id.encode()) % REMINDER_SHARDS)


def reminder_due_key(due: datetime, booking_id: str) -> str:
    return f"{due.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}#{booking_id}"


def due_by(now: datetime) -> str:
    """Every due key at or before `now` sorts at or below this."""
    return f"{now.astimezone(UTC):%Y-%m-%dT%H:%M:%SZ}#~"
