"""When a message that could not be handed over is tried again, and when its channel is
given up for the customer's other one."""

from __future__ import annotations

import zlib
from dataclasses import dataclass, replace
from datetime import datetime, timedelta

from chalicelib.domain.messages import Channel, MessageStatus, OutboxMessage

MAX_ATTEMPTS = 5
"""Tries of one channel before it is given up (about three quarters of an hour in all)."""
FIRST_RETRY_SECONDS = 30
MAX_RETRY_SECONDS = 30 * 60

PERMANENT_ERRORS = frozenset(
    {
        # SES: the address is malformed, on the suppression list, or refused.
        "MessageRejected",
        "InvalidParameterValue",
        # SNS: not a number it can text, or one that opted out.
        "InvalidParameter",
        "OptedOut",
        "EndpointDisabled",
    }
)
"""Provider error codes that trying again cannot fix; anything else (throttling, an
outage, a timeout) is tried again."""


@dataclass(frozen=True)
class DeliveryFailure:
    """Why a channel refused or failed to take a message."""

    code: str
    detail: str

    @property
    def permanent(self) -> bool:
        return self.code in PERMANENT_ERRORS

    def __str__(self) -> str:
        return f"{self.code}: {self.detail}" if self.detail else self.code


def retry_delay(message_id: str, attempts: int) -> timedelta:
    """Exponential backoff (30 s, 2 min, 8 min, 30 min) with up to a fifth more, spread by
    the message id so a burst of throttled messages does not come back all at once."""
    base = min(FIRST_RETRY_SECONDS * 4 ** (attempts - 1), MAX_RETRY_SECONDS)
    spread = zlib.crc32(f"{message_id}#{attempts}".encode()) % 1000 / 5000
    return timedelta(seconds=base * (1 + spread))


CLAIM_LEASE = timedelta(minutes=3)
"""How long an attempt holds a message while it hands it over. Longer than any function
that sends may run (the outbox function's and the scheduled task's timeouts; a test holds
it so): once it has passed, the attempt that claimed it is surely dead, and a later one may
claim the message again rather than leave it queued for ever."""


@dataclass(frozen=True)
class Claim:
    """One attempt's hold on a message while it hands it over: the message's write that
    takes it (only if still queued with the attempts read and not held by a live claim)
    is what lets this attempt, and no stale or concurrent copy, send it."""

    holder: str
    """Unique to this attempt: only its holder marks the message sent."""
    attempt: int
    """The message's attempts + 1."""
    until: datetime

    @classmethod
    def of(cls, message: OutboxMessage, holder: str, now: datetime) -> Claim:
        return cls(holder, message.attempts + 1, now + CLAIM_LEASE)


def claim_is_live(message: OutboxMessage, now: datetime) -> bool:
    """Another attempt holds the message and its lease has not passed."""
    return message.claim_until is not None and now < message.claim_until


@dataclass(frozen=True)
class Retry:
    at: datetime


@dataclass(frozen=True)
class GiveUp:
    reason: str
    fallback: OutboxMessage | None
    """The same message on the customer's other channel, when they gave one."""


def after_failure(
    message: OutboxMessage, failure: DeliveryFailure, now: datetime
) -> Retry | GiveUp:
    """What to do once `message` failed its attempt number `message.attempts + 1`."""
    attempts = message.attempts + 1
    if not failure.permanent and attempts < MAX_ATTEMPTS:
        # On a whole second: schedules fire to the second, never before the attempt is due.
        at = now + retry_delay(message.message_id, attempts)
        return Retry(at.replace(microsecond=0) + timedelta(seconds=1))
    reason = str(failure) if failure.permanent else f"gave up after {attempts} attempts: {failure}"
    return GiveUp(reason, fallback_of(message, now))


def fallback_of(message: OutboxMessage, now: datetime) -> OutboxMessage | None:
    """A new message, keyed by the first one (so it is queued at most once), on the other
    channel; None when the customer gave no other way to reach them."""
    if not message.fallback_recipient:
        return None
    other = Channel.SMS if message.channel is Channel.EMAIL else Channel.EMAIL
    return replace(
        message,
        message_id=fallback_message_id(message.message_id, other),
        channel=other,
        recipient=message.fallback_recipient,
        created_at=now,
        status=MessageStatus.QUEUED,
        sent_at=None,
        provider_message_id=None,
        failure=None,
        send_after=None,
        attempts=0,
        last_error=None,
        next_attempt_at=None,
        fallback_recipient=None,
        fallback_message_id=None,
        claimed_by=None,
        claimed_attempt=None,
        claim_until=None,
    )


def fallback_message_id(message_id: str, channel: Channel) -> str:
    return f"{message_id}.instead.{channel.value}"
