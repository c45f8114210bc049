"""Real headless Chromium (Debian's `chromium`, driven by playwright) against the local
stack, with screenshots of every page kept under build/screenshots/, each page checked
with axe-core (axe-playwright-python) as it is photographed: no serious or critical
violation is let through.

Where no browser is installed these tests fail, saying how to install one, unless
STANDBY_SKIP_BROWSER=1 asks to skip them (the reason shows in pytest's summary).
"""

from __future__ import annotations

import os
import re
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any, NoReturn

import pytest

from tests.e2e.conftest import PROJECT_ROOT, RunningStack, local_stack, wait_for

if TYPE_CHECKING:
    from playwright.sync_api import Browser, BrowserContext, Page, Playwright, ViewportSize

__all__ = ["local_stack"]

CHROMIUM = os.environ.get("STANDBY_CHROMIUM", "/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
SCREENSHOTS = PROJECT_ROOT / "build" / "screenshots"
PHONE: ViewportSize = {"width": 390, "height": 844}
DESKTOP: ViewportSize = {"width": 1280, "height": 800}
PAGE_LINK = re.compile(r"(https?://[^\s<>]+/([obw])/[A-Za-z0-9._-]+)")
BLOCKING = ("serious", "critical")
"""The axe-core impacts a page may not have."""


def assert_accessible(page: Page, name: str) -> None:
    """Run axe-core on the page as it is now; fail naming each serious or critical
    violation, the rule and the elements it found."""
    from axe_playwright_python.sync_playwright import Axe

    found = Axe().run(page).response["violations"]
    blocking = [v for v in found if v.get("impact") in BLOCKING]
    assert not blocking, f"{name} ({page.url}): " + "; ".join(
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']][:4]}"
        for v in blocking
    )


def _no_browser(reason: str) -> NoReturn:
    if os.environ.get("STANDBY_SKIP_BROWSER") == "1":
        pytest.skip(f"browser tests skipped (STANDBY_SKIP_BROWSER=1): {reason}")
    pytest.fail(
        f"{reason}. Install it with `apt-get install -y chromium` (Debian/Ubuntu; .ci/run "
        "does this), or point STANDBY_CHROMIUM at a Chromium binary; set "
        "STANDBY_SKIP_BROWSER=1 to skip the browser tests instead.",
        pytrace=False,
    )


@pytest.fixture(scope="session")
def playwright() -> Iterator[Playwright]:
    try:
        from playwright.sync_api import sync_playwright
    except ImportError:
        _no_browser("playwright is not installed (it is pinned in requirements-dev.txt)")
    if not (Path(CHROMIUM).is_file() or shutil.which(CHROMIUM)):
        _no_browser(f"chromium is missing: no browser at {CHROMIUM}")
    with sync_playwright() as driver:
        yield driver


@pytest.fixture(scope="session")
def browser(playwright: Playwright) -> Iterator[Browser]:
    launched = playwright.chromium.launch(
        executable_path=CHROMIUM, headless=True, args=CHROMIUM_ARGS
    )
    try:
        yield launched
    finally:
        launched.close()


@dataclass
class Screens:
    """A phone and a desktop browser, signed in alike, that photograph pages."""

    phone: BrowserContext
    desktop: BrowserContext
    stack: RunningStack

    def capture(self, name: str, url: str) -> None:
        """Open `url` at both widths and keep a full-page screenshot of each."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        for width, context in (("phone", self.phone), ("desktop", self.desktop)):
            page = context.new_page()
            try:
                page.goto(url)
                page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
                assert_accessible(page, f"{name}-{width}")
            finally:
                page.close()

    def shoot(self, page: Page, name: str) -> None:
        """Keep a screenshot of a page as it is now (a state no URL can reopen)."""
        SCREENSHOTS.mkdir(parents=True, exist_ok=True)
        width = "phone" if (page.viewport_size or DESKTOP)["width"] < 600 else "desktop"
        page.screenshot(path=str(SCREENSHOTS / f"{name}-{width}.png"), full_page=True)
        assert_accessible(page, f"{name}-{width}")

    def sign_in(self, token: str) -> None:
        for context in (self.phone, self.desktop):
            context.add_cookies([{"name": "standby_staff", "value": token, "url": self.stack.api}])


def phone_context(browser: Browser, **options: Any) -> BrowserContext:
    return browser.new_context(
        viewport=PHONE, is_mobile=True, has_touch=True, locale="en-GB", **options
    )


@pytest.fixture
def screens(browser: Browser, local_stack: RunningStack) -> Iterator[Screens]:
    phone = phone_context(browser)
    desktop = browser.new_context(viewport=DESKTOP, locale="en-GB")
    try:
        yield Screens(phone, desktop, local_stack)
    finally:
        phone.close()
        desktop.close()


@pytest.fixture
def phone(browser: Browser) -> Iterator[Page]:
    context = phone_context(browser, accept_downloads=True)
    try:
        yield context.new_page()
    finally:
        context.close()


# --- setting the scene through the API ---------------------------------------------------------


@dataclass
class Scene:
    stack: RunningStack
    slot_id: str
    service_id: str
    starts_at: datetime

    @property
    def business(self) -> str:
        return self.stack.exports["BUSINESS"]

    @property
    def day(self) -> str:
        return self.starts_at.astimezone(_oslo()).date().isoformat()

    def book(self, name: str, **extra: Any) -> dict[str, Any]:
        status, body = self.stack.call(
            "POST",
            f"/businesses/{self.business}/slots/{self.slot_id}/bookings",
            {"name": name, "email": _address(name, self.slot_id), **extra},
        )
        assert status == 201, body
        return dict(body)

    def join(self, name: str, **extra: Any) -> dict[str, Any]:
        status, body = self.stack.call(
            "POST",
            f"/businesses/{self.business}/slots/{self.slot_id}/waiting-list",
            {"name": name, "email": _address(name, self.slot_id), **extra},
        )
        assert status == 201, body
        return dict(body)

    def bookings(self) -> list[tuple[str, str]]:
        _, body = self.stack.call("GET", f"/staff/slots/{self.slot_id}/bookings", staff=True)
        return [(b["customer"]["name"], b["status"]) for b in body["bookings"]]

    def link_to(self, name: str, kind: str, timeout: float = 5) -> str:
        """The page link (o: offer, b: booking, w: waiting list) in the latest message to
        `name`, read from the local stack's outbox."""

        def find() -> str | None:
            _, outbox = self.stack.call("GET", "/_local/outbox")
            for message in reversed(outbox["messages"]):
                if message["to"] != _address(name, self.slot_id):
                    continue
                for match in PAGE_LINK.finditer(message["body"]):
                    if match.group(2) == kind:
                        return match.group(1)
            return None

        found = wait_for(find, timeout, interval=0.1)
        assert found, f"no /{kind}/ link to {name} in the outbox:\n{self.stack.output()}"
        return str(found)


def _address(name: str, slot_id: str) -> str:
    """One address per customer and scene, so each test reads its own messages."""
    return f"{name.lower()}.{slot_id}@pages.example"


def _oslo() -> Any:
    from zoneinfo import ZoneInfo

    return ZoneInfo("Europe/Oslo")


_days_used: list[int] = []


@pytest.fixture
def scene_for(local_stack: RunningStack) -> Any:
    """A fresh service in the given waiting-list mode with one slot of one seat, each on a
    day of its own (so the board shows one story at a time)."""

    def make(mode: str, name: str, *, slots: int = 1) -> list[Scene]:
        status, created = local_stack.call(
            "POST",
            "/staff/services",
            {"name": name, "duration_minutes": 45, "waiting_list_mode": mode},
            staff=True,
        )
        assert status == 201, created
        service_id = created["services"][0]["service_id"]
        _days_used.append(len(_days_used) + 10)
        day = datetime.now(_oslo()).date() + timedelta(days=_days_used[-1])
        scenes = []
        for index in range(slots):
            starts_at = datetime.combine(
                day, datetime.min.time().replace(hour=10 + 2 * index), tzinfo=_oslo()
            ).astimezone(UTC)
            status, made = local_stack.call(
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
            scenes.append(Scene(local_stack, made["slots"][0]["slot_id"], service_id, starts_at))
        return scenes

    return make
