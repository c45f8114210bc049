"""Customers book, wait and leave over the HTTP API; bad input is refused by name."""

from __future__ import annotations

import pytest

from tests.integration.conftest import Api, Business
from tests.support.aws import Streams, sent_about


def test_booking_the_last_seat_answers_with_a_manage_link_and_the_next_customer_is_sent_to_the_list(
    salon: Business,
) -> None:
    slot = salon.add_slot(capacity=1)
    booked = salon.book(slot, "Ada", email="ada@example.com")
    assert booked.status == 201
    assert booked.body["booking"]["status"] == "confirmed"
    assert booked.body["manage_url"].endswith(booked.body["manage_token"])
    seen = salon.api.call("GET", f"/bookings/{booked.body['manage_token']}")
    assert seen.body["booking"]["booking_id"] == booked.body["booking"]["booking_id"]

    refused = salon.book(slot, "Bo", email="bo@example.com")
    assert refused.status == 409
    assert "waiting list is open" in refused.body["Message"]


def test_joining_the_list_of_a_slot_with_a_free_seat_is_refused(salon: Business) -> None:
    slot = salon.add_slot(capacity=2)
    salon.book(slot, "Ada", email="ada@example.com")
    refused = salon.join(slot, "Bo", email="bo@example.com")
    assert refused.status == 409
    assert "book it instead" in refused.body["Message"]


def test_a_waiting_customer_sees_their_position_and_can_leave_once(salon: Business) -> None:
    slot = salon.add_slot(capacity=1)
    salon.book(slot, "Ada", email="ada@example.com")
    first = salon.join(slot, "Bo", email="bo@example.com")
    second = salon.join(slot, "Cy", phone="+4791234567")
    assert second.body["position"] == 2
    assert second.body["entry"]["customer"]["phone"] == "+4791234567"

    left = salon.api.call("DELETE", f"/waiting-list/{first.body['token']}")
    assert (left.status, left.body["entry"]["status"]) == (200, "left")
    again = salon.api.call("DELETE", f"/waiting-list/{first.body['token']}")
    assert again.status == 409

    now = salon.api.call("GET", f"/waiting-list/{second.body['token']}")
    assert now.body["entry"]["position"] == 1
    slots = salon.api.call("GET", f"/businesses/{salon.business_id}/slots").body["slots"]
    assert slots[0]["waiting_list_length"] == 1


def test_a_cancellation_with_no_one_waiting_puts_the_seat_straight_back_on_sale(
    salon: Business, streams: Streams
) -> None:
    slot = salon.add_slot(capacity=1)
    booked = salon.book(slot, "Ada", email="ada@example.com")
    cancelled = salon.api.call("POST", f"/bookings/{booked.body['manage_token']}/cancel")
    assert (cancelled.status, cancelled.body["booking"]["cancelled_by"]) == (200, "customer")
    streams.settle()
    assert salon.book(slot, "Bo", email="bo@example.com").status == 201
    assert sent_about("seat opened up") == []
    assert [m.to for m in sent_about("cancelled")] == ["ada@example.com"]


def test_cancelling_twice_is_refused_the_second_time(salon: Business) -> None:
    slot = salon.add_slot(capacity=1)
    booked = salon.book(slot, "Ada", email="ada@example.com")
    path = f"/bookings/{booked.body['manage_token']}/cancel"
    assert salon.api.call("POST", path).status == 200
    second = salon.api.call("POST", path)
    assert second.status == 409
    assert second.body["Message"] == "a cancelled booking cannot be cancelled"


def test_staff_can_cancel_any_booking_of_their_business(salon: Business) -> None:
    slot = salon.add_slot(capacity=1)
    booked = salon.book(slot, "Ada", email="ada@example.com").body["booking"]
    answer = salon.staff("POST", f"/staff/slots/{slot}/bookings/{booked['booking_id']}/cancel")
    assert (answer.status, answer.body["booking"]["cancelled_by"]) == (200, "staff")


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "Ada", "email": "not-an-address"}, "email"),
        ({"name": "Ada", "phone": "0047 12"}, "phone"),
        ({"name": "", "email": "ada@example.com"}, "name"),
        ({"name": "Ada"}, "email address or a phone number"),
    ],
)
def test_a_booking_with_bad_contact_details_is_refused_naming_the_field_and_takes_no_seat(
    salon: Business, body: dict[str, str], field: str
) -> None:
    slot = salon.add_slot(capacity=1)
    answer = salon.api.call("POST", f"/businesses/{salon.business_id}/slots/{slot}/bookings", body)
    assert answer.status == 400
    assert field in answer.body["Message"]
    assert salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"] == []
    assert salon.staff("GET", "/staff/slots").body["slots"][0]["free_seats"] == 1


def test_a_body_that_is_not_json_is_refused(salon: Business) -> None:
    slot = salon.add_slot()
    response = salon.api.client.http.post(
        f"/businesses/{salon.business_id}/slots/{slot}/bookings",
        headers={"Content-Type": "application/json"},
        body="{not json",
    )
    assert response.status_code == 400
    assert b"not valid JSON" in response.body


def test_links_that_do_not_verify_lead_nowhere(api: Api, salon: Business) -> None:
    assert api.call("GET", "/bookings/forged").status == 404
    assert api.call("POST", "/bookings/forged/cancel").status == 404
    slot = salon.add_slot(capacity=1)
    salon.book(slot, "Ada", email="ada@example.com")
    entry_token = salon.join(slot, "Bo", email="bo@example.com").body["token"]
    # A waiting-list link is no booking link.
    assert api.call("POST", f"/bookings/{entry_token}/cancel").status == 404


def test_booking_an_unknown_slot_is_not_found(salon: Business) -> None:
    answer = salon.book("nope", "Ada", email="ada@example.com")
    assert answer.status == 404
