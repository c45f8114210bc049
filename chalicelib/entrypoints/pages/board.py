"""The staff board: sign-in with a staff token (kept in an HttpOnly cookie), the day's
slots with who holds a seat and who waits, and releasing a seat with a warning first."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from urllib.parse import quote

from chalicelib.adapters.clock import SystemClock
from chalicelib.adapters.tokens import InvalidToken, StaffIdentity
from chalicelib.bootstrap import services
from chalicelib.domain.errors import NotActive, NotFound
from chalicelib.domain.lifecycle import Action
from chalicelib.domain.model import Actor, Business
from chalicelib.domain.offers import mode_for
from chalicelib.domain.time_rules import FIRST_YEAR, LAST_YEAR, in_zone
from chalicelib.entrypoints.pages.base import BasePage, renderer
from chalicelib.entrypoints.pages.forms import (
    STAFF_COOKIE,
    Page,
    PageRequest,
    Refused,
    first_language,
)
from chalicelib.entrypoints.pages.rendering import PAGE_LANGUAGES, page_language
from chalicelib.settings import get_settings

LANGUAGE_COOKIE = "standby_desk_lang"
"""The staff member's own language for the board's pages (else the business's)."""
STAFF_SESSION = timedelta(hours=12)
"""How long the board keeps a staff member signed in (the token's own expiry still rules)."""


class BoardPages(BasePage):
    # --- the staff board -------------------------------------------------------------------

    def _staff(self, request: PageRequest) -> tuple[StaffIdentity, str] | None:
        token = request.cookies.get(STAFF_COOKIE, "")
        if not token:
            return None
        try:
            return self._services.staff_tokens.verify(token), token
        except InvalidToken:
            return None

    def _language(self, request: PageRequest, business: Business) -> str:
        """The staff member's language: their switch's cookie, else the business's."""
        wanted = request.cookies.get(LANGUAGE_COOKIE, "")
        return wanted if wanted in PAGE_LANGUAGES else business.language

    def switch_language(self, request: PageRequest) -> Page:
        """Keep the staff member's language in a cookie, and go back to the page."""
        signed_in = self._staff(request)
        if signed_in is None:
            raise Refused("not signed in")
        self._check_form(request, f"staff:{signed_in[1]}")
        wanted = request.form.get("language", "")
        back = request.form.get("back", "")
        if not back.startswith("/board") or "//" in back or "\\" in back:
            back = "/board"
        if wanted not in PAGE_LANGUAGES:
            return self._redirect(back)
        cookie = "; ".join(
            [
                f"{LANGUAGE_COOKIE}={wanted}",
                f"Path={self._root or '/'}",
                f"Max-Age={int(timedelta(days=365).total_seconds())}",
                "HttpOnly",
                "SameSite=Strict",
                *(["Secure"] if self._secure else []),
            ]
        )
        return self._redirect(back, {"Set-Cookie": cookie})

    def login_page(self, request: PageRequest, *, failed: bool = False) -> Page:
        if not failed and self._staff(request) is not None:
            return self._redirect("/board")
        return self._page(
            "board_login",
            language=page_language(first_language(request.headers.get("accept-language"))),
            time_zone="UTC",
            status=401 if failed else 200,
            failed=failed,
        )

    def log_in(self, request: PageRequest) -> Page:
        self._check_form(request, None)
        token = request.form.get("token", "").strip()
        if token.lower().startswith("bearer "):
            token = token[len("bearer ") :].strip()
        try:
            self._services.staff_tokens.verify(token)
        except InvalidToken:
            return self.login_page(request, failed=True)
        return self._redirect("/board", {"Set-Cookie": self._cookie(token, STAFF_SESSION)})

    def log_out(self, request: PageRequest) -> Page:
        signed_in = self._staff(request)
        self._check_form(request, signed_in[1] if signed_in else None)
        return self._redirect("/board/login", {"Set-Cookie": self._cookie("", timedelta(0))})

    def _cookie(self, value: str, lifetime: timedelta) -> str:
        parts = [
            f"{STAFF_COOKIE}={value}",
            f"Path={self._root or '/'}",
            f"Max-Age={int(lifetime.total_seconds())}",
            "HttpOnly",
            "SameSite=Strict",
        ]
        if self._secure:
            parts.append("Secure")
        return "; ".join(parts)

    def board(self, request: PageRequest) -> Page:
        signed_in = self._staff(request)
        if signed_in is None:
            return self._redirect("/board/login")
        identity, staff_token = signed_in
        business = self._services.catalogue.business(identity.business_id)
        now = self._clock.now()
        day = _day(request.query.get("day"), in_zone(now, business.time_zone).date())
        if day is None:
            return self._notice("bad_day", status=400, language=business.language)
        slots = self._services.board.day(business, day).slots
        released = request.query.get("released")
        return self._page(
            "board",
            language=self._language(request, business),
            here=f"/board?day={day.isoformat()}",
            time_zone=business.time_zone,
            business=business,
            day=datetime(day.year, day.month, day.day, 12),
            day_iso=day.isoformat(),
            first_day=date(FIRST_YEAR, 1, 1).isoformat(),
            last_day=date(LAST_YEAR, 12, 31).isoformat(),
            previous_day=(day - timedelta(days=1)).isoformat(),
            next_day=(day + timedelta(days=1)).isoformat(),
            slots=slots,
            released=released,
            refresh_to=f"{self._root}/board?day={day.isoformat()}" if released else None,
            csrf=self._csrf(f"staff:{staff_token}"),
            now=now,
        )

    def release_preview(self, request: PageRequest, slot_id: str, booking_id: str) -> Page:
        signed_in = self._staff(request)
        if signed_in is None:
            return self._redirect("/board/login")
        identity, staff_token = signed_in
        business = self._services.catalogue.business(identity.business_id)
        bookings = self._services.bookings
        booking = next(
            (
                b
                for b in bookings.list_for_slot(identity.business_id, slot_id)
                if b.booking_id == booking_id
            ),
            None,
        )
        if booking is None:
            raise NotFound(f"no booking {booking_id!r}")
        preview = bookings.preview(
            identity.business_id, slot_id, booking_id, Action.CANCEL, by=Actor.STAFF
        )
        chosen = preview.allocation.chosen if preview.allocation else None
        return self._page(
            "board_release",
            language=self._language(request, business),
            time_zone=business.time_zone,
            business=business,
            booking=booking,
            slot=booking.slot,
            seat=preview.seat,
            mode=mode_for(business, booking.slot).value,
            next_customer=chosen.contact.name if chosen else None,
            none_reason=preview.allocation.reason_if_none if preview.allocation else None,
            day_iso=in_zone(booking.slot.starts_at, business.time_zone).date().isoformat(),
            csrf=self._csrf(f"staff:{staff_token}"),
        )

    def release(self, request: PageRequest, slot_id: str, booking_id: str) -> Page:
        signed_in = self._staff(request)
        if signed_in is None:
            raise Refused("not signed in")
        identity, staff_token = signed_in
        self._check_form(request, f"staff:{staff_token}")
        reason = request.form.get("reason", "").strip() or None
        try:
            released = self._services.bookings.act(
                identity.business_id,
                slot_id,
                booking_id,
                Action.CANCEL,
                by=Actor.STAFF,
                reason=reason,
            )
        except NotActive:
            return self._redirect("/board")
        business = self._services.catalogue.business(identity.business_id)
        day = in_zone(released.slot.starts_at, business.time_zone).date().isoformat()
        return self._redirect(
            f"/board?day={day}&released={quote(released.contact.name)}#slot-{slot_id}"
        )


def _day(wanted: str | None, today: date) -> date | None:
    """The board's `?day=`, today when not given; None for a day it cannot show: one not
    written as YYYY-MM-DD, or outside the years a slot may fall in (the next and previous
    days of 9999-12-31 are past what a date holds)."""
    if not wanted:
        return today
    try:
        day = date.fromisoformat(wanted)
    except ValueError:
        return None
    return day if FIRST_YEAR <= day.year <= LAST_YEAR else None


def board_pages() -> BoardPages:
    """Built per request from the container's services (cheap: they are cached)."""
    return BoardPages(services(), renderer(), SystemClock(), get_settings())
