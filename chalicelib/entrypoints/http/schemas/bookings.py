"""Request bodies of bookings and waiting lists: who the customer is, and what they or
staff ask for."""

from __future__ import annotations

from pydantic import (
    Field,
    field_validator,
    model_validator,
)

from chalicelib.domain.offers import MAX_OFFERS_AT_ONCE
from chalicelib.entrypoints.http.schemas.fields import (
    Language,
    Moment,
    Name,
    OptionalMoment,
    Strict,
    e164,
    is_email,
)


class ContactBody(Strict):
    name: Name
    email: str | None = Field(default=None, max_length=254)
    phone: str | None = Field(default=None, description="E.164, e.g. +4791234567")
    language: Language | None = None

    @field_validator("email")
    @classmethod
    def _email(cls, value: str | None) -> str | None:
        if value is not None and not is_email(value):
            raise ValueError("not a valid email address")
        return value

    @field_validator("phone")
    @classmethod
    def _phone(cls, value: str | None) -> str | None:
        return None if value is None else e164(value)

    @model_validator(mode="after")
    def _reachable(self) -> ContactBody:
        if not self.email and not self.phone:
            raise ValueError("give an email address or a phone number")
        return self


class WindowEntryBody(ContactBody):
    starts_from: Moment = Field(
        description="the earliest slot start wanted; ISO 8601, without an offset the "
        "business's time"
    )
    ends_by: Moment = Field(description="the latest slot end wanted")
    staff: Name | None = Field(default=None, description="only with this staff member")
    location: Name | None = Field(default=None, description="only at this location")


class EarlierSlotBody(Strict):
    starts_from: OptionalMoment = Field(
        default=None, description="the earliest start wanted; defaults to now"
    )


class StepBody(Strict):
    status_id: str = Field(min_length=1, max_length=64)
    reason: str | None = Field(default=None, max_length=1000)


class ChosenEntriesBody(Strict):
    entry_ids: list[str] = Field(
        min_length=1, max_length=MAX_OFFERS_AT_ONCE, description="waiting-list entries to ask"
    )


class ReasonBody(Strict):
    reason: str | None = Field(default=None, max_length=1000)


class RequiredReasonBody(Strict):
    reason: str = Field(min_length=1, max_length=1000, description="sent to the customer")


class MoveBody(Strict):
    slot_id: str = Field(min_length=1, max_length=64, description="the slot to move to")
