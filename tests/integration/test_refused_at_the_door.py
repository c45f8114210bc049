"""Input that cannot be served is refused at the door: a 4xx JSON error naming the field,
and nothing written."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.integration.conftest import Business

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
