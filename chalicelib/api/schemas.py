"""Request bodies: validated with pydantic, so a bad field gets a 400 naming it, and the
same models describe the API in its OpenAPI document."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Annotated, Any

import phonenumbers
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    StrictBool,
    StrictInt,
    field_validator,
    model_validator,
)

from chalicelib.domain.languages import supported_language, unsupported
from chalicelib.domain.messages import Channel, MessageType
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
    FIRST_YEAR,
    LAST_YEAR,
    UnknownTimeZone,
    within_years,
    zone,
)
from chalicelib.domain.workflows import Recipient, RuleChannel
from chalicelib.ports.catalogue import (
    SERVICES_PER_WRITE,
    SLOTS_PER_WRITE,
    STATUSES_PER_WRITE,
)

EMAIL = re.compile(r"[^@\s]+@[^@\s]+\.[^@\s]+")


def _is_control(char: str) -> bool:
    return unicodedata.category(char) == "Cc"


def _is_invisible(char: str) -> bool:
    """Whitespace, control characters, and format characters such as zero-width spaces."""
    return char.isspace() or unicodedata.category(char) in ("Cc", "Cf")


def is_email(value: str) -> bool:
    # NUL and the other invisible characters pass the pattern, yet no mail server takes them.
    return EMAIL.fullmatch(value) is not None and not any(map(_is_invisible, value))


def _visible(text: str) -> str:
    # Control characters break the messages and pages a name is written into; a name of
    # zero-width characters alone names no one.
    if any(map(_is_control, text)):
        raise ValueError("must not contain control characters")
    if all(map(_is_invisible, text)):
        raise ValueError("must contain a visible character")
    return text


def _language(tag: str) -> str:
    language = supported_language(tag)
    if language is None:
        raise ValueError(unsupported(tag))
    return language


def _moment(value: object) -> datetime | None:
    if value is None:
        return None  # an optional time left empty; a required one is refused as missing
    # Only an ISO 8601 string: pydantic would also read a number, or a string of digits,
    # as seconds since 1970.
    if not isinstance(value, str):
        raise ValueError("must be a date and time as an ISO 8601 string, e.g. 2030-03-01T10:00")
    try:
        moment = datetime.fromisoformat(value)
    except ValueError as error:
        raise ValueError(
            "must be a date and time in ISO 8601, e.g. 2030-03-01T10:00 or 2030-03-01T10:00+01:00"
        ) from error
    if not within_years(moment):
        raise ValueError(f"must fall in the years {FIRST_YEAR} to {LAST_YEAR}")
    return moment


Name = Annotated[str, Field(min_length=1, max_length=200), AfterValidator(_visible)]
Moment = Annotated[datetime, BeforeValidator(_moment)]
"""A date and time as an ISO 8601 string; without an offset, the business's wall clock."""
OptionalMoment = Annotated[datetime | None, BeforeValidator(_moment)]
Language = Annotated[
    str,
    Field(
        description="en, fr, de, da or nb; a regional tag (en-GB, fr-CA, nb-NO) is stored as "
        "its language, and no or nn as nb"
    ),
    AfterValidator(_language),
]


class Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


CLOCK = r"^([01][0-9]|2[0-3]):[0-5][0-9]$"
COLOUR = r"^#[0-9A-Fa-f]{6}$"


def _shaped(pattern: str, words: str) -> AfterValidator:
    """A string of the pattern's shape, refused in words rather than as the pattern."""

    def check(value: str) -> str:
        if not re.fullmatch(pattern, value):
            raise ValueError(words)
        return value

    return AfterValidator(check)


ClockTime = Annotated[
    str,
    _shaped(CLOCK, "must be a time of day as HH:MM, e.g. 08:30"),
    Field(json_schema_extra={"pattern": CLOCK}),
]
Colour = Annotated[
    str,
    _shaped(COLOUR, "must be a colour as #RRGGBB, e.g. #2E7D32"),
    Field(json_schema_extra={"pattern": COLOUR}),
]


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


def e164(value: str) -> str:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as error:
        raise ValueError("not a phone number in E.164 form, e.g. +4791234567") from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)


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


def one_or_many(body: Any, key: str) -> Any:
    """Staff may send one object, a list, or {key: [...]}; all mean the same."""
    if isinstance(body, list):
        return {key: body}
    if isinstance(body, dict) and key not in body:
        return {key: [body]}
    return body


# --- messages: workflows and the business's own texts ---------------------------------------


class ScopeBody(Strict):
    services: list[Name] = Field(default_factory=list, max_length=100, description="service ids")
    locations: list[Name] = Field(default_factory=list, max_length=100)
    staff: list[Name] = Field(default_factory=list, max_length=100)


class WorkflowBody(Strict):
    name: Name = Field(description="for staff: what the rule is for")
    trigger: MessageType = Field(description="the message type (event) the rule sends on")
    channel: RuleChannel = Field(
        default=RuleChannel.PREFERENCE,
        description="email, sms, or preference (the business's channel preference, customers)",
    )
    recipients: list[Recipient] = Field(
        default_factory=list,
        max_length=2,
        description="customer, and/or staff (the slot's staff member's or location's address)",
    )
    addresses: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="given email addresses (channel email) or E.164 numbers (channel sms)",
    )
    scope: ScopeBody = Field(
        default_factory=ScopeBody, description="only slots of these; an empty list: any"
    )
    enabled: StrictBool = True
    use_custom_text: StrictBool = Field(
        default=True, description="use the business's own text for the type when it saved one"
    )

    @field_validator("addresses")
    @classmethod
    def _addresses(cls, values: list[str]) -> list[str]:
        return [value if is_email(value) else e164(value) for value in values]


class WorkflowSwitchBody(Strict):
    enabled: StrictBool = Field(description="false switches the rule off; true back on")


class MessageTextBody(Strict):
    subject: str | None = Field(
        default=None, min_length=1, max_length=1000, description="email only (jinja2)"
    )
    text: str = Field(
        min_length=1, max_length=20_000, description="the plain-text body or the SMS (jinja2)"
    )
    html: str | None = Field(
        default=None,
        min_length=1,
        max_length=20_000,
        description="email only, optional (jinja2, values HTML-escaped)",
    )


class PreviewBody(Strict):
    message_type: MessageType
    channel: Channel
    language: Language = "en"
    template: MessageTextBody | None = Field(
        default=None, description="a text to try; leave out to see the saved or standard one"
    )
