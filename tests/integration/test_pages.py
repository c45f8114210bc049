"""Pages over the app's HTTP interface (no browser): forms refuse cross-site requests and
forged CSRF tokens, answers are single-use, pages speak the customer's language, and the
board shows only the signed-in business."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlencode

import pytest
from chalice.test import Client

from chalicelib.entrypoints.pages.forms import csrf_token
from chalicelib.settings import get_settings
from tests.integration.conftest import Business, set_up_business, staff_token
from tests.support.aws import Streams, sent_about

OFFER_PAGE = re.compile(r"/o/([A-Za-z0-9._-]+)")
CSRF = re.compile(r'name="csrf" value="([0-9a-f]+)"')
SAME_SITE = {"Sec-Fetch-Site": "same-origin", "Origin": "http://127.0.0.1:8000"}


@dataclass
class Answer:
    status: int
    text: str
    headers: dict[str, str]


def _get(client: Client, path: str, **headers: str) -> Answer:
    response = client.http.get(path, headers=headers)
    return Answer(response.status_code, response.body.decode(), dict(response.headers))


def _post(client: Client, path: str, form: dict[str, str], **headers: str) -> Answer:
    response = client.http.post(
        path,
        headers={"Content-Type": "application/x-www-form-urlencoded", **headers},
        body=urlencode(form),
    )
    return Answer(response.status_code, response.body.decode(), dict(response.headers))


def _one_at_a_time(salon: Business) -> None:
    profile = salon.staff("GET", "/staff/business").body
    kept = {k: profile[k] for k in ("name", "time_zone", "language")}
    answer = salon.staff("PUT", "/staff/business", kept | {"waiting_list_mode": "one_at_a_time"})
    assert answer.status == 200, answer.body


@pytest.fixture
def offer_to_bo(salon: Business, streams: Streams) -> tuple[str, str]:
    """Bo's offer token, and the slot it is for."""
    _one_at_a_time(salon)
    slot = salon.add_slot(capacity=1)
    ada = salon.book(slot, "Ada", email="ada@example.com").body["manage_token"]
    salon.join(slot, "Bo", email="bo@example.com", language="de")
    salon.api.call("POST", f"/bookings/{ada}/cancel")
    streams.settle()
    [offer] = sent_about("Ein Platz")  # Bo's message, in German
    match = OFFER_PAGE.search(offer.body)
    assert match, offer.body
    return match.group(1), slot


def test_an_offer_page_is_in_the_customers_language_with_a_csrf_bound_form(
    client: Client, offer_to_bo: tuple[str, str]
) -> None:
    token, _ = offer_to_bo
    page = _get(client, f"/o/{token}")
    assert page.status == 200
    assert page.headers["Content-Type"].startswith("text/html")
    assert '<html lang="de">' in page.text
    assert "Platz annehmen" in page.text
    assert (
        CSRF.findall(page.text)
        == [csrf_token(get_settings().require_link_signing_key(), token)] * 2
    )
    assert "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]


def test_an_answer_from_another_site_or_without_the_csrf_token_is_refused_and_changes_nothing(
    client: Client, salon: Business, offer_to_bo: tuple[str, str]
) -> None:
    token, slot = offer_to_bo
    csrf = CSRF.findall(_get(client, f"/o/{token}").text)[0]

    cross_site = _post(
        client, f"/o/{token}/accept", {"csrf": csrf}, **{"Sec-Fetch-Site": "cross-site"}
    )
    other_origin = _post(
        client, f"/o/{token}/accept", {"csrf": csrf}, Origin="https://evil.example"
    )
    no_token = _post(client, f"/o/{token}/accept", {}, **SAME_SITE)
    wrong_token = _post(client, f"/o/{token}/accept", {"csrf": "0" * 40}, **SAME_SITE)

    assert [a.status for a in (cross_site, other_origin, no_token, wrong_token)] == [403] * 4
    assert "This request was refused" in no_token.text
    bookings = salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"]
    assert [b["customer"]["name"] for b in bookings] == ["Ada"]


def test_an_accepted_offer_cannot_be_answered_again(
    client: Client, salon: Business, offer_to_bo: tuple[str, str]
) -> None:
    token, slot = offer_to_bo
    csrf = CSRF.findall(_get(client, f"/o/{token}").text)[0]

    accepted = _post(client, f"/o/{token}/accept", {"csrf": csrf}, **SAME_SITE)
    assert accepted.status == 303
    assert accepted.headers["Location"] == f"/o/{token}?done=accepted"
    again = _post(client, f"/o/{token}/decline", {"csrf": csrf}, **SAME_SITE)

    assert again.status == 409
    assert "Sie haben dieses Angebot bereits angenommen" in again.text
    assert "Platz annehmen" not in again.text
    bookings = salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"]
    assert [(b["customer"]["name"], b["status"]) for b in bookings] == [
        ("Ada", "cancelled"),
        ("Bo", "confirmed"),
    ]


def test_a_link_that_does_not_verify_gets_a_readable_not_found_page(client: Client) -> None:
    page = _get(client, "/b/not-a-token")
    assert page.status == 404
    assert "This link is not valid" in page.text


def test_a_booking_page_offers_a_calendar_file_of_the_booking(
    client: Client, salon: Business
) -> None:
    slot = salon.add_slot(capacity=1)
    manage = salon.book(slot, "Ada", email="ada@example.com").body["manage_url"]
    assert "/b/" in manage
    path = manage.split("8000", 1)[1]

    calendar = _get(client, f"{path}/calendar.ics")

    assert calendar.status == 200
    assert calendar.headers["Content-Type"].startswith("text/calendar")
    assert "SUMMARY:Haircut\\, Salon A" in calendar.text
    assert calendar.text.endswith("END:VCALENDAR\r\n")


def test_the_board_asks_for_a_sign_in_and_keeps_the_token_in_a_strict_http_only_cookie(
    client: Client, salon: Business
) -> None:
    assert _get(client, "/board").headers["Location"] == "/board/login"
    refused = _post(client, "/board/login", {"token": "nonsense"}, **SAME_SITE)
    assert refused.status == 401

    signed_in = _post(client, "/board/login", {"token": salon.token}, **SAME_SITE)

    assert signed_in.status == 303
    cookie = signed_in.headers["Set-Cookie"]
    assert cookie.startswith(f"standby_staff={salon.token};")
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie


def test_the_board_shows_only_the_signed_in_business_and_cannot_release_another_s_booking(
    client: Client, salon: Business
) -> None:
    other = set_up_business(salon.api, "salon-b", "Salon B")
    theirs = other.add_slot(capacity=1, days_ahead=2)
    booking = other.book(theirs, "Zed", email="zed@example.com").body["booking"]["booking_id"]
    ours = salon.add_slot(capacity=1, days_ahead=2)
    salon.book(ours, "Ada", email="ada@example.com")
    starts = salon.staff("GET", "/staff/slots").body["slots"][0]["starts_at"][:10]
    cookie = {"Cookie": f"standby_staff={salon.token}"}

    board = _get(client, f"/board?day={starts}", **cookie)
    preview = _get(client, f"/board/slots/{theirs}/bookings/{booking}/release", **cookie)
    board_csrf = CSRF.findall(board.text)[0]
    release = _post(
        client,
        f"/board/slots/{theirs}/bookings/{booking}/release",
        {"csrf": board_csrf},
        **cookie,
        **SAME_SITE,
    )

    assert board.status == 200
    assert "Ada" in board.text and "Zed" not in board.text
    assert preview.status == 404
    assert release.status == 404
    assert [
        b["status"] for b in other.staff("GET", f"/staff/slots/{theirs}/bookings").body["bookings"]
    ] == ["confirmed"]


def test_a_release_without_the_board_s_csrf_token_is_refused(
    client: Client, salon: Business
) -> None:
    slot = salon.add_slot(capacity=1)
    booking = salon.book(slot, "Ada", email="ada@example.com").body["booking"]["booking_id"]
    cookie = {"Cookie": f"standby_staff={salon.token}"}

    forged = _post(client, f"/board/slots/{slot}/bookings/{booking}/release", {}, **cookie)

    assert forged.status == 403
    bookings = salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"]
    assert [b["status"] for b in bookings] == ["confirmed"]


def test_a_refusal_no_page_expects_is_answered_with_a_page_not_an_error(client: Client) -> None:
    token = staff_token("salon-without-profile")

    board = _get(client, "/board", Cookie=f"standby_staff={token}", **{"Accept-Language": "da"})

    assert board.status == 409
    assert '<html lang="da">' in board.text
    assert "Det lykkedes ikke denne gang" in board.text


def test_a_window_entry_s_page_shows_its_window_and_leaves_the_list(
    client: Client, salon: Business
) -> None:
    starts = datetime(2030, 5, 6, 9, 0)
    joined = salon.api.call(
        "POST",
        f"/businesses/{salon.business_id}/services/{salon.service_id}/waiting-list",
        {
            "name": "Zoe",
            "email": "zoe@example.com",
            "starts_from": starts.isoformat(),
            "ends_by": (starts + timedelta(days=2)).isoformat(),
            "staff": "Bo",
        },
    )
    assert joined.status == 201, joined.body
    token = joined.body["token"]

    page = _get(client, f"/w/{token}")
    assert page.status == 200
    assert "Any time from" in page.text and "Bo" in page.text

    csrf = CSRF.search(page.text)
    assert csrf is not None
    left = _post(client, f"/w/{token}/leave", {"csrf": csrf.group(1)}, **SAME_SITE)
    assert left.status in (302, 303)
    assert "You have left the waiting list" in _get(client, f"/w/{token}").text


# --- a form sent twice (a double click, a reload) answers as the first one did ----------------


def _form(token: str) -> dict[str, str]:
    return {"csrf": csrf_token(get_settings().require_link_signing_key(), token)}


def test_cancelling_a_booking_twice_shows_the_cancelled_booking_both_times(
    client: Client, salon: Business
) -> None:
    slot = salon.add_slot(capacity=1)
    token = salon.book(slot, "Ada", email="ada@example.com").body["manage_token"]

    first = _post(client, f"/b/{token}/cancel", _form(token), **SAME_SITE)
    second = _post(client, f"/b/{token}/cancel", _form(token), **SAME_SITE)
    page = _get(client, second.headers["Location"])

    assert (first.status, second.status) == (303, 303)
    assert first.headers["Location"] == second.headers["Location"] == f"/b/{token}?done=cancelled"
    assert page.status == 200
    assert "Your booking is cancelled." in page.text
    assert "That did not work" not in page.text
    bookings = salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"]
    assert [b["status"] for b in bookings] == ["cancelled"]


def test_cancelling_a_booking_the_staff_cancelled_says_it_can_no_longer_be_changed(
    client: Client, salon: Business
) -> None:
    slot = salon.add_slot(capacity=1)
    booked = salon.book(slot, "Ada", email="ada@example.com").body
    booking_id = booked["booking"]["booking_id"]
    salon.staff(
        "POST", f"/staff/slots/{slot}/bookings/{booking_id}/cancel", {"reason": "Closed today"}
    )
    token = booked["manage_token"]

    refused = _post(client, f"/b/{token}/cancel", _form(token), **SAME_SITE)

    assert refused.status == 409
    assert "This booking can no longer be changed here." in refused.text
    assert "Reason: Closed today" in refused.text
    assert "Your booking is cancelled." not in refused.text


def test_moving_a_booking_twice_to_the_same_time_shows_the_moved_booking_both_times(
    client: Client, salon: Business
) -> None:
    here = salon.add_slot(capacity=1, days_ahead=2)
    there = salon.add_slot(capacity=1, days_ahead=3)
    token = salon.book(here, "Ada", email="ada@example.com").body["manage_token"]
    form = {**_form(token), "slot_id": there}

    first = _post(client, f"/b/{token}/move", form, **SAME_SITE)
    second = _post(client, f"/b/{token}/move", form, **SAME_SITE)
    page = _get(client, second.headers["Location"])

    assert (first.status, second.status) == (303, 303)
    assert second.headers["Location"] == f"/b/{token}?done=moved"
    assert "Your booking has moved." in page.text
    bookings = salon.staff("GET", f"/staff/slots/{there}/bookings").body["bookings"]
    assert [(b["customer"]["name"], b["status"]) for b in bookings] == [("Ada", "confirmed")]


def test_accepting_an_offer_twice_shows_the_seat_is_yours_both_times(
    client: Client, salon: Business, offer_to_bo: tuple[str, str]
) -> None:
    token, slot = offer_to_bo

    first = _post(client, f"/o/{token}/accept", _form(token), **SAME_SITE)
    second = _post(client, f"/o/{token}/accept", _form(token), **SAME_SITE)
    page = _get(client, second.headers["Location"])

    assert (first.status, second.status) == (303, 303)
    assert second.headers["Location"] == f"/o/{token}?done=accepted"
    assert page.status == 200
    assert "Der Platz gehört Ihnen" in page.text
    assert "/b/" in page.text, "a link to the booking"
    bookings = salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"]
    assert [(b["customer"]["name"], b["status"]) for b in bookings] == [
        ("Ada", "cancelled"),
        ("Bo", "confirmed"),
    ]


def test_declining_an_offer_twice_shows_it_declined_both_times(
    client: Client, offer_to_bo: tuple[str, str]
) -> None:
    token, _ = offer_to_bo

    first = _post(client, f"/o/{token}/decline", _form(token), **SAME_SITE)
    second = _post(client, f"/o/{token}/decline", _form(token), **SAME_SITE)
    page = _get(client, second.headers["Location"])

    assert (first.status, second.status) == (303, 303)
    assert second.headers["Location"] == f"/o/{token}?done=declined"
    assert page.status == 200
    assert "Angebot abgelehnt" in page.text


def test_accepting_an_offer_already_declined_still_says_why_not(
    client: Client, offer_to_bo: tuple[str, str]
) -> None:
    token, _ = offer_to_bo
    _post(client, f"/o/{token}/decline", _form(token), **SAME_SITE)

    refused = _post(client, f"/o/{token}/accept", _form(token), **SAME_SITE)

    assert refused.status == 409
    assert "Sie haben dieses Angebot abgelehnt" in refused.text


def test_leaving_a_waiting_list_twice_shows_the_list_left_both_times(
    client: Client, salon: Business
) -> None:
    slot = salon.add_slot(capacity=1)
    salon.book(slot, "Ada", email="ada@example.com")
    token = salon.join(slot, "Bo", email="bo@example.com").body["token"]

    first = _post(client, f"/w/{token}/leave", _form(token), **SAME_SITE)
    second = _post(client, f"/w/{token}/leave", _form(token), **SAME_SITE)
    page = _get(client, second.headers["Location"])

    assert (first.status, second.status) == (303, 303)
    assert second.headers["Location"] == f"/w/{token}?done=left"
    assert "Done: you have left the waiting list." in page.text
    waiting = salon.staff("GET", f"/staff/slots/{slot}/waiting-list").body
    assert [e["status"] for e in waiting["entries"]] == ["left"]


def test_leaving_a_waiting_list_after_getting_the_seat_says_the_seat_is_yours(
    client: Client, salon: Business, streams: Streams
) -> None:
    slot = salon.add_slot(capacity=1)
    ada = salon.book(slot, "Ada", email="ada@example.com").body["manage_token"]
    token = salon.join(slot, "Bo", email="bo@example.com").body["token"]
    salon.api.call("POST", f"/bookings/{ada}/cancel")
    streams.settle()

    refused = _post(client, f"/w/{token}/leave", _form(token), **SAME_SITE)

    assert refused.status == 409
    assert "You got a seat" in refused.text
    assert "you have left" not in refused.text
