from __future__ import annotations

from datetime import UTC, datetime, timedelta

from chalicelib.domain.model import Business, Contact, SlotSummary, WaitingListMode
from chalicelib.domain.offers import (
    MAX_OFFERS_AT_ONCE,
    Offer,
    OfferStatus,
    cause_of,
    deadline,
    how_many,
    mode_for,
    offer_id,
    refusal,
)

NOW = datetime(2026, 11, 22, 12, 0, 0, 250_000, tzinfo=UTC)
SLOT = SlotSummary(
    "Salon", "UTC", "en", "Cut", NOW + timedelta(days=1), NOW + timedelta(days=1, hours=1)
)
BUSINESS = Business("b", "Salon", "UTC", "en", offer_window_seconds=600)


def test_a_window_ends_on_the_next_whole_second_and_never_after_the_slot_starts() -> None:
    assert deadline(BUSINESS, SLOT, NOW) == datetime(2026, 11, 22, 12, 10, 1, tzinfo=UTC)
    soon = SlotSummary(
        "Salon", "UTC", "en", "Cut", NOW + timedelta(minutes=5), NOW + timedelta(hours=1)
    )
    assert deadline(BUSINESS, soon, NOW) == datetime(2026, 11, 22, 12, 5, 1, tzinfo=UTC)


def test_a_service_mode_overrides_the_business_mode() -> None:
    business = Business("b", "S", "UTC", "en", waiting_list_mode=WaitingListMode.ONE_AT_A_TIME)
    assert mode_for(business, SLOT) is WaitingListMode.ONE_AT_A_TIME
    own = SlotSummary(
        "S",
        "UTC",
        "en",
        "Cut",
        SLOT.starts_at,
        SLOT.ends_at,
        waiting_list_mode=WaitingListMode.OFFER_TO_MANY,
    )
    assert mode_for(business, own) is WaitingListMode.OFFER_TO_MANY


def test_an_offer_to_everyone_is_capped_and_one_at_a_time_asks_one() -> None:
    assert how_many(WaitingListMode.ONE_AT_A_TIME, BUSINESS) == 1
    assert how_many(WaitingListMode.OFFER_TO_MANY, BUSINESS) == MAX_OFFERS_AT_ONCE
    few = Business("b", "S", "UTC", "en", offer_to_many_count=3)
    assert how_many(WaitingListMode.OFFER_TO_MANY, few) == 3


def test_an_offer_can_be_accepted_only_while_open_and_in_time() -> None:
    offer = Offer(
        "b",
        "s",
        "cause",
        1,
        "e",
        Contact("Ada", "a@example.com"),
        SLOT,
        OfferStatus.OPEN,
        NOW,
        NOW + timedelta(minutes=10),
        NOW - timedelta(days=1),
    )
    assert refusal(offer, NOW) is None
    assert "expired" in (refusal(offer, NOW + timedelta(minutes=10)) or "")
    taken = Offer(**{**offer.__dict__, "status": OfferStatus.TAKEN})
    assert "another customer" in (refusal(taken, NOW) or "")


def test_a_window_never_runs_past_the_cutoff() -> None:
    business = Business("b", "S", "UTC", "en", offer_window_seconds=3600, refill_cutoff_minutes=30)
    soon = SlotSummary(
        "S", "UTC", "en", "Cut", NOW + timedelta(minutes=45), NOW + timedelta(hours=2)
    )
    assert deadline(business, soon, NOW) == datetime(2026, 11, 22, 12, 15, 1, tzinfo=UTC)


def test_an_offer_id_tells_the_cause_of_its_seat_so_both_are_read_at_once() -> None:
    assert cause_of(offer_id("booking-1.v2", 3, "entry-9")) == "booking-1.v2"
    assert cause_of("not-an-offer") is None
