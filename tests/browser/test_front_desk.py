"""The front desk in real headless Chromium against the local stack: a request rejected
with a reason that reaches the customer while the list refills the seat, a manual-mode
seat offered to a ticked customer who accepts it on the offer page, and a customer the
staff put on the list booked from it. Each page is photographed at desktop and tablet
widths and checked with axe-core."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import Browser, BrowserContext, ViewportSize, expect

from tests.browser.conftest import SCREENSHOTS, Scene, _address, _oslo, assert_accessible
from tests.e2e.conftest import RunningStack, wait_for

pytestmark = pytest.mark.browser

DESKTOP: ViewportSize = {"width": 1280, "height": 800}
TABLET: ViewportSize = {"width": 820, "height": 1180}
_days = iter(range(60, 90))


class Desk:
    """A staff member signed in on a desktop, with a tablet alike for the screenshots."""

    def __init__(self, desktop: BrowserContext, tablet: BrowserContext, stack: RunningStack):
        self.desktop = desktop
        self.tablet = tablet
        self.stack = stack
        self.page = desktop.new_page()

    def shoot(self, name: str) -> None:
        """Photograph the desktop page as it is, and the same address on the tablet; each
        checked with axe-core."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        self.page.screenshot(path=str(SCREENSHOTS / f"{name}-desktop.png"), full_page=True)
        assert_accessible(self.page, f"{name}-desktop")
        if self.page.url.endswith("/actions/reject") or "/actions/" not in self.page.url:
            on_tablet = self.tablet.new_page()
            try:
                on_tablet.goto(self.page.url)
                on_tablet.screenshot(path=str(SCREENSHOTS / f"{name}-tablet.png"), full_page=True)
                assert_accessible(on_tablet, f"{name}-tablet")
            finally:
                on_tablet.close()


@pytest.fixture
def desk(browser: Browser, local_stack: RunningStack) -> Iterator[Desk]:
    desktop = browser.new_context(viewport=DESKTOP, locale="en-GB")
    tablet = browser.new_context(viewport=TABLET, locale="en-GB", has_touch=True)
    for context in (desktop, tablet):
        context.add_cookies(
            [{"name": "standby_staff", "value": local_stack.token, "url": local_stack.api}]
        )
    try:
        yield Desk(desktop, tablet, local_stack)
    finally:
        desktop.close()
        tablet.close()


def _scene(stack: RunningStack, name: str, mode: str, *, confirm: bool = False) -> Scene:
    status, created = stack.call(
        "POST",
        "/staff/services",
        {
            "name": name,
            "duration_minutes": 45,
            "waiting_list_mode": mode,
            "requires_confirmation": confirm,
        },
        staff=True,
    )
    assert status == 201, created
    service_id = created["services"][0]["service_id"]
    day = datetime.now(_oslo()).date() + timedelta(days=next(_days))
    starts_at = datetime.combine(
        day, datetime.min.time().replace(hour=11), tzinfo=_oslo()
    ).astimezone(UTC)
    status, made = stack.call(
        "POST",
        "/staff/slots",
        {
            "service_id": service_id,
            "starts_at": starts_at.isoformat(),
            "capacity": 1,
            "staff": "Mira",
            "location": "Grünerløkka",
        },
        staff=True,
    )
    assert status == 201, made
    return Scene(stack, made["slots"][0]["slot_id"], service_id, starts_at)


def _message_to(stack: RunningStack, name: str, scene: Scene, containing: str) -> bool:
    _, outbox = stack.call("GET", "/_local/outbox")
    return any(
        m["to"] == _address(name, scene.slot_id) and containing in m["body"]
        for m in outbox["messages"]
    )


def test_a_request_rejected_with_a_reason_tells_the_customer_and_the_list_refills_the_seat(
    desk: Desk, local_stack: RunningStack
) -> None:
    scene = _scene(local_stack, "Colour consultation", "automatic", confirm=True)
    scene.book("Ada")
    scene.join("Bo")
    page = desk.page

    page.goto(f"{local_stack.api}/board/requests")
    expect(page.get_by_role("heading", level=1)).to_have_text("Requests to confirm")
    expect(page.locator("table")).to_contain_text("Ada")
    desk.shoot("desk-requests")

    page.goto(f"{local_stack.api}/board/slots/{scene.slot_id}")
    expect(page.locator("#waiting-list")).to_contain_text("Bo")
    desk.shoot("desk-slot")
    page.get_by_role("link", name="Reject Ada's request").click()
    expect(page.locator("#release-warning")).to_contain_text("Bo, will get this seat")
    expect(page.locator("#customer-message")).to_contain_text("with your reason")
    desk.shoot("desk-reject-warning")
    page.get_by_label("Reason (required, sent to the customer)").fill(
        "The colourist is ill that day."
    )
    page.get_by_role("button", name="Reject the request").click()
    expect(page.get_by_role("status")).to_contain_text("Ada's request is rejected")

    assert wait_for(
        lambda: _message_to(local_stack, "Ada", scene, "The colourist is ill that day."), 10
    ), local_stack.output()
    assert wait_for(lambda: ("Bo", "confirmed") in scene.bookings(), 10), local_stack.output()
    page.reload()
    expect(page.locator("#log-title + ul")).to_contain_text("Seat given to Bo")
    ada = page.locator("tr", has_text="Ada")
    ada.get_by_role("link", name="History").click()
    expect(page.locator("#history")).to_contain_text("Reason: The colourist is ill that day.")
    expect(page.locator("#history")).to_contain_text("Request rejected, with the reason")
    desk.shoot("desk-slot-history")

    page.goto(f"{local_stack.api}/board/week?day={scene.day}")
    day = page.locator(f"section[aria-labelledby='day-{scene.day}']")
    expect(day).to_contain_text("Colour consultation")
    expect(day).to_contain_text("1 taken · 0 held · 0 free")
    desk.shoot("desk-week")
    day.get_by_role("link", name=re.compile("Colour consultation")).click()
    page.get_by_label("Language of these pages").select_option("fr")
    page.get_by_role("button", name="Change").click()
    expect(page.locator("html")).to_have_attribute("lang", "fr")
    expect(page.locator("#list-title")).to_have_text("Liste d'attente")
    page.get_by_label("Langue de ces pages").select_option("en")
    page.get_by_role("button", name="Changer").click()
    expect(page.locator("html")).to_have_attribute("lang", "en")


def test_in_manual_mode_staff_tick_a_waiting_customer_who_accepts_on_the_offer_page(
    desk: Desk, local_stack: RunningStack, browser: Browser
) -> None:
    scene = _scene(local_stack, "Balayage", "manual")
    ada = scene.book("Ada")
    scene.join("Bo")
    scene.join("Cy")
    local_stack.call("POST", f"/bookings/{ada['manage_token']}/cancel")
    page = desk.page

    page.goto(f"{local_stack.api}/board/slots/{scene.slot_id}")
    free = page.locator("#seat-free")
    expect(free).to_contain_text("A seat is free")
    free.get_by_label(re.compile("Cy")).check()
    desk.shoot("desk-seat-free")
    free.get_by_role("button", name="Notify").click()
    expect(page.get_by_role("status")).to_contain_text("The seat is offered to Cy")
    expect(page.locator("#waiting-list")).to_contain_text("has an offer")

    customer = browser.new_context(viewport={"width": 390, "height": 844}, locale="en-GB")
    try:
        offer = customer.new_page()
        offer.goto(scene.link_to("Cy", "o"))
        offer.get_by_role("button", name="Accept the seat").click()
        expect(offer.get_by_role("heading", level=1)).to_have_text("You're booked")
    finally:
        customer.close()
    assert ("Cy", "confirmed") in scene.bookings()
    page.reload()
    expect(page.locator("table").first).to_contain_text("Cy")


def test_a_customer_the_staff_put_on_the_list_is_booked_from_it_when_a_seat_frees(
    desk: Desk, local_stack: RunningStack
) -> None:
    scene = _scene(local_stack, "Beard trim", "manual")
    scene.book("Ada")
    page = desk.page
    page.goto(f"{local_stack.api}/board/slots/{scene.slot_id}")

    form = page.locator("#add-entry")
    form.get_by_label("Name").fill("Dee")
    form.get_by_label("Email").fill(_address("Dee", scene.slot_id))
    form.get_by_role("button", name="Add to the waiting list").click()
    expect(page.get_by_role("status")).to_contain_text("Dee is on the waiting list")
    assert wait_for(lambda: _message_to(local_stack, "Dee", scene, "waiting list"), 10), (
        local_stack.output()
    )

    page.locator("tr", has_text="Ada").get_by_role("link", name="Cancel Ada's booking").click()
    expect(page.locator("#release-warning")).to_contain_text("The seat stays on sale")
    desk.shoot("desk-cancel-warning")
    page.get_by_role("button", name="Cancel the booking").click()
    expect(page.get_by_role("status")).to_contain_text("Ada's booking is cancelled")

    page.get_by_role("button", name="Book Dee into a free seat").click()
    expect(page.get_by_role("status")).to_contain_text("Dee is booked from the waiting list")
    assert ("Dee", "confirmed") in scene.bookings()
    assert wait_for(lambda: _message_to(local_stack, "Dee", scene, "/b/"), 10)
    desk.shoot("desk-booked-from-list")

    page.get_by_role("link", name="Waiting for any time of Beard trim").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Waiting for any time of Beard trim")
    desk.shoot("desk-service-windows")

    page.get_by_role("link", name="Held seats").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Seats held for the waiting list")
    desk.shoot("desk-held-seats")

    page.get_by_role("link", name="Week").click()
    page.locator("#add-slot summary").click()
    desk.shoot("desk-week-add-time")
