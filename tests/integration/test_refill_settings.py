"""The business's refill settings: a cutoff before the slot starts, the channels its
customers are reached on, and the log of every decision staff can read."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import Business
from tests.support.aws import Streams, sent_about


def _settings(salon: Business, **settings: Any) -> None:
    profile = salon.staff("GET", "/staff/business").body
    answer = salon.staff(
        "PUT",
        "/staff/business",
        {k: profile[k] for k in ("name", "time_zone", "language")} | settings,
    )
    assert answer.status == 200, answer.body


def _full_with_waiting(salon: Business, days_ahead: int = 2, **contact: str) -> tuple[str, str]:
    slot = salon.add_slot(capacity=1, days_ahead=days_ahead)
    holder = salon.book(slot, "Ada", email="ada@example.com").body["manage_token"]
    assert salon.join(slot, "Bo", **contact).status == 201
    return slot, holder


def test_a_seat_freed_within_the_cutoff_goes_back_on_sale_and_the_log_says_why(
    salon: Business, streams: Streams
) -> None:
    _settings(salon, refill_cutoff_minutes=3 * 24 * 60)  # three days
    slot, holder = _full_with_waiting(salon, days_ahead=2, email="bo@example.com")
    salon.api.call("POST", f"/bookings/{holder}/cancel")
    streams.settle()

    assert sent_about("seat opened up") == []
    listed = salon.staff("GET", "/staff/slots").body["slots"][0]
    assert (listed["free_seats"], listed["held_for_waiting_list"]) == (1, 0)
    [decision] = salon.staff("GET", f"/staff/slots/{slot}/allocations").body["allocations"]
    assert (decision["outcome"], decision["reason"]) == (
        "released",
        "too close to the slot's start",
    )
    assert [s["reason"] for s in decision["skipped"]] == ["too close to the slot's start"]


def test_the_log_names_who_got_the_seat_and_the_booking_starts_unpaid(
    salon: Business, streams: Streams
) -> None:
    slot, holder = _full_with_waiting(salon, email="bo@example.com")
    salon.api.call("POST", f"/bookings/{holder}/cancel")
    streams.settle()

    [decision] = salon.staff("GET", f"/staff/slots/{slot}/allocations").body["allocations"]
    bookings = salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"]
    [given] = [b for b in bookings if b["source"] == "waiting_list"]
    assert (decision["outcome"], decision["booking_id"]) == ("booked", given["booking_id"])
    assert given["payment_status"] == "unpaid"
    assert [b["payment_status"] for b in bookings if b["source"] == "direct"] == [None]


def test_a_business_that_wants_both_channels_reaches_the_customer_on_each(
    salon: Business, streams: Streams
) -> None:
    _settings(salon, message_channels="both")
    _, holder = _full_with_waiting(salon, email="bo@example.com", phone="+4791234567")
    salon.api.call("POST", f"/bookings/{holder}/cancel")
    streams.settle(copies=2)
    told = sorted((m.channel, m.to) for m in sent_about("seat opened up"))
    assert told == [("email", "bo@example.com"), ("sms", "+4791234567")]


def test_texts_first_falls_back_to_email_for_a_customer_without_a_phone(
    salon: Business, streams: Streams
) -> None:
    _settings(salon, message_channels="sms_first")
    _, holder = _full_with_waiting(salon, email="bo@example.com")
    salon.api.call("POST", f"/bookings/{holder}/cancel")
    streams.settle()
    assert [(m.channel, m.to) for m in sent_about("seat opened up")] == [
        ("email", "bo@example.com")
    ]


def test_switching_the_list_off_after_a_seat_was_held_puts_it_back_on_sale(
    salon: Business, streams: Streams
) -> None:
    slot, holder = _full_with_waiting(salon, email="bo@example.com")
    salon.api.call("POST", f"/bookings/{holder}/cancel")
    _settings(salon, waiting_list_open=False)
    streams.settle()
    [decision] = salon.staff("GET", f"/staff/slots/{slot}/allocations").body["allocations"]
    assert (decision["outcome"], decision["reason"]) == (
        "released",
        "the waiting list is switched off",
    )
    assert salon.staff("GET", "/staff/slots").body["slots"][0]["free_seats"] == 1


def test_a_customer_can_be_on_only_as_many_lists_as_the_business_allows(
    salon: Business, streams: Streams
) -> None:
    _settings(salon, max_open_entries=2)
    slots = [salon.add_slot(capacity=1, days_ahead=days) for days in (2, 3, 4)]
    for number, slot in enumerate(slots):
        salon.book(slot, f"Holder {number}", email=f"holder{number}@example.com")
    first = salon.join(slots[0], "Bo", email="bo@example.com")
    assert salon.join(slots[1], "Bo", email="BO@example.com").status == 201  # same customer
    refused = salon.join(slots[2], "Bo", email="bo@example.com")
    assert refused.status == 409 and "2 waiting lists" in refused.body["Message"]
    assert salon.join(slots[2], "Cy", email="cy@example.com").status == 201

    # Leaving one list, or getting a seat from one, makes room for another.
    salon.api.call("DELETE", f"/waiting-list/{first.body['token']}")
    assert salon.join(slots[2], "Bo", email="bo@example.com").status == 201
    fourth = salon.add_slot(capacity=1, days_ahead=5)
    salon.book(fourth, "Holder 3", email="holder3@example.com")
    assert salon.join(fourth, "Bo", email="bo@example.com").status == 409
    holder = salon.staff("GET", f"/staff/slots/{slots[1]}/bookings").body["bookings"][0]
    salon.staff("POST", f"/staff/slots/{slots[1]}/bookings/{holder['booking_id']}/cancel")
    streams.settle()
    assert salon.join(fourth, "Bo", email="bo@example.com").status == 201


def test_a_customer_who_had_their_offers_for_the_day_is_passed_over(
    salon: Business, streams: Streams
) -> None:
    _settings(salon, waiting_list_mode="one_at_a_time", max_offers_per_day=1)
    first, second = salon.add_slot(capacity=1), salon.add_slot(capacity=1, days_ahead=3)
    holders = [
        salon.book(slot, "Holder", email=f"holder{n}@example.com").body["manage_token"]
        for n, slot in enumerate((first, second))
    ]
    salon.join(first, "Bo", email="bo@example.com")
    salon.join(second, "Bo", email="bo@example.com")
    salon.join(second, "Cy", email="cy@example.com")

    salon.api.call("POST", f"/bookings/{holders[0]}/cancel")
    streams.settle()
    salon.api.call("POST", f"/bookings/{holders[1]}/cancel")
    streams.settle()

    offered = sorted(m.to for m in sent_about("answer by"))
    assert offered == ["bo@example.com", "cy@example.com"]  # Bo once, then Cy for the second
    [decision] = salon.staff("GET", f"/staff/slots/{second}/allocations").body["allocations"]
    assert [s["reason"] for s in decision["skipped"]] == [
        "had as many offers today as the business allows"
    ]
