"""The front desk's pages over the app's HTTP interface (no browser): a slot's detail with
every booking action behind a warning, the waiting list run from the page, requests to
confirm — each through the staff API's use cases, for the signed-in business only."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta

from chalice.test import Client

from tests.integration.conftest import Business, set_up_business
from tests.integration.test_pages import CSRF, SAME_SITE, Answer, _get, _post
from tests.support.aws import Streams, sent_about


def _signed_in(salon: Business) -> dict[str, str]:
    return {"Cookie": f"standby_staff={salon.token}"}


def _csrf(client: Client, salon: Business, path: str) -> str:
    page = _get(client, path, **_signed_in(salon))
    assert page.status == 200, page.text
    return str(CSRF.findall(page.text)[0])


def _send(client: Client, salon: Business, path: str, form: dict[str, str], csrf: str) -> Answer:
    return _post(client, path, {"csrf": csrf, **form}, **_signed_in(salon), **SAME_SITE)


def _statuses(salon: Business, slot: str) -> list[tuple[str, str]]:
    bookings = salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"]
    return [(b["customer"]["name"], b["status"]) for b in bookings]


def _waiting(salon: Business, slot: str) -> list[tuple[str, str]]:
    entries = salon.staff("GET", f"/staff/slots/{slot}/waiting-list").body["entries"]
    return [(e["customer"]["name"], e["status"]) for e in entries]


def _requests_service(salon: Business) -> str:
    answer = salon.staff(
        "POST",
        "/staff/services",
        {"name": "Colour", "duration_minutes": 60, "requires_confirmation": True},
    )
    assert answer.status == 201, answer.body
    return str(answer.body["services"][0]["service_id"])


def _booking_id(salon: Business, slot: str, name: str) -> str:
    bookings = salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"]
    return str(next(b["booking_id"] for b in bookings if b["customer"]["name"] == name))


def test_the_slot_page_shows_bookings_the_list_and_its_forms_to_the_signed_in_staff(
    client: Client, salon: Business
) -> None:
    slot = salon.add_slot(capacity=1)
    salon.book(slot, "Ada", email="ada@example.com")
    salon.join(slot, "Bo", email="bo@example.com")

    page = _get(client, f"/board/slots/{slot}", **_signed_in(salon))
    anonymous = _get(client, f"/board/slots/{slot}")

    assert page.status == 200
    assert "Ada" in page.text and "Bo" in page.text
    assert f"/board/slots/{slot}/waiting-list" in page.text
    assert anonymous.status == 303 and anonymous.headers["Location"] == "/board/login"


def test_a_rejection_needs_a_reason_warns_who_gets_the_seat_and_tells_the_customer(
    client: Client, salon: Business, streams: Streams
) -> None:
    salon.service_id = _requests_service(salon)
    slot = salon.add_slot(capacity=1)
    salon.book(slot, "Ada", email="ada@example.com")
    salon.join(slot, "Bo", email="bo@example.com")
    booking = _booking_id(salon, slot, "Ada")
    path = f"/board/slots/{slot}/bookings/{booking}/actions/reject"

    warning = _get(client, path, **_signed_in(salon))
    assert "Bo, will get this seat" in warning.text
    assert "request was rejected, with your reason" in warning.text
    csrf = CSRF.findall(warning.text)[0]
    without_reason = _send(client, salon, path, {"reason": " "}, csrf)
    assert without_reason.status == 400
    assert "Please write a reason" in without_reason.text
    assert _statuses(salon, slot) == [("Ada", "pending")]

    done = _send(client, salon, path, {"reason": "The colourist is ill."}, csrf)
    streams.settle()

    assert done.status == 303
    assert done.headers["Location"].startswith(f"/board/slots/{slot}?done=reject")
    assert ("Ada", "rejected") in _statuses(salon, slot)
    assert ("Bo", "confirmed") in _statuses(salon, slot)
    assert any("The colourist is ill." in m.body for m in sent_about(""))


def test_confirm_cancel_no_show_delete_and_history_from_the_slot_page(
    client: Client, salon: Business
) -> None:
    salon.service_id = _requests_service(salon)
    slot = salon.add_slot(capacity=3)
    for name in ("Ada", "Cy", "Di"):
        salon.book(slot, name, email=f"{name.lower()}@example.com")
    ada, cy, di = (_booking_id(salon, slot, n) for n in ("Ada", "Cy", "Di"))
    csrf = _csrf(client, salon, f"/board/slots/{slot}")
    base = f"/board/slots/{slot}/bookings"

    assert _send(client, salon, f"{base}/{ada}/confirm", {}, csrf).status == 303
    assert _send(client, salon, f"{base}/{cy}/confirm", {}, csrf).status == 303
    cancel = _send(client, salon, f"{base}/{ada}/actions/cancel", {"reason": "Closed"}, csrf)
    no_show = _send(client, salon, f"{base}/{cy}/actions/no_show", {}, csrf)
    delete = _send(client, salon, f"{base}/{di}/actions/delete", {}, csrf)
    again = _send(client, salon, f"{base}/{cy}/actions/no_show", {}, csrf)

    assert [cancel.status, no_show.status, delete.status] == [303] * 3
    assert again.status == 409 and "not possible for this booking" in again.text
    assert sorted(_statuses(salon, slot)) == [
        ("Ada", "cancelled"),
        ("Cy", "no_show"),
    ]  # a deleted booking is gone from the slot's bookings
    history = _get(client, f"/board/slots/{slot}?booking={ada}", **_signed_in(salon))
    assert history.text.index("Reason: Closed") < history.text.index("Staff: confirmed")
    assert "Booking cancelled by the business" in history.text


def test_a_booking_moves_to_a_free_time_of_the_same_service(
    client: Client, salon: Business
) -> None:
    slot = salon.add_slot(capacity=1, days_ahead=2)
    later = salon.add_slot(capacity=2, days_ahead=3)
    salon.book(slot, "Ada", email="ada@example.com")
    ada = _booking_id(salon, slot, "Ada")
    path = f"/board/slots/{slot}/bookings/{ada}/actions/move"

    form = _get(client, path, **_signed_in(salon))
    assert f'value="{later}"' in form.text
    csrf = CSRF.findall(form.text)[0]
    unpicked = _send(client, salon, path, {}, csrf)
    moved = _send(client, salon, path, {"slot_id": later}, csrf)

    assert unpicked.status == 400
    assert moved.status == 303
    assert _statuses(salon, later) == [("Ada", "confirmed")]


def test_staff_add_a_customer_to_a_full_list_and_book_them_when_a_seat_frees(
    client: Client, salon: Business
) -> None:
    slot = salon.add_slot(capacity=1)
    salon.book(slot, "Ada", email="ada@example.com")
    csrf = _csrf(client, salon, f"/board/slots/{slot}")
    add = f"/board/slots/{slot}/waiting-list"

    bad = _send(client, salon, add, {"name": "Bo", "email": "not-an-address"}, csrf)
    added = _send(client, salon, add, {"name": "Bo", "email": "bo@example.com"}, csrf)
    twice = _send(client, salon, add, {"name": "Bo", "email": "bo@example.com"}, csrf)

    assert bad.status == 400 and "does not look like an email address" in bad.text
    assert added.status == 303
    assert twice.status == 409 and "already on the waiting list" in twice.text
    [entry] = salon.staff("GET", f"/staff/slots/{slot}/waiting-list").body["entries"]
    full = _send(client, salon, f"{add}/{entry['entry_id']}/book", {}, csrf)
    assert "error=full" in full.headers["Location"]

    salon.staff("PATCH", f"/staff/slots/{slot}", {"capacity": 2})
    # A raise goes to the list first in automatic mode: Bo gets it on his own.
    assert ("Bo", "booked") in _waiting(salon, slot) or ("Bo", "waiting") in _waiting(salon, slot)


def test_a_free_seat_is_booked_straight_from_the_list_and_an_entry_removed(
    client: Client, salon: Business
) -> None:
    _manual(salon)
    slot = salon.add_slot(capacity=1)
    ada = salon.book(slot, "Ada", email="ada@example.com").body["booking"]["booking_id"]
    salon.join(slot, "Bo", email="bo@example.com")
    salon.join(slot, "Cy", email="cy@example.com")
    salon.staff("POST", f"/staff/slots/{slot}/bookings/{ada}/cancel")
    entries = {
        e["customer"]["name"]: e["entry_id"]
        for e in salon.staff("GET", f"/staff/slots/{slot}/waiting-list").body["entries"]
    }
    page = _get(client, f"/board/slots/{slot}", **_signed_in(salon))
    assert "A seat is free" in page.text
    csrf = CSRF.findall(page.text)[0]

    booked = _send(
        client, salon, f"/board/slots/{slot}/waiting-list/{entries['Cy']}/book", {}, csrf
    )
    removed = _send(
        client, salon, f"/board/slots/{slot}/waiting-list/{entries['Bo']}/remove", {}, csrf
    )

    assert booked.status == 303 and "done=booked" in booked.headers["Location"]
    assert removed.status == 303
    assert ("Cy", "confirmed") in _statuses(salon, slot)
    assert dict(_waiting(salon, slot))["Bo"] == "left"


def _manual(salon: Business) -> None:
    profile = salon.staff("GET", "/staff/business").body
    kept = {k: profile[k] for k in ("name", "time_zone", "language")}
    answer = salon.staff("PUT", "/staff/business", kept | {"waiting_list_mode": "manual"})
    assert answer.status == 200, answer.body


def test_in_manual_mode_staff_tick_customers_and_offer_them_the_seat(
    client: Client, salon: Business, streams: Streams
) -> None:
    _manual(salon)
    slot = salon.add_slot(capacity=1)
    ada = salon.book(slot, "Ada", email="ada@example.com").body["booking"]["booking_id"]
    salon.join(slot, "Bo", email="bo@example.com")
    salon.join(slot, "Cy", email="cy@example.com")
    salon.staff("POST", f"/staff/slots/{slot}/bookings/{ada}/cancel")
    streams.settle()
    entries = {
        e["customer"]["name"]: e["entry_id"]
        for e in salon.staff("GET", f"/staff/slots/{slot}/waiting-list").body["entries"]
    }
    csrf = _csrf(client, salon, f"/board/slots/{slot}")

    none = _send(client, salon, f"/board/slots/{slot}/offers", {}, csrf)
    offered = _send(
        client, salon, f"/board/slots/{slot}/offers", {f"entry_{entries['Cy']}": "1"}, csrf
    )

    assert "error=pick_customers" in none.headers["Location"]
    assert offered.status == 303 and "done=offered" in offered.headers["Location"]
    assert dict(_waiting(salon, slot))["Cy"] == "offered"
    assert dict(_waiting(salon, slot))["Bo"] == "waiting"


def test_another_business_s_slot_booking_or_entry_cannot_be_seen_or_acted_on(
    client: Client, salon: Business
) -> None:
    other = set_up_business(salon.api, "salon-b", "Salon B")
    theirs = other.add_slot(capacity=1)
    other.book(theirs, "Zed", email="zed@example.com")
    other.join(theirs, "Yo", email="yo@example.com")
    booking = _booking_id(other, theirs, "Zed")
    [entry] = other.staff("GET", f"/staff/slots/{theirs}/waiting-list").body["entries"]
    ours = salon.add_slot(capacity=1)
    csrf = _csrf(client, salon, f"/board/slots/{ours}")
    base = f"/board/slots/{theirs}"

    answers = [
        _get(client, base, **_signed_in(salon)),
        _get(client, f"{base}/bookings/{booking}/actions/cancel", **_signed_in(salon)),
        _send(client, salon, f"{base}/bookings/{booking}/actions/cancel", {}, csrf),
        _send(client, salon, f"{base}/bookings/{booking}/confirm", {}, csrf),
        _send(client, salon, f"{base}/waiting-list/{entry['entry_id']}/remove", {}, csrf),
        _send(client, salon, f"{base}/waiting-list", {"name": "X", "email": "x@x.io"}, csrf),
    ]

    assert [a.status for a in answers] == [404] * 6
    assert _statuses(other, theirs) == [("Zed", "confirmed")]
    assert _waiting(other, theirs) == [("Yo", "waiting")]


def test_forms_without_the_csrf_token_or_from_another_site_are_refused(
    client: Client, salon: Business
) -> None:
    slot = salon.add_slot(capacity=1)
    salon.book(slot, "Ada", email="ada@example.com")
    ada = _booking_id(salon, slot, "Ada")
    csrf = _csrf(client, salon, f"/board/slots/{slot}")
    path = f"/board/slots/{slot}/bookings/{ada}/actions/cancel"

    forged = _post(client, path, {}, **_signed_in(salon), **SAME_SITE)
    cross = _post(
        client, path, {"csrf": csrf}, **_signed_in(salon), **{"Sec-Fetch-Site": "cross-site"}
    )
    signed_out = _post(client, path, {"csrf": csrf}, **SAME_SITE)

    assert [forged.status, cross.status, signed_out.status] == [403] * 3
    assert _statuses(salon, slot) == [("Ada", "confirmed")]


def test_requests_list_pending_soonest_first_and_confirm_without_leaving_it(
    client: Client, salon: Business
) -> None:
    salon.service_id = _requests_service(salon)
    late = salon.add_slot(capacity=1, days_ahead=4)
    soon = salon.add_slot(capacity=1, days_ahead=2)
    salon.book(late, "Late", email="late@example.com")
    salon.book(soon, "Soon", email="soon@example.com")

    page = _get(client, "/board/requests", **_signed_in(salon))
    assert page.text.index("Soon") < page.text.index("Late")
    csrf = CSRF.findall(page.text)[0]
    booking = _booking_id(salon, soon, "Soon")
    done = _send(
        client, salon, f"/board/slots/{soon}/bookings/{booking}/confirm", {"back": "requests"}, csrf
    )
    after = _get(client, done.headers["Location"], **_signed_in(salon))
    with_confirmed = _get(client, "/board/requests?confirmed=1", **_signed_in(salon))

    assert done.headers["Location"].startswith("/board/requests?done=confirmed")
    assert "Soon" in after.text and re.search(r"Soon.{1,5}s booking is confirmed", after.text)
    assert "Late" in after.text
    assert "Soon" in with_confirmed.text and "confirmed" in with_confirmed.text


def test_the_week_shows_each_day_s_slots_with_seats_list_and_filters_by_staff(
    client: Client, salon: Business
) -> None:
    mira = salon.add_slot(capacity=1, days_ahead=2, staff="Mira", location="Oslo")
    salon.add_slot(capacity=2, days_ahead=2, staff="Jon", location="Bergen")
    salon.book(mira, "Ada", email="ada@example.com")
    salon.join(mira, "Bo", email="bo@example.com")
    starts = salon.staff("GET", "/staff/slots").body["slots"][0]["starts_at"][:10]

    week = _get(client, f"/board/week?day={starts}", **_signed_in(salon))
    only_jon = _get(client, f"/board/week?day={starts}&staff=Jon", **_signed_in(salon))
    bad = _get(client, "/board/week?day=someday", **_signed_in(salon))

    assert week.status == 200
    assert f"/board/slots/{mira}" in week.text
    assert "1 taken · 0 held · 0 free" in week.text and "1 waiting" in week.text
    assert f"/board/slots/{mira}" not in only_jon.text and "Jon" in only_jon.text
    assert bad.status == 400


def test_a_staff_member_switches_the_board_s_language_for_themselves(
    client: Client, salon: Business
) -> None:
    slot = salon.add_slot(capacity=1)
    csrf = _csrf(client, salon, f"/board/slots/{slot}")

    switched = _send(
        client, salon, "/board/language", {"language": "de", "back": f"/board/slots/{slot}"}, csrf
    )
    outside = _send(
        client, salon, "/board/language", {"language": "fr", "back": "//evil.example"}, csrf
    )
    cookie = switched.headers["Set-Cookie"]
    page = _get(
        client,
        f"/board/slots/{slot}",
        Cookie=f"standby_staff={salon.token}; {cookie.split(';')[0]}",
    )

    assert switched.headers["Location"] == f"/board/slots/{slot}"
    assert "HttpOnly" in cookie and "SameSite=Strict" in cookie
    assert outside.headers["Location"] == "/board"
    assert '<html lang="de">' in page.text and "Warteliste" in page.text
    assert _get(client, f"/board/slots/{slot}", **_signed_in(salon)).text.count('lang="en"') >= 1


def test_a_booking_moves_along_the_pipeline_from_the_slot_page_and_the_requests(
    client: Client, salon: Business
) -> None:
    from tests.integration.test_status_pipeline import _pipeline, _pipeline_service

    steps = _pipeline(salon)
    salon.service_id = _pipeline_service(salon)
    slot = salon.add_slot(capacity=2)
    salon.book(slot, "Ada", email="ada@example.com")
    salon.book(slot, "Bo", email="bo@example.com")
    ada, bo = _booking_id(salon, slot, "Ada"), _booking_id(salon, slot, "Bo")
    page = _get(client, f"/board/slots/{slot}", **_signed_in(salon))
    assert "Checking insurance" in page.text
    csrf = CSRF.findall(page.text)[0]
    base = f"/board/slots/{slot}/bookings"

    checking = _send(
        client, salon, f"{base}/{ada}/step", {"status_id": steps["Checking insurance"]}, csrf
    )
    unexplained = _send(
        client,
        salon,
        f"{base}/{bo}/step",
        {"status_id": steps["Declined"], "back": "requests"},
        csrf,
    )
    approved = _send(
        client,
        salon,
        f"{base}/{bo}/step",
        {"status_id": steps["Approved"], "back": "requests"},
        csrf,
    )

    assert "done=step" in checking.headers["Location"]
    assert unexplained.headers["Location"] == "/board/requests?error=reason_required"
    assert approved.headers["Location"].startswith("/board/requests?done=step")
    assert sorted(_statuses(salon, slot)) == [("Ada", "pending"), ("Bo", "confirmed")]
    requests = _get(client, "/board/requests", **_signed_in(salon))
    assert "Checking insurance" in requests.text and "Ada" in requests.text


def test_a_booking_cancelled_from_the_requests_comes_back_to_the_requests(
    client: Client, salon: Business
) -> None:
    slot = salon.add_slot(capacity=1)
    salon.book(slot, "Ada", email="ada@example.com")
    ada = _booking_id(salon, slot, "Ada")
    listing = _get(client, "/board/requests?confirmed=1", **_signed_in(salon))
    path = f"/board/slots/{slot}/bookings/{ada}/actions/cancel"
    assert f"{path}?back=requests" in listing.text
    warning = _get(client, f"{path}?back=requests", **_signed_in(salon))
    csrf = CSRF.findall(warning.text)[0]

    done = _send(client, salon, path, {"back": "requests"}, csrf)

    assert done.headers["Location"].startswith("/board/requests?done=cancel")
    assert _statuses(salon, slot) == [("Ada", "cancelled")]


def test_a_services_window_list_shows_who_still_waits_in_order_and_removes_one(
    client: Client, salon: Business
) -> None:
    other = set_up_business(salon.api, "salon-b", "Salon B")
    path = f"/businesses/{salon.business_id}/services/{salon.service_id}/waiting-list"
    starts = datetime.now(UTC) + timedelta(days=1)
    for name in ("Ada", "Bo", "Cy"):
        answer = salon.api.call(
            "POST",
            path,
            {
                "name": name,
                "email": f"{name.lower()}@example.com",
                "starts_from": starts.isoformat(),
                "ends_by": (starts + timedelta(days=7)).isoformat(),
                **({"staff": "Mira"} if name == "Bo" else {}),
            },
        )
        assert answer.status == 201, answer.body
    page_path = f"/board/services/{salon.service_id}/waiting-list"
    entries = salon.staff("GET", f"/staff/services/{salon.service_id}/waiting-list").body
    ada = next(e["entry_id"] for e in entries["entries"] if e["customer"]["name"] == "Ada")

    page = _get(client, page_path, **_signed_in(salon))
    assert page.status == 200
    assert page.text.index("Ada") < page.text.index("Bo") < page.text.index("Cy")
    assert "with Mira" in page.text

    csrf = _csrf(client, salon, page_path)
    removed = _send(client, salon, f"{page_path}/{ada}/remove", {}, csrf)
    assert removed.status == 303
    after = _get(client, removed.headers["Location"], **_signed_in(salon))
    assert "Ada is off the waiting list" in after.text
    assert "Bo" in after.text and "ada@example.com" not in after.text

    elsewhere = _get(client, page_path, **_signed_in(other))
    assert elsewhere.status == 404


def test_staff_change_a_slots_seats_and_people_from_its_page_and_fewer_than_booked_is_refused(
    client: Client, salon: Business, streams: Streams
) -> None:
    slot = salon.add_slot(capacity=1)
    salon.book(slot, "Ada", email="ada@example.com")
    salon.join(slot, "Bo", email="bo@example.com")
    page = f"/board/slots/{slot}"
    csrf = _csrf(client, salon, page)

    raised = _send(client, salon, f"{page}/change", {"capacity": "2", "staff": "Mira"}, csrf)
    streams.settle()
    assert raised.status == 303
    after = _get(client, raised.headers["Location"], **_signed_in(salon))
    assert "The time is changed." in after.text
    assert _statuses(salon, slot) == [("Ada", "confirmed"), ("Bo", "confirmed")]
    changed = salon.staff("GET", "/staff/slots").body["slots"]
    assert [(s["capacity"], s.get("staff")) for s in changed if s["slot_id"] == slot] == [
        (2, "Mira")
    ]

    fewer = _send(client, salon, f"{page}/change", {"capacity": "1", "staff": ""}, csrf)
    refused = _get(client, fewer.headers["Location"], **_signed_in(salon))
    assert "Fewer seats than are booked" in refused.text
    nonsense = _send(client, salon, f"{page}/change", {"capacity": "many"}, csrf)
    assert (
        "whole number from 1 to 1,000"
        in _get(client, nonsense.headers["Location"], **_signed_in(salon)).text
    )
    unchanged = salon.staff("GET", "/staff/slots").body["slots"]
    assert [s["capacity"] for s in unchanged if s["slot_id"] == slot] == [2]


def test_a_seat_held_past_a_lost_record_is_listed_and_resolved_from_the_page(
    client: Client, salon: Business, streams: Streams
) -> None:
    slot = salon.add_slot(capacity=1)
    holder = salon.book(slot, "Ada", email="ada@example.com").body["manage_token"]
    salon.join(slot, "Bo", email="bo@example.com")
    streams.settle()
    salon.api.call("POST", f"/bookings/{holder}/cancel")
    assert streams.feeds[0].take()  # the cancellation's record is lost
    [hold] = salon.staff("GET", "/staff/stuck").body["holds"]

    page = _get(client, "/board/stuck", **_signed_in(salon))
    assert page.status == 200 and f"/board/slots/{slot}/holds/{hold['cause']}/release" in page.text
    csrf = _csrf(client, salon, "/board/stuck")
    resolved = _send(client, salon, f"/board/slots/{slot}/holds/{hold['cause']}/release", {}, csrf)
    streams.settle()

    assert resolved.status == 303
    assert (
        "The held seat is resolved."
        in _get(client, resolved.headers["Location"], **_signed_in(salon)).text
    )
    assert ("Bo", "confirmed") in _statuses(salon, slot)
    assert (
        "No seat is waiting for a decision."
        in _get(client, "/board/stuck", **_signed_in(salon)).text
    )


def test_staff_add_a_time_from_the_week_and_a_time_gone_by_is_refused(
    client: Client, salon: Business
) -> None:
    week = "/board/week"
    csrf = _csrf(client, salon, week)
    tomorrow = (datetime.now(UTC) + timedelta(days=1)).date().isoformat()
    form = {"service_id": salon.service_id, "day": tomorrow, "time": "10:30", "capacity": "3"}

    added = _send(client, salon, "/board/slots", {**form, "staff": "Mira"}, csrf)
    assert added.status == 303 and added.headers["Location"].startswith("/board/slots/")
    slot_page = _get(client, added.headers["Location"], **_signed_in(salon))
    assert "The time is added." in slot_page.text and "Mira" in slot_page.text

    gone_by = {**form, "day": "2001-01-01"}
    refused = _send(client, salon, "/board/slots", gone_by, csrf)
    assert refused.headers["Location"].startswith("/board/week?error=")
    no_time = _send(client, salon, "/board/slots", {**form, "time": ""}, csrf)
    assert (
        "Give the day and the time it starts."
        in _get(client, no_time.headers["Location"], **_signed_in(salon)).text
    )
    slots = salon.staff("GET", "/staff/slots").body["slots"]
    assert [(s["capacity"], s.get("staff")) for s in slots] == [(3, "Mira")]
