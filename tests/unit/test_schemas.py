from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from chalicelib.entrypoints.http.errors import describe, field_path
from chalicelib.entrypoints.http.schemas import (
    BusinessProfile,
    ContactBody,
    NewSlotsBody,
    is_email,
    one_or_many,
)


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


@pytest.mark.parametrize(
    ("raw", "said"),
    [
        ({"capacity": True}, "slots[0].capacity: must be a whole number"),
        ({"capacity": "3"}, "slots[0].capacity: must be a whole number"),
        ({"capacity": 2.0}, "slots[0].capacity: must be a whole number"),
        (
            {"starts_at": 1234567890},
            "slots[0].starts_at: must be a date and time as an ISO 8601 string",
        ),
        ({"starts_at": "1234567890"}, "slots[0].starts_at: must be a date and time in ISO 8601"),
        ({"starts_at": "9999-12-31T23:30"}, "slots[0].starts_at: must fall in the years 2000"),
    ],
)
def test_numbers_and_times_are_taken_as_they_are_typed_never_converted(
    raw: dict[str, object], said: str
) -> None:
    slot = {"service_id": "x", "starts_at": "2030-03-01T10:00", "capacity": 1} | raw
    assert problems(NewSlotsBody, {"slots": [slot]}).startswith(said)


def test_a_flag_is_true_or_false_and_nothing_else() -> None:
    for given in ("true", 1, "yes"):
        refused = problems(
            BusinessProfile, {"name": "S", "time_zone": "UTC", "waiting_list_open": given}
        )
        assert refused == "waiting_list_open: must be true or false"


@pytest.mark.parametrize(
    ("name", "said"),
    [
        ("\u200b", "name: must contain a visible character"),
        ("\u2060\u200d", "name: must contain a visible character"),
        ("\x00", "name: must not contain control characters"),
        ("Ada\nLovelace", "name: must not contain control characters"),
        ("   ", "name: must not be empty"),
    ],
)
def test_a_name_must_show_something_and_hide_nothing(name: str, said: str) -> None:
    assert problems(ContactBody, {"name": name, "email": "a@b.co"}) == said


def test_a_name_keeps_its_joiners_and_loses_its_surrounding_spaces() -> None:
    contact = ContactBody.model_validate({"name": "  Ada\u200dLovelace ", "email": " a@b.co "})
    assert (contact.name, contact.email) == ("Ada\u200dLovelace", "a@b.co")


@pytest.mark.parametrize(
    ("address", "valid"),
    [
        ("ada@example.com", True),
        ("ada+list@sub.example.co.uk", True),
        ("ada\x00@example.com", False),
        ("ada@example.com\x7f", False),
        ("a\u200bda@example.com", False),
        ("ada@example.com\nbcc: eve@example.com", False),
        ("ada@example", False),
    ],
)
def test_an_email_address_has_no_control_or_invisible_characters(address: str, valid: bool) -> None:
    assert is_email(address) is valid
