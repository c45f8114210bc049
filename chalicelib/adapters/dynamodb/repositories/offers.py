"""Offers of a held seat, each counted among its customer's offers of the day."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from pynamodb.exceptions import DoesNotExist

from chalicelib.adapters.dynamodb import keys, mapping
from chalicelib.adapters.dynamodb.connection import SharedConnection, past_deadline
from chalicelib.adapters.dynamodb.keys import business_key, slot_partition
from chalicelib.adapters.dynamodb.models import (
    BookingsItem,
    BusinessItem,
    CatalogueItem,
    CustomerItem,
    OfferItem,
    RefillItem,
    SlotItem,
)
from chalicelib.adapters.dynamodb.repositories.items import is_new
from chalicelib.adapters.dynamodb.writes import PendingWrites
from chalicelib.domain.model import Business, RefillDecision, Slot, customer_key
from chalicelib.domain.offers import Offer, OfferStatus, cause_of
from chalicelib.domain.refusals import AlreadyDecided, DailyOfferLimit


class DynamoOffersRepository:
    def __init__(self, db: SharedConnection, writes: PendingWrites) -> None:
        self._db = db
        self._writes = writes

    # --- reads ---------------------------------------------------------------------------

    def get_offer(self, business_id: str, slot_id: str, offer_id: str) -> Offer | None:
        try:
            item = OfferItem.get(slot_partition(business_id, slot_id), keys.offer_key(offer_id))
        except DoesNotExist:
            return None
        return mapping.offer_from_item(item)

    def offer_to_answer(
        self, business_id: str, slot_id: str, offer_id: str
    ) -> tuple[Offer | None, RefillDecision | None, Business | None, Slot | None]:
        cause = cause_of(offer_id)
        if cause is None:
            return None, None, None, None
        partition = slot_partition(business_id, slot_id)
        catalogue = business_key(business_id)
        offer_key, refill_key = keys.offer_key(offer_id), keys.refill_key(cause)
        found = self._db.batch_get(
            [
                (BookingsItem, partition, offer_key),
                (BookingsItem, partition, refill_key),
                (CatalogueItem, catalogue, BusinessItem.SORT_KEY),
                (CatalogueItem, catalogue, keys.slot_key(slot_id)),
            ]
        )
        offer = found.get((partition, offer_key))
        refill = found.get((partition, refill_key))
        business = found.get((catalogue, BusinessItem.SORT_KEY))
        slot = found.get((catalogue, keys.slot_key(slot_id)))
        return (
            mapping.offer_from_item(offer) if isinstance(offer, OfferItem) else None,
            mapping.decision_from_item(refill) if isinstance(refill, RefillItem) else None,
            mapping.business_from_item(business) if isinstance(business, BusinessItem) else None,
            mapping.slot_from_item(slot) if isinstance(slot, SlotItem) else None,
        )

    def offers_of_round(
        self, business_id: str, slot_id: str, cause: str, round_number: int
    ) -> list[Offer]:
        items = BookingsItem.query(
            slot_partition(business_id, slot_id),
            BookingsItem.sk.startswith(keys.round_prefix(cause, round_number)),
            consistent_read=True,
        )
        return [mapping.offer_from_item(i) for i in items if isinstance(i, OfferItem)]

    def overdue_offers(self, now: datetime, limit: int) -> list[Offer]:
        items = past_deadline(keys.OPEN_OFFERS, now, limit)
        return [mapping.offer_from_item(i) for i in items if isinstance(i, OfferItem)]

    # --- staged writes -------------------------------------------------------------------

    def add(self, offer: Offer, *, day: str, max_per_day: int) -> None:
        limited = max_per_day > 0
        self._writes.update(
            CustomerItem(
                keys.customer_partition(offer.business_id, customer_key(offer.contact)),
                keys.daily_offers_key(day),
            ),
            [CustomerItem.offers.add(1), CustomerItem.business_id.set(offer.business_id)],
            CustomerItem.offers.does_not_exist() | (CustomerItem.offers < max_per_day)
            if limited
            else None,
            DailyOfferLimit([offer.entry_id]) if limited else None,
        )
        self._writes.put(
            mapping.offer_to_item(offer),
            is_new(),
            AlreadyDecided("this offer was made already"),
        )

    def accept(self, offer: Offer, now: datetime) -> None:
        accepted = replace(offer, status=OfferStatus.ACCEPTED)
        self._writes.put(
            mapping.offer_to_item(accepted),
            (OfferItem.status == OfferStatus.OPEN.value) & (OfferItem.expires_at > now),
            AlreadyDecided("the offer is no longer open"),
        )

    def close(self, offer: Offer) -> None:
        self._writes.put(
            mapping.offer_to_item(offer),
            OfferItem.status == OfferStatus.OPEN.value,
            AlreadyDecided("the offer is no longer open"),
        )
