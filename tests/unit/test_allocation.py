from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

from chalicelib.domain.allocation import (
    ALREADY_ASKED,
    CHAIN_LIMIT,
    HOLDS_A_SEAT,
    MAX_CHAIN_STEPS,
    NO_CONTACT,
    NO_LONGER_WAITING,
    NO_ONE_WAITING,
    SAME_CUSTOMER,
    SLOT_HAS_STARTED,
    choose_next,
    eligible,
    queue_position,
)
from chalicelib.domain.model import (
    Contact,
    EarlierThan,
    EntryStatus,
    EntryWindow,
    SkippedEntry,
    SlotSummary,
    WaitingEntry,
    list_key,
)

NOW = datetime(2026, 11, 22, 12, 0, tzinfo=UTC)
STARTS = NOW + timedelta(days=1)
SUMMARY = SlotSummary("Salon", "Europe/Oslo", "en", "Haircut", STARTS, STARTS + timedelta(hours=1))


def entry(
    entry_id: str,
    minutes_ago: int,
    status: EntryStatus = EntryStatus.WAITING,
    contact: Contact | None = None,
) -> WaitingEntry:
    return WaitingEntry(
        business_id="b",
        slot_id="s",
        entry_id=entry_id,
        status=status,
        contact=contact or Contact(name=entry_id, email=f"{entry_id}@example.com"),
        slot=SUMMARY,
        signed_up_at=NOW - timedelta(minutes=minutes_ago),
    )


def test_the_customer_who_signed_up_first_gets_the_seat_whatever_the_order_given() -> None:
    allocation = choose_next(
        [entry("late", 5), entry("early", 50), entry("middle", 20)], slot_starts_at=STARTS, now=NOW
    )
    assert allocation.chosen is not None and allocation.chosen.entry_id == "early"
    assert allocation.skipped == ()


def test_customers_no_longer_waiting_are_skipped_with_the_reason_recorded() -> None:
    allocation = choose_next(
        [entry("left", 50, EntryStatus.LEFT), entry("next", 20)], slot_starts_at=STARTS, now=NOW
    )
    assert allocation.chosen is not None and allocation.chosen.entry_id == "next"
    assert [(s.entry_id, s.reason) for s in allocation.skipped] == [("left", NO_LONGER_WAITING)]


def test_a_customer_who_cannot_be_reached_is_skipped() -> None:
    unreachable = entry("silent", 50, contact=Contact(name="Silent"))
    allocation = choose_next([unreachable, entry("next", 20)], slot_starts_at=STARTS, now=NOW)
    assert allocation.chosen is not None and allocation.chosen.entry_id == "next"
    assert [s.reason for s in allocation.skipped] == [NO_CONTACT]


def test_no_one_gets_a_seat_in_a_slot_that_has_started() -> None:
    allocation = choose_next([entry("a", 50)], slot_starts_at=STARTS, now=STARTS)
    assert allocation.chosen is None
    assert allocation.reason_if_none == SLOT_HAS_STARTED
    assert [s.reason for s in allocation.skipped] == [SLOT_HAS_STARTED]


def test_with_no_one_waiting_the_seat_goes_to_no_one() -> None:
    allocation = choose_next([], slot_starts_at=STARTS, now=NOW)
    assert (allocation.chosen, allocation.reason_if_none) == (None, NO_ONE_WAITING)


def test_queue_positions_sort_as_sign_up_times_do_ties_broken_by_id() -> None:
    moments = [NOW - timedelta(microseconds=n) for n in (0, 1, 999_999, 1_000_000)]
    keys = [queue_position(moment, "x") for moment in moments]
    assert sorted(keys) == [queue_position(m, "x") for m in sorted(moments)]
    assert queue_position(NOW, "a") < queue_position(NOW, "b")


def test_queue_positions_compare_moments_given_in_different_zones() -> None:
    oslo = NOW.astimezone(ZoneInfo("Europe/Oslo"))
    assert queue_position(oslo, "a") == queue_position(NOW, "a")


def test_at_the_chain_limit_earlier_slot_requests_are_passed_over_with_the_reason() -> None:
    request = replace(entry("mover", 50), earlier_than=EarlierThan("later-slot", "booking-1"))
    waiting = entry("waiting", 10)

    within = choose_next(
        [request, waiting], slot_starts_at=STARTS, now=NOW, chain_step=MAX_CHAIN_STEPS - 1
    )
    at_limit = choose_next(
        [request, waiting], slot_starts_at=STARTS, now=NOW, chain_step=MAX_CHAIN_STEPS
    )

    assert within.chosen is not None and within.chosen.entry_id == "mover"
    assert at_limit.chosen is not None and at_limit.chosen.entry_id == "waiting"
    assert at_limit.skipped == (SkippedEntry("mover", CHAIN_LIMIT),)


def test_a_window_fits_slots_of_its_service_inside_it_with_the_staff_and_place_asked() -> None:
    slot = replace(SUMMARY, service_id="cut", staff="Bo", location="Uptown")
    window = EntryWindow("cut", STARTS - timedelta(hours=1), STARTS + timedelta(hours=1))

    assert window.fits(slot)
    assert replace(window, staff="Bo", location="Uptown").fits(slot)
    assert not replace(window, staff="Ada").fits(slot)
    assert not replace(window, location="Downtown").fits(slot)
    assert not replace(window, service_id="colour").fits(slot)
    assert not replace(window, ends_by=STARTS + timedelta(minutes=59)).fits(slot)
    assert not replace(window, starts_from=STARTS + timedelta(seconds=1)).fits(slot)


def test_a_customer_on_two_lists_is_one_candidate_at_their_first_place_in_line() -> None:
    bo = Contact("Bo", "bo@example.com")
    on_the_slot = entry("bo-slot", 50, contact=bo)
    in_a_window = entry("bo-window", 40, contact=Contact("Bo", "BO@example.com "))
    cy = entry("cy", 30)

    found = eligible([cy, in_a_window, on_the_slot], slot_starts_at=STARTS, now=NOW)

    assert [e.entry_id for e in found.in_order] == ["bo-slot", "cy"]
    assert found.skipped == (SkippedEntry("bo-window", SAME_CUSTOMER),)


def test_a_customer_already_holding_a_seat_of_the_slot_is_passed_over_with_the_reason() -> None:
    found = eligible(
        [entry("bo", 50), entry("cy", 30)],
        slot_starts_at=STARTS,
        now=NOW,
        holders=frozenset({"bo@example.com"}),
    )

    assert found.chosen is not None and found.chosen.entry_id == "cy"
    assert found.skipped == (SkippedEntry("bo", HOLDS_A_SEAT),)


def test_a_customer_asked_for_this_seat_through_one_list_is_not_asked_through_another() -> None:
    found = eligible(
        [entry("bo-window", 50, contact=Contact("Bo", phone="+4791234567")), entry("cy", 30)],
        slot_starts_at=STARTS,
        now=NOW,
        asked_customers=frozenset({"+4791234567"}),
    )

    assert [e.entry_id for e in found.in_order] == ["cy"]
    assert found.skipped == (SkippedEntry("bo-window", ALREADY_ASKED),)


def test_a_places_list_is_its_slot_or_its_exact_window() -> None:
    window = EntryWindow("svc", STARTS - timedelta(days=1), STARTS + timedelta(days=1))
    on_slot = entry("a", 5)
    waiting_for_window = replace(on_slot, slot_id="", window=window)
    other_window = replace(waiting_for_window, window=replace(window, staff="Bo"))
    earlier = replace(waiting_for_window, earlier_than=EarlierThan("s2", "booking"))

    assert list_key(on_slot) == "SLOT#s"
    assert list_key(waiting_for_window) == list_key(replace(waiting_for_window, entry_id="b"))
    assert list_key(waiting_for_window) != list_key(other_window)
    assert list_key(earlier) is None
