from __future__ import annotations

import pytest
from pydantic import BaseModel, ValidationError

from chalicelib.api.errors import describe
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
    assert problems(NewSlotsBody, bad).startswith("slots.1.capacity:")
