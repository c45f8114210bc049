"""The business's settings, by concern: its profile (who it is and where staff are
reached), its waiting-list policy (how a freed seat is given) and its messaging (which
channel, when, and reminders). PUT /staff/business takes all three in one flat body."""

from __future__ import annotations

from typing import Annotated

from pydantic import Field, StrictBool, StrictInt, field_validator, model_validator

from chalicelib.domain.model import ChannelPreference, WaitingListMode
from chalicelib.domain.offers import MAX_OFFERS_AT_ONCE
from chalicelib.domain.reminders import (
    DEFAULT_LEAD_MINUTES,
    MAX_LEAD_MINUTES,
    MAX_LEAD_TIMES,
    MIN_LEAD_MINUTES,
)
from chalicelib.domain.time_rules import UnknownTimeZone, zone
from chalicelib.domain.values import MAX_EMBED_ORIGINS, web_origin
from chalicelib.entrypoints.http.schemas.fields import ClockTime, Language, Name, Strict, is_email


class ProfileBody(Strict):
    name: Name
    time_zone: str = Field(description="IANA time zone, e.g. Europe/Oslo")
    language: Language = "en"
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
    embed_origins: list[str] = Field(
        default_factory=list,
        max_length=MAX_EMBED_ORIGINS,
        description="https origins of the business's own websites allowed to show its "
        "booking site in a frame, e.g. https://salon.example; none: no site may",
    )

    @field_validator("embed_origins")
    @classmethod
    def _origins(cls, value: list[str]) -> list[str]:
        origins: list[str] = []
        for index, given in enumerate(value):
            origin = web_origin(given)
            if origin is None:
                raise ValueError(
                    f"[{index}] {given[:100]!r}: give an https origin such as "
                    "https://salon.example (no path, no wildcard)"
                )
            if origin not in origins:
                origins.append(origin)
        return origins

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


class WaitingListPolicyBody(Strict):
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
    max_offers_per_day: StrictInt = Field(
        default=0, ge=0, le=100, description="offers one customer may get a day; 0: any"
    )
    max_open_entries: StrictInt = Field(
        default=0, ge=0, le=100, description="waiting lists one customer may be on; 0: any"
    )


class ActiveHoursBody(Strict):
    opens: ClockTime = Field(description="HH:MM, the business's wall clock")
    closes: ClockTime = Field(description="HH:MM, later than opens")

    @model_validator(mode="after")
    def _in_order(self) -> ActiveHoursBody:
        if self.closes <= self.opens:
            raise ValueError("closes must be later than opens")
        return self


class MessagingBody(Strict):
    message_channels: ChannelPreference = Field(
        default=ChannelPreference.EMAIL_FIRST,
        description="email_first, sms_first or both; a missing channel falls back to the other",
    )
    active_hours: ActiveHoursBody | None = Field(
        default=None, description="messages wait for these hours; leave out for any time"
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


class BusinessProfile(ProfileBody, WaitingListPolicyBody, MessagingBody):
    """All of a business's settings in one body: its profile, waiting-list policy and
    messaging."""
