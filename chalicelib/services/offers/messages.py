"""What customers are told about offers: one is made; it ran out or went to someone else."""

from __future__ import annotations

from datetime import datetime

from chalicelib.domain.messages import MessageType, OutboxMessage
from chalicelib.domain.model import Business
from chalicelib.domain.offers import Offer, OfferStatus
from chalicelib.services.booking_messages import messages_to, slot_context
from chalicelib.services.links import Links


def offer_made(offer: Offer, business: Business, links: Links) -> list[OutboxMessage]:
    token = links.offer_token(offer.business_id, offer.slot_id, offer.offer_id)
    context = {
        **slot_context(offer.contact.name, offer.slot),
        **links.offer_urls(token),
        "expires_at": offer.expires_at.isoformat(),
    }
    return messages_to(
        offer.business_id,
        offer.contact,
        offer.slot,
        MessageType.OFFER_MADE,
        cause_id=offer.offer_id,
        context=context,
        business=business,
        created_at=offer.offered_at,
    )


def offer_closed(
    offer: Offer, business: Business, why: OfferStatus, now: datetime
) -> list[OutboxMessage]:
    """The customer's offer expired, or someone else took the seat."""
    message_type = (
        MessageType.OFFER_EXPIRED if why is OfferStatus.EXPIRED else MessageType.OFFER_TAKEN
    )
    return messages_to(
        offer.business_id,
        offer.contact,
        offer.slot,
        message_type,
        cause_id=offer.offer_id,
        context=slot_context(offer.contact.name, offer.slot),
        business=business,
        created_at=now,
    )
