"""Use cases of offers: ask waiting customers in turn (or several at once) to take a held
seat (`rounds`), and settle what happens when they accept, decline or let the offer run
out (`answers`)."""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib.domain.model import Booking, Business, RefillDecision
from chalicelib.domain.offers import Offer
from chalicelib.domain.refill import RefillOutcome
from chalicelib.domain.seats import FreedSeat
from chalicelib.ports.runtime import Clock, Scheduler
from chalicelib.ports.unit_of_work import UnitOfWorkFactory
from chalicelib.services.links import Links
from chalicelib.services.offers.answers import OfferAnswers
from chalicelib.services.offers.rounds import EXPIRE_OFFER, OfferRounds, schedule_name

__all__ = ["EXPIRE_OFFER", "Offers", "schedule_name"]


class Offers:
    """Rounds and answers behind one door, as the handlers and the refill use them."""

    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, links: Links, scheduler: Scheduler
    ) -> None:
        self.rounds = OfferRounds(uow, clock, links, scheduler)
        self.answers = OfferAnswers(uow, clock, links, scheduler, self.rounds)

    def next_round(
        self,
        freed: FreedSeat,
        business: Business,
        prior: RefillDecision | None,
        *,
        holders: frozenset[str] = frozenset(),
    ) -> RefillOutcome:
        return self.rounds.next_round(freed, business, prior, holders=holders)

    def offer_chosen(self, business_id: str, slot_id: str, entry_ids: Sequence[str]) -> list[Offer]:
        return self.rounds.offer_chosen(business_id, slot_id, entry_ids)

    def expire(self, business_id: str, slot_id: str, cause: str, round_number: int) -> bool:
        return self.rounds.expire(business_id, slot_id, cause, round_number)

    def expire_overdue(self) -> int:
        return self.rounds.expire_overdue()

    def view(self, token: str) -> Offer:
        return self.answers.view(token)

    def booking_made(self, offer: Offer) -> str:
        return self.answers.booking_made(offer)

    def accept(self, token: str) -> Booking:
        return self.answers.accept(token)

    def decline(self, token: str) -> Offer:
        return self.answers.decline(token)

    def tell_the_others(self, accepted: Offer) -> int:
        return self.answers.tell_the_others(accepted)
