from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

from chalicelib.adapters.templates import TemplateRenderer
from chalicelib.domain.messages import (
    Channel,
    MessageType,
    OutboxMessage,
    channels_for,
    message_language,
)
from chalicelib.domain.model import ChannelPreference, Contact

CONTEXT = {
    "customer_name": "Ada <script>",
    "business_name": "Salon",
    "service_name": "Haircut",
    "starts_at": "2026-12-01T09:00:00+00:00",
    "ends_at": "2026-12-01T09:30:00+00:00",
    "manage_url": "http://127.0.0.1:8000/bookings/abc",
    "booking_id": "k1",
}


def message(channel: Channel, language: str = "en") -> OutboxMessage:
    return OutboxMessage(
        business_id="b",
        message_id="seat_assigned:k1",
        message_type=MessageType.SEAT_ASSIGNED,
        channel=channel,
        recipient="ada@example.com" if channel is Channel.EMAIL else "+4791234567",
        language=language,
        time_zone="Europe/Oslo",
        context=CONTEXT,
        created_at=datetime(2026, 11, 22, tzinfo=UTC),
    )


def test_the_business_preferred_channel_is_used_and_a_missing_one_falls_back() -> None:
    both = Contact(name="A", email="a@example.com", phone="+4791234567")
    phone_only = Contact(name="A", phone="+4791234567")
    email_only = Contact(name="A", email="a@example.com")
    assert channels_for(both) == [(Channel.EMAIL, "a@example.com")]
    assert channels_for(phone_only) == [(Channel.SMS, "+4791234567")]
    assert channels_for(both, ChannelPreference.SMS_FIRST) == [(Channel.SMS, "+4791234567")]
    assert channels_for(email_only, ChannelPreference.SMS_FIRST) == [
        (Channel.EMAIL, "a@example.com")
    ]
    assert channels_for(both, ChannelPreference.BOTH) == [
        (Channel.EMAIL, "a@example.com"),
        (Channel.SMS, "+4791234567"),
    ]
    assert channels_for(Contact(name="A"), ChannelPreference.BOTH) == []


def test_the_customers_language_wins_over_the_business_language() -> None:
    assert message_language(Contact(name="A", language="fr"), "en") == "fr"
    assert message_language(Contact(name="A"), "nb") == "nb"


def test_the_seat_assigned_email_gives_the_time_in_the_business_time_zone() -> None:
    rendered = TemplateRenderer().render(message(Channel.EMAIL))
    assert rendered.subject == (
        "A seat opened up: you're booked for Haircut on Tuesday, December 1, 2026"
    )
    assert "10:00" in rendered.text  # 09:00 UTC is 10:00 in Oslo in winter
    assert CONTEXT["manage_url"] in rendered.text
    assert rendered.html is not None and "Ada &lt;script&gt;" in rendered.html
    assert "<script>" not in rendered.html


def test_the_seat_assigned_sms_is_one_short_text_with_the_link() -> None:
    rendered = TemplateRenderer().render(message(Channel.SMS))
    assert rendered.subject is None and rendered.html is None
    assert "Haircut" in rendered.text and CONTEXT["manage_url"] in rendered.text
    assert len(rendered.text) <= 320


def test_a_language_standby_does_not_write_is_written_in_english_dates_and_all() -> None:
    rendered = TemplateRenderer().render(message(Channel.EMAIL, language="sv"))
    assert rendered.subject == (
        "A seat opened up: you're booked for Haircut on Tuesday, December 1, 2026"
    )


def test_a_language_with_its_own_templates_uses_them(tmp_path: Path) -> None:
    folder = tmp_path / "messages" / "nb"
    folder.mkdir(parents=True)
    (folder / "seat_assigned.sms.j2").write_text("Du har fått plass {{ starts_at_date }}")
    rendered = TemplateRenderer(tmp_path).render(message(Channel.SMS, language="nb"))
    assert rendered.text == "Du har fått plass tirsdag 1. desember 2026"


def test_a_text_uses_plain_spaces_so_it_stays_in_the_sms_alphabet() -> None:
    rendered = TemplateRenderer().render(message(Channel.SMS))
    assert "10:00 AM" in rendered.text
    assert not {"\u202f", "\u00a0", "\u2009"} & set(rendered.text)
