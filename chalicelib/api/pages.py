"""Pages people click: a customer's offer, booking and waiting-list place (opened from the
links in their messages), and the staff board behind the staff login.

Every page is server-rendered HTML whose actions are plain POST forms, so everything works
without JavaScript. A form carries a CSRF token bound to the link (or staff) token it acts
for, and a request that says it comes from another site is refused.
"""

from __future__ import annotations

import hashlib
import hmac
import math
import secrets
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from functools import lru_cache
from typing import Any
from urllib.parse import parse_qs, quote, urlsplit

from chalicelib.adapters.clock import SystemClock
from chalicelib.adapters.observability import logger
from chalicelib.adapters.pages import PageRenderer, page_language
from chalicelib.adapters.tokens import InvalidToken, StaffIdentity
from chalicelib.bootstrap import Services, services
from chalicelib.domain.calendar import CalendarEvent, ics
from chalicelib.domain.errors import DomainError, NotActive, NotFound
from chalicelib.domain.lifecycle import Action, NotAllowed
from chalicelib.domain.messages import message_language
from chalicelib.domain.model import (
    Actor,
    Booking,
    BookingStatus,
    EntryStatus,
    Slot,
    WaitingEntry,
)
from chalicelib.domain.offers import Offer, OfferStatus, mode_for
from chalicelib.domain.time_rules import FIRST_YEAR, LAST_YEAR, in_zone
from chalicelib.ports.runtime import Clock
from chalicelib.services.links import BOOKING
from chalicelib.settings import Settings, get_settings

STAFF_COOKIE = "standby_staff"
STAFF_SESSION = timedelta(hours=12)
"""How long the board keeps a staff member signed in (the token's own expiry still rules)."""
CSRF_FIELD = "csrf"
ACTIVE_ENTRIES = (EntryStatus.WAITING, EntryStatus.OFFERED)
OFFER_STATES = ("open", "accepted", "declined", "expired", "taken")
ANSWERED = {"accept": OfferStatus.ACCEPTED, "decline": OfferStatus.DECLINED}
"""What an offer's status is once a form's answer has been given."""


@dataclass(frozen=True)
class PageRequest:
    method: str
    headers: Mapping[str, str]
    """Case-insensitive, as Chalice gives them."""
    query: Mapping[str, str]
    form: Mapping[str, str]
    cookies: Mapping[str, str]


@dataclass(frozen=True)
class Page:
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)


def read_request(
    method: str,
    headers: Mapping[str, str],
    query: Mapping[str, str] | None,
    raw_body: bytes | None,
) -> PageRequest:
    form: dict[str, str] = {}
    if raw_body:
        parsed = parse_qs(raw_body.decode("utf-8", "replace"), keep_blank_values=True)
        form = {name: values[0] for name, values in parsed.items()}
    cookies: dict[str, str] = {}
    for part in (headers.get("cookie") or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            cookies[name] = value
    return PageRequest(method.upper(), headers, dict(query or {}), form, cookies)


def csrf_token(key: str, bound_to: str) -> str:
    """A form's CSRF token: an HMAC of the token the form acts for, so only a page opened
    with that token can produce it."""
    digest = hmac.new(key.encode("utf-8"), f"csrf:{bound_to}".encode(), hashlib.sha256)
    return digest.hexdigest()[:40]


def is_cross_site(headers: Mapping[str, str], public_base_url: str) -> bool:
    """Whether the browser says the request comes from another site: by Sec-Fetch-Site
    when it sends one, else by Origin."""
    site = headers.get("sec-fetch-site")
    if site:
        # Set by the browser alone (no page script can forge it): the best witness.
        return site not in ("same-origin", "none")
    origin = headers.get("origin")
    if not origin:
        return False
    if origin == "null":
        return True
    own = {headers.get("host") or "", urlsplit(public_base_url).netloc}
    return urlsplit(origin).netloc not in own


class Refused(Exception):
    """A form that failed its cross-site checks."""


class Pages:
    def __init__(
        self, app_services: Services, renderer: PageRenderer, clock: Clock, settings: Settings
    ) -> None:
        self._services = app_services
        self._renderer = renderer
        self._clock = clock
        self._settings = settings
        self._root = urlsplit(settings.public_base_url).path.rstrip("/")
        self._secure = settings.public_base_url.startswith("https://")

    # --- plumbing --------------------------------------------------------------------------

    def _key(self) -> str:
        return self._settings.require_link_signing_key()

    def _csrf(self, bound_to: str) -> str:
        return csrf_token(self._key(), bound_to)

    def _check_form(self, request: PageRequest, bound_to: str | None) -> None:
        if is_cross_site(request.headers, self._settings.public_base_url):
            raise Refused(
                f"cross-site request (Origin {request.headers.get('origin')!r}, "
                f"Sec-Fetch-Site {request.headers.get('sec-fetch-site')!r})"
            )
        if bound_to is not None:
            given = request.form.get(CSRF_FIELD, "")
            if not hmac.compare_digest(given, self._csrf(bound_to)):
                raise Refused("missing or wrong CSRF token")

    def _page(
        self,
        template: str,
        *,
        language: str,
        time_zone: str,
        status: int = 200,
        headers: dict[str, str] | None = None,
        **values: Any,
    ) -> Page:
        nonce = secrets.token_urlsafe(16)
        body = self._renderer.render(
            template,
            language=language,
            time_zone=time_zone,
            root=self._root,
            nonce=nonce,
            **values,
        )
        return Page(status, body, {**_page_headers(nonce), **(headers or {})})

    def _redirect(self, path: str, headers: dict[str, str] | None = None) -> Page:
        return Page(
            303,
            "",
            {"Location": f"{self._root}{path}", "Cache-Control": "no-store", **(headers or {})},
        )

    def _notice(
        self, kind: str, *, status: int, language: str = "en", time_zone: str = "UTC"
    ) -> Page:
        return self._page(
            "notice", language=language, time_zone=time_zone, status=status, kind=kind
        )

    def guarded(self, view: Callable[[], Page], request: PageRequest) -> Page:
        """Answer a link that leads nowhere, or a forged form, with a readable page (in the
        browser's language: whose link it was is unknown)."""
        language = page_language(_first_language(request.headers.get("accept-language")))
        try:
            return view()
        except Refused as refusal:
            logger.info("page form refused", extra={"reason": str(refusal)})
            return self._notice("forbidden", status=403, language=language)
        except NotFound:
            return self._notice("not_found", status=404, language=language)
        except DomainError as refusal:
            # Pages map the refusals they expect; anything else (a write that kept
            # colliding, a business half set up) gets an honest "try again".
            logger.info("page request refused", extra={"reason": str(refusal)})
            return self._notice("conflict", status=409, language=language)

    # --- offers ----------------------------------------------------------------------------

    def offer(self, token: str, request: PageRequest) -> Page:
        offer = self._services.offers.view(token)
        return self._offer_page(token, offer, request.query.get("done"), request.query.get("do"))

    def answer_offer(self, token: str, request: PageRequest, answer: str) -> Page:
        self._check_form(request, token)
        try:
            if answer == "accept":
                self._services.offers.accept(token)
            else:
                self._services.offers.decline(token)
        except NotActive as refusal:
            offer = self._services.offers.view(token)
            if offer.status is not ANSWERED[answer]:
                return self._offer_page(token, offer, None, None, status=409, refusal=str(refusal))
            # The same answer again (a double click, a reload): it stands, and the page
            # says so as the first time did.
        return self._redirect(f"/o/{token}?done={ANSWERED[answer].value}")

    def _offer_page(
        self,
        token: str,
        offer: Offer,
        done: str | None,
        wanted: str | None,
        *,
        status: int = 200,
        refusal: str | None = None,
    ) -> Page:
        now = self._clock.now()
        state = _offer_state(offer, now)
        if refusal and state == "open":
            state = "taken"  # the seat went meanwhile (booked while staff offered it)
        manage = None
        if state == "accepted":
            booking_token = self._services.links.booking_token(
                offer.business_id, offer.slot_id, self._services.offers.booking_made(offer)
            )
            manage = f"{self._root}/b/{booking_token}"
        return self._page(
            "offer",
            language=message_language(offer.contact, offer.slot.language),
            time_zone=offer.slot.time_zone,
            status=status,
            offer=offer,
            slot=offer.slot,
            state=state,
            just=done if done == state else None,
            wanted=wanted if wanted in ("accept", "decline") else "accept",
            token=token,
            csrf=self._csrf(token),
            seconds_left=max(math.ceil((offer.expires_at - now).total_seconds()), 0),
            manage_url=manage,
        )

    # --- bookings --------------------------------------------------------------------------

    def _booking(self, token: str) -> tuple[Booking, str, str]:
        link = self._services.links.read(token, BOOKING)
        booking = self._services.bookings.get(link.business_id, link.slot_id, link.item_id)
        return booking, link.business_id, link.slot_id

    def booking(self, token: str, request: PageRequest) -> Page:
        booking, business_id, _ = self._booking(token)
        now = self._clock.now()
        changeable = booking.status.holds_seat and booking.slot.starts_at > now
        return self._booking_page(
            "booking",
            booking,
            token,
            done=request.query.get("done"),
            changeable=changeable,
            free_slots=self._free_slots(business_id, booking, now) if changeable else [],
        )

    def confirm_cancel(self, token: str) -> Page:
        booking, _, _ = self._booking(token)
        if not booking.status.holds_seat:
            return self._redirect(f"/b/{token}")
        return self._booking_page("booking_cancel", booking, token)

    def cancel_booking(self, token: str, request: PageRequest) -> Page:
        self._check_form(request, token)
        link = self._services.links.read(token, BOOKING)
        try:
            self._services.bookings.cancel(
                link.business_id, link.slot_id, link.item_id, by=Actor.CUSTOMER
            )
        except (NotAllowed, NotActive):
            booking, _, _ = self._booking(token)
            if not _cancelled_by_customer(booking):
                return self._no_longer_changeable(booking, token)
            # Cancelled already (a second click, another tab): the page says so, as the
            # first time.
        return self._redirect(f"/b/{token}?done=cancelled")

    def move_booking(self, token: str, request: PageRequest) -> Page:
        self._check_form(request, token)
        link = self._services.links.read(token, BOOKING)
        target = request.form.get("slot_id", "")
        try:
            self._services.bookings.move(
                link.business_id, link.slot_id, link.item_id, target, by=Actor.CUSTOMER
            )
        except DomainError:
            booking, business_id, _ = self._booking(token)
            if not booking.status.holds_seat:
                return self._no_longer_changeable(booking, token)
            if booking.slot_id == target:
                # Moved there already (a second click, another tab).
                return self._redirect(f"/b/{token}?done=moved")
            now = self._clock.now()
            return self._booking_page(
                "booking",
                booking,
                token,
                status=409,
                done="move_failed",
                changeable=booking.status.holds_seat and booking.slot.starts_at > now,
                free_slots=self._free_slots(business_id, booking, now),
            )
        return self._redirect(f"/b/{token}?done=moved")

    def _no_longer_changeable(self, booking: Booking, token: str) -> Page:
        """A booking that no longer holds a seat (cancelled by staff, rejected, not attended):
        the page shows it as it is, and that it can no longer be changed."""
        return self._booking_page(
            "booking", booking, token, status=409, done="refused", changeable=False
        )

    def booking_calendar(self, token: str) -> Page:
        booking, _, _ = self._booking(token)
        slot = booking.slot
        where = ", ".join(part for part in (slot.location, slot.business_name) if part)
        stamp = booking.updated_at or booking.created_at
        event = CalendarEvent(
            booking_id=booking.booking_id,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            summary=f"{slot.service_name}, {slot.business_name}",
            stamp=stamp,
            # As the emails' attachments do: a later version replaces the event.
            sequence=int(stamp.timestamp()),
            location=where,
            description=f"{slot.service_name}" + (f" ({slot.staff})" if slot.staff else ""),
            url=f"{self._settings.public_base_url}/b/{token}",
            cancelled=not booking.status.holds_seat,
        )
        return Page(
            200,
            ics(event),
            {
                "Content-Type": "text/calendar; charset=utf-8",
                "Content-Disposition": 'attachment; filename="booking.ics"',
                "Cache-Control": "no-store",
                "Referrer-Policy": "no-referrer",
            },
        )

    def _booking_page(
        self, template: str, booking: Booking, token: str, *, status: int = 200, **values: Any
    ) -> Page:
        return self._page(
            template,
            language=message_language(booking.contact, booking.slot.language),
            time_zone=booking.slot.time_zone,
            status=status,
            booking=booking,
            slot=booking.slot,
            token=token,
            csrf=self._csrf(token),
            **values,
        )

    def _free_slots(self, business_id: str, booking: Booking, now: datetime) -> list[Slot]:
        """Other slots of the same service, still to come, with a free seat."""
        catalogue = self._services.catalogue
        current = catalogue.slot(business_id, booking.slot_id)
        return [
            slot
            for slot in catalogue.list_slots(business_id)
            if slot.service_id == current.service_id
            and slot.slot_id != current.slot_id
            and slot.free_seats > 0
            and slot.starts_at > now
        ]

    # --- waiting-list places ---------------------------------------------------------------

    def entry(self, token: str, request: PageRequest) -> Page:
        link = self._services.links.read_entry(token)
        entry, position = self._services.waiting_list.view_place(link)
        return self._entry_page(token, entry, position, done=request.query.get("done"))

    def _entry_page(
        self,
        token: str,
        entry: WaitingEntry,
        position: int | None,
        *,
        done: str | None = None,
        status: int = 200,
    ) -> Page:
        business = self._services.catalogue.business(entry.business_id)
        booking_url = None
        if entry.status is EntryStatus.BOOKED and entry.booking_id:
            booking_token = self._services.links.booking_token(
                entry.business_id, entry.slot_id, entry.booking_id
            )
            booking_url = f"{self._root}/b/{booking_token}"
        return self._page(
            "entry",
            language=message_language(entry.contact, entry.slot.language),
            time_zone=entry.slot.time_zone,
            status=status,
            entry=entry,
            slot=entry.slot,
            position=position,
            mode=mode_for(business, entry.slot).value,
            offer_window_minutes=max(business.offer_window_seconds // 60, 1),
            token=token,
            csrf=self._csrf(token),
            done=done,
            booking_url=booking_url,
        )

    def leave_list(self, token: str, request: PageRequest) -> Page:
        self._check_form(request, token)
        link = self._services.links.read_entry(token)
        try:
            self._services.waiting_list.leave_place(link)
        except NotActive:
            entry, position = self._services.waiting_list.view_place(link)
            if entry.status is not EntryStatus.LEFT:
                # Given a seat, offered one, or the window ended: the page says which.
                return self._entry_page(token, entry, position, status=409)
            # Left already (a second click, another tab): the page says so, as the first time.
        return self._redirect(f"/w/{token}?done=left")

    # --- the staff board -------------------------------------------------------------------

    def _staff(self, request: PageRequest) -> tuple[StaffIdentity, str] | None:
        token = request.cookies.get(STAFF_COOKIE, "")
        if not token:
            return None
        try:
            return self._services.staff_tokens.verify(token), token
        except InvalidToken:
            return None

    def login_page(self, request: PageRequest, *, failed: bool = False) -> Page:
        if not failed and self._staff(request) is not None:
            return self._redirect("/board")
        return self._page(
            "board_login",
            language=page_language(_first_language(request.headers.get("accept-language"))),
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
        slots = [
            self._slot_view(identity.business_id, slot)
            for slot in self._services.catalogue.list_slots(identity.business_id)
            if in_zone(slot.starts_at, business.time_zone).date() == day
        ]
        released = request.query.get("released")
        return self._page(
            "board",
            language=business.language,
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

    def _slot_view(self, business_id: str, slot: Slot) -> dict[str, Any]:
        found = self._services
        bookings = found.bookings.list_for_slot(business_id, slot.slot_id)
        entries = found.waiting_list.list_for_slot(business_id, slot.slot_id)
        names = {entry.entry_id: entry.contact.name for entry in entries}
        allocations = found.waiting_list.allocations(business_id, slot.slot_id)
        return {
            "slot": slot,
            "seated": [b for b in bookings if b.status.holds_seat],
            "released": [b for b in bookings if not b.status.holds_seat],
            "waiting": [e for e in entries if e.status in ACTIVE_ENTRIES],
            "offers": found.offers.in_flight(business_id, slot.slot_id),
            "allocations": allocations,
            "names": names,
            "offered_names": {
                decision.cause: ", ".join(names.get(entry_id, "?") for entry_id in decision.offered)
                for decision in allocations
            },
        }

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
            language=business.language,
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


def _page_headers(nonce: str) -> dict[str, str]:
    return {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        # Links carry their token in the path: it must not leak to other sites. (With
        # no-referrer at all, browsers would send "Origin: null" on the page's own forms.)
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": (
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
            f"script-src 'nonce-{nonce}'; form-action 'self'; frame-ancestors 'none'; "
            "base-uri 'none'"
        ),
    }


def _first_language(accept_language: str | None) -> str | None:
    """The browser's first choice in an Accept-Language header ("nb-NO,nb;q=0.9,en" → "nb-NO")."""
    first = (accept_language or "").split(",")[0].split(";")[0].strip()
    return first or None


def _offer_state(offer: Offer, now: datetime) -> str:
    if offer.status is OfferStatus.OPEN:
        return "open" if now < offer.expires_at else "expired"
    return offer.status.value


def _cancelled_by_customer(booking: Booking) -> bool:
    return booking.status is BookingStatus.CANCELLED and booking.cancelled_by is Actor.CUSTOMER


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


@lru_cache(maxsize=1)
def _renderer() -> PageRenderer:
    return PageRenderer()


def pages() -> Pages:
    """Built per request from the container's services (cheap: they are cached)."""
    return Pages(services(), _renderer(), SystemClock(), get_settings())
