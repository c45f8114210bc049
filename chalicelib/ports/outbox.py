"""Messages waiting to go out, and what became of them. A message's id is derived from
its cause, so the one cause cannot queue it twice."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from chalicelib.domain.delivery import Claim
from chalicelib.domain.messages import MessageStatus, OutboxMessage


@dataclass(frozen=True)
class MessagePage:
    messages: list[OutboxMessage]
    next: str | None
    """Where the next page starts (pass it as `before`); None: this was the last."""


class OutboxRepository(Protocol):
    # --- reads ---------------------------------------------------------------------------
    def get_message(self, business_id: str, message_id: str) -> OutboxMessage | None: ...

    def recent_messages(
        self, business_id: str, status: MessageStatus | None, limit: int, before: str | None = None
    ) -> MessagePage:
        """A business's messages, newest first, of one status or all."""
        ...

    # --- staged writes -------------------------------------------------------------------
    def add(self, messages: Sequence[OutboxMessage]) -> None:
        """Stage: queue messages. Refused (AlreadyQueued) if one of them is queued already."""
        ...

    def claim(self, message: OutboxMessage, claim: Claim, now: datetime) -> None:
        """Stage: attempt `claim.attempt` takes the message to hand it over, until
        `claim.until`. Refused (MessageSettled) unless the message is still queued with the
        attempts read and no other attempt's claim is live at `now`: a redelivered record,
        a stale copy of an earlier attempt or a concurrent duplicate cannot take it."""
        ...

    def mark_sent(
        self, message: OutboxMessage, claim: Claim, *, at: datetime, provider_message_id: str
    ) -> None:
        """Stage: the claimed attempt handed the message over (when, the provider's id, one
        more attempt). Refused (MessageSettled) unless it is still queued and held by
        `claim.holder`."""
        ...

    def failed_attempt(self, message: OutboxMessage, error: str, next_attempt_at: datetime) -> None:
        """Stage: one more failed hand-over and when to try again, the claim released;
        refused (MessageSettled) unless the message is still queued with the attempts read."""
        ...

    def give_up(self, message: OutboxMessage, reason: str, fallback: OutboxMessage | None) -> None:
        """Stage: the message failed for good with its reason, and `fallback` (the same on
        the customer's other channel) is queued; refused (MessageSettled) unless it is still
        queued with the attempts read."""
        ...


MAX_ERROR_LENGTH = 500
