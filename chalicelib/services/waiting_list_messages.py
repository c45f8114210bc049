"""The messages a customer's joining or leaving a waiting list owes, queued with the change."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.messages import MessageType, OutboxMessage
from chalicelib.domain.model import Business, WaitingEntry
from chalicelib.services.booking_messages import slot_context
from chalicelib.services.links import Links
from chalicelib.services.message_rules import outbox_messages


def joined_messages(
    entry: WaitingEntry, position: int, links: Links, business: Business
) -> list[OutboxMessage]:
    """ "You are number N on the list", with the link to see one's place or leave."""
    token = links.token_for_entry(entry)
    return _about(
        entry,
        MessageType.WAITING_LIST_JOINED,
        business,
        {"manage_url": links.entry_url(token), "position": str(position)},
        entry.signed_up_at,
    )


def left_messages(entry: WaitingEntry, business: Business, now: datetime) -> list[OutboxMessage]:
    return _about(entry, MessageType.WAITING_LIST_LEFT, business, {}, now)


def _about(
    entry: WaitingEntry,
    message_type: MessageType,
    business: Business,
    extra: dict[str, str],
    created_at: datetime,
) -> list[OutboxMessage]:
    return outbox_messages(
        business,
        message_type,
        entry.slot,
        contact=entry.contact,
        # One of each per entry: a retried join or leave cannot queue it twice.
        cause_id=entry.entry_id,
        context={
            **slot_context(entry.contact.name, entry.slot),
            "entry_id": entry.entry_id,
            **extra,
        },
        created_at=created_at,
        business_id=entry.business_id,
    )
