"""Input that cannot be served is refused at the door: a 4xx JSON error naming the field,
and nothing written."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chalice.test import Client

from chalicelib.bootstrap import build_services
from chalicelib.services.catalogue import NewSlot
from chalicelib.settings import get_settings
from tests.integration.conftest import Business
from tests.support.fakes import FakeClock

FIVE = "use one of en, fr, de, da, nb"
PROFILE = {"name": "Salon A", "time_zone": "Europe/Oslo"}


def _window_path(salon: Business) -> str:
    return f"/businesses/{salon.business_id}/services/{salon.service_id}/waiting-list"


def _window(**contact: Any) -> dict[str, Any]:
    starts = datetime.now(UTC) + timedelta(days=1)
    return {
        "name": "Ada",
        "email": "ada@example.com",
        "starts_from": starts.isoformat(),
        "ends_by": (starts + timedelta(days=7)).isoformat(),
        **contact,
    }


# --- languages --------------------------------------------------------------------------------


@pytest.mark.parametrize("language", ["xx", "zz-ZZ", "en_GB", "sv"])
def test_booking_in_a_language_standby_does_not_write_is_refused_and_takes_no_seat(
    salon: Business, language: str
) -> None:
    slot = salon.add_slot(capacity=1)
    answer = salon.book(slot, "Ada", email="ada@example.com", language=language)
    assert answer.status == 400
    assert answer.body["Message"].startswith("language: ")
    assert FIVE in answer.body["Message"]
    assert salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"] == []


def test_joining_a_waiting_list_in_an_unknown_language_is_refused_and_adds_no_one(
    salon: Business,
) -> None:
    slot = salon.add_slot(capacity=1)
    salon.book(slot, "Ada", email="ada@example.com")
    answer = salon.join(slot, "Bo", email="bo@example.com", language="xx")
    assert (answer.status, answer.body["Message"].split(":")[0]) == (400, "language")
    assert salon.staff("GET", f"/staff/slots/{slot}/waiting-list").body["entries"] == []


def test_waiting_for_a_window_in_an_unknown_language_is_refused(salon: Business) -> None:
    answer = salon.api.call("POST", _window_path(salon), _window(language="zz-ZZ"))
    assert answer.status == 400
    assert answer.body["Message"].startswith("language: 'zz-ZZ' is not a language")
    listed = salon.staff("GET", f"/staff/services/{salon.service_id}/waiting-list")
    assert listed.body["entries"] == []


def test_a_business_profile_in_an_unknown_language_is_refused_and_the_old_one_kept(
    salon: Business,
) -> None:
    answer = salon.staff("PUT", "/staff/business", {**PROFILE, "language": "xx"})
    assert answer.status == 400
    assert answer.body["Message"].startswith("language: ") and FIVE in answer.body["Message"]
    assert salon.staff("GET", "/staff/business").body["language"] == "en"


@pytest.mark.parametrize(
    ("given", "stored"), [("en-GB", "en"), ("fr-CA", "fr"), ("nb-NO", "nb"), ("no", "nb")]
)
def test_a_regional_tag_is_accepted_and_stored_as_its_language(
    salon: Business, given: str, stored: str
) -> None:
    slot = salon.add_slot(capacity=1)
    booked = salon.book(slot, "Ada", email="ada@example.com", language=given)
    assert booked.status == 201
    assert booked.body["booking"]["customer"]["language"] == stored
    profile = salon.staff("PUT", "/staff/business", {**PROFILE, "language": given})
    assert (profile.status, profile.body["language"]) == (200, stored)


def test_a_window_entry_in_a_regional_tag_is_stored_as_its_language(salon: Business) -> None:
    answer = salon.api.call("POST", _window_path(salon), _window(language="nn-NO"))
    assert answer.status == 201
    assert answer.body["entry"]["customer"]["language"] == "nb"


def test_an_own_text_in_an_unknown_language_is_refused_and_a_regional_one_saved_as_its_language(
    salon: Business,
) -> None:
    text = {"subject": "Booked", "text": "See you, {{ customer_name }}."}
    unknown = salon.staff("PUT", "/staff/templates/booking_confirmed/email/xx", text)
    assert unknown.status == 400 and unknown.body["Message"].startswith("language: ")
    assert salon.staff("DELETE", "/staff/templates/booking_confirmed/email/xx").status == 400
    preview = salon.staff(
        "POST",
        "/staff/templates/preview",
        {"message_type": "booking_confirmed", "channel": "email", "language": "zz-ZZ"},
    )
    assert preview.status == 400 and preview.body["Message"].startswith("language: ")

    saved = salon.staff("PUT", "/staff/templates/booking_confirmed/email/fr-CA", text)
    assert (saved.status, saved.body["template"]["language"]) == (200, "fr")
    assert salon.staff("DELETE", "/staff/templates/booking_confirmed/email/fr").status == 200


# --- sizes ------------------------------------------------------------------------------------


def _raw_post(salon: Business, path: str, body: str | bytes) -> tuple[int, dict[str, Any]]:
    response = salon.api.client.http.post(
        path, headers={"Content-Type": "application/json"}, body=body
    )
    return response.status_code, json.loads(response.body)


def test_a_body_nested_a_thousand_deep_is_refused_as_a_bad_request(salon: Business) -> None:
    slot = salon.add_slot(capacity=1)
    path = f"/businesses/{salon.business_id}/slots/{slot}/bookings"
    status, body = _raw_post(salon, path, '{"name":' + "[" * 1000 + "]" * 1000 + "}")
    assert (status, body["Message"]) == (400, "body: nested deeper than 32 levels")
    assert salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"] == []


def test_a_huge_body_is_refused_as_too_large_naming_the_limit(salon: Business) -> None:
    slot = salon.add_slot(capacity=1)
    path = f"/businesses/{salon.business_id}/slots/{slot}/bookings"
    huge = json.dumps({"name": "Ada", "email": "ada@example.com", "note": "x" * 300_000})
    status, body = _raw_post(salon, path, huge)
    assert (status, body["Message"]) == (413, "body: larger than 256 KiB")
    assert salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"] == []


# --- times --------------------------------------------------------------------------------------


def _slot_body(salon: Business, **fields: Any) -> dict[str, Any]:
    starts = (datetime.now(UTC) + timedelta(days=2)).replace(microsecond=0)
    return {"service_id": salon.service_id, "starts_at": starts.isoformat(), "capacity": 1} | fields


def _slot_made_yesterday(salon: Business, starts_ago: timedelta = timedelta(hours=1)) -> str:
    """A slot made while it was still ahead, whose start has since passed."""
    now = datetime.now(UTC)
    back_then = build_services(get_settings(), clock=FakeClock(now - timedelta(days=1))).catalogue
    new = NewSlot(salon.service_id, now - starts_ago, capacity=2)
    return back_then.add_slots(salon.business_id, [new])[0].slot_id


@pytest.mark.parametrize(
    "starts_at",
    [
        (datetime.now(UTC) - timedelta(minutes=5)).isoformat(),
        "2001-01-01T10:00",
    ],
)
def test_a_slot_that_starts_in_the_past_is_refused_naming_starts_at(
    salon: Business, starts_at: str
) -> None:
    answer = salon.staff("POST", "/staff/slots", _slot_body(salon, starts_at=starts_at))
    assert (answer.status, answer.body["Message"]) == (
        400,
        "slots[0].starts_at: must be in the future",
    )
    assert salon.staff("GET", "/staff/slots").body["slots"] == []


@pytest.mark.parametrize(
    ("fields", "problem"),
    [
        ({"starts_at": "0001-01-01T00:00"}, "starts_at: must fall in the years 2000 to 2099"),
        ({"starts_at": "9999-12-31T23:45"}, "starts_at: must fall in the years 2000 to 2099"),
        ({"starts_at": "2100-01-01T00:00"}, "starts_at: must fall in the years 2000 to 2099"),
        ({"ends_at": "9999-12-31T23:59+00:00"}, "ends_at: must fall in the years 2000 to 2099"),
        ({"ends_at": "10000-01-01T00:00"}, "ends_at: must be a date and time in ISO 8601"),
        ({"starts_at": 1234567890}, "starts_at: must be a date and time as an ISO 8601 string"),
        ({"starts_at": "1234567890"}, "starts_at: must be a date and time in ISO 8601"),
    ],
)
def test_a_slot_at_a_time_standby_cannot_serve_is_refused_naming_the_field(
    salon: Business, fields: dict[str, Any], problem: str
) -> None:
    answer = salon.staff("POST", "/staff/slots", _slot_body(salon, **fields))
    assert answer.status == 400
    assert problem in answer.body["Message"]
    assert salon.staff("GET", "/staff/slots").body["slots"] == []


def test_a_window_from_the_year_one_is_refused_naming_starts_from(salon: Business) -> None:
    answer = salon.api.call("POST", _window_path(salon), _window(starts_from="0001-01-01T00:00"))
    assert answer.status == 400
    assert "starts_from: must fall in the years 2000 to 2099" in answer.body["Message"]


def test_customers_see_only_slots_that_have_not_started_and_staff_see_them_all(
    salon: Business,
) -> None:
    started = _slot_made_yesterday(salon)
    ahead = salon.add_slot(capacity=1)
    public = salon.api.call("GET", f"/businesses/{salon.business_id}/slots").body["slots"]
    assert [slot["slot_id"] for slot in public] == [ahead]
    since = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()
    staff = salon.staff("GET", f"/staff/slots?from={since}").body["slots"]
    assert [slot["slot_id"] for slot in staff] == [started, ahead]


def test_a_slot_that_has_started_cannot_be_booked_or_waited_for(salon: Business) -> None:
    started = _slot_made_yesterday(salon, starts_ago=timedelta(seconds=1))
    booked = salon.book(started, "Ada", email="ada@example.com")
    joined = salon.join(started, "Bo", email="bo@example.com")
    assert (booked.status, booked.body["Message"]) == (409, "the slot has already started")
    assert (joined.status, joined.body["Message"]) == (409, "the slot has already started")
    assert salon.staff("GET", f"/staff/slots/{started}/bookings").body["bookings"] == []
    assert salon.staff("GET", f"/staff/slots/{started}/waiting-list").body["entries"] == []


def test_no_one_moves_a_booking_into_a_slot_that_has_started(salon: Business) -> None:
    started = _slot_made_yesterday(salon)
    slot = salon.add_slot(capacity=1)
    booked = salon.book(slot, "Ada", email="ada@example.com").body
    booking_id = booked["booking"]["booking_id"]

    by_customer = salon.api.call(
        "POST", f"/bookings/{booked['manage_token']}/move", {"slot_id": started}
    )
    by_staff = salon.staff(
        "POST", f"/staff/slots/{slot}/bookings/{booking_id}/move", {"slot_id": started}
    )

    assert (by_customer.status, by_customer.body["Message"]) == (
        409,
        "the slot has already started",
    )
    assert (by_staff.status, by_staff.body["Message"]) == (409, "the slot has already started")
    seen = salon.api.call("GET", f"/bookings/{booked['manage_token']}").body["booking"]
    assert (seen["slot_id"], seen["status"]) == (slot, "confirmed")


@pytest.mark.parametrize("day", ["9999-12-31", "0001-01-01", "1999-12-31", "not-a-day"])
def test_the_board_refuses_a_day_it_cannot_show_with_a_page_saying_so(
    client: Client, salon: Business, day: str
) -> None:
    response = client.http.get(
        f"/board?day={day}", headers={"Cookie": f"standby_staff={salon.token}"}
    )
    assert response.status_code == 400
    assert "This day cannot be shown" in response.body.decode()


def test_the_board_shows_the_last_day_it_can(client: Client, salon: Business) -> None:
    response = client.http.get(
        "/board?day=2099-12-31", headers={"Cookie": f"standby_staff={salon.token}"}
    )
    assert response.status_code == 200
    assert 'max="2099-12-31"' in response.body.decode()


# --- strict types, names and addresses ----------------------------------------------------------


@pytest.mark.parametrize("capacity", [True, "3", 3.0, None])
def test_a_capacity_that_is_not_a_whole_number_is_refused_not_converted(
    salon: Business, capacity: Any
) -> None:
    answer = salon.staff("POST", "/staff/slots", _slot_body(salon, capacity=capacity))
    assert answer.status == 400
    assert answer.body["Message"].startswith("slots[0].capacity: ")
    assert salon.staff("GET", "/staff/slots").body["slots"] == []


@pytest.mark.parametrize(
    ("field", "value"),
    [("waiting_list_open", "false"), ("waiting_list_open", 0), ("refill_cutoff_minutes", "30")],
)
def test_a_profile_setting_of_the_wrong_type_is_refused_and_the_old_one_kept(
    salon: Business, field: str, value: Any
) -> None:
    answer = salon.staff("PUT", "/staff/business", {**PROFILE, field: value})
    assert (answer.status, answer.body["Message"].split(":")[0]) == (400, field)
    profile = salon.staff("GET", "/staff/business").body
    assert (profile["waiting_list_open"], profile["refill_cutoff_minutes"]) == (True, 0)


def test_a_service_flag_given_as_a_string_is_refused(salon: Business) -> None:
    answer = salon.staff(
        "POST",
        "/staff/services",
        {"name": "Colour", "duration_minutes": 60, "requires_confirmation": "yes"},
    )
    assert answer.status == 400
    assert answer.body["Message"].startswith("services[0].requires_confirmation: ")


@pytest.mark.parametrize(
    "name", ["\u200b", "\u200b\u200d\u2060", "\x00", "Ada\x07", "\x1b[31mAda", "   "]
)
def test_a_name_of_control_or_invisible_characters_is_refused_naming_it(
    salon: Business, name: str
) -> None:
    slot = salon.add_slot(capacity=1)
    answer = salon.book(slot, name, email="ada@example.com")
    assert answer.status == 400
    assert answer.body["Message"].startswith("name: ")
    assert salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"] == []


@pytest.mark.parametrize("email", ["ada\x00@example.com", "ada@exam\x01ple.com", "ad\u200ba@x.no"])
def test_an_email_with_control_or_invisible_characters_is_refused_naming_it(
    salon: Business, email: str
) -> None:
    slot = salon.add_slot(capacity=1)
    answer = salon.book(slot, "Ada", email=email)
    assert (answer.status, answer.body["Message"]) == (400, "email: not a valid email address")
    assert salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"] == []


def test_a_name_and_an_email_are_kept_without_the_spaces_around_them(salon: Business) -> None:
    slot = salon.add_slot(capacity=1)
    booked = salon.book(slot, "  Ada Lovelace \n", email=" ada@example.com ")
    assert booked.status == 201
    customer = booked.body["booking"]["customer"]
    assert (customer["name"], customer["email"]) == ("Ada Lovelace", "ada@example.com")


# --- batches ----------------------------------------------------------------------------------


def _statuses(count: int) -> list[dict[str, Any]]:
    return [
        {"name": f"Step {n}", "position": n, "colour": "#9E9E9E", "kind": "none"}
        for n in range(count)
    ]


def test_a_batch_of_statuses_that_fits_one_write_is_added_whole(salon: Business) -> None:
    answer = salon.staff("POST", "/staff/statuses", _statuses(99))
    assert answer.status == 201, answer.body
    assert len(salon.staff("GET", "/staff/statuses").body["statuses"]) == 99


def test_a_batch_of_statuses_too_large_for_one_write_is_refused_and_none_added(
    salon: Business,
) -> None:
    answer = salon.staff("POST", "/staff/statuses", _statuses(100))
    assert (answer.status, answer.body["Message"]) == (400, "statuses: give at most 99")
    assert salon.staff("GET", "/staff/statuses").body["statuses"] == []


def test_slots_and_services_come_a_hundred_at_most_at_a_time(salon: Business) -> None:
    slots = [_slot_body(salon, capacity=n + 1) for n in range(101)]
    assert salon.staff("POST", "/staff/slots", slots[:100]).status == 201
    refused = salon.staff("POST", "/staff/slots", slots)
    assert (refused.status, refused.body["Message"]) == (400, "slots: give at most 100")
    assert len(salon.staff("GET", "/staff/slots").body["slots"]) == 100

    services = [{"name": f"Service {n}", "duration_minutes": 30} for n in range(101)]
    assert salon.staff("POST", "/staff/services", services[:100]).status == 201
    refused = salon.staff("POST", "/staff/services", services)
    assert (refused.status, refused.body["Message"]) == (400, "services: give at most 100")
    assert len(salon.staff("GET", "/staff/services").body["services"]) == 101


# --- wording ----------------------------------------------------------------------------------


def test_a_booking_body_that_is_not_an_object_is_refused_in_plain_words(salon: Business) -> None:
    slot = salon.add_slot(capacity=1)
    answer = salon.api.call(
        "POST", f"/businesses/{salon.business_id}/slots/{slot}/bookings", ["Ada"]
    )
    assert (answer.status, answer.body["Message"]) == (400, "body: must be a JSON object")


def test_a_bad_slot_in_a_batch_is_named_by_its_place_in_the_list(salon: Business) -> None:
    good = _slot_body(salon)
    answer = salon.staff("POST", "/staff/slots", [good, {**good, "capacity": 0}])
    assert (answer.status, answer.body["Message"]) == (
        400,
        "slots[1].capacity: must be at least 1",
    )


def test_a_window_that_ends_before_it_starts_names_ends_by(salon: Business) -> None:
    starts = datetime.now(UTC) + timedelta(days=2)
    window = _window(
        starts_from=starts.isoformat(), ends_by=(starts - timedelta(hours=1)).isoformat()
    )
    answer = salon.api.call("POST", _window_path(salon), window)
    assert answer.status == 400 and answer.body["Message"].startswith("ends_by: ")


@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("GET", "/businesses/nope/slots", None),
        ("POST", "/businesses/nope/slots/x/bookings", {"name": "Ada", "email": "a@b.co"}),
        ("POST", "/businesses/nope/slots/x/waiting-list", {"name": "Ada", "email": "a@b.co"}),
        ("POST", "/businesses/nope/services/x/waiting-list", _window()),
    ],
)
def test_a_business_that_does_not_exist_is_answered_as_such(
    salon: Business, method: str, path: str, body: Any
) -> None:
    answer = salon.api.call(method, path, body)
    assert (answer.status, answer.body["Message"]) == (404, "no business 'nope'")


def test_a_slot_that_does_not_exist_is_answered_as_such(salon: Business) -> None:
    answer = salon.book("nope", "Ada", email="ada@example.com")
    assert (answer.status, answer.body["Message"]) == (404, "no slot 'nope'")
