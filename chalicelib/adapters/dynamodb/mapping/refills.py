"""A freed seat's items: the seat release that starts a refill, and offers."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.adapters.dynamodb import keys
from chalicelib.adapters.dynamodb.keys import (
    OPEN_OFFERS,
    offer_key,
    slot_partition,
)
from chalicelib.adapters.dynamodb.mapping.shared import (
    contact_from_map,
    contact_to_map,
    summary_from_map,
    summary_to_map,
)
from chalicelib.adapters.dynamodb.models import (
    OfferItem,
    RefillItem,
    SeatReleaseItem,
    SkippedMap,
)
from chalicelib.domain.model import (
    EarlierThan,
    RefillDecision,
    SkippedEntry,
)
from chalicelib.domain.offers import Offer, OfferStatus
from chalicelib.domain.refill import RefillOutcome
from chalicelib.domain.seats import FreedSeat, Hold, SeatRelease


def seat_release_to_item(release: SeatRelease, at: datetime) -> SeatReleaseItem:
    return SeatReleaseItem(
        slot_partition(release.business_id, release.slot_id),
        f"RELEASE#{release.release_id}",
        business_id=release.business_id,
        slot_id=release.slot_id,
        release_id=release.release_id,
        seats=release.count,
        slot=summary_to_map(release.slot),
        at=at,
    )


def seat_release_from_item(item: SeatReleaseItem) -> SeatRelease:
    return SeatRelease(
        business_id=item.business_id,
        slot_id=item.slot_id,
        release_id=item.release_id,
        count=int(item.seats),
        slot=summary_from_map(item.slot),
    )


def offer_to_item(offer: Offer) -> OfferItem:
    is_open = offer.status is OfferStatus.OPEN
    return OfferItem(
        slot_partition(offer.business_id, offer.slot_id),
        offer_key(offer.offer_id),
        business_id=offer.business_id,
        slot_id=offer.slot_id,
        cause=offer.cause,
        round=offer.round,
        entry_id=offer.entry_id,
        contact=contact_to_map(offer.contact),
        slot=summary_to_map(offer.slot),
        status=offer.status.value,
        offered_at=offer.offered_at,
        expires_at=offer.expires_at,
        signed_up_at=offer.signed_up_at,
        window_service_id=offer.window_service_id,
        earlier_than_slot_id=offer.earlier_than.slot_id if offer.earlier_than else None,
        earlier_than_booking_id=offer.earlier_than.booking_id if offer.earlier_than else None,
        chain_step=offer.chain_step or None,
        list_key=offer.list_key,
        open_partition=OPEN_OFFERS if is_open else None,
        open_until=f"{offer.expires_at.astimezone(UTC).isoformat()}#{offer.offer_id}"
        if is_open
        else None,
    )


def offer_from_item(item: OfferItem) -> Offer:
    return Offer(
        business_id=item.business_id,
        slot_id=item.slot_id,
        cause=item.cause,
        round=int(item.round),
        entry_id=item.entry_id,
        contact=contact_from_map(item.contact),
        slot=summary_from_map(item.slot),
        status=OfferStatus(item.status),
        offered_at=item.offered_at,
        expires_at=item.expires_at,
        signed_up_at=item.signed_up_at,
        window_service_id=item.window_service_id,
        earlier_than=EarlierThan(item.earlier_than_slot_id, item.earlier_than_booking_id)
        if item.earlier_than_slot_id and item.earlier_than_booking_id
        else None,
        chain_step=int(item.chain_step or 0),
        list_key=item.list_key,
    )


OFFERING = "offering"
HELD = "held"
"""A hold's record before the refill's decision replaces it."""


def refill_item(freed: FreedSeat, decision: RefillDecision) -> RefillItem:
    return RefillItem(
        slot_partition(freed.business_id, freed.slot_id),
        keys.refill_key(decision.cause),
        business_id=freed.business_id,
        slot_id=freed.slot_id,
        cause=decision.cause,
        outcome=decision.outcome,
        decided_at=decision.decided_at,
        booking_id=decision.booking_id,
        entry_id=decision.entry_id,
        reason=decision.reason,
        skipped=[SkippedMap(entry_id=s.entry_id, reason=s.reason) for s in decision.skipped],
        round=decision.round,
        closed_round=decision.closed_round,
        offered=list(decision.offered),
        offered_customers=list(decision.offered_customers) or None,
        holds_seat=decision.holds_seat,
    )


def decision_from_item(item: RefillItem) -> RefillDecision:
    return RefillDecision(
        cause=item.cause,
        outcome=RefillOutcome(item.outcome),
        decided_at=item.decided_at,
        skipped=[SkippedEntry(s.entry_id, s.reason) for s in item.skipped],
        booking_id=item.booking_id,
        entry_id=item.entry_id,
        reason=item.reason,
        round=int(item.round or 0),
        closed_round=int(item.closed_round or 0),
        offered=tuple(item.offered or ()),
        offered_customers=tuple(item.offered_customers or ()),
        holds_seat=item.holds_seat is not False,
    )


def hold_item(hold: Hold) -> RefillItem:
    """A hold awaiting the refill's decision: on the index of open deadlines (for the
    sweep, across businesses) and on the business's list of holds (for staff)."""
    return RefillItem(
        slot_partition(hold.business_id, hold.slot_id),
        keys.refill_key(hold.cause),
        business_id=hold.business_id,
        slot_id=hold.slot_id,
        cause=hold.cause,
        outcome=HELD,
        decided_at=hold.held_at,
        held_at=hold.held_at,
        slot=summary_to_map(hold.slot),
        chain_step=hold.chain_step or None,
        open_partition=keys.OPEN_HOLDS,
        open_until=f"{_utc(hold.decide_by)}#{hold.cause}",
        status_key=keys.holds_key(hold.business_id),
        status_sort=f"{_utc(hold.held_at)}#{hold.cause}",
    )


def hold_from_item(item: RefillItem) -> Hold:
    return Hold(
        business_id=item.business_id,
        slot_id=item.slot_id,
        cause=item.cause,
        slot=summary_from_map(item.slot),
        held_at=item.held_at or item.decided_at,
        chain_step=int(item.chain_step or 0),
    )


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()
