"""Use case: deliver a queued message, once, and record that it went."""

from __future__ import annotations

from chalicelib.adapters.dynamodb.store import DynamoStore
from chalicelib.adapters.observability import logger
from chalicelib.domain.messages import MessageStatus, OutboxMessage
from chalicelib.services.ports import Clock, MessageDelivery, MessageRenderer


class Notifications:
    def __init__(
        self,
        store: DynamoStore,
        renderer: MessageRenderer,
        delivery: MessageDelivery,
        clock: Clock,
    ) -> None:
        self._store = store
        self._renderer = renderer
        self._delivery = delivery
        self._clock = clock

    def deliver(self, message: OutboxMessage) -> bool:
        """Send a queued message. Returns False when there was nothing to send."""
        if message.status is not MessageStatus.QUEUED:
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
