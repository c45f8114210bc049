"""Messages waiting to go out and what became of them, in memory."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import UTC, datetime

from chalicelib.domain.delivery import Claim, claim_is_live
from chalicelib.domain.messages import MessageStatus, OutboxMessage
from chalicelib.domain.refusals import AlreadyQueued, MessageSettled
from chalicelib.ports.outbox import MAX_ERROR_LENGTH, MessagePage
from tests.fakes.state import Check, InMemoryState, StagedWrites, is_new, refused


def when_queued(message: OutboxMessage) -> str:
    """What DynamoDB lists a business's messages by, newest first, and pages on."""
    return f"{message.created_at.astimezone(UTC).isoformat()}#{message.message_id}"


CLAIM_PATHS = ("claimed_by", "claimed_attempt", "claim_until")


def _released(message: OutboxMessage) -> OutboxMessage:
    return replace(message, claimed_by=None, claimed_attempt=None, claim_until=None)


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

    def claim(self, message: OutboxMessage, claim: Claim, now: datetime) -> None:
        self._writes.update(
            "messages",
            (message.business_id, message.message_id),
            lambda stored: replace(
                stored,
                claimed_by=claim.holder,
                claimed_attempt=claim.attempt,
                claim_until=claim.until,
            ),
            lambda stored: (
                _still_queued(message)(stored)
                and stored is not None
                and not claim_is_live(stored, now)
            ),
            refused(MessageSettled, "settled, tried again, or held by another attempt"),
            paths=("claimed_by", "claimed_attempt", "claim_until"),
        )

    def mark_sent(
        self, message: OutboxMessage, claim: Claim, *, at: datetime, provider_message_id: str
    ) -> None:
        self._writes.update(
            "messages",
            (message.business_id, message.message_id),
            lambda stored: _released(
                replace(
                    stored,
                    status=MessageStatus.SENT,
                    sent_at=at,
                    attempts=claim.attempt,
                    provider_message_id=provider_message_id,
                    next_attempt_at=None,
                )
            ),
            lambda stored: (
                stored is not None
                and stored.status is MessageStatus.QUEUED
                and stored.claimed_by == claim.holder
            ),
            refused(MessageSettled, "no longer held by this attempt"),
            paths=(
                "status",
                "sent_at",
                "attempts",
                "provider_message_id",
                "next_attempt_at",
                *CLAIM_PATHS,
            ),
        )

    def failed_attempt(self, message: OutboxMessage, error: str, next_attempt_at: datetime) -> None:
        self._writes.update(
            "messages",
            (message.business_id, message.message_id),
            lambda stored: _released(
                replace(
                    stored,
                    attempts=message.attempts + 1,
                    last_error=error[:MAX_ERROR_LENGTH],
                    next_attempt_at=next_attempt_at,
                )
            ),
            _still_queued(message),
            refused(MessageSettled, "the message was settled or tried meanwhile"),
            paths=("attempts", "last_error", "next_attempt_at", *CLAIM_PATHS),
        )

    def give_up(self, message: OutboxMessage, reason: str, fallback: OutboxMessage | None) -> None:
        why = reason[:MAX_ERROR_LENGTH]
        self._writes.update(
            "messages",
            (message.business_id, message.message_id),
            lambda stored: _released(
                replace(
                    stored,
                    status=MessageStatus.FAILED,
                    attempts=message.attempts + 1,
                    failure=why,
                    last_error=why,
                    next_attempt_at=None,
                    fallback_message_id=fallback.message_id if fallback else None,
                )
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
                *CLAIM_PATHS,
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
