from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from chalicelib.api.errors import describe, field_path
from chalicelib.api.schemas import BusinessProfile, ContactBody, NewSlotsBody, one_or_many


def problems(model: type[BaseModel], raw: object) -> str:
    with pytest.raises(ValidationError) as caught:
        model.model_validate(raw)
    return describe(caught.value)


def test_a_phone_number_is_stored_in_e164() -> None:
    contact = ContactBody.model_validate({"name": "A", "phone": "+47 912 34 567"})
    assert contact.phone == "+4791234567"


def test_bad_contact_fields_are_named() -> None:
    assert problems(ContactBody, {"name": "A", "phone": "12345"}).startswith("phone:")
    assert problems(ContactBody, {"name": "A", "email": "nope"}) == (
        "email: not a valid email address"
    )
    assert "give an email address or a phone number" in problems(ContactBody, {"name": "A"})
    assert problems(ContactBody, {"name": "A", "email": "a@b.co", "age": 3}).startswith("age:")


def test_an_unknown_time_zone_is_named() -> None:
    assert "time_zone" in problems(BusinessProfile, {"name": "S", "time_zone": "Mars/Olympus"})


def test_slots_may_come_one_or_many_and_bad_ones_are_named_by_index() -> None:
    one = {"service_id": "x", "starts_at": "2026-12-01T10:00", "capacity": 1}
    assert len(NewSlotsBody.model_validate(one_or_many(one, "slots")).slots) == 1
    assert len(NewSlotsBody.model_validate(one_or_many([one, one], "slots")).slots) == 2
    bad = one_or_many([one, {**one, "capacity": 0}], "slots")
    assert problems(NewSlotsBody, bad) == "slots[1].capacity: must be at least 1"


def test_a_field_is_named_as_clients_write_it() -> None:
    assert field_path(("slots", 0, "capacity")) == "slots[0].capacity"
    assert field_path(("reminder_lead_times", 2)) == "reminder_lead_times[2]"
    assert field_path(("active_hours", "opens")) == "active_hours.opens"
    assert field_path(()) == "body"


@pytest.mark.parametrize(
    ("model", "raw", "said"),
    [
        (ContactBody, ["Ada"], "body: must be a JSON object"),
        (ContactBody, "Ada", "body: must be a JSON object"),
        (ContactBody, {"email": "a@b.co"}, "name: required"),
        (ContactBody, {"name": 7, "email": "a@b.co"}, "name: must be a string"),
        (ContactBody, {"name": "A", "email": "a@b.co", "age": 3}, "age: not a field of this"),
        (ContactBody, {"name": "x" * 201, "email": "a@b.co"}, "name: must be at most 200"),
        (BusinessProfile, {"name": "S", "time_zone": "UTC", "active_hours": "9-5"}, "active"),
        (
            BusinessProfile,
            {"name": "S", "time_zone": "UTC", "waiting_list_mode": "fast"},
            "waiting_list_mode: must be 'automatic', 'one_at_a_time', 'offer_to_many' or 'manual'",
        ),
        (
            BusinessProfile,
            {"name": "S", "time_zone": "UTC", "offer_window_seconds": 5},
            "offer_window_seconds: must be at least 10",
        ),
        (NewSlotsBody, {"slots": []}, "slots: give at least 1"),
        (NewSlotsBody, {"slots": [{"service_id": "x"}]}, "slots[0].starts_at: required"),
    ],
)
def test_every_refusal_names_its_field_in_plain_words(
    model: type[BaseModel], raw: object, said: str
) -> None:
    described = problems(model, raw)
    assert described.startswith(said)
    for jargon in ("Input should", "instance of", "Field required", "Value error", "String"):
        assert jargon not in described
