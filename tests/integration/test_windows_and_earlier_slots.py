"""Window entries (any slot of a service in a date range, optionally with one staff member
or at one location) and earlier-slot requests (move my booking when an earlier seat frees
up), refilled on DynamoDB through the bookings stream."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

import pytest
from chalice.test import Client

from chalicelib.domain.allocation import MAX_CHAIN_STEPS
from chalicelib.domain.customer_refusals import AlreadyAsked
from chalicelib.domain.errors import InvalidRequest
from chalicelib.domain.model import (
    Actor,
    BookingSource,
    BookingStatus,
    Contact,
    EntryStatus,
    EntryWindow,
    WaitingEntry,
    WaitingListMode,
)
from chalicelib.domain.refill import RefillOutcome
from chalicelib.services.catalogue import UNCHANGED, NewSlot, SlotChanges
from tests.integration.conftest import Api, Business
from tests.support.shop import START, Shop

ZOE = Contact("Zoe", "zoe@example.com")


@pytest.fixture
def shop(aws: None) -> Shop:
    return Shop()


def _service_id(shop: Shop) -> str:
    return shop.catalogue.slot("shop", shop.slot_id).service_id


def _add_slot(
    shop: Shop, starts_at: datetime, staff: str | None = None, location: str | None = None
) -> str:
    new = NewSlot(_service_id(shop), starts_at, capacity=1, staff=staff, location=location)
    slot = shop.catalogue.add_slots("shop", [new])[0]
    return slot.slot_id


def _window(shop: Shop, **overrides: object) -> EntryWindow:
    fields: dict[str, object] = {
        "service_id": _service_id(shop),
        "starts_from": START - timedelta(hours=2),
        "ends_by": START + timedelta(hours=2),
    }
    fields.update(overrides)
    return EntryWindow(**fields)  # type: ignore[arg-type]


def _join_window(shop: Shop, contact: Contact = ZOE, /, **overrides: object) -> WaitingEntry:
    shop.clock.advance(seconds=1)
    entry, _ = shop.waiting_list.join_window(
        "shop", _service_id(shop), contact, _window(shop, **overrides)
    )
    return entry


def _cancel(shop: Shop, slot_id: str, booking_id: str) -> None:
    shop.feed_changes()
    shop.bookings.cancel("shop", slot_id, booking_id, by=Actor.STAFF)
    shop.feed_changes()


EVER = (datetime(2000, 1, 1, tzinfo=UTC), datetime(2100, 1, 1, tzinfo=UTC))
"""Every slot a test can make."""


def test_a_window_entry_gets_a_freed_seat_of_any_slot_of_its_service_in_its_window(
    shop: Shop,
) -> None:
    entry = _join_window(shop)

    shop.cancel_holder()
    shop.feed_changes()

    decision = shop.refill_record()
    assert (decision.outcome, decision.entry_id) == (RefillOutcome.BOOKED, entry.entry_id)
    booking = shop.bookings.get("shop", shop.slot_id, decision.booking_id)
    assert (booking.contact.name, booking.source) == ("Zoe", BookingSource.WAITING_LIST)
    assert booking.slot.starts_at == START, "the booking names the slot, not the window"
    closed = shop.uow().waiting_list.get_window_entry("shop", _service_id(shop), entry.entry_id)
    assert closed is not None
    assert (closed.status, closed.slot_id) == (EntryStatus.BOOKED, shop.slot_id)
    assert shop.uow().catalogue.get_business("shop").open_windows == 0  # type: ignore[union-attr]


@pytest.mark.parametrize(
    "window",
    [
        {"staff": "Bo"},
        {"location": "Uptown"},
        {"starts_from": START + timedelta(minutes=1)},
        {"ends_by": START + timedelta(minutes=29)},
    ],
    ids=["other staff", "other location", "starts too late", "ends too early"],
)
def test_a_seat_that_does_not_fit_the_window_goes_back_on_sale(
    shop: Shop, window: dict[str, object]
) -> None:
    entry = _join_window(shop, **window)

    shop.cancel_holder()
    shop.feed_changes()

    decision = shop.refill_record()
    assert decision.outcome == RefillOutcome.RELEASED
    slot = shop.catalogue.slot("shop", shop.slot_id)
    assert (slot.taken, slot.held) == (0, 0)
    still = shop.uow().waiting_list.get_window_entry("shop", _service_id(shop), entry.entry_id)
    assert still is not None and still.status is EntryStatus.WAITING


def test_a_window_that_names_the_slots_staff_and_location_matches(shop: Shop) -> None:
    slot_id = _add_slot(shop, START + timedelta(hours=1), staff="Bo", location="Uptown")
    holder = shop.bookings.book("shop", slot_id, Contact("Eve", "eve@example.com"))
    entry = _join_window(shop, staff="Bo", location="Uptown")

    _cancel(shop, slot_id, holder.booking_id)

    decision = shop.uow().refills.get_refill("shop", slot_id, f"{holder.booking_id}.v1")
    assert decision is not None
    assert (decision.outcome, decision.entry_id) == (RefillOutcome.BOOKED, entry.entry_id)


def test_the_slots_list_and_the_windows_are_served_in_one_sign_up_order(shop: Shop) -> None:
    early_window = _join_window(shop, Contact("Early", "early@example.com"))
    shop.wait(1)
    shop.cancel_holder()
    shop.feed_changes()
    assert shop.refill_record().entry_id == early_window.entry_id

    (later,) = [b for b in shop.bookings.list_for_slot("shop", shop.slot_id) if b.status.holds_seat]
    _join_window(shop, Contact("Late", "late@example.com"))
    _cancel(shop, shop.slot_id, later.booking_id)
    second = shop.uow().refills.get_refill("shop", shop.slot_id, f"{later.booking_id}.v1")
    assert second is not None
    booked = shop.bookings.get("shop", shop.slot_id, second.booking_id or "")
    assert booked.contact.name == "C0", "the slot's own customer signed up before the window"


def test_a_new_location_gives_a_free_seat_to_a_window_that_now_matches(shop: Shop) -> None:
    slot_id = _add_slot(shop, START + timedelta(hours=1), location="Downtown")
    entry = _join_window(shop, location="Uptown")

    shop.catalogue.change_slot(
        "shop", slot_id, SlotChanges(capacity=None, staff=UNCHANGED, location="Uptown")
    )
    shop.feed_changes()

    bookings = shop.bookings.list_for_slot("shop", slot_id)
    assert [(b.contact.name, b.waiting_entry_id) for b in bookings] == [("Zoe", entry.entry_id)]


def test_leaving_a_window_puts_the_next_freed_seat_straight_back_on_sale(shop: Shop) -> None:
    entry = _join_window(shop)
    shop.waiting_list.leave_window("shop", _service_id(shop), entry.entry_id)

    shop.cancel_holder()

    cancelled = shop.bookings.get("shop", shop.slot_id, shop.holder.booking_id)
    assert cancelled.seat_after_release is not None
    assert cancelled.seat_after_release.value == "back_on_sale"


def test_a_window_must_end_after_it_starts_and_not_be_over(shop: Shop) -> None:
    with pytest.raises(InvalidRequest, match="window"):
        _join_window(shop, ends_by=START - timedelta(hours=3))
    with pytest.raises(InvalidRequest, match="over"):
        _join_window(
            shop,
            starts_from=START - timedelta(days=3),
            ends_by=START - timedelta(days=2),
        )


# --- earlier-slot requests ---------------------------------------------------------------


def test_two_earlier_slot_requests_move_two_bookings_forward_one_after_the_other(
    shop: Shop,
) -> None:
    """The first slot frees; Bo moves into it from the second, which frees the second for
    Ada, who moves from the third; the third goes back on sale. Each step is recorded."""
    second = _add_slot(shop, START + timedelta(hours=1))
    third = _add_slot(shop, START + timedelta(hours=2))
    bo = shop.bookings.book("shop", second, Contact("Bo", "bo@example.com"))
    ada = shop.bookings.book("shop", third, Contact("Ada Late", "ada.late@example.com"))
    shop.clock.advance(seconds=1)
    shop.waiting_list.ask_for_earlier("shop", second, bo.booking_id, starts_from=None)
    shop.clock.advance(seconds=1)
    shop.waiting_list.ask_for_earlier("shop", third, ada.booking_id, starts_from=None)

    shop.cancel_holder()
    for _ in range(3):
        shop.feed_changes()

    first_step = shop.refill_record()
    assert (first_step.outcome, first_step.booking_id) == (
        RefillOutcome.MOVED_EARLIER,
        bo.booking_id,
    )
    second_step = shop.uow().refills.get_refill("shop", second, f"{bo.booking_id}.v1")
    assert second_step is not None
    assert (second_step.outcome, second_step.booking_id) == (
        RefillOutcome.MOVED_EARLIER,
        ada.booking_id,
    )
    last = shop.uow().refills.get_refill("shop", third, f"{ada.booking_id}.v1")
    assert last is not None and last.outcome == RefillOutcome.RELEASED

    bo_now = shop.bookings.get("shop", second, bo.booking_id)
    ada_now = shop.bookings.get("shop", third, ada.booking_id)
    assert (bo_now.slot_id, bo_now.status) == (shop.slot_id, BookingStatus.CONFIRMED)
    assert (ada_now.slot_id, ada_now.status) == (second, BookingStatus.CONFIRMED)
    assert [
        (s.slot_id, s.taken, s.held) for s in shop.catalogue.slots_between("shop", *EVER).slots
    ] == [
        (shop.slot_id, 1, 0),
        (second, 1, 0),
        (third, 0, 0),
    ]
    assert [c.to_slot_id for c in shop.bookings.history("shop", second, bo.booking_id)][:1] == [
        shop.slot_id
    ]
    assert f"step 2 of at most {MAX_CHAIN_STEPS}" in (second_step.reason or "")


def test_an_earlier_slot_request_is_made_once_per_booking(shop: Shop) -> None:
    later = _add_slot(shop, START + timedelta(hours=1))
    bo = shop.bookings.book("shop", later, Contact("Bo", "bo@example.com"))
    shop.waiting_list.ask_for_earlier("shop", later, bo.booking_id, starts_from=None)
    with pytest.raises(AlreadyAsked):
        shop.waiting_list.ask_for_earlier("shop", later, bo.booking_id, starts_from=None)


def test_a_request_whose_booking_was_cancelled_is_closed_and_the_seat_goes_to_the_next(
    shop: Shop,
) -> None:
    later = _add_slot(shop, START + timedelta(hours=1))
    bo = shop.bookings.book("shop", later, Contact("Bo", "bo@example.com"))
    request, _ = shop.waiting_list.ask_for_earlier("shop", later, bo.booking_id, starts_from=None)
    _cancel(shop, later, bo.booking_id)
    shop.wait(1)

    shop.cancel_holder()
    for _ in range(2):
        shop.feed_changes()

    decision = shop.refill_record()
    assert decision.outcome == RefillOutcome.BOOKED
    assert shop.bookings.get("shop", shop.slot_id, decision.booking_id or "").contact.name == "C0"
    closed = shop.uow().waiting_list.get_window_entry("shop", _service_id(shop), request.entry_id)
    assert closed is not None and closed.status is EntryStatus.LEFT


# --- over HTTP -----------------------------------------------------------------------------


def test_customers_join_a_window_see_their_place_and_leave_through_the_link(
    api: Api, salon: Business
) -> None:
    service_id = salon.service_id
    starts = (datetime.now() + timedelta(days=1)).replace(microsecond=0)
    body = {
        "name": "Zoe",
        "email": "zoe@example.com",
        "starts_from": starts.isoformat(),
        "ends_by": (starts + timedelta(days=2)).isoformat(),
        "staff": "Bo",
    }
    path = f"/businesses/{salon.business_id}/services/{service_id}/waiting-list"

    joined = api.call("POST", path, body)
    assert joined.status == 201, joined.body
    assert joined.body["position"] == 1
    assert joined.body["entry"]["window"]["staff"] == "Bo"

    token = joined.body["token"]
    assert api.call("GET", f"/waiting-list/{token}").body["entry"]["position"] == 1
    listed = salon.staff("GET", f"/staff/services/{service_id}/waiting-list").body["entries"]
    assert [e["customer"]["name"] for e in listed] == ["Zoe"]
    left = api.call("DELETE", f"/waiting-list/{token}")
    assert left.body["entry"]["status"] == "left"


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"ends_by": "2020-01-01T10:00:00"}, "window"),
        ({"starts_from": "not a time"}, "starts_from"),
        ({"email": None}, "body"),
    ],
)
def test_a_bad_window_is_refused_naming_the_problem(
    api: Api, salon: Business, change: dict[str, object], field: str
) -> None:
    starts = datetime.now() + timedelta(days=1)
    body = {
        "name": "Zoe",
        "email": "zoe@example.com",
        "starts_from": starts.isoformat(),
        "ends_by": (starts + timedelta(days=1)).isoformat(),
        **change,
    }
    path = f"/businesses/{salon.business_id}/services/{salon.service_id}/waiting-list"
    refused = api.call("POST", path, body)
    assert refused.status == 400
    assert field in str(refused.body)


def test_an_unknown_service_has_no_window_list(api: Api, salon: Business) -> None:
    starts = datetime.now() + timedelta(days=1)
    body = {
        "name": "Zoe",
        "email": "zoe@example.com",
        "starts_from": starts.isoformat(),
        "ends_by": (starts + timedelta(days=1)).isoformat(),
    }
    answer = api.call("POST", f"/businesses/{salon.business_id}/services/nope/waiting-list", body)
    assert answer.status == 404


def test_a_customer_asks_for_an_earlier_slot_through_the_manage_link(
    api: Api, salon: Business
) -> None:
    slot_id = salon.add_slot(days_ahead=3)
    booked = salon.book(slot_id, "Bo", email="bo@example.com")
    token = booked.body["manage_token"]

    asked = api.call("POST", f"/bookings/{token}/earlier", {})
    assert asked.status == 201, asked.body
    assert asked.body["entry"]["earlier_than"]["booking_id"] == booked.body["booking"]["booking_id"]
    again = api.call("POST", f"/bookings/{token}/earlier", {})
    assert again.status == 409


def test_a_booking_months_ahead_can_ask_for_any_earlier_slot_without_naming_a_start(
    api: Api, salon: Business
) -> None:
    slot_id = salon.add_slot(days_ahead=120)
    token = salon.book(slot_id, "Bo", email="bo@example.com").body["manage_token"]

    asked = api.call("POST", f"/bookings/{token}/earlier", {})

    assert asked.status == 201, asked.body


def test_the_sweep_closes_ended_windows_once_and_freed_seats_are_no_longer_held(
    shop: Shop,
) -> None:
    ended = _join_window(shop, ends_by=START - timedelta(hours=1, minutes=30))
    running = _join_window(shop, Contact("Running", "running@example.com"))
    shop.clock.current = START - timedelta(hours=1)

    assert shop.waiting_list.close_ended_windows() == 1
    assert shop.waiting_list.close_ended_windows() == 0, "an ended window is closed once"

    service_id = _service_id(shop)
    closed = shop.uow().waiting_list.get_window_entry("shop", service_id, ended.entry_id)
    still = shop.uow().waiting_list.get_window_entry("shop", service_id, running.entry_id)
    assert closed is not None and closed.status is EntryStatus.ENDED
    assert still is not None and still.status is EntryStatus.WAITING
    assert shop.uow().catalogue.get_business("shop").open_windows == 1  # type: ignore[union-attr]

    shop.waiting_list.leave_window("shop", service_id, running.entry_id)
    shop.cancel_holder()
    cancelled = shop.bookings.get("shop", shop.slot_id, shop.holder.booking_id)
    assert cancelled.seat_after_release is not None
    assert cancelled.seat_after_release.value == "back_on_sale"


def test_one_at_a_time_an_earlier_slot_offer_accepted_moves_the_booking_and_frees_the_later(
    aws: None,
) -> None:
    shop = Shop(waiting_list_mode=WaitingListMode.ONE_AT_A_TIME)
    later = _add_slot(shop, START + timedelta(hours=1))
    bo = shop.bookings.book("shop", later, Contact("Bo", "bo@example.com"))
    shop.clock.advance(seconds=1)
    shop.waiting_list.ask_for_earlier("shop", later, bo.booking_id, starts_from=None)

    shop.cancel_holder()
    shop.feed_changes()
    (offer,) = shop.uow().offers.offers_of_round(
        "shop", shop.slot_id, f"{shop.holder.booking_id}.v1", 1
    )
    assert offer.earlier_than is not None and offer.contact.name == "Bo"

    moved = shop.offers.accept(shop.links.offer_token("shop", shop.slot_id, offer.offer_id))
    shop.feed_changes()

    assert (moved.booking_id, moved.slot_id) == (bo.booking_id, shop.slot_id)
    assert shop.refill_record().outcome == RefillOutcome.MOVED_EARLIER
    assert [(b.contact.name, b.status) for b in shop.bookings.list_for_slot("shop", later)] == []
    assert [
        (s.slot_id, s.taken, s.held) for s in shop.catalogue.slots_between("shop", *EVER).slots
    ] == [
        (shop.slot_id, 1, 0),
        (later, 0, 0),
    ]


def test_the_page_of_an_accepted_earlier_slot_offer_links_to_the_moved_booking(
    client: Client,
) -> None:
    shop = Shop(waiting_list_mode=WaitingListMode.ONE_AT_A_TIME)
    later = _add_slot(shop, START + timedelta(hours=1))
    bo = shop.bookings.book("shop", later, Contact("Bo", "bo@example.com"))
    shop.clock.advance(seconds=1)
    shop.waiting_list.ask_for_earlier("shop", later, bo.booking_id, starts_from=None)
    shop.cancel_holder()
    shop.feed_changes()
    (offer,) = shop.uow().offers.offers_of_round(
        "shop", shop.slot_id, f"{shop.holder.booking_id}.v1", 1
    )
    token = shop.links.offer_token("shop", shop.slot_id, offer.offer_id)
    shop.offers.accept(token)

    offer_page = client.http.get(f"/o/{token}").body.decode()
    manage = re.search(r'href="[^"]*(/b/[A-Za-z0-9._-]+)"', offer_page)
    assert manage is not None, "the accepted offer's page links to the booking"
    booking_page = client.http.get(manage.group(1))

    assert booking_page.status_code == 200
    assert "Cut" in booking_page.body.decode()  # the booking, in its new slot
    assert shop.bookings.get("shop", shop.slot_id, bo.booking_id).slot_id == shop.slot_id
