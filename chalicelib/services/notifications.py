"""Use case: deliver a queued message, once, and record that it went."""

from __future__ import annotations

from chalicelib.adapters.dynamodb.store import DynamoStore
from chalicelib.adapters.observability import logger
from chalicelib.domain.messages import MessageStatus, OutboxMessage
from chalicelib.services.ids import id_for_cause
from chalicelib.services.ports import Clock, MessageDelivery, MessageRenderer, Scheduler

SEND_MESSAGE = "send_message"


class Notifications:
    def __init__(
        self,
        store: DynamoStore,
        renderer: MessageRenderer,
        delivery: MessageDelivery,
        clock: Clock,
        scheduler: Scheduler,
    ) -> None:
        self._store = store
        self._renderer = renderer
        self._delivery = delivery
        self._clock = clock
        self._scheduler = scheduler

    def deliver(self, message: OutboxMessage) -> bool:
        """Send a queued message, or schedule it for when the business's active hours
        begin. Returns False when nothing was sent now."""
        if message.status is not MessageStatus.QUEUED:
            return False
        if message.send_after is not None and self._clock.now() < message.send_after:
            self._scheduler.at(
                f"message-{id_for_cause(message.message_id)}",
                message.send_after,
                {
                    "task": SEND_MESSAGE,
                    "business_id": message.business_id,
                    "message_id": message.message_id,
                },
            )
            logger.info("message held for active hours", extra={"message_id": message.message_id})
            return False
        rendered = self._renderer.render(message)
        provider_message_id = self._delivery.deliver(message, rendered)
        self._store.mark_message(
            message,
            MessageStatus.SENT,
            at=self._clock.now(),
            provider_message_id=provider_message_id,
        )
        logger.info(
            "message sent",
            extra={
                "message_id": message.message_id,
                "message_type": message.message_type.value,
                "channel": message.channel.value,
            },
        )
        return True

    def deliver_held(self, business_id: str, message_id: str) -> bool:
        """Send a message held for active hours, now that they have begun (its schedule
        fired); one already sent is left alone."""
        message = self._store.get_message(business_id, message_id)
        return message is not None and self.deliver(message)
