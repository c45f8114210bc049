"""The outbox messages a cause owes under the business's workflow rules: one per cause,
recipient and channel, queued by the caller in the same write as the change itself."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.messages import (
    MessageType,
    OutboxMessage,
    fallback_for,
    message_id_for,
    message_language,
)
from chalicelib.domain.model import Business, Contact, SlotSummary
from chalicelib.domain.workflows import deliveries, effective_rules, template_key


def outbox_messages(
    business: Business,
    message_type: MessageType,
    slot: SlotSummary,
    *,
    contact: Contact | None,
    cause_id: str,
    context: dict[str, str],
    created_at: datetime,
    business_id: str | None = None,
) -> list[OutboxMessage]:
    """Every message the rules say a `message_type` cause about `slot` owes; the customer's
    in their language, the others in the business's; all held back until the business's
    active hours when written outside them. Reads nothing: the rules and the business's own
    texts come with the business."""
    send_from = business.sendable_from(created_at)
    messages = []
    for delivery in deliveries(
        effective_rules(business.workflows),
        message_type,
        slot,
        contact=contact,
        preference=business.message_channels,
        staff_address=business.address_for(slot.staff, slot.location),
    ):
        language = (
            message_language(contact, slot.language)
            if delivery.to_customer and contact
            else business.language
        )
        messages.append(
            OutboxMessage(
                business_id=business_id or business.business_id,
                message_id=message_id_for(message_type, delivery.cause_id(cause_id)),
                message_type=message_type,
                channel=delivery.channel,
                recipient=delivery.recipient,
                language=language,
                time_zone=slot.time_zone,
                context=context,
                created_at=created_at,
                send_after=send_from if send_from > created_at else None,
                template_version=business.custom_templates.get(
                    template_key(message_type, delivery.channel, language)
                )
                if delivery.use_custom_text
                else None,
                fallback_recipient=fallback_for(
                    contact, delivery.channel, business.message_channels
                )
                if delivery.to_customer and contact
                else None,
            )
        )
    return messages


def owes_messages(business: Business, message_type: MessageType, slot: SlotSummary) -> bool:
    """Whether any rule would send something to staff or a given address for such a cause:
    what work is worth doing to say it (a Query of the waiting list) before doing it."""
    return bool(
        deliveries(
            effective_rules(business.workflows),
            message_type,
            slot,
            contact=None,
            preference=business.message_channels,
            staff_address=business.address_for(slot.staff, slot.location),
        )
    )
