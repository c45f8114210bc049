"""Messages waiting to go out, and what became of them, in the outbox table."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action

from chalicelib.adapters.dynamodb import keys, mapping
from chalicelib.adapters.dynamodb.models import OutboxMessageItem
from chalicelib.adapters.dynamodb.writes import PendingWrites
from chalicelib.domain.delivery import Claim
from chalicelib.domain.messages import MessageStatus, OutboxMessage
from chalicelib.domain.refusals import AlreadyQueued, MessageSettled
from chalicelib.ports.outbox import MAX_ERROR_LENGTH, MessagePage


class DynamoOutboxRepository:
    def __init__(self, writes: PendingWrites) -> None:
        self._writes = writes

    # --- reads ---------------------------------------------------------------------------

    def get_message(self, business_id: str, message_id: str) -> OutboxMessage | None:
        try:
            item = OutboxMessageItem.get(*keys.message_keys(business_id, message_id))
        except DoesNotExist:
            return None
        return mapping.message_from_item(item)

    def recent_messages(
        self, business_id: str, status: MessageStatus | None, limit: int, before: str | None = None
    ) -> MessagePage:
        """One Query, from the cursor `before` of an earlier page."""
        older = OutboxMessageItem.when_queued < before if before else None
        if status is None:
            items = OutboxMessageItem.recent.query(
                business_id, older, scan_index_forward=False, limit=limit
            )
        else:
            items = OutboxMessageItem.by_status.query(
                keys.message_status_key(business_id, status),
                older,
                scan_index_forward=False,
                limit=limit,
            )
        found = list(items)
        more = items.last_evaluated_key is not None and len(found) == limit
        return MessagePage(
            [mapping.message_from_item(item) for item in found],
            str(found[-1].when_queued) if more else None,
        )

    # --- staged writes -------------------------------------------------------------------

    def add(self, messages: Sequence[OutboxMessage]) -> None:
        for message in messages:
            self._writes.put(
                mapping.message_to_item(message),
                OutboxMessageItem.pk.does_not_exist(),
                AlreadyQueued(f"message {message.message_id} is queued already"),
            )

    def claim(self, message: OutboxMessage, claim: Claim, now: datetime) -> None:
        lease = OutboxMessageItem.claim_until
        self._writes.update(
            _message_keys(message),
            [
                OutboxMessageItem.claimed_by.set(claim.holder),
                OutboxMessageItem.claimed_attempt.set(claim.attempt),
                lease.set(claim.until),
            ],
            _still_queued(message) & (lease.does_not_exist() | (lease <= now)),
            MessageSettled("the message went out, was tried again, or another attempt holds it"),
        )

    def mark_sent(
        self, message: OutboxMessage, claim: Claim, *, at: datetime, provider_message_id: str
    ) -> None:
        self._writes.update(
            _message_keys(message),
            [
                OutboxMessageItem.status.set(MessageStatus.SENT.value),
                OutboxMessageItem.status_key.set(
                    keys.message_status_key(message.business_id, MessageStatus.SENT)
                ),
                OutboxMessageItem.sent_at.set(at),
                OutboxMessageItem.attempts.set(claim.attempt),
                OutboxMessageItem.provider_message_id.set(provider_message_id),
                OutboxMessageItem.next_attempt_at.remove(),
                *_released(),
            ],
            (OutboxMessageItem.status == MessageStatus.QUEUED.value)
            & (OutboxMessageItem.claimed_by == claim.holder),
            MessageSettled("the message is no longer held by this attempt"),
        )

    def failed_attempt(self, message: OutboxMessage, error: str, next_attempt_at: datetime) -> None:
        self._writes.update(
            _message_keys(message),
            [
                OutboxMessageItem.attempts.set(message.attempts + 1),
                OutboxMessageItem.last_error.set(error[:MAX_ERROR_LENGTH]),
                OutboxMessageItem.next_attempt_at.set(next_attempt_at),
                *_released(),
            ],
            _still_queued(message),
            MessageSettled("the message went out, failed or was tried again meanwhile"),
        )

    def give_up(self, message: OutboxMessage, reason: str, fallback: OutboxMessage | None) -> None:
        actions: list[Action] = [
            OutboxMessageItem.status.set(MessageStatus.FAILED.value),
            OutboxMessageItem.status_key.set(
                keys.message_status_key(message.business_id, MessageStatus.FAILED)
            ),
            OutboxMessageItem.attempts.set(message.attempts + 1),
            OutboxMessageItem.failure.set(reason[:MAX_ERROR_LENGTH]),
            OutboxMessageItem.last_error.set(reason[:MAX_ERROR_LENGTH]),
            OutboxMessageItem.next_attempt_at.remove(),
            *_released(),
        ]
        if fallback is not None:
            actions.append(OutboxMessageItem.fallback_message_id.set(fallback.message_id))
        self._writes.update(
            _message_keys(message),
            actions,
            _still_queued(message),
            MessageSettled("the message went out, failed or was tried again meanwhile"),
        )
        if fallback is not None:
            # Queued only by giving the message up: if it is there, this was done already.
            self._writes.put(
                mapping.message_to_item(fallback),
                OutboxMessageItem.pk.does_not_exist(),
                MessageSettled("the message was given up already"),
            )


def _message_keys(message: OutboxMessage) -> OutboxMessageItem:
    return OutboxMessageItem(*keys.message_keys(message.business_id, message.message_id))


def _released() -> list[Action]:
    """The claim taken off: the attempt is recorded, so the next one may claim."""
    return [
        OutboxMessageItem.claimed_by.remove(),
        OutboxMessageItem.claimed_attempt.remove(),
        OutboxMessageItem.claim_until.remove(),
    ]


def _still_queued(message: OutboxMessage) -> Condition:
    """Still waiting to go out, with as many attempts as were read."""
    attempts = OutboxMessageItem.attempts
    read = (
        attempts.does_not_exist() | (attempts == 0)
        if message.attempts == 0
        else attempts == message.attempts
    )
    condition: Condition = (OutboxMessageItem.status == MessageStatus.QUEUED.value) & read
    return condition
