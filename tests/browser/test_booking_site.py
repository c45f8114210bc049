"""The booking site in real headless Chromium against the local stack: a customer browses a
business's times, books one and opens the link they are given; another finds a time full,
joins its list and gets the seat (or an offer of it) when someone cancels; a third asks, as
they book, for an earlier time, and is moved there when one frees up."""

from __future__ import annotations

import re
from collections.abc import Callable

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Scene, Screens, _address, assert_accessible, phone_context
from tests.e2e.conftest import RunningStack, wait_for

pytestmark = pytest.mark.browser

MakeScene = Callable[..., list[Scene]]


def _heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


def _week(scene: Scene, **query: str) -> str:
    extra = "".join(f"&{k}={v}" for k, v in query.items())
    return f"{scene.stack.api}/s/{scene.business}/{scene.service_id}?week={scene.day}{extra}"


def test_a_customer_browses_the_times_books_one_without_javascript_and_opens_their_link(
    scene_for: MakeScene,
    browser: Browser,
    phone: Page,
    screens: Screens,
    local_stack: RunningStack,
) -> None:
    [scene] = scene_for("automatic", "Fringe trim")
    site = f"{local_stack.api}/s/{scene.business}"
    screens.capture("site-services", site)
    screens.capture("site-services-nb", f"{site}?lang=nb")

    phone.goto(site)
    phone.get_by_role("link", name=re.compile("Fringe trim")).click()
    assert _heading(phone) == "Fringe trim"
    phone.goto(_week(scene))
    screens.capture("site-week", phone.url)
    screens.capture("site-week-fr", _week(scene, lang="fr"))
    free = phone.locator("a.time").first
    expect(free).to_contain_text("1 free")
    expect(free).to_contain_text("Mira")
    free.click()
    assert _heading(phone) == "Book this time"
    form = phone.url
    screens.capture("site-book-form", form)

    phone.get_by_label("Name").fill("Ada")
    phone.get_by_label("Email").fill("ada@")
    phone.get_by_role("button", name="Book this time").click()
    expect(phone.locator("#f-email-error")).to_contain_text("does not look like an email")
    expect(phone.get_by_label("Name")).to_have_value("Ada")
    screens.shoot(phone, "site-book-invalid")

    # Plain forms are enough: the booking itself is made on a phone without JavaScript.
    no_script = phone_context(browser, java_script_enabled=False)
    try:
        bare = no_script.new_page()
        bare.goto(form)
        bare.get_by_label("Name").fill("Ada")
        bare.get_by_label("Email").fill(_address("Ada", scene.slot_id))
        bare.get_by_role("button", name="Book this time").click()
        assert _heading(bare) == "You're booked"
        expect(bare.get_by_role("status")).to_contain_text("Your booking is confirmed")
        screens.capture("site-booked", bare.url)
        assert scene.bookings() == [("Ada", "confirmed")]

        bare.get_by_role("link", name="See or change your booking").click()
        assert _heading(bare) == "Your booking"
        assert bare.url == scene.link_to("Ada", "b")
    finally:
        no_script.close()

    # The form left open in the other tab is sent again: the seat is gone, and the page
    # says so in words and offers the waiting list.
    phone.get_by_label("Email").fill("cy@example.com")
    phone.get_by_role("button", name="Book this time").click()
    expect(phone.get_by_role("alert")).to_contain_text("the last seat was taken just now")
    expect(phone.get_by_role("link", name="Join the waiting list")).to_be_visible()
    screens.shoot(phone, "site-slot-full")


@pytest.mark.parametrize(
    ("mode", "kind", "heading"),
    [("automatic", "b", "Your booking"), ("one_at_a_time", "o", "A seat is free for you")],
)
def test_a_customer_joins_a_full_times_list_and_gets_the_seat_someone_else_gives_up(
    scene_for: MakeScene,
    phone: Page,
    screens: Screens,
    local_stack: RunningStack,
    mode: str,
    kind: str,
    heading: str,
) -> None:
    [scene] = scene_for(mode, {"automatic": "Highlights", "one_at_a_time": "Balayage"}[mode])
    ada = scene.book("Ada")
    phone.goto(_week(scene))
    full = phone.locator("a.time.full")
    expect(full).to_contain_text("Full · nobody waiting yet")
    expect(full).to_contain_text("Join the waiting list")
    screens.capture(f"site-week-full-{mode}", phone.url)

    full.click()
    assert _heading(phone) == "Join the waiting list"
    expect(phone.get_by_text("This is a place on a waiting list, not a booking.")).to_be_visible()
    screens.capture(f"site-join-form-{mode}", phone.url)
    screens.capture(f"site-join-form-{mode}-nb", phone.url + "?lang=nb")
    phone.get_by_label("Name").fill("Bo")
    phone.get_by_label("Email").fill(_address("Bo", scene.slot_id))
    phone.get_by_role("button", name="Join the waiting list").click()
    assert _heading(phone) == "You are on the waiting list"
    expect(phone.locator(".position")).to_have_text("1")
    screens.capture(f"site-joined-{mode}", phone.url)
    phone.get_by_role("link", name="See your place or leave the list").click()
    assert _heading(phone) == "You are on the waiting list"

    local_stack.call("POST", f"/bookings/{ada['manage_token']}/cancel")
    phone.goto(scene.link_to("Bo", kind, timeout=10))
    assert _heading(phone) == heading
    assert_accessible(phone, f"seat-for-bo-{mode}")


def test_an_earlier_time_asked_for_while_booking_is_given_when_a_seat_frees_up(
    scene_for: MakeScene, phone: Page, screens: Screens, local_stack: RunningStack
) -> None:
    first, later = scene_for("automatic", "Eyebrows", slots=2)
    ada = first.book("Ada")
    phone.goto(_week(later, lang="fr"))
    phone.locator("a.time:not(.full)").first.click()
    assert _heading(phone) == "Réserver ce créneau"
    phone.get_by_label("Nom").fill("Bo")
    phone.get_by_label("E-mail").fill(_address("Bo", later.slot_id))
    phone.get_by_label("Prévenez-moi si un créneau plus tôt se libère").check()
    screens.shoot(phone, "site-book-earlier-fr")
    phone.get_by_role("button", name="Réserver ce créneau").click()
    assert _heading(phone) == "Votre réservation est confirmée"
    expect(phone.get_by_text("un créneau plus tôt de cette prestation se libère")).to_be_visible()
    screens.capture("site-booked-earlier-fr", phone.url)
    assert later.bookings() == [("Bo", "confirmed")]

    local_stack.call("POST", f"/bookings/{ada['manage_token']}/cancel")
    assert wait_for(lambda: ("Bo", "confirmed") in first.bookings(), 10), local_stack.output()
    assert later.bookings() == []
    moved = later.link_to("Bo", "b", timeout=10)
    phone.goto(moved)
    assert _heading(phone) == "Votre réservation"
    expect(phone.locator("dl.details")).to_contain_text("10:00")
    assert_accessible(phone, "booking-moved-earlier-fr")
