"""Staff confirm, reject, cancel, mark no-shows, delete and move bookings; every seat that
frees feeds the waiting list, and every change is in the booking's history."""

from __future__ import annotations

from typing import Any

import pytest

from tests.integration.conftest import Api, Business
from tests.support.aws import Streams, sent_about, sent_messages

BOOKING = "/staff/slots/{slot}/bookings/{booking}"


def _approval_service(salon: Business) -> str:
    answer = salon.staff(
        "POST",
        "/staff/services",
        {"name": "Consultation", "duration_minutes": 60, "requires_confirmation": True},
    )
    assert answer.status == 201, answer.body
    return str(answer.body["services"][0]["service_id"])


def _booking_path(slot: str, booking: str, action: str = "") -> str:
    path = BOOKING.format(slot=slot, booking=booking)
    return f"{path}/{action}" if action else path


def _full_with_waiting(salon: Business, **slot: Any) -> tuple[str, dict[str, Any]]:
    slot_id = salon.add_slot(capacity=1, **slot)
    held = salon.book(slot_id, "Ada", email="ada@example.com")
    assert held.status == 201, held.body
    assert salon.join(slot_id, "Bo", email="bo@example.com").status == 201
    return slot_id, held.body


def _confirmed_names(salon: Business, slot: str) -> list[tuple[str, str, str]]:
    bookings = salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"]
    return [
        (b["customer"]["name"], b["status"], b["source"])
        for b in bookings
        if b["status"] in ("confirmed", "pending")
    ]


def test_a_service_that_needs_approval_makes_pending_bookings_that_hold_their_seat(
    salon: Business, streams: Streams
) -> None:
    slot = salon.add_slot(capacity=1, service_id=_approval_service(salon))
    booked = salon.book(slot, "Ada", email="ada@example.com").body["booking"]
    assert booked["status"] == "pending"
    assert salon.book(slot, "Bo", email="bo@example.com").status == 409

    confirmed = salon.staff("POST", _booking_path(slot, booked["booking_id"], "confirm"))
    assert (confirmed.status, confirmed.body["booking"]["status"]) == (200, "confirmed")
    again = salon.staff("POST", _booking_path(slot, booked["booking_id"], "confirm"))
    assert again.status == 409
    assert again.body["Message"] == "a confirmed booking cannot be confirmed"
    streams.settle()
    assert [m.subject for m in sent_messages()] == [
        "We have your request for Consultation on " + _date_of(salon, slot),
        "Confirmed: Consultation on " + _date_of(salon, slot),
    ]


def _date_of(salon: Business, slot: str) -> str:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from babel.dates import format_date

    starts = salon.staff("GET", "/staff/slots").body["slots"]
    moment = next(s["starts_at"] for s in starts if s["slot_id"] == slot)
    local = datetime.fromisoformat(moment).astimezone(ZoneInfo("Europe/Oslo"))
    return str(format_date(local, format="full", locale="en"))


def test_a_rejection_needs_a_reason_which_the_customer_is_sent(
    salon: Business, streams: Streams
) -> None:
    slot = salon.add_slot(capacity=1, service_id=_approval_service(salon))
    booking = salon.book(slot, "Ada", email="ada@example.com").body["booking"]["booking_id"]
    missing = salon.staff("POST", _booking_path(slot, booking, "reject"), {})
    assert missing.status == 400 and missing.body["Message"].startswith("reason:")
    rejected = salon.staff(
        "POST", _booking_path(slot, booking, "reject"), {"reason": "We are closed that day"}
    )
    assert (rejected.status, rejected.body["booking"]["status"]) == (200, "rejected")
    streams.settle()
    [sent] = sent_about("could not accept")
    assert "We are closed that day" in sent.body


@pytest.mark.parametrize(
    ("method", "action", "body"),
    [
        ("POST", "cancel", {"reason": "Stylist ill"}),
        ("POST", "no-show", None),
        ("DELETE", "", None),
    ],
    ids=["cancel", "no-show", "delete"],
)
def test_every_release_by_staff_hands_the_seat_to_the_waiting_list(
    salon: Business, streams: Streams, method: str, action: str, body: Any
) -> None:
    slot, held = _full_with_waiting(salon)
    answer = salon.staff(method, _booking_path(slot, held["booking"]["booking_id"], action), body)
    assert answer.status == 200, answer.body
    streams.settle()
    assert _confirmed_names(salon, slot) == [("Bo", "confirmed", "waiting_list")]
    assert [m.to for m in sent_about("seat opened up")] == ["bo@example.com"]


def test_rejecting_a_pending_booking_hands_its_seat_to_the_waiting_list(
    salon: Business, streams: Streams
) -> None:
    slot, held = _full_with_waiting(salon, service_id=_approval_service(salon))
    path = _booking_path(slot, held["booking"]["booking_id"], "reject")
    assert salon.staff("POST", path, {"reason": "Double booked"}).status == 200
    streams.settle()
    assert _confirmed_names(salon, slot) == [("Bo", "confirmed", "waiting_list")]


def test_moving_a_booking_away_hands_its_old_seat_to_the_waiting_list(
    salon: Business, streams: Streams
) -> None:
    slot, held = _full_with_waiting(salon)
    other = salon.add_slot(capacity=1, days_ahead=4)
    moved = salon.staff(
        "POST", _booking_path(slot, held["booking"]["booking_id"], "move"), {"slot_id": other}
    )
    assert (moved.status, moved.body["booking"]["slot_id"]) == (200, other)
    streams.settle()
    assert _confirmed_names(salon, slot) == [("Bo", "confirmed", "waiting_list")]
    assert _confirmed_names(salon, other) == [("Ada", "confirmed", "direct")]
    [note] = sent_about("Moved:")
    assert note.to == "ada@example.com"
    # Ada's link follows her booking to its new slot.
    seen = salon.api.call("GET", f"/bookings/{held['manage_token']}").body["booking"]
    assert seen["slot_id"] == other


def test_a_move_to_a_full_slot_changes_nothing(salon: Business) -> None:
    slot = salon.add_slot(capacity=1)
    full = salon.add_slot(capacity=1, days_ahead=4)
    booking = salon.book(slot, "Ada", email="ada@example.com").body["booking"]["booking_id"]
    salon.book(full, "Cy", email="cy@example.com")
    refused = salon.staff("POST", _booking_path(slot, booking, "move"), {"slot_id": full})
    assert refused.status == 409 and "new slot is full" in refused.body["Message"]
    assert _confirmed_names(salon, slot) == [("Ada", "confirmed", "direct")]
    assert _confirmed_names(salon, full) == [("Cy", "confirmed", "direct")]
    slots = {
        s["slot_id"]: s["free_seats"] for s in salon.staff("GET", "/staff/slots").body["slots"]
    }
    assert (slots[slot], slots[full]) == (0, 0)


def test_a_customer_moves_their_booking_to_a_free_slot_of_the_same_service(
    salon: Business, api: Api
) -> None:
    slot = salon.add_slot(capacity=1)
    later = salon.add_slot(capacity=1, days_ahead=5)
    other_service = _approval_service(salon)
    elsewhere = salon.add_slot(capacity=1, days_ahead=5, service_id=other_service)
    token = salon.book(slot, "Ada", email="ada@example.com").body["manage_token"]

    refused = api.call("POST", f"/bookings/{token}/move", {"slot_id": elsewhere})
    assert refused.status == 400 and "same service" in refused.body["Message"]
    moved = api.call("POST", f"/bookings/{token}/move", {"slot_id": later})
    assert (moved.status, moved.body["booking"]["slot_id"]) == (200, later)
    assert salon.book(slot, "Bo", email="bo@example.com").status == 201


def test_refused_changes_name_the_reason(salon: Business) -> None:
    slot = salon.add_slot(capacity=1, service_id=_approval_service(salon))
    booking = salon.book(slot, "Ada", email="ada@example.com").body["booking"]["booking_id"]
    no_show = salon.staff("POST", _booking_path(slot, booking, "no-show"))
    assert (no_show.status, no_show.body["Message"]) == (
        409,
        "a pending booking cannot be marked as a no-show",
    )
    assert salon.staff("DELETE", _booking_path(slot, booking)).status == 200
    assert salon.staff("POST", _booking_path(slot, booking, "confirm")).status == 404
    assert _confirmed_names(salon, slot) == []


def test_the_history_lists_every_change_newest_first(salon: Business) -> None:
    slot = salon.add_slot(capacity=1, service_id=_approval_service(salon))
    other = salon.add_slot(capacity=1, days_ahead=4, service_id=_approval_service(salon))
    booking = salon.book(slot, "Ada", email="ada@example.com").body["booking"]["booking_id"]
    salon.staff("POST", _booking_path(slot, booking, "confirm"))
    salon.staff("POST", _booking_path(slot, booking, "move"), {"slot_id": other})
    salon.staff("POST", _booking_path(other, booking, "cancel"), {"reason": "Closed"})

    history = salon.staff("GET", _booking_path(slot, booking, "history")).body["history"]
    assert [(h["version"], h["by"], h["from"], h["to"], h["reason"]) for h in history] == [
        (4, "staff", "confirmed", "cancelled", "Closed"),
        (3, "staff", "confirmed", "confirmed", None),
        (2, "staff", "pending", "confirmed", None),
        (1, "customer", None, "pending", None),
    ]
    assert (history[1]["from_slot_id"], history[1]["to_slot_id"]) == (slot, other)


def test_the_dry_run_names_the_customer_the_release_then_serves(
    salon: Business, streams: Streams
) -> None:
    slot, held = _full_with_waiting(salon)
    salon.join(slot, "Cy", email="cy@example.com")
    booking = held["booking"]["booking_id"]

    preview = salon.staff(
        "GET", _booking_path(slot, booking, "release-preview") + "?action=no_show"
    )
    assert preview.status == 200
    assert preview.body["seat"] == "held_for_waiting_list"
    assert preview.body["next_customer"]["name"] == "Bo"
    assert "Bo, will get the seat" in preview.body["summary"]
    assert _confirmed_names(salon, slot) == [("Ada", "confirmed", "direct")]  # nothing changed

    salon.staff("POST", _booking_path(slot, booking, "no-show"))
    streams.settle()
    assert _confirmed_names(salon, slot) == [("Bo", "confirmed", "waiting_list")]


def test_the_dry_run_says_when_no_one_waits_and_refuses_what_is_not_allowed(
    salon: Business,
) -> None:
    slot = salon.add_slot(capacity=1)
    booking = salon.book(slot, "Ada", email="ada@example.com").body["booking"]["booking_id"]
    path = _booking_path(slot, booking, "release-preview")
    quiet = salon.staff("GET", path).body
    assert (quiet["seat"], quiet["next_customer"]) == ("back_on_sale", None)
    assert salon.staff("GET", f"{path}?action=reject").status == 409
    assert salon.staff("GET", f"{path}?action=fly").status == 400


def test_with_the_waiting_list_off_no_one_joins_and_freed_seats_go_back_on_sale(
    salon: Business, streams: Streams
) -> None:
    slot, held = _full_with_waiting(salon)
    profile = salon.staff("GET", "/staff/business").body
    off = salon.staff(
        "PUT",
        "/staff/business",
        {k: profile[k] for k in ("name", "time_zone", "language")} | {"waiting_list_open": False},
    )
    assert off.status == 200 and off.body["waiting_list_open"] is False
    assert salon.join(slot, "Cy", email="cy@example.com").status == 409

    salon.api.call("POST", f"/bookings/{held['manage_token']}/cancel")
    streams.settle()
    listed = salon.staff("GET", "/staff/slots").body["slots"][0]
    assert (listed["free_seats"], listed["held_for_waiting_list"]) == (1, 0)
    entries = salon.staff("GET", f"/staff/slots/{slot}/waiting-list").body["entries"]
    assert [(e["customer"]["name"], e["status"]) for e in entries] == [("Bo", "waiting")]


def test_staff_list_requests_waiting_for_confirmation_and_confirmed_bookings_across_slots(
    salon: Business,
) -> None:
    service = _approval_service(salon)
    later = salon.add_slot(capacity=2, days_ahead=5, service_id=service)
    sooner = salon.add_slot(capacity=2, days_ahead=2, service_id=service)
    first = salon.book(later, "Ada", email="ada@example.com").body["booking"]["booking_id"]
    salon.book(sooner, "Bo", email="bo@example.com")
    salon.book(later, "Cy", email="cy@example.com")
    salon.staff("POST", _booking_path(later, first, "confirm"))

    pending = salon.staff("GET", "/staff/bookings").body["bookings"]
    assert [b["customer"]["name"] for b in pending] == ["Bo", "Cy"]  # soonest slot first
    confirmed = salon.staff("GET", "/staff/bookings?status=confirmed").body["bookings"]
    assert [b["customer"]["name"] for b in confirmed] == ["Ada"]
    assert salon.staff("GET", "/staff/bookings?status=cancelled").status == 400
