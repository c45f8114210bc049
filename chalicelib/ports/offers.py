"""A freed seat's refill: its decision record (one per cause) and the offers of its
rounds. The record is the once-only guard of the refill: each decision is conditioned on
the record as read (AlreadyDecided)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chalicelib.domain.model import Business, RefillDecision, Slot
from chalicelib.domain.offers import Offer
from chalicelib.domain.seats import FreedSeat, Hold


class RefillsRepository(Protocol):
    # --- reads ---------------------------------------------------------------------------
    def get_refill(self, business_id: str, slot_id: str, cause: str) -> RefillDecision | None: ...

    def refills(self, business_id: str, slot_id: str) -> list[RefillDecision]:
        """Every decision made for the slot, newest first (holds still undecided too)."""
        ...

    def get_hold(self, business_id: str, slot_id: str, cause: str) -> Hold | None:
        """The hold named by its cause, while it still awaits a decision."""
        ...

    def holds_of(self, business_id: str, limit: int) -> list[Hold]:
        """The business's holds still awaiting a decision, oldest first."""
        ...

    def overdue_holds(self, now: datetime, limit: int) -> list[Hold]:
        """Holds past their deadline still awaiting a decision, across businesses."""
        ...

    # --- staged writes -------------------------------------------------------------------
    def decide(
        self, freed: FreedSeat, decision: RefillDecision, prior: RefillDecision | None
    ) -> None:
        """Stage: the seat's record becomes `decision`. With `prior` None, only if nothing
        was decided for the cause yet (a hold still awaiting its decision counts as
        nothing); else only if the record is still `prior`'s open round. AlreadyDecided
        otherwise."""
        ...


class OffersRepository(Protocol):
    # --- reads ---------------------------------------------------------------------------
    def get_offer(self, business_id: str, slot_id: str, offer_id: str) -> Offer | None: ...

    def offer_to_answer(
        self, business_id: str, slot_id: str, offer_id: str
    ) -> tuple[Offer | None, RefillDecision | None, Business | None, Slot | None]:
        """An offer, the record of the seat it is for, the business and the slot: one
        read."""
        ...

    def offers_of_round(
        self, business_id: str, slot_id: str, cause: str, round_number: int
    ) -> list[Offer]: ...

    def overdue_offers(self, now: datetime, limit: int) -> list[Offer]:
        """Open offers past their deadline, across businesses, oldest first."""
        ...

    # --- staged writes -------------------------------------------------------------------
    def add(self, offer: Offer, *, day: str, max_per_day: int) -> None:
        """Stage: a new open offer, counted among its customer's offers of `day` (the
        business's date). Refused with DailyOfferLimit naming the entry when the customer
        already had `max_per_day` (0: no limit)."""
        ...

    def accept(self, offer: Offer, now: datetime) -> None:
        """Stage: the offer is accepted, only while open and before its deadline
        (AlreadyDecided)."""
        ...

    def close(self, offer: Offer) -> None:
        """Stage: `offer` carries its new status (expired, declined, taken); only while
        it is open (AlreadyDecided)."""
        ...
