"""Pages a customer opens from the links in their messages: an offer (/o), a booking (/b)
and a place on a waiting list (/w)."""

from __future__ import annotations

import math
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.clock import SystemClock
from chalicelib.bootstrap import services
from chalicelib.domain.calendar import CalendarEvent, ics
from chalicelib.domain.errors import DomainError, NotActive
from chalicelib.domain.lifecycle import NotAllowed
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
from chalicelib.entrypoints.pages.base import BasePage, renderer
from chalicelib.entrypoints.pages.forms import (
    Page,
    PageRequest,
)
from chalicelib.services.links import BOOKING
from chalicelib.settings import get_settings

ANSWERED = {"accept": OfferStatus.ACCEPTED, "decline": OfferStatus.DECLINED}
"""What an offer's status is once a form's answer has been given."""


MOVE_HORIZON = timedelta(weeks=8)
"""How far ahead a booking page offers other times to move to."""


class CustomerPages(BasePage):
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
        """Other slots of the same service in the coming weeks, with a free seat: one page
        of the index by start, however many slots the business had before."""
        catalogue = self._services.catalogue
        current = catalogue.slot(business_id, booking.slot_id)
        coming = catalogue.slots_between(business_id, now, now + MOVE_HORIZON)
        return [
            slot
            for slot in coming.slots
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


def _offer_state(offer: Offer, now: datetime) -> str:
    if offer.status is OfferStatus.OPEN:
        return "open" if now < offer.expires_at else "expired"
    return offer.status.value


def _cancelled_by_customer(booking: Booking) -> bool:
    return booking.status is BookingStatus.CANCELLED and booking.cancelled_by is Actor.CUSTOMER


def customer_pages() -> CustomerPages:
    """Built per request from the container's services (cheap: they are cached)."""
    return CustomerPages(services(), renderer(), SystemClock(), get_settings())
