"""Outbox messages."""

from __future__ import annotations

from datetime import UTC

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.models import (
    OutboxMessageItem,
)
from chalicelib.domain.messages import Channel, MessageStatus, MessageType, OutboxMessage


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
        claimed_by=item.claimed_by,
        claimed_attempt=int(item.claimed_attempt) if item.claimed_attempt is not None else None,
        claim_until=item.claim_until,
    )
