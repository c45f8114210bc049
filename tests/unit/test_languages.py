"""A language is accepted only when Standby writes it, and a stored one is always read as
one it writes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from chalicelib.adapters.templates import TemplateRenderer
from chalicelib.domain.errors import InvalidRequest
from chalicelib.domain.languages import language_of, served_language, supported_language
from chalicelib.domain.messages import Channel, MessageType, OutboxMessage


@pytest.mark.parametrize(
    ("tag", "language"),
    [
        ("en", "en"),
        ("en-GB", "en"),
        ("fr-CA", "fr"),
        ("de-AT", "de"),
        ("da", "da"),
        ("nb-NO", "nb"),
        ("no", "nb"),
        ("nn-NO", "nb"),
        ("EN-gb", "en"),
        ("zh-Hant-TW", None),
        ("xx", None),
        ("zz-ZZ", None),
        ("sv", None),
        ("", None),
        ("en_GB", None),
        ("en-", None),
        ("e", None),
        ("english", None),
        ("en-GB-" + "x" * 40, None),
        ("../en", None),
    ],
)
def test_a_tag_is_read_as_the_language_standby_writes_for_it_or_none(
    tag: str, language: str | None
) -> None:
    assert supported_language(tag) == language


def test_an_unsupported_language_is_refused_naming_the_field_and_the_five_it_may_be() -> None:
    with pytest.raises(InvalidRequest) as refused:
        language_of("xx")
    assert str(refused.value) == (
        "language: 'xx' is not a language Standby writes; use one of en, fr, de, da, nb "
        "(a regional tag such as en-GB is read as its language)"
    )


def test_a_stored_language_falls_back_to_the_next_one_given_then_english() -> None:
    assert served_language("fr-CA", "de") == "fr"
    assert served_language("xx", "de") == "de"
    assert served_language(None, "zz-ZZ") == "en"
    assert served_language() == "en"


def _message(language: str) -> OutboxMessage:
    return OutboxMessage(
        business_id="salon",
        message_id="booking_confirmed:1",
        message_type=MessageType.BOOKING_CONFIRMED,
        channel=Channel.EMAIL,
        recipient="ada@example.com",
        language=language,
        time_zone="Europe/Oslo",
        context={
            "customer_name": "Ada",
            "business_name": "Salon",
            "service_name": "Haircut",
            "starts_at": "2030-03-01T09:00:00+00:00",
            "ends_at": "2030-03-01T09:30:00+00:00",
            "manage_url": "https://book.example.com/b/abc",
            "booking_id": "b-1",
        },
        created_at=datetime(2030, 2, 27, tzinfo=UTC),
    )


@pytest.mark.parametrize("stored", ["xx", "zz-ZZ", "sv"])
def test_a_message_in_a_language_standby_does_not_write_is_rendered_in_english(
    stored: str,
) -> None:
    rendered = TemplateRenderer().render(_message(stored))
    assert rendered == TemplateRenderer().render(_message("en"))


def test_a_message_stored_with_a_regional_tag_is_rendered_in_its_language() -> None:
    rendered = TemplateRenderer().render(_message("fr-CA"))
    assert rendered == TemplateRenderer().render(_message("fr"))
