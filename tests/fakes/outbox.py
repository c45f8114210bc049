"""Messages waiting to go out and what became of them, in memory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from chalicelib.domain.messages import MessageStatus, OutboxMessage
from chalicelib.domain.refusals import AlreadyQueued, MessageSettled
from chalicelib.ports.outbox import MAX_ERROR_LENGTH, MessagePage
from tests.fakes.state import Check, InMemoryState, StagedWrites, exists, is_new, refused


def when_queued(message: OutboxMessage) -> str:
    """What DynamoDB lists a business's messages by, newest first, and pages on."""
    return f"{message.created_at.astimezone(UTC).isoformat()}#{message.message_id}"


def _still_queued(message: OutboxMessage) -> Check:
    """Still waiting to go out, with as many attempts as were read."""
    return lambda stored: (
        stored is not None
        and stored.status is MessageStatus.QUEUED
        and stored.attempts == message.attempts
    )


class InMemoryOutbox:
    def __init__(self, state: InMemoryState, writes: StagedWrites) -> None:
        self._state = state
        self._writes = writes

    # --- reads ---------------------------------------------------------------------------
    def get_message(self, business_id: str, message_id: str) -> OutboxMessage | None:
        return self._state.messages.get((business_id, message_id))

    def recent_messages(
        self, business_id: str, status: MessageStatus | None, limit: int, before: str | None = None
    ) -> MessagePage:
        found = [
            message
            for (owner, _), message in self._state.messages.items()
            if owner == business_id
            and (status is None or message.status is status)
            and (before is None or when_queued(message) < before)
        ]
        newest_first = sorted(found, key=when_queued, reverse=True)
        page = newest_first[:limit]
        more = len(newest_first) > limit
        return MessagePage(page, when_queued(page[-1]) if more and page else None)

    # --- staged writes -------------------------------------------------------------------
    def add(self, messages: Sequence[OutboxMessage]) -> None:
        for message in messages:
            self._writes.put(
                "messages",
                (message.business_id, message.message_id),
                message,
                is_new,
                refused(AlreadyQueued, f"message {message.message_id!r} is queued already"),
            )

    def mark(
        self,
        message: OutboxMessage,
        status: MessageStatus,
        *,
        at: datetime,
        provider_message_id: str | None = None,
        failure: str | None = None,
    ) -> None:
        def marked(stored: OutboxMessage) -> OutboxMessage:
            changed = replace(stored, status=status)
            if status is MessageStatus.SENT:
                changed = replace(
                    changed, sent_at=at, attempts=message.attempts + 1, next_attempt_at=None
                )
            if provider_message_id:
                changed = replace(changed, provider_message_id=provider_message_id)
            if failure:
                changed = replace(changed, failure=failure)
            return changed

        self._writes.update(
            "messages",
            (message.business_id, message.message_id),
            marked,
            exists,
            refused(MessageSettled, "no such message"),
            paths=(
                "status",
                "sent_at",
                "attempts",
                "next_attempt_at",
                "provider_message_id",
                "failure",
            ),
        )

    def failed_attempt(self, message: OutboxMessage, error: str, next_attempt_at: datetime) -> None:
        self._writes.update(
            "messages",
            (message.business_id, message.message_id),
            lambda stored: replace(
                stored,
                attempts=message.attempts + 1,
                last_error=error[:MAX_ERROR_LENGTH],
                next_attempt_at=next_attempt_at,
            ),
            _still_queued(message),
            refused(MessageSettled, "the message was settled or tried meanwhile"),
            paths=("attempts", "last_error", "next_attempt_at"),
        )

    def give_up(self, message: OutboxMessage, reason: str, fallback: OutboxMessage | None) -> None:
        why = reason[:MAX_ERROR_LENGTH]
        self._writes.update(
            "messages",
            (message.business_id, message.message_id),
            lambda stored: replace(
                stored,
                status=MessageStatus.FAILED,
                attempts=message.attempts + 1,
                failure=why,
                last_error=why,
                next_attempt_at=None,
                fallback_message_id=fallback.message_id if fallback else None,
            ),
            _still_queued(message),
            refused(MessageSettled, "the message was settled or tried meanwhile"),
            paths=(
                "status",
                "attempts",
                "failure",
                "last_error",
                "next_attempt_at",
                "fallback_message_id",
            ),
        )
        if fallback is not None:
            # Already queued means another hand settled this message first: MessageSettled,
            # as the port says (not AlreadyQueued, which would outrank it).
            self._writes.put(
                "messages",
                (fallback.business_id, fallback.message_id),
                fallback,
                is_new,
                refused(MessageSettled, "the message was given up meanwhile"),
            )
