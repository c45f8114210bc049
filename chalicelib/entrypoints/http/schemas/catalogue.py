"""Request bodies of the catalogue: the business's profile, services, slots and pipeline
statuses."""

from __future__ import annotations

from typing import Annotated, Any

from pydantic import (
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)

from chalicelib.adapters.dynamodb.store import (
    SERVICES_PER_WRITE,
    SLOTS_PER_WRITE,
    STATUSES_PER_WRITE,
)
from chalicelib.domain.model import ChannelPreference, WaitingListMode
from chalicelib.domain.offers import MAX_OFFERS_AT_ONCE
from chalicelib.domain.pipeline import StepKind
from chalicelib.domain.reminders import (
    DEFAULT_LEAD_MINUTES,
    MAX_LEAD_MINUTES,
    MAX_LEAD_TIMES,
    MIN_LEAD_MINUTES,
)
from chalicelib.domain.time_rules import (
    UnknownTimeZone,
    zone,
)
from chalicelib.entrypoints.http.schemas.fields import (
    ClockTime,
    Colour,
    Language,
    Moment,
    Name,
    OptionalMoment,
    Strict,
    is_email,
)


class ActiveHoursBody(Strict):
    opens: ClockTime = Field(description="HH:MM, the business's wall clock")
    closes: ClockTime = Field(description="HH:MM, later than opens")

    @model_validator(mode="after")
    def _in_order(self) -> ActiveHoursBody:
        if self.closes <= self.opens:
            raise ValueError("closes must be later than opens")
        return self


class BusinessProfile(Strict):
    name: Name
    time_zone: str = Field(description="IANA time zone, e.g. Europe/Oslo")
    language: Language = "en"
    waiting_list_open: StrictBool = True
    refill_cutoff_minutes: StrictInt = Field(
        default=0,
        ge=0,
        le=7 * 24 * 60,
        description="give no seat from the waiting list this close to the slot's start",
    )
    waiting_list_mode: WaitingListMode = Field(
        default=WaitingListMode.AUTOMATIC,
        description="automatic, one_at_a_time, offer_to_many or manual",
    )
    offer_window_seconds: StrictInt = Field(
        default=30 * 60, ge=10, le=7 * 24 * 3600, description="how long a customer has to accept"
    )
    offer_to_many_count: StrictInt = Field(
        default=0, ge=0, le=MAX_OFFERS_AT_ONCE, description="how many to ask at once; 0: all"
    )
    message_channels: ChannelPreference = Field(
        default=ChannelPreference.EMAIL_FIRST,
        description="email_first, sms_first or both; a missing channel falls back to the other",
    )
    active_hours: ActiveHoursBody | None = Field(
        default=None, description="messages wait for these hours; leave out for any time"
    )
    max_offers_per_day: StrictInt = Field(
        default=0, ge=0, le=100, description="offers one customer may get a day; 0: any"
    )
    max_open_entries: StrictInt = Field(
        default=0, ge=0, le=100, description="waiting lists one customer may be on; 0: any"
    )
    staff_email: str | None = Field(
        default=None,
        max_length=254,
        description="where staff notices go when a slot's staff member or location has none",
    )
    addresses: dict[Name, str] = Field(
        default_factory=dict,
        description="email addresses of staff members and locations, by name, for copies of "
        "confirmed bookings",
    )
    reminder_lead_times: list[
        Annotated[StrictInt, Field(ge=MIN_LEAD_MINUTES, le=MAX_LEAD_MINUTES)]
    ] = Field(
        default_factory=lambda: list(DEFAULT_LEAD_MINUTES),
        max_length=MAX_LEAD_TIMES,
        description="minutes before a slot each reminder goes out, e.g. [1440, 120]; [] for none",
    )

    @field_validator("reminder_lead_times")
    @classmethod
    def _distinct_lead_times(cls, value: list[int]) -> list[int]:
        if len(set(value)) != len(value):
            raise ValueError("each lead time once")
        return sorted(value, reverse=True)

    @field_validator("staff_email")
    @classmethod
    def _staff_email(cls, value: str | None) -> str | None:
        if value is not None and not is_email(value):
            raise ValueError("not a valid email address")
        return value

    @field_validator("addresses")
    @classmethod
    def _emails(cls, value: dict[str, str]) -> dict[str, str]:
        for name, address in value.items():
            if not is_email(address):
                raise ValueError(f"{name}: not a valid email address")
        return value

    @field_validator("time_zone")
    @classmethod
    def _known_zone(cls, value: str) -> str:
        try:
            zone(value)
        except UnknownTimeZone as error:
            raise ValueError(str(error)) from error
        return value


class NewServiceBody(Strict):
    name: Name
    duration_minutes: StrictInt = Field(ge=5, le=24 * 60)
    requires_confirmation: StrictBool = Field(
        default=False, description="bookings wait as pending until staff confirm them"
    )
    uses_status_pipeline: StrictBool = Field(
        default=False, description="bookings go through the business's status pipeline"
    )
    waiting_list_mode: WaitingListMode | None = Field(
        default=None, description="overrides the business's waiting-list mode"
    )


class NewServicesBody(Strict):
    services: list[NewServiceBody] = Field(
        min_length=1, max_length=SERVICES_PER_WRITE, description="added in one write, all or none"
    )


class NewSlotBody(Strict):
    service_id: str = Field(min_length=1, max_length=64)
    starts_at: Moment = Field(description="ISO 8601; without an offset, the business's time")
    ends_at: OptionalMoment = Field(
        default=None, description="defaults to the start plus the service's duration"
    )
    capacity: StrictInt = Field(ge=1, le=1000)
    staff: Name | None = None
    location: Name | None = None


class NewSlotsBody(Strict):
    slots: list[NewSlotBody] = Field(
        min_length=1, max_length=SLOTS_PER_WRITE, description="added in one write, all or none"
    )


class SlotChangesBody(Strict):
    capacity: StrictInt | None = Field(default=None, ge=1, le=1000)
    staff: Name | None = Field(default=None, description="null clears it; leave out to keep")
    location: Name | None = Field(default=None, description="null clears it; leave out to keep")

    @model_validator(mode="after")
    def _something(self) -> SlotChangesBody:
        if not self.model_fields_set:
            raise ValueError("give capacity, staff or location")
        return self


class PipelineStatusBody(Strict):
    name: Name
    description: str | None = Field(default=None, max_length=1000)
    position: StrictInt = Field(ge=0, le=10_000)
    colour: Colour = Field(description="e.g. #2E7D32")
    kind: StepKind = Field(
        description="start: where bookings begin; confirmation: confirms; cancellation: "
        "needs a reason, frees the seat; none: just a step"
    )


class PipelineStatusesBody(Strict):
    statuses: list[PipelineStatusBody] = Field(
        min_length=1,
        max_length=STATUSES_PER_WRITE,
        description="added in one write with the business's note of where the pipeline starts",
    )


def one_or_many(body: Any, key: str) -> Any:
    """Staff may send one object, a list, or {key: [...]}; all mean the same."""
    if isinstance(body, list):
        return {key: body}
    if isinstance(body, dict) and key not in body:
        return {key: [body]}
    return body


# --- messages: workflows and the business's own texts ---------------------------------------
