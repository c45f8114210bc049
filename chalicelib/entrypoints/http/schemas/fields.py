"""The shapes request fields take: names, moments, languages, clock times, colours,
phone numbers — each refused in words that name what is wrong."""

from __future__ import annotations

import re
import unicodedata
from datetime import datetime
from typing import Annotated

import phonenumbers
from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
)

from chalicelib.domain.languages import supported_language, unsupported
from chalicelib.domain.time_rules import (
    FIRST_YEAR,
    LAST_YEAR,
    within_years,
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
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, defer_build=True)


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


def e164(value: str) -> str:
    try:
        number = phonenumbers.parse(value, None)
    except phonenumbers.NumberParseException as error:
        raise ValueError("not a phone number in E.164 form, e.g. +4791234567") from error
    if not phonenumbers.is_valid_number(number):
        raise ValueError("not a valid phone number")
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.E164)
