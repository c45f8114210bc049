"""Use case: deliver a queued message, once, and record that it went — or, when its
channel fails, try again later, then on the customer's other channel, then record why it
could not go."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from uuid import uuid4

from chalicelib.adapters.observability import logger
from chalicelib.domain.delivery import Claim, GiveUp, after_failure, claim_is_live
from chalicelib.domain.languages import LANGUAGES, served_language
from chalicelib.domain.messages import MessageStatus, OutboxMessage
from chalicelib.domain.refusals import AlreadyQueued, MessageSettled, RetryableConflict
from chalicelib.ports.outbox import MessagePage
from chalicelib.ports.runtime import (
    Clock,
    DeliveryFailed,
    MessageDelivery,
    MessageRenderer,
    Scheduler,
)
from chalicelib.ports.unit_of_work import UnitOfWorkFactory
from chalicelib.services.ids import id_for_cause

SEND_MESSAGE = "send_message"
STAFF_LISTING_LIMIT = 100


class Notifications:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        renderer: MessageRenderer,
        delivery: MessageDelivery,
        clock: Clock,
        scheduler: Scheduler,
    ) -> None:
        self._uow = uow
        self._renderer = renderer
        self._delivery = delivery
        self._clock = clock
        self._scheduler = scheduler

    def deliver(self, message: OutboxMessage, *, again: bool = True) -> bool:
        """Send a queued message, or schedule it for when the business's active hours
        begin or its next attempt is due. Returns False when nothing was sent now.

        Three calls a message: the claim (the message's own conditional write, which only
        this attempt can make), the hand-over, and marking it sent. A redelivered record,
        a stale copy of an earlier attempt or a concurrent duplicate finds the message
        claimed, tried again or sent, and sends nothing."""
        if message.status is not MessageStatus.QUEUED:
            return False
        now = self._clock.now()
        wait_until = _later(message.send_after, message.next_attempt_at)
        if wait_until is not None and now < wait_until:
            self._send_at(message, wait_until)
            return False
        if message.language not in LANGUAGES:
            message = self._in_a_written_language(message)
        rendered = self._renderer.render(message)
        claim = Claim.of(message, uuid4().hex, now)
        with self._uow() as uow:
            uow.outbox.claim(message, claim, now)
            try:
                uow.commit()
            except MessageSettled:
                return self._not_claimed(message, now, again=again)
        try:
            provider_message_id = self._delivery.deliver(message, rendered)
        except DeliveryFailed as error:
            self._failed(message, error, now)
            return False
        with self._uow() as uow:
            uow.outbox.mark_sent(
                message, claim, at=self._clock.now(), provider_message_id=provider_message_id
            )
            try:
                uow.commit()
            except MessageSettled:
                # Only when this attempt outlived its claim's lease and another took it.
                logger.warning(
                    "message sent after its claim lapsed",
                    extra={"message_id": message.message_id, "attempt": claim.attempt},
                )
        logger.info(
            "message sent",
            extra={
                "message_id": message.message_id,
                "message_type": message.message_type.value,
                "channel": message.channel.value,
                "attempt": claim.attempt,
            },
        )
        return True

    def _not_claimed(self, read: OutboxMessage, now: datetime, *, again: bool) -> bool:
        """The claim was refused: the message as it is now says why. Sent, failed, or tried
        again since this copy was read: nothing to do (a retry has its own schedule).
        Held by another attempt: look again when its lease passes, so a claim whose sender
        died never keeps the message from going out."""
        with self._uow() as uow:
            current = uow.outbox.get_message(read.business_id, read.message_id)
        if current is None or current.status is not MessageStatus.QUEUED:
            return False
        if current.attempts != read.attempts:
            return False
        if claim_is_live(current, now):
            assert current.claim_until is not None
            # On the whole second after the lease: schedules fire to the second.
            lapses = current.claim_until.replace(microsecond=0) + timedelta(seconds=1)
            self._send_at(current, lapses, why="claimed")
            return False
        # The other claim lapsed just now: this attempt may take it, once.
        return again and self.deliver(current, again=False)

    def _in_a_written_language(self, message: OutboxMessage) -> OutboxMessage:
        """A message queued in a language Standby does not write (stored before languages
        were checked) goes out in the closest one, else the business's, else English."""
        with self._uow() as uow:
            business = uow.catalogue.get_business(message.business_id)
        language = served_language(message.language, business.language if business else None)
        return replace(message, language=language)

    def deliver_held(self, business_id: str, message_id: str) -> bool:
        """Send a message held for active hours, or due for another attempt, now that its
        schedule fired; one already sent is left alone."""
        with self._uow() as uow:
            message = uow.outbox.get_message(business_id, message_id)
        return message is not None and self.deliver(message)

    def recent(
        self,
        business_id: str,
        status: MessageStatus | None,
        *,
        limit: int = STAFF_LISTING_LIMIT,
        before: str | None = None,
    ) -> MessagePage:
        """A page of the business's messages, newest first: queued, sent, or failed and why."""
        with self._uow() as uow:
            return uow.outbox.recent_messages(business_id, status, limit, before)

    def _send_at(self, message: OutboxMessage, when: datetime, why: str = "") -> None:
        # One schedule per attempt: each name is used once, so a redelivered record
        # cannot schedule an attempt twice. A look at a claimed message is named by the
        # claim's lease, one per lease.
        name = f"message-{id_for_cause(message.message_id)}"
        if message.attempts:
            name += f"-retry{message.attempts}"
        if why:
            name += f"-{why}{int(when.timestamp())}"
        self._scheduler.at(
            name,
            when,
            {
                "task": SEND_MESSAGE,
                "business_id": message.business_id,
                "message_id": message.message_id,
            },
        )
        logger.info(
            "message held",
            extra={"message_id": message.message_id, "until": when.isoformat()},
        )

    def _failed(self, message: OutboxMessage, error: DeliveryFailed, now: datetime) -> None:
        """Nothing is lost: the attempt is recorded and another scheduled, or the channel
        is given up — for the customer's other channel when they gave one."""
        fields = {
            "message_id": message.message_id,
            "channel": message.channel.value,
            "attempt": message.attempts + 1,
            "error": str(error.failure),
        }
        decision = after_failure(message, error.failure, now)
        if isinstance(decision, GiveUp):
            if self._settled(message, decision.reason, decision.fallback):
                logger.warning(
                    "message failed",
                    extra={
                        **fields,
                        "fallback_message_id": decision.fallback.message_id
                        if decision.fallback
                        else None,
                    },
                )
            return
        # A retry waits for the business's active hours like the first attempt did; only
        # failures pay for reading them.
        with self._uow() as uow:
            business = uow.catalogue.get_business(message.business_id)
            at = business.sendable_from(decision.at) if business else decision.at
            uow.outbox.failed_attempt(message, str(error.failure), at)
            try:
                uow.commit()
            except MessageSettled:
                return  # another attempt was recorded first, or the message went out
        logger.warning("message will be tried again", extra=fields)
        self._send_at(_with_attempt(message, at), at)

    def _settled(self, message: OutboxMessage, reason: str, fallback: OutboxMessage | None) -> bool:
        """The message failed for good, and its fallback is queued in the same write; False
        when someone else settled it first."""
        with self._uow() as uow:
            uow.outbox.give_up(message, reason, fallback)
            try:
                uow.commit()
            except (MessageSettled, AlreadyQueued, RetryableConflict):
                return False
        return True


def _later(first: datetime | None, second: datetime | None) -> datetime | None:
    moments = [moment for moment in (first, second) if moment is not None]
    return max(moments) if moments else None


def _with_attempt(message: OutboxMessage, next_attempt_at: datetime) -> OutboxMessage:
    return replace(message, attempts=message.attempts + 1, next_attempt_at=next_attempt_at)
