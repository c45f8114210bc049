"""The pieces of the pages that need no AWS: calendar files, CSRF tokens, cross-site
checks, languages and the string catalogues."""

from __future__ import annotations

import json
import re
from datetime import UTC, datetime, timedelta, timezone

import pytest

from chalicelib.adapters.templates import TEMPLATES_DIR
from chalicelib.domain.calendar import CalendarEvent, ics
from chalicelib.entrypoints.pages.forms import csrf_token, is_cross_site, read_request
from chalicelib.entrypoints.pages.rendering import PAGE_LANGUAGES, PageRenderer, page_language

PAGES_DIR = TEMPLATES_DIR / "pages"
BASE = "https://book.example.com"
OSLO_WINTER = timezone(timedelta(hours=1))


def _event(**changes: object) -> CalendarEvent:
    values: dict[str, object] = {
        "booking_id": "b1",
        "starts_at": datetime(2026, 12, 1, 10, 0, tzinfo=OSLO_WINTER),
        "ends_at": datetime(2026, 12, 1, 10, 30, tzinfo=OSLO_WINTER),
        "summary": "Haircut, Salon A",
        "stamp": datetime(2026, 11, 20, 8, 0, tzinfo=UTC),
    }
    values.update(changes)
    return CalendarEvent(**values)  # type: ignore[arg-type]


def test_a_calendar_event_is_written_in_utc_with_crlf_line_ends() -> None:
    text = ics(_event(location="Grünerløkka; 2nd floor"))
    lines = text.split("\r\n")
    assert lines[0] == "BEGIN:VCALENDAR" and lines[-2:] == ["END:VCALENDAR", ""]
    assert "DTSTART:20261201T090000Z" in lines
    assert "DTEND:20261201T093000Z" in lines
    assert "SUMMARY:Haircut\\, Salon A" in lines
    assert "LOCATION:Grünerløkka\\; 2nd floor" in lines
    assert "STATUS:CONFIRMED" in lines


def test_long_calendar_lines_are_folded_without_splitting_a_character() -> None:
    text = ics(_event(description="Blåbærsyltetøy " * 12))
    for line in text.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    unfolded = text.replace("\r\n ", "")
    assert "DESCRIPTION:" + "Blåbærsyltetøy " * 12 in unfolded.replace("\\n", "\n")


def test_a_cancelled_booking_is_a_cancelled_event() -> None:
    assert "STATUS:CANCELLED" in ics(_event(cancelled=True)).split("\r\n")


def test_a_csrf_token_is_bound_to_its_link_and_key() -> None:
    token = csrf_token("key", "link-a")
    assert token == csrf_token("key", "link-a")
    assert token != csrf_token("key", "link-b")
    assert token != csrf_token("other-key", "link-a")


@pytest.mark.parametrize(
    ("headers", "cross"),
    [
        ({"sec-fetch-site": "same-origin", "origin": "null"}, False),
        ({"sec-fetch-site": "none"}, False),
        ({"sec-fetch-site": "cross-site", "origin": BASE}, True),
        ({"sec-fetch-site": "same-site"}, True),
        ({"origin": BASE}, False),
        ({"origin": "http://127.0.0.1:8000", "host": "127.0.0.1:8000"}, False),
        ({"origin": "https://evil.example"}, True),
        ({"origin": "null"}, True),
        ({}, False),
    ],
)
def test_a_request_is_cross_site_when_the_browser_says_so(
    headers: dict[str, str], cross: bool
) -> None:
    assert is_cross_site(headers, BASE) is cross


def test_a_form_body_and_cookies_are_read() -> None:
    request = read_request(
        "post",
        {"cookie": "a=1; standby_staff=tok.en=="},
        None,
        b"csrf=abc&reason=Closed+today%21",
    )
    assert request.form == {"csrf": "abc", "reason": "Closed today!"}
    assert request.cookies["standby_staff"] == "tok.en=="


@pytest.mark.parametrize(
    ("wanted", "language"),
    [("fr", "fr"), ("nb-NO", "nb"), ("no", "nb"), ("de_AT", "de"), ("sv", "en"), (None, "en")],
)
def test_pages_speak_the_closest_supported_language(wanted: str | None, language: str) -> None:
    assert page_language(wanted) == language


def test_every_language_has_every_string_of_the_english_catalogue() -> None:
    english = json.loads((PAGES_DIR / "i18n" / "en.json").read_text("utf-8"))
    for language in PAGE_LANGUAGES:
        own = json.loads((PAGES_DIR / "i18n" / f"{language}.json").read_text("utf-8"))
        assert set(own) == set(english), language
        for key, text in own.items():
            fields = set(re.findall(r"{(\w+)}", english[key]))
            assert set(re.findall(r"{(\w+)}", text)) == fields, (language, key)


def test_every_string_a_template_asks_for_is_in_the_catalogue() -> None:
    english = PageRenderer().strings("en")
    asked = {
        key
        for template in PAGES_DIR.glob("*.j2")
        # Whole keys only: t("offer_title_" ~ state) builds its key from a state.
        for key in re.findall(r"""t\(["'](\w+)["']\s*[,)]""", template.read_text("utf-8"))
    }
    assert asked, "no strings found"
    assert asked - set(english) == set()
