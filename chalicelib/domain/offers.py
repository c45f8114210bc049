"""Offers: a held seat offered to waiting customers who must accept it in time.

One at a time: one customer per round; when the offer expires or is declined the next
round asks the next customer. Offer to many: one round asks several at once; the first
to accept gets the seat, and with no taker by the deadline the seat goes back on sale.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from chalicelib.domain.model import (
    Business,
    Contact,
    EarlierThan,
    SlotSummary,
    WaitingEntry,
    WaitingListMode,
)

MAX_OFFERS_AT_ONCE = 15
"""An offer to everyone asks at most this many customers a round: each offer writes its
own items (offer, entry, messages, the customer's daily count) in one transaction, which
holds 100."""


class OfferStatus(StrEnum):
    OPEN = "open"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    TAKEN = "taken"
    """Someone else accepted first."""


REFUSALS = {
    OfferStatus.ACCEPTED: "this offer has already been accepted",
    OfferStatus.DECLINED: "this offer was declined",
    OfferStatus.EXPIRED: "this offer has expired: its time to answer is over and the seat "
    "has gone to the next customer on the list, or back on sale",
    OfferStatus.TAKEN: "sorry, another customer accepted this seat first",
}


@dataclass(frozen=True)
class Offer:
    business_id: str
    slot_id: str
    cause: str
    round: int
    entry_id: str
    contact: Contact
    slot: SlotSummary
    status: OfferStatus
    offered_at: datetime
    expires_at: datetime
    signed_up_at: datetime
    """When the customer joined the list: their place there is kept while they decide."""
    window_service_id: str | None = None
    """Set when the offer went to a window entry, which lives on its service's list."""
    earlier_than: EarlierThan | None = None
    """Set when the offer answers an earlier-slot request: accepting moves that booking."""
    chain_step: int = 0
    """Earlier-slot moves in a row that freed this seat (see FreedSeat.chain_step)."""
    list_key: str | None = None
    """The list the offered place is on (`model.list_key`): accepting closes it."""

    @property
    def offer_id(self) -> str:
        return offer_id(self.cause, self.round, self.entry_id)


def offer_id(cause: str, round_number: int, entry_id: str) -> str:
    return f"{cause}#r{round_number:04d}#{entry_id}"


def cause_of(offer_id: str) -> str | None:
    """The cause of the seat an offer is for, read from the offer's id (so the seat's record
    can be fetched together with the offer); None for an id no offer has."""
    parts = offer_id.rsplit("#", 2)
    return parts[0] if len(parts) == 3 else None


def mode_for(business: Business, slot: SlotSummary) -> WaitingListMode:
    return slot.waiting_list_mode or business.waiting_list_mode


def how_many(mode: WaitingListMode, business: Business) -> int:
    """How many customers one round asks."""
    if mode is WaitingListMode.OFFER_TO_MANY:
        wanted = business.offer_to_many_count or MAX_OFFERS_AT_ONCE
        return min(wanted, MAX_OFFERS_AT_ONCE)
    return 1


def deadline(business: Business, slot: SlotSummary, now: datetime) -> datetime:
    """The end of the window to answer, never past the cutoff before the slot's start, on
    a whole second: schedules fire on whole seconds, and must not fire before the offer
    has run out."""
    latest = slot.starts_at - timedelta(minutes=business.refill_cutoff_minutes)
    end = min(now + timedelta(seconds=business.offer_window_seconds), latest)
    whole = end.replace(microsecond=0)
    return whole if whole == end else whole + timedelta(seconds=1)


def not_yet_asked(candidates: Sequence[WaitingEntry], asked: Sequence[str]) -> list[WaitingEntry]:
    """The candidates this seat has not been offered to yet, in the order given."""
    already = set(asked)
    return [entry for entry in candidates if entry.entry_id not in already]


def refusal(offer: Offer, now: datetime) -> str | None:
    """Why this offer can no longer be accepted, or None when it can."""
    if offer.status is not OfferStatus.OPEN:
        return REFUSALS[offer.status]
    if now >= offer.expires_at:
        return REFUSALS[OfferStatus.EXPIRED]
    return None
