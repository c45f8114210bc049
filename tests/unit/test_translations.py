"""French, German, Danish and Norwegian messages: each language has its own copy of every
English template, says what the English one says, and writes dates its own way."""

from __future__ import annotations

import re
from datetime import UTC, datetime

import pytest
from markupsafe import escape

from chalicelib.adapters.templates import PLAIN_SPACES, TEMPLATES_DIR, TemplateRenderer
from chalicelib.domain.messages import Channel, MessageType, OutboxMessage
from chalicelib.ports.runtime import RenderedMessage

LANGUAGES = ("fr", "de", "da", "nb")
PARTS = ("subject", "email.txt", "email.html", "sms")
MESSAGES_DIR = TEMPLATES_DIR / "messages"
ENGLISH_FILES = frozenset(path.name for path in (MESSAGES_DIR / "en").glob("*.j2"))
STAFF_MESSAGES = {MessageType.STAFF_BOOKING_CONFIRMED, MessageType.SLOT_AVAILABLE}
CUSTOMER_MESSAGES = [t for t in MessageType if t not in STAFF_MESSAGES]
EVERY_MESSAGE = [
    (language, message_type, channel)
    for language in LANGUAGES
    for message_type in MessageType
    for channel in Channel
]

RENDERER = TemplateRenderer()

MANAGE_URL = "https://book.example.com/bookings/3f9a2c7e1b8d4f60"
OFFER_URL = "https://book.example.com/offers/8d2b6e0f4a91c735"
SERVICE = {
    "en": "Haircut",
    "fr": "Coupe et brushing",
    "de": "Haarschnitt mit Föhnen",
    "da": "Klipning og føn",
    "nb": "Klipp og føn",
}
REASON = {
    "en": "The salon is closed that day.",
    "fr": "Le salon est fermé ce jour-là.",
    "de": "Der Salon ist an diesem Tag geschlossen.",
    "da": "Salonen er lukket den dag.",
    "nb": "Salongen er stengt den dagen.",
}
# What Babel writes for 09:00 UTC on 1 December 2026 (10:00 in Oslo) and for the time the
# booking moved away from (or an offer's deadline), 14:00 UTC the day before.
DATE = {
    "en": "Tuesday, December 1, 2026",
    "fr": "mardi 1 décembre 2026",
    "de": "Dienstag, 1. Dezember 2026",
    "da": "tirsdag den 1. december 2026",
    "nb": "tirsdag 1. desember 2026",
}
TIME = {"en": "10:00\u202fAM", "fr": "10:00", "de": "10:00", "da": "10.00", "nb": "10:00"}
PREVIOUS_DATE = {
    "en": "Monday, November 30, 2026",
    "fr": "lundi 30 novembre 2026",
    "de": "Montag, 30. November 2026",
    "da": "mandag den 30. november 2026",
    "nb": "mandag 30. november 2026",
}
PREVIOUS_TIME = {"en": "3:00\u202fPM", "fr": "15:00", "de": "15:00", "da": "15.00", "nb": "15:00"}
LONG_SERVICE_AND_REASON = {
    "fr": (
        "Coupe, couleur et brushing",
        "Notre coiffeuse est malade et aucune remplaçante n'est libre.",
    ),
    "de": (
        "Damenhaarschnitt mit Färben",
        "Unsere Friseurin ist krank und keine Vertretung ist frei.",
    ),
    "da": (
        "Dameklipning med farve og føn",
        "Vores frisør er syg, og vi har ingen ledig afløser den dag.",
    ),
    "nb": (
        "Dameklipp med farge og føn",
        "Frisøren vår er syk, og vi har ingen ledig vikar den dagen.",
    ),
}

# Typography that would push an SMS out of the GSM 7-bit alphabet for no gain in meaning.
NOT_GSM_PUNCTUATION = "\u2019\u2018\u201c\u201d\u00ab\u00bb\u2013\u2014\u2026\u00a0\u202f"


def booking_context(
    language: str, message_type: MessageType, *, details: bool = True
) -> dict[str, str]:
    """What the booking service puts in a message's context: strings only, optional
    details only when the booking has them."""
    context = {
        "customer_name": "Ada <b>",
        "business_name": "Salon Lys",
        "service_name": SERVICE[language],
        "starts_at": "2026-12-01T09:00:00+00:00",
        "ends_at": "2026-12-01T09:30:00+00:00",
        "manage_url": MANAGE_URL,
        "booking_id": "3f9a2c7e1b8d4f60",
    }
    if details:
        context |= {"staff": "Kari", "location": "Storgata 12", "reason": REASON[language]}
    if message_type is MessageType.BOOKING_MOVED:
        context |= {
            "previous_starts_at": "2026-11-30T14:00:00+00:00",
            "previous_ends_at": "2026-11-30T14:30:00+00:00",
        }
    if message_type is MessageType.OFFER_MADE:
        context |= {
            "offer_url": OFFER_URL,
            "accept_url": f"{OFFER_URL}/accept",
            "decline_url": f"{OFFER_URL}/decline",
            "expires_at": "2026-11-30T14:00:00+00:00",
        }
    if message_type is MessageType.STAFF_BOOKING_CONFIRMED:
        context |= {
            "manage_url": "",
            "customer_email": "ada@example.com" if details else "",
            "customer_phone": "+4791234567" if details else "",
        }
    if message_type in (MessageType.WAITING_LIST_JOINED, MessageType.WAITING_LIST_LEFT):
        context |= {"entry_id": "5b0d9e2a7c4f1836", "position": "3"}
    if message_type is MessageType.SLOT_AVAILABLE:
        ways = ", ada@example.com, +4791234567" if details else ""
        context |= {
            "slot_id": "7c1e5a9b2d4f8036",
            "waiting_list": f"1. {context['customer_name']}{ways}\n2. Bo Ek, bo@example.com",
        }
    return context


def render(
    message_type: MessageType,
    channel: Channel,
    language: str,
    context: dict[str, str],
    renderer: TemplateRenderer = RENDERER,
) -> RenderedMessage:
    return renderer.render(
        OutboxMessage(
            business_id="salon-lys",
            message_id=f"{message_type.value}:3f9a2c7e1b8d4f60.v2",
            message_type=message_type,
            channel=channel,
            recipient="ada@example.com" if channel is Channel.EMAIL else "+4791234567",
            language=language,
            time_zone="Europe/Oslo",
            context=context,
            created_at=datetime(2026, 11, 22, tzinfo=UTC),
        )
    )


def parts(rendered: RenderedMessage) -> dict[str, str]:
    named = {"subject": rendered.subject, "text": rendered.text, "html": rendered.html}
    return {name: value for name, value in named.items() if value is not None}


@pytest.fixture(scope="module")
def english_only(tmp_path_factory: pytest.TempPathFactory) -> TemplateRenderer:
    """Renders what a language would get if it had no templates of its own."""
    root = tmp_path_factory.mktemp("templates")
    (root / "messages").mkdir()
    (root / "messages" / "en").symlink_to(MESSAGES_DIR / "en", target_is_directory=True)
    return TemplateRenderer(root)


def test_every_message_type_has_all_four_parts_in_english() -> None:
    expected = {f"{t.value}.{part}.j2" for t in MessageType for part in PARTS}
    assert expected <= ENGLISH_FILES


@pytest.mark.parametrize("language", LANGUAGES)
def test_each_language_has_its_own_copy_of_every_english_template(language: str) -> None:
    own = {path.name for path in (MESSAGES_DIR / language).glob("*.j2")}
    assert sorted(ENGLISH_FILES - own) == [], "these would fall back to English"
    assert sorted(own - ENGLISH_FILES) == [], "these have no English counterpart"


@pytest.mark.parametrize(("language", "message_type", "channel"), EVERY_MESSAGE)
def test_each_message_renders_in_its_own_language_with_the_service_and_the_local_date(
    language: str,
    message_type: MessageType,
    channel: Channel,
    english_only: TemplateRenderer,
) -> None:
    context = booking_context(language, message_type)
    rendered = parts(render(message_type, channel, language, context))
    fallback = parts(render(message_type, channel, language, context, english_only))

    assert rendered.keys() == fallback.keys()
    for name, value in rendered.items():
        assert SERVICE[language] in value, name
        assert value != fallback[name], f"{name} fell back to English"
    # The date leads a line in some layouts, capitalised there.
    assert DATE[language].casefold() in rendered["text"].casefold()
    assert TIME[language] in rendered["text"]


@pytest.mark.parametrize(("language", "message_type", "channel"), EVERY_MESSAGE)
def test_each_part_gives_the_link_dates_and_details_exactly_where_english_does(
    language: str, message_type: MessageType, channel: Channel
) -> None:
    context = booking_context(language, message_type)
    rendered = parts(render(message_type, channel, language, context))
    english = parts(render(message_type, channel, "en", context))

    same_in_every_language = [
        context[key]
        for key in (
            "manage_url",
            "offer_url",
            "accept_url",
            "decline_url",
            "staff",
            "location",
            "reason",
            "customer_email",
            "customer_phone",
        )
        if context.get(key)
    ]
    pairs = [(value, value) for value in same_in_every_language] + [
        (DATE["en"], DATE[language]),
        (TIME["en"], TIME[language]),
        (PREVIOUS_DATE["en"], PREVIOUS_DATE[language]),
        (PREVIOUS_TIME["en"], PREVIOUS_TIME[language]),
    ]
    for name, value in rendered.items():
        for english_needle, needle in pairs:
            if name == "html":
                english_needle, needle = str(escape(english_needle)), str(escape(needle))
            # Texts trade narrow and no-break spaces for plain ones (the SMS alphabet).
            says = _plain(needle) in _plain(value)
            english_says = _plain(english_needle) in _plain(english[name])
            assert says == english_says, f"{name}: {needle!r} {'in' if says else 'not in'} it"


def _plain(text: str) -> str:
    return text.translate(PLAIN_SPACES).casefold()


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("message_type", CUSTOMER_MESSAGES)
def test_customer_messages_link_to_the_booking_where_english_does(
    language: str, message_type: MessageType
) -> None:
    context = booking_context(language, message_type)
    for channel in Channel:
        english = render(message_type, channel, "en", context).text
        rendered = render(message_type, channel, language, context).text
        assert (MANAGE_URL in rendered) == (MANAGE_URL in english), channel
    html = render(message_type, Channel.EMAIL, language, context).html or ""
    english_html = render(message_type, Channel.EMAIL, "en", context).html or ""
    link = f'href="{MANAGE_URL}"'
    assert (link in html) == (link in english_html)


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("message_type", MessageType)
def test_the_html_email_is_in_its_language_and_escapes_the_customer_name(
    language: str, message_type: MessageType
) -> None:
    rendered = render(
        message_type, Channel.EMAIL, language, booking_context(language, message_type)
    )
    assert rendered.html is not None
    assert f'<html lang="{language}">' in rendered.html
    assert "Ada &lt;b&gt;" in rendered.html
    assert "<b>" not in rendered.html
    assert "Ada <b>" in rendered.text  # plain text is not HTML: nothing to escape


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("message_type", MessageType)
@pytest.mark.parametrize("channel", Channel)
def test_a_booking_without_staff_location_or_reason_leaves_no_trace_of_them(
    language: str, message_type: MessageType, channel: Channel
) -> None:
    context = booking_context(language, message_type, details=False)
    rendered = parts(render(message_type, channel, language, context))
    for name, value in rendered.items():
        assert "None" not in value, name
        assert "\n\n\n" not in value, f"{name} has more than one blank line in a row"
        assert " ." not in value and " ," not in value, name


@pytest.mark.parametrize(
    ("language", "subject"),
    [
        ("fr", "Réservation confirmée\u00a0: Coupe et brushing le mardi 1 décembre 2026"),
        ("de", "Bestätigt: Haarschnitt mit Föhnen am Dienstag, 1. Dezember 2026"),
        ("da", "Bekræftet: Klipning og føn tirsdag den 1. december 2026"),
        ("nb", "Bekreftet: Klipp og føn tirsdag 1. desember 2026"),
    ],
)
def test_dates_are_written_the_way_each_language_writes_them(language: str, subject: str) -> None:
    message_type = MessageType.BOOKING_CONFIRMED
    context = booking_context(language, message_type)
    assert render(message_type, Channel.EMAIL, language, context).subject == subject


@pytest.mark.parametrize("language", LANGUAGES)
@pytest.mark.parametrize("message_type", MessageType)
def test_an_sms_with_long_realistic_values_stays_within_320_characters(
    language: str, message_type: MessageType
) -> None:
    service, reason = LONG_SERVICE_AND_REASON[language]
    context = booking_context(language, message_type) | {
        "customer_name": "Anne-Kathrine Oppegård-Hansen",
        "business_name": "Frisørsalongen på Grünerløkka",
        "service_name": service,
        "reason": reason,
    }
    text = render(message_type, Channel.SMS, language, context).text
    assert len(text) <= 320, text


@pytest.mark.parametrize("language", LANGUAGES)
def test_sms_templates_keep_their_punctuation_in_the_gsm_alphabet(language: str) -> None:
    for path in sorted((MESSAGES_DIR / language).glob("*.sms.j2")):
        source = path.read_text(encoding="utf-8")
        assert not set(source) & set(NOT_GSM_PUNCTUATION), path.name


def test_french_puts_a_space_before_double_punctuation_unbreakable_in_emails_plain_in_sms() -> None:
    # A mark that ends a word (followed by a space or the end of a line, so not "https:" or
    # "10:00"); email parts keep it on its word's line, SMS stays in the GSM alphabet.
    for path in sorted((MESSAGES_DIR / "fr").glob("*.j2")):
        source = path.read_text(encoding="utf-8")
        space = " " if path.name.endswith(".sms.j2") else "\u00a0"
        for match in re.finditer(r"(.)([:;?!])(?=\s|$)", source, flags=re.MULTILINE):
            assert match.group(1) == space, f"{path.name}: {match.group(0)!r}"
