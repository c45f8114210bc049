"""Texts stay within three SMS segments: plain spaces and quotes where typography would
force UCS-2, and a long free text cut while the link stays whole."""

from __future__ import annotations

import re

import pytest

from chalicelib.domain import sms
from chalicelib.domain.messages import Channel, MessageType
from tests.unit.test_translations import booking_context, render

LANGUAGES = ("en", "fr", "de", "da", "nb")
LONG_BUSINESS = "Frisørsalongen på Grünerløkka \u2013 hår, hud og velvære for hele familien"
LONG_REASON = (
    "Vi må dessverre avlyse fordi frisøren er syk, og ingen vikar er ledig den dagen. "
) * 13  # about 1,000 characters


def test_a_short_gsm_text_is_one_segment() -> None:
    assert sms.segments("Salon Lys: confirmed, Haircut 10:00.") == 1
    assert sms.segments("a" * 160) == 1


def test_a_longer_gsm_text_counts_153_characters_a_segment() -> None:
    assert sms.segments("a" * 161) == 2
    assert sms.segments("a" * 306) == 2
    assert sms.segments("a" * 307) == 3


def test_the_gsm_extension_characters_count_twice() -> None:
    assert sms.segments("€" * 80) == 1
    assert sms.segments("€" * 81) == 2


def test_one_character_outside_the_gsm_alphabet_makes_the_text_ucs2() -> None:
    assert sms.is_gsm("Grünerløkka, Åsane, Ærø, café") is True
    assert sms.segments("a" * 69 + "ç") == 1
    assert sms.segments("a" * 70 + "ç") == 2
    assert sms.segments("a" * 134 + "ç") == 3  # 67 a segment


def test_emoji_count_as_two_ucs2_units() -> None:
    assert sms.segments("🙂" * 35) == 1
    assert sms.segments("🙂" * 36) == 2


def test_typographic_spaces_quotes_and_dashes_become_plain_ones() -> None:
    text = "10:00\u202fAM \u2013 \u201cSalon\u201d \u00abLys\u00bb l\u2019atelier\u2026"
    plain = sms.plain_typography(text)
    assert plain == '10:00 AM - "Salon" "Lys" l\'atelier...'
    assert sms.is_gsm(plain)


def test_shortening_says_it_cut_and_never_grows() -> None:
    assert sms.shortened("The salon is closed.", 100) == "The salon is closed."
    assert sms.shortened("The salon is closed.", 12) == "The salon..."
    assert sms.shortened("The salon is closed.", 2) == ""


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("message_type", list(MessageType))
def test_every_text_fits_three_segments_with_a_long_name_and_a_long_reason(
    language: str, message_type: MessageType
) -> None:
    context = booking_context(language, message_type) | {
        "customer_name": "Anne-Kathrine Oppegård-Hansen",
        "business_name": LONG_BUSINESS,
        "reason": LONG_REASON,
    }
    text = render(message_type, Channel.SMS, language, context).text

    assert sms.segments(text) <= sms.MAX_SEGMENTS, text
    for url in re.findall(r"https?://\S+", text):
        whole = [v for k, v in context.items() if k.endswith("url") and v]
        assert url.rstrip(".") in whole, f"a link was cut: {url}"
    for key in ("manage_url", "offer_url", "accept_url"):
        english = render(message_type, Channel.SMS, "en", context).text
        if context.get(key) and context[key] in english:
            assert context[key] in text


@pytest.mark.parametrize("language", LANGUAGES)
def test_an_english_time_does_not_make_a_text_ucs2(language: str) -> None:
    context = booking_context(language, MessageType.BOOKING_CONFIRMED)
    text = render(MessageType.BOOKING_CONFIRMED, Channel.SMS, language, context).text
    assert "\u202f" not in text and "\u00a0" not in text
    assert sms.is_gsm(text.replace("Ada <b>", "")), text


def test_a_long_reason_is_cut_but_its_beginning_is_kept() -> None:
    context = booking_context("en", MessageType.BOOKING_REJECTED) | {"reason": LONG_REASON}
    text = render(MessageType.BOOKING_REJECTED, Channel.SMS, "en", context).text
    assert LONG_REASON[:60] in text
    assert "..." in text
    assert sms.segments(text) == sms.MAX_SEGMENTS
