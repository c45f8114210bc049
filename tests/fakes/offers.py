"""Offers of held seats, with each customer's count of offers per day, in memory."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

from chalicelib.domain.model import Business, RefillDecision, Slot, customer_key
from chalicelib.domain.offers import Offer, OfferStatus, cause_of
from chalicelib.domain.refusals import AlreadyDecided, DailyOfferLimit
from tests.fakes.refills import as_decision
from tests.fakes.state import InMemoryState, StagedWrites, count_by, is_new, refused


def _is_open(offer: Offer | None) -> bool:
    return offer is not None and offer.status is OfferStatus.OPEN


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class InMemoryOffers:
    def __init__(self, state: InMemoryState, writes: StagedWrites) -> None:
        self._state = state
        self._writes = writes

    # --- reads ---------------------------------------------------------------------------
    def get_offer(self, business_id: str, slot_id: str, offer_id: str) -> Offer | None:
        return self._state.offers.get((business_id, slot_id, offer_id))

    def offer_to_answer(
        self, business_id: str, slot_id: str, offer_id: str
    ) -> tuple[Offer | None, RefillDecision | None, Business | None, Slot | None]:
        cause = cause_of(offer_id)
        if cause is None:
            return None, None, None, None
        record = self._state.refills.get((business_id, slot_id, cause))
        return (
            self.get_offer(business_id, slot_id, offer_id),
            None if record is None else as_decision(record),
            # As the DynamoDB read: the profile alone, without the count of open windows.
            self._state.business(business_id, with_windows=False),
            self._state.slots.get((business_id, slot_id)),
        )

    def offers_of_round(
        self, business_id: str, slot_id: str, cause: str, round_number: int
    ) -> list[Offer]:
        return [
            offer
            for (owner, slot, _), offer in sorted(self._state.offers.items())
            if (owner, slot) == (business_id, slot_id)
            and offer.cause == cause
            and offer.round == round_number
        ]

    def overdue_offers(self, now: datetime, limit: int) -> list[Offer]:
        # As DynamoDB's index of open deadlines compares them: as strings, strictly before.
        deadlines = [
            (f"{_utc(offer.expires_at)}#{offer.offer_id}", offer)
            for offer in self._state.offers.values()
            if _is_open(offer)
        ]
        overdue = sorted((d for d in deadlines if d[0] < _utc(now)), key=lambda d: d[0])
        return [offer for _, offer in overdue][:limit]

    # --- staged writes -------------------------------------------------------------------
    def add(self, offer: Offer, *, day: str, max_per_day: int) -> None:
        def under_limit(count: int | None) -> bool:
            return count is None or count < max_per_day

        limited = max_per_day > 0
        self._writes.update(
            "daily_offers",
            (offer.business_id, customer_key(offer.contact), day),
            count_by(1),
            under_limit if limited else None,
            DailyOfferLimit([offer.entry_id]) if limited else None,
            paths=("offers", "business_id"),
        )
        self._writes.put(
            "offers",
            (offer.business_id, offer.slot_id, offer.offer_id),
            offer,
            is_new,
            refused(AlreadyDecided, "this offer was made already"),
        )

    def accept(self, offer: Offer, now: datetime) -> None:
        self._writes.put(
            "offers",
            (offer.business_id, offer.slot_id, offer.offer_id),
            replace(offer, status=OfferStatus.ACCEPTED),
            lambda stored: _is_open(stored) and now < stored.expires_at,
            refused(AlreadyDecided, "the offer is no longer open"),
        )

    def close(self, offer: Offer) -> None:
        self._writes.put(
            "offers",
            (offer.business_id, offer.slot_id, offer.offer_id),
            offer,
            _is_open,
            refused(AlreadyDecided, "the offer is no longer open"),
        )
