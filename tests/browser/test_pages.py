"""The pages customers and staff click, in real headless Chromium against the local stack:
offers from the outbox, a booking managed, a place on the list, and the staff board."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from typing import Any

import pytest
from playwright.sync_api import Browser, Page, expect

from tests.browser.conftest import Scene, Screens, phone_context
from tests.e2e.conftest import RunningStack, wait_for

pytestmark = pytest.mark.browser

MakeScene = Callable[..., list[Scene]]


def _heading(page: Page) -> str:
    return page.get_by_role("heading", level=1).inner_text()


@pytest.fixture
def short_offer_window(local_stack: RunningStack) -> Iterator[None]:
    _, profile = local_stack.call("GET", "/staff/business", staff=True)
    kept = {k: profile[k] for k in ("name", "time_zone", "language")}
    status, body = local_stack.call(
        "PUT", "/staff/business", kept | {"offer_window_seconds": 10}, staff=True
    )
    assert status == 200, body
    yield
    local_stack.call("PUT", "/staff/business", kept, staff=True)


def test_a_customer_opens_the_offer_in_their_message_and_accepts_it(
    scene_for: MakeScene, phone: Page, screens: Screens, local_stack: RunningStack
) -> None:
    [scene] = scene_for("one_at_a_time", "Colour")
    ada = scene.book("Ada")
    place = scene.join("Bo")["leave_url"]
    local_stack.call("POST", f"/bookings/{ada['manage_token']}/cancel")
    offer = scene.link_to("Bo", "o")
    screens.capture("offer-open", offer)
    screens.capture("waiting-list-offered", place)
    screens.sign_in(local_stack.token)
    screens.capture("board-offer-in-flight", f"{local_stack.api}/board?day={scene.day}")

    phone.goto(offer)
    assert phone.locator("html").get_attribute("lang") == "en"
    assert _heading(phone) == "A seat is free for you"
    expect(phone.locator("#countdown")).to_contain_text("left")
    phone.get_by_role("button", name="Accept the seat").click()

    assert _heading(phone) == "You're booked"
    expect(phone.get_by_role("status")).to_contain_text("The seat is yours")
    assert ("Bo", "confirmed") in scene.bookings()
    screens.capture("offer-accepted", phone.url)
    screens.capture("waiting-list-booked", place)

    phone.goto(offer)
    expect(phone.get_by_role("status")).to_contain_text("already accepted")
    assert phone.get_by_role("button", name="Accept the seat").count() == 0
    screens.capture("offer-already-accepted", offer)


def test_a_second_customer_accepting_a_seat_someone_took_first_is_told_why(
    scene_for: MakeScene, browser: Browser, phone: Page, screens: Screens, local_stack: RunningStack
) -> None:
    [scene] = scene_for("offer_to_many", "Massage")
    ada = scene.book("Ada")
    scene.join("Bo")
    scene.join("Cy")
    local_stack.call("POST", f"/bookings/{ada['manage_token']}/cancel")
    to_bo, to_cy = scene.link_to("Bo", "o"), scene.link_to("Cy", "o")

    phone.goto(to_cy)  # Cy opens the offer and hesitates...
    assert _heading(phone) == "A seat is free for you"

    # ...while Bo, on a phone without JavaScript, accepts: plain forms are enough.
    no_script = phone_context(browser, java_script_enabled=False)
    try:
        bo = no_script.new_page()
        bo.goto(to_bo)
        bo.get_by_role("button", name="Accept the seat").click()
        assert _heading(bo) == "You're booked"
    finally:
        no_script.close()

    phone.get_by_role("button", name="Accept the seat").click()
    assert _heading(phone) == "This seat has been taken"
    expect(phone.get_by_role("status")).to_contain_text("another customer accepted this seat")
    screens.shoot(phone, "offer-taken-on-accept")
    assert sorted(scene.bookings()) == [("Ada", "cancelled"), ("Bo", "confirmed")]

    screens.capture("offer-taken", to_cy)


def test_a_customer_who_declines_keeps_their_place_and_a_late_answer_finds_the_offer_expired(
    scene_for: MakeScene,
    phone: Page,
    screens: Screens,
    local_stack: RunningStack,
    short_offer_window: None,
) -> None:
    [scene] = scene_for("one_at_a_time", "Perm")
    ada = scene.book("Ada")
    scene.join("Bo")
    scene.join("Cy")
    local_stack.call("POST", f"/bookings/{ada['manage_token']}/cancel")

    phone.goto(scene.link_to("Bo", "o") + "?do=decline")
    phone.get_by_role("button", name="No thanks").click()
    assert _heading(phone) == "Offer declined"
    expect(phone.get_by_role("status")).to_contain_text("you keep your place")
    screens.capture("offer-declined", phone.url)
    screens.capture("offer-already-declined", scene.link_to("Bo", "o"))

    to_cy = scene.link_to("Cy", "o")
    phone.goto(to_cy)
    expect(phone.locator("#countdown")).to_contain_text(re.compile(r"0:\d\d left"))
    # When time is up the page reloads itself once and shows the offer as it now stands.
    expect(phone.get_by_role("heading", level=1)).to_have_text(
        "This offer has expired", timeout=20_000
    )
    assert phone.get_by_role("button", name="Accept the seat").count() == 0
    screens.capture("offer-expired", to_cy)


def test_a_customer_moves_their_booking_adds_it_to_their_calendar_and_cancels_it(
    scene_for: MakeScene, phone: Page, screens: Screens
) -> None:
    first, later = scene_for("automatic", "Beard trim", slots=2)
    first.book("Ada")
    link = first.link_to("Ada", "b")
    screens.capture("booking", link)

    phone.goto(link)
    with phone.expect_download() as download:
        phone.get_by_role("link", name="Add to calendar").click()
    calendar = download.value.path().read_text()
    assert "BEGIN:VEVENT" in calendar
    assert "SUMMARY:Beard trim\\, Demo Salon" in calendar

    phone.get_by_role("radio").first.check()
    phone.get_by_role("button", name="Move my booking").click()
    expect(phone.get_by_role("status")).to_contain_text("Your booking has moved")
    assert first.bookings() == []
    assert later.bookings() == [("Ada", "confirmed")]
    screens.capture("booking-moved", phone.url)

    phone.get_by_role("link", name="Cancel the booking").click()
    assert _heading(phone) == "Cancel this booking?"
    screens.capture("booking-cancel-confirm", phone.url)
    phone.get_by_role("button", name="Yes, cancel my booking").click()
    expect(phone.get_by_role("status")).to_contain_text("Your booking is cancelled")
    assert later.bookings() == [("Ada", "cancelled")]
    screens.capture("booking-cancelled", phone.url)


def test_a_waiting_customer_sees_their_place_in_their_language_and_leaves_the_list(
    scene_for: MakeScene, phone: Page, screens: Screens
) -> None:
    [scene] = scene_for("one_at_a_time", "Balayage")
    scene.book("Ada")
    scene.join("Bo")
    place = scene.join("Chloé", language="fr")["leave_url"]
    screens.capture("waiting-list-place", place)

    phone.goto(place)
    assert phone.locator("html").get_attribute("lang") == "fr"
    assert _heading(phone) == "Vous êtes sur la liste d'attente"
    expect(phone.locator(".position")).to_have_text("2")
    expect(phone.get_by_text("une personne à la fois")).to_be_visible()
    phone.get_by_role("button", name="Quitter la liste d'attente").click()
    assert _heading(phone) == "Vous avez quitté la liste d'attente"
    screens.capture("waiting-list-left", phone.url)


def test_a_link_that_leads_nowhere_says_so(phone: Page, screens: Screens, local_stack: Any) -> None:
    response = phone.goto(f"{local_stack.api}/o/not-a-real-token")
    assert response is not None and response.status == 404
    assert _heading(phone) == "This link is not valid"
    screens.capture("link-not-valid", phone.url)


def test_staff_release_a_seat_after_a_warning_naming_who_gets_it_and_see_the_list_move(
    scene_for: MakeScene, phone: Page, screens: Screens, local_stack: RunningStack
) -> None:
    [scene] = scene_for("automatic", "Colour and cut")
    scene.book("Ada")
    scene.join("Bo")
    scene.join("Cy")
    board = f"{local_stack.api}/board?day={scene.day}"

    phone.goto(board)
    assert _heading(phone) == "Staff sign-in"
    screens.capture("board-login", phone.url)
    phone.get_by_label("Staff token").fill("not-a-token")
    phone.get_by_role("button", name="Sign in").click()
    expect(phone.get_by_role("alert")).to_contain_text("not accepted")
    screens.shoot(phone, "board-login-refused")
    on_desktop = screens.desktop.new_page()
    on_desktop.goto(board)
    on_desktop.get_by_label("Staff token").fill("not-a-token")
    on_desktop.get_by_role("button", name="Sign in").click()
    expect(on_desktop.get_by_role("alert")).to_contain_text("not accepted")
    screens.shoot(on_desktop, "board-login-refused")
    on_desktop.close()
    phone.get_by_label("Staff token").fill(local_stack.token)
    phone.get_by_role("button", name="Sign in").click()
    phone.goto(board)

    card = phone.locator(f"#slot-{scene.slot_id}")
    expect(card).to_contain_text("1 of 1 seats taken")
    expect(card.locator("ol.queue li")).to_have_text([re.compile("^Bo"), re.compile("^Cy")])
    screens.sign_in(local_stack.token)
    screens.capture("board", board)

    card.get_by_role("link", name="Release the seat of Ada").click()
    expect(phone.get_by_role("alert")).to_contain_text(
        "The next customer on the waiting list, Bo, will get this seat"
    )
    screens.capture("board-release-warning", phone.url)
    phone.get_by_role("button", name="Release the seat").click()
    expect(phone.get_by_role("status")).to_contain_text("Ada's seat is released")
    screens.capture("board-released-notice", phone.url)

    # The refill runs on the bookings stream, a moment later: the board refreshes itself
    # once (and from then on it is reloaded here until the list has moved).
    phone.wait_for_url(board, timeout=10_000)
    card = phone.locator(f"#slot-{scene.slot_id}")

    def list_moved() -> bool:
        if card.locator("ol.queue li").count() == 1:
            return True
        phone.reload()
        return False

    assert wait_for(list_moved, 10, interval=0.5), local_stack.output()
    expect(card.locator("ol.queue li")).to_have_text([re.compile("^Cy")])
    expect(card.locator("ul.rows").first).to_contain_text("Bo")
    expect(card).to_contain_text("Seat given to Bo")
    assert ("Bo", "confirmed") in scene.bookings()
    screens.capture("board-after-release", board)
