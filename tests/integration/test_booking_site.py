"""The booking site over the app's HTTP interface (no browser): a business's services and
week of times, booking and joining with plain forms guarded by a double-submit CSRF token,
the language chosen, errors in words, repeats that leak no link, and framing allowed only
to the business's own sites."""

from __future__ import annotations

import re
from datetime import datetime, timedelta
from urllib.parse import urlencode
from zoneinfo import ZoneInfo

import pytest
from chalice.test import Client

from tests.integration.conftest import Business, staff_token
from tests.integration.test_pages import SAME_SITE, Answer, _get
from tests.integration.test_refused_at_the_door import _slot_made_yesterday
from tests.support.aws import Streams

CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
COOKIE = re.compile(r"standby_form=([A-Za-z0-9_-]+)")
OSLO = ZoneInfo("Europe/Oslo")


class Visitor:
    """One browser: it keeps the form cookie the site gives it."""

    def __init__(self, client: Client, language: str = "en-GB") -> None:
        self.client = client
        self.cookie = ""
        self.language = language

    def get(self, path: str) -> Answer:
        headers = {"Accept-Language": self.language}
        if self.cookie:
            headers["Cookie"] = f"standby_form={self.cookie}"
        answer = _get(self.client, path, **headers)
        if found := COOKIE.search(answer.headers.get("Set-Cookie", "")):
            self.cookie = found.group(1)
        return answer

    def post(self, path: str, form: dict[str, str], **headers: str) -> Answer:
        sent = {"Content-Type": "application/x-www-form-urlencoded", **SAME_SITE, **headers}
        if self.cookie:
            sent["Cookie"] = f"standby_form={self.cookie}"
        response = self.client.http.post(path, headers=sent, body=urlencode(form))
        return Answer(response.status_code, response.body.decode(), dict(response.headers))

    def send(self, path: str, **form: str) -> Answer:
        """Open the form's page, then send it with its CSRF token."""
        page = self.get(path)
        assert page.status == 200, page.text
        [csrf] = set(CSRF.findall(page.text))
        return self.post(path, {"csrf": csrf, **form})


def _week(slot_starts: datetime) -> str:
    return slot_starts.astimezone(OSLO).date().isoformat()


def _slot(salon: Business, capacity: int = 1, **extra: object) -> tuple[str, datetime]:
    slot = salon.add_slot(capacity=capacity, days_ahead=3, **extra)
    [found] = [s for s in salon.staff("GET", "/staff/slots").body["slots"] if s["slot_id"] == slot]
    return slot, datetime.fromisoformat(found["starts_at"])


@pytest.fixture
def visitor(client: Client) -> Visitor:
    return Visitor(client)


def test_the_services_page_lists_each_service_with_its_length_and_says_so_when_there_is_none(
    salon: Business, visitor: Visitor
) -> None:
    page = visitor.get(f"/s/{salon.business_id}")
    assert page.status == 200
    assert "Haircut" in page.text and "30 min" in page.text
    assert f"/s/{salon.business_id}/{salon.service_id}" in page.text

    salon.api.call(
        "PUT",
        "/staff/business",
        {"name": "Empty", "time_zone": "Europe/Oslo", "language": "en"},
        token=staff_token("empty"),
    )
    empty = visitor.get("/s/empty")
    assert empty.status == 200
    assert "nothing to book online here yet" in empty.text


def test_an_unknown_business_service_or_slot_is_a_readable_404(
    salon: Business, visitor: Visitor
) -> None:
    for path in (
        "/s/nobody",
        f"/s/{salon.business_id}/no-such-service",
        f"/s/{salon.business_id}/{salon.service_id}/no-such-slot/book",
    ):
        page = visitor.get(path)
        assert page.status == 404, path
        assert "This link is not valid" in page.text


def test_the_week_shows_free_and_full_times_in_words_and_links_each_to_its_form(
    salon: Business, visitor: Visitor
) -> None:
    free, starts = _slot(salon, staff="Mira", location="Centre")
    full, _ = _slot(salon, staff="Jon")
    salon.book(full, "Ada", email="ada@example.com")
    salon.join(full, "Bo", email="bo@example.com")
    path = f"/s/{salon.business_id}/{salon.service_id}"

    page = visitor.get(f"{path}?week={_week(starts)}")
    assert page.status == 200
    assert f"{path}/{free}/book" in page.text
    assert f"{path}/{full}/join" in page.text
    assert "Full · 1 waiting" in page.text
    assert "Mira" in page.text and "Centre" in page.text

    only_jon = visitor.get(f"{path}?week={_week(starts)}&staff=Jon")
    assert f"{path}/{free}/book" not in only_jon.text
    assert f"{path}/{full}/join" in only_jon.text

    next_week = visitor.get(f"{path}?week={_week(starts + timedelta(days=7))}")
    assert f"{path}/{free}/book" not in next_week.text
    assert "No times" in next_week.text


def test_booking_with_the_form_shows_the_booking_its_link_and_calendar_and_asks_for_earlier(
    salon: Business, visitor: Visitor, streams: Streams
) -> None:
    slot, _ = _slot(salon)
    form = f"/s/{salon.business_id}/{salon.service_id}/{slot}/book"
    booked = visitor.send(form, name="Ada", email="ada@example.com", language="fr", earlier="1")

    assert booked.status == 303, booked.text
    result = visitor.get(booked.headers["Location"])
    assert result.status == 200
    assert "Your booking is confirmed." in result.text
    manage = re.search(r'href="(/b/[^"/]+)"', result.text)
    assert manage, result.text
    assert f'href="{manage.group(1)}/calendar.ics"' in result.text
    assert "We will tell you if an earlier time" in result.text
    assert re.search(r'href="/w/[^"]+"', result.text)
    [booking] = salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"]
    assert (booking["customer"]["name"], booking["status"]) == ("Ada", "confirmed")
    waiting = salon.staff("GET", f"/staff/services/{salon.service_id}/waiting-list").body
    assert [e["customer"]["name"] for e in waiting["entries"]] == ["Ada"]
    assert _get(visitor.client, manage.group(1)).status == 200


def test_a_service_that_needs_confirmation_says_the_request_awaits_it(
    salon: Business, visitor: Visitor
) -> None:
    made = salon.staff(
        "POST",
        "/staff/services",
        {"name": "Colour", "duration_minutes": 60, "requires_confirmation": True},
    )
    service = made.body["services"][0]["service_id"]
    slot = salon.add_slot(capacity=1, service_id=service)
    booked = visitor.send(
        f"/s/{salon.business_id}/{service}/{slot}/book", name="Ada", phone="+4791234567"
    )
    result = visitor.get(booked.headers["Location"])
    assert "Request received, awaiting confirmation" in result.text


def test_a_bad_email_or_phone_shows_the_form_again_with_the_message_beside_the_field(
    salon: Business, visitor: Visitor
) -> None:
    slot, _ = _slot(salon)
    form = f"/s/{salon.business_id}/{salon.service_id}/{slot}/book"
    answer = visitor.send(form, name="Ada Lovelace", email="ada@", phone="12")

    assert answer.status == 400
    assert 'value="Ada Lovelace"' in answer.text and 'value="ada@"' in answer.text
    assert 'id="f-email-error"' in answer.text and "does not look like an email" in answer.text
    assert 'id="f-phone-error"' in answer.text and "country code" in answer.text
    assert "Code" not in answer.text and "InvalidRequest" not in answer.text
    nobody = visitor.send(form, name="Ada")
    assert nobody.status == 400
    assert "Please give an email address or a phone number" in nobody.text
    assert salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"] == []


def test_a_time_that_filled_while_the_form_was_open_offers_its_waiting_list(
    salon: Business, visitor: Visitor
) -> None:
    slot, _ = _slot(salon)
    form = f"/s/{salon.business_id}/{salon.service_id}/{slot}/book"
    page = visitor.get(form)
    [csrf] = set(CSRF.findall(page.text))
    salon.book(slot, "Cy", email="cy@example.com")

    late = visitor.post(form, {"csrf": csrf, "name": "Ada", "email": "ada@example.com"})
    assert late.status == 409
    assert "the last seat was taken just now" in late.text
    assert f'href="/s/{salon.business_id}/{salon.service_id}/{slot}/join"' in late.text


def test_joining_says_it_is_not_a_booking_then_shows_the_position_and_the_place_link(
    salon: Business, visitor: Visitor
) -> None:
    slot, _ = _slot(salon)
    salon.book(slot, "Cy", email="cy@example.com")
    salon.join(slot, "Di", email="di@example.com")
    form = f"/s/{salon.business_id}/{salon.service_id}/{slot}/join"

    page = visitor.get(form)
    assert "This is a place on a waiting list, not a booking." in page.text
    assert "The seat goes straight to the person who joined the list first" in page.text
    joined = visitor.send(form, name="Ada", email="ada@example.com")
    assert joined.status == 303
    result = visitor.get(joined.headers["Location"])
    assert re.search(r'class="position"[^>]*>2<', result.text)
    assert re.search(r'href="/w/[^"]+"', result.text)


def test_booking_or_joining_again_says_so_in_words_and_gives_no_link(
    salon: Business, visitor: Visitor
) -> None:
    slot, _ = _slot(salon, capacity=2)
    book = f"/s/{salon.business_id}/{salon.service_id}/{slot}/book"
    visitor.send(book, name="Ada", email="ada@example.com")
    again = Visitor(visitor.client).send(book, name="Someone", email="ADA@example.com")
    assert again.status == 200
    assert "You already have a booking for this time" in again.text
    assert "/b/" not in again.text

    full, _ = _slot(salon)
    salon.book(full, "Cy", email="cy@example.com")
    join = f"/s/{salon.business_id}/{salon.service_id}/{full}/join"
    Visitor(visitor.client).send(join, name="Bo", email="bo@example.com")
    twice = Visitor(visitor.client).send(join, name="Bo", email="bo@example.com")
    assert "You are already on this waiting list" in twice.text
    assert "You are number 1 in line." in twice.text
    assert "/w/" not in twice.text


def test_waiting_for_any_time_in_a_window_makes_a_window_entry(
    salon: Business, visitor: Visitor
) -> None:
    today = datetime.now(OSLO).date()
    form = f"/s/{salon.business_id}/{salon.service_id}/window"
    wrong = visitor.send(
        form,
        name="Ada",
        email="ada@example.com",
        **{"from": (today + timedelta(days=5)).isoformat(), "to": today.isoformat()},
    )
    assert wrong.status == 400
    assert "The last day cannot come before the first day." in wrong.text

    made = visitor.send(
        form,
        name="Ada",
        email="ada@example.com",
        **{"from": today.isoformat(), "to": (today + timedelta(days=6)).isoformat()},
    )
    assert made.status == 303, made.text
    result = visitor.get(made.headers["Location"])
    assert "You are on the waiting list" in result.text
    waiting = salon.staff("GET", f"/staff/services/{salon.service_id}/waiting-list").body
    assert [e["customer"]["name"] for e in waiting["entries"]] == ["Ada"]


def test_a_started_time_cannot_be_booked_and_says_so(salon: Business, visitor: Visitor) -> None:
    started = _slot_made_yesterday(salon, starts_ago=timedelta(seconds=1))
    form = f"/s/{salon.business_id}/{salon.service_id}/{started}/book"
    opened = visitor.get(form)
    assert opened.status == 409
    assert "This time has already started" in opened.text
    other, _ = _slot(salon)
    page = visitor.get(f"/s/{salon.business_id}/{salon.service_id}/{other}/book")
    [csrf] = set(CSRF.findall(page.text))
    sent = visitor.post(form, {"csrf": csrf, "name": "Ada", "email": "ada@example.com"})
    assert sent.status == 409
    assert "This time has already started" in sent.text
    assert salon.staff("GET", f"/staff/slots/{started}/bookings").body["bookings"] == []


def test_a_public_form_needs_its_cookie_and_token_and_refuses_other_sites(
    salon: Business, visitor: Visitor
) -> None:
    slot, _ = _slot(salon)
    form = f"/s/{salon.business_id}/{salon.service_id}/{slot}/book"
    page = visitor.get(form)
    [csrf] = set(CSRF.findall(page.text))
    fields = {"name": "Ada", "email": "ada@example.com"}

    other_site = visitor.post(form, {"csrf": csrf, **fields}, **{"Sec-Fetch-Site": "cross-site"})
    no_token = visitor.post(form, fields)
    another_cookie = Visitor(visitor.client)
    another_cookie.get(form)
    stolen_token = another_cookie.post(form, {"csrf": csrf, **fields})
    no_cookie = Visitor(visitor.client).post(form, {"csrf": csrf, **fields})

    answers = (other_site, no_token, stolen_token, no_cookie)
    assert [a.status for a in answers] == [403] * 4
    assert salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"] == []


def test_the_site_speaks_the_language_asked_for_else_the_browsers_else_the_business(
    salon: Business, client: Client
) -> None:
    path = f"/s/{salon.business_id}"
    assert '<html lang="nb">' in Visitor(client, "nb-NO,nb;q=0.9,en;q=0.5").get(path).text
    assert '<html lang="de">' in Visitor(client, "sv, de;q=0.8").get(path).text
    assert '<html lang="en">' in Visitor(client, "sv").get(path).text
    chosen = Visitor(client, "de").get(f"{path}?lang=fr")
    assert '<html lang="fr">' in chosen.text
    assert "Réserver un créneau" in chosen.text
    # The choice is carried on the links to the service's week.
    assert f"/s/{salon.business_id}/{salon.service_id}?lang=fr" in chosen.text
    for code in ("en", "fr", "de", "da", "nb"):
        assert f'hreflang="{code}"' in chosen.text


def test_the_site_may_be_framed_only_by_the_businesss_own_sites_and_other_pages_never(
    salon: Business, visitor: Visitor
) -> None:
    path = f"/s/{salon.business_id}"
    csp = visitor.get(path).headers["Content-Security-Policy"]
    assert "frame-ancestors 'none'" in csp

    profile = salon.staff("GET", "/staff/business").body
    kept = {k: profile[k] for k in ("name", "time_zone", "language")}
    refused = salon.staff(
        "PUT", "/staff/business", kept | {"embed_origins": ["http://salon.example"]}
    )
    assert refused.status == 400
    assert "embed_origins" in refused.body["Message"]
    saved = salon.staff(
        "PUT",
        "/staff/business",
        kept | {"embed_origins": ["https://Salon.example/", "https://shop.example:8443"]},
    )
    assert saved.status == 200, saved.body
    assert saved.body["embed_origins"] == ["https://salon.example", "https://shop.example:8443"]

    page = visitor.get(path)
    assert (
        "frame-ancestors https://salon.example https://shop.example:8443"
        in page.headers["Content-Security-Policy"]
    )
    assert "X-Frame-Options" not in page.headers
    slot, _ = _slot(salon)
    manage = salon.book(slot, "Ada", email="ada@example.com").body["manage_url"]
    booking_page = visitor.get(manage.split("8000", 1)[1])
    assert "frame-ancestors 'none'" in booking_page.headers["Content-Security-Policy"]
    assert booking_page.headers["X-Frame-Options"] == "DENY"


def test_the_openapi_document_lists_the_booking_site(client: Client) -> None:
    document = client.http.get("/openapi.json").json_body
    for path in (
        "/s/{business_id}",
        "/s/{business_id}/{service_id}",
        "/s/{business_id}/{service_id}/{slot_id}/book",
        "/s/{business_id}/{service_id}/{slot_id}/join",
        "/s/{business_id}/{service_id}/window",
        "/s/{business_id}/booked/{token}",
        "/s/{business_id}/joined/{token}",
    ):
        assert path in document["paths"], path
