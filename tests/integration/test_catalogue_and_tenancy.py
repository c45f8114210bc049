"""Staff set up their catalogue; a staff token reaches its own business's data only."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from tests.integration.conftest import Api, Business, set_up_business, staff_token


def test_services_and_slots_come_one_or_many_at_once(salon: Business) -> None:
    many = salon.staff(
        "POST",
        "/staff/services",
        [{"name": "Colour", "duration_minutes": 90}, {"name": "Trim", "duration_minutes": 15}],
    )
    assert many.status == 201 and len(many.body["services"]) == 2
    names = [s["name"] for s in salon.staff("GET", "/staff/services").body["services"]]
    assert names == ["Colour", "Haircut", "Trim"]

    slots = salon.staff(
        "POST",
        "/staff/slots",
        {
            "slots": [
                {"service_id": salon.service_id, "starts_at": "2030-03-01T09:00", "capacity": 2},
                {
                    "service_id": salon.service_id,
                    "starts_at": "2030-03-01T10:00",
                    "capacity": 1,
                    "staff": "Kari",
                    "location": "Main street",
                },
            ]
        },
    )
    assert slots.status == 201
    listed = salon.staff("GET", "/staff/slots?from=2030-03-01").body["slots"]
    assert [(s["starts_at"], s["free_seats"], s["waiting_list_length"]) for s in listed] == [
        ("2030-03-01T08:00:00+00:00", 2, 0),  # 09:00 in Oslo, where the business is
        ("2030-03-01T09:00:00+00:00", 1, 0),
    ]
    assert listed[0]["ends_at"] == "2030-03-01T08:30:00+00:00"  # the service's 30 minutes
    assert listed[1]["staff"] == "Kari"


def test_a_batch_of_slots_with_one_bad_service_writes_none(salon: Business) -> None:
    answer = salon.staff(
        "POST",
        "/staff/slots",
        [
            {"service_id": salon.service_id, "starts_at": "2030-03-01T09:00", "capacity": 1},
            {"service_id": "unknown", "starts_at": "2030-03-01T10:00", "capacity": 1},
        ],
    )
    assert answer.status == 404 and "slots[1].service_id" in answer.body["Message"]
    assert salon.staff("GET", "/staff/slots").body["slots"] == []


def test_a_slot_that_ends_before_it_starts_is_refused_by_name(salon: Business) -> None:
    answer = salon.staff(
        "POST",
        "/staff/slots",
        {
            "service_id": salon.service_id,
            "starts_at": "2030-03-01T10:00",
            "ends_at": "2030-03-01T09:00",
            "capacity": 1,
        },
    )
    assert answer.status == 400 and "slots[0].ends_at" in answer.body["Message"]


def test_services_need_the_business_profile_first(api: Api) -> None:
    answer = api.call(
        "POST", "/staff/services", {"name": "Cut", "duration_minutes": 30}, staff_token("new")
    )
    assert answer.status == 409 and "PUT /staff/business" in answer.body["Message"]


def test_staff_endpoints_need_a_valid_token(api: Api) -> None:
    assert api.call("GET", "/staff/slots").status == 401
    assert api.call("GET", "/staff/slots", token="forged").status == 403


def test_a_staff_token_of_one_business_cannot_read_or_change_anothers_data(
    api: Api, salon: Business
) -> None:
    other = set_up_business(api, "salon-b", "Salon B")
    slot = other.add_slot(capacity=1)
    booking = other.book(slot, "Ada", email="ada@example.com").body["booking"]["booking_id"]
    other.join(slot, "Bo", email="bo@example.com")

    for method, path in [
        ("GET", f"/staff/slots/{slot}/bookings"),
        ("GET", f"/staff/slots/{slot}/waiting-list"),
        ("POST", f"/staff/slots/{slot}/bookings/{booking}/cancel"),
    ]:
        assert salon.staff(method, path).status == 404, path
    assert salon.staff("GET", "/staff/slots").body["slots"] == []
    assert salon.staff("GET", "/staff/services").body["services"][0]["service_id"] != (
        other.service_id
    )
    # A's slot made with B's service id does not reach B's catalogue.
    made = salon.staff(
        "POST",
        "/staff/slots",
        {"service_id": other.service_id, "starts_at": "2030-01-01T10:00", "capacity": 1},
    )
    assert made.status == 404
    # B's data is untouched.
    assert other.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"][0]["status"] == (
        "confirmed"
    )
    assert salon.staff("GET", "/staff/business").body["name"] == "Salon A"


@pytest.mark.parametrize("body", [{"name": "S", "time_zone": "Nowhere/City"}, {"time_zone": "UTC"}])
def test_a_bad_business_profile_is_refused(api: Api, body: dict[str, str]) -> None:
    answer = api.call("PUT", "/staff/business", body, staff_token("salon-c"))
    assert answer.status == 400
    assert api.call("GET", "/staff/business", token=staff_token("salon-c")).status == 409


def test_slot_times_given_with_an_offset_keep_their_moment(salon: Business) -> None:
    salon.staff(
        "POST",
        "/staff/slots",
        {"service_id": salon.service_id, "starts_at": "2030-06-01T10:00:00+02:00", "capacity": 1},
    )
    starts = salon.staff("GET", "/staff/slots?from=2030-06-01").body["slots"][0]["starts_at"]
    assert datetime.fromisoformat(starts) == datetime(2030, 6, 1, 8, 0, tzinfo=UTC)
