"""The front desk's views across slots: the week of slots by staff member and location,
and the requests waiting for confirmation (acted on from the list with the slot page's
forms, which come back here)."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urlencode

from chalicelib.adapters.clock import SystemClock
from chalicelib.bootstrap import services
from chalicelib.domain.errors import DomainError, NotFound, SlotFull
from chalicelib.domain.model import Booking, BookingStatus
from chalicelib.domain.time_rules import LAST_YEAR, in_zone
from chalicelib.entrypoints.pages.base import renderer
from chalicelib.entrypoints.pages.board import _day
from chalicelib.entrypoints.pages.desk import DeskPages, SignIn, refusal_kind
from chalicelib.entrypoints.pages.forms import Page, PageRequest
from chalicelib.services.catalogue import NewSlot, SlotChanges
from chalicelib.settings import get_settings


class FrontDesk(DeskPages):
    # --- the week ---------------------------------------------------------------------------

    def week(self, request: PageRequest) -> Page:
        _, token, business = self._signed_in(request)
        today = in_zone(self._clock.now(), business.time_zone).date()
        day = _day(request.query.get("day"), today)
        if day is None or day.year >= LAST_YEAR:
            return self._notice("bad_day", status=400, language=self._language(request, business))
        monday = day - timedelta(days=day.weekday())
        days = self._services.board.week(business, monday)
        every = [view for board_day in days for view in board_day.slots]
        staff = request.query.get("staff", "")
        location = request.query.get("location", "")
        shown = [
            replace(
                board_day,
                slots=[
                    v
                    for v in board_day.slots
                    if (not staff or v.slot.staff == staff)
                    and (not location or v.slot.location == location)
                ],
            )
            for board_day in days
        ]
        return self._page(
            "board_week",
            here="/board/week?"
            + urlencode({"day": day.isoformat(), "staff": staff, "location": location}),
            language=self._language(request, business),
            time_zone=business.time_zone,
            business=business,
            days=shown,
            services=self._services.catalogue.list_services(business.business_id),
            done=request.query.get("done"),
            done_name="",
            error=request.query.get("error"),
            monday=monday,
            day_iso=day.isoformat(),
            previous_week=(monday - timedelta(days=7)).isoformat(),
            next_week=(monday + timedelta(days=7)).isoformat(),
            staff_names=sorted({v.slot.staff for v in every if v.slot.staff}),
            locations=sorted({v.slot.location for v in every if v.slot.location}),
            staff=staff,
            location=location,
            csrf=self._csrf(f"staff:{token}"),
        )

    # --- a service's waiting windows ------------------------------------------------------

    def service_list(self, request: PageRequest, service_id: str) -> Page:
        identity, token, business = self._signed_in(request)
        service, entries = self._services.waiting_list.waiting_for_service(
            identity.business_id, service_id
        )
        return self._page(
            "board_service_list",
            here=f"/board/services/{service_id}/waiting-list",
            language=self._language(request, business),
            time_zone=business.time_zone,
            business=business,
            service=service,
            entries=entries,
            done=request.query.get("done"),
            done_name=request.query.get("name", ""),
            error=request.query.get("error"),
            csrf=self._csrf(f"staff:{token}"),
        )

    def remove_window_entry(self, request: PageRequest, service_id: str, entry_id: str) -> Page:
        business_id, _ = self._post(request)
        back = f"/board/services/{service_id}/waiting-list?"
        try:
            left = self._services.waiting_list.leave_window(business_id, service_id, entry_id)
        except NotFound:
            raise
        except DomainError as refused:
            return self._redirect(back + urlencode({"error": refusal_kind(refused)}))
        return self._redirect(back + urlencode({"done": "removed", "name": left.contact.name}))

    # --- a slot's capacity, staff and place ------------------------------------------------

    def change_slot(self, request: PageRequest, slot_id: str) -> Page:
        business_id, _ = self._post(request)
        back = f"/board/slots/{slot_id}?"
        form = request.form
        capacity = _capacity(form.get("capacity", ""))
        if capacity is None:
            return self._redirect(back + urlencode({"error": "bad_capacity"}))
        changes = SlotChanges(
            capacity=capacity,
            staff=_name(form.get("staff", "")),
            location=_name(form.get("location", "")),
        )
        try:
            self._services.catalogue.change_slot(business_id, slot_id, changes)
        except NotFound:
            raise
        except SlotFull:
            return self._redirect(back + urlencode({"error": "below_taken"}))
        except DomainError as refused:
            return self._redirect(back + urlencode({"error": refusal_kind(refused)}))
        return self._redirect(back + urlencode({"done": "slot_changed"}))

    def add_slot(self, request: PageRequest) -> Page:
        business_id, _ = self._post(request)
        form = request.form
        back = "/board/week?"
        capacity = _capacity(form.get("capacity", ""))
        if capacity is None:
            return self._redirect(back + urlencode({"error": "bad_capacity"}))
        try:
            starts_at = datetime.fromisoformat(f"{form.get('day', '')}T{form.get('time', '')}")
        except ValueError:
            return self._redirect(back + urlencode({"error": "bad_time"}))
        new = NewSlot(
            service_id=form.get("service_id", ""),
            starts_at=starts_at.replace(tzinfo=None),
            capacity=capacity,
            staff=_name(form.get("staff", "")),
            location=_name(form.get("location", "")),
        )
        try:
            [added] = self._services.catalogue.add_slots(business_id, [new])
        except DomainError as refused:  # an unknown service, a time gone by
            return self._redirect(back + urlencode({"error": refusal_kind(refused)}))
        return self._redirect(f"/board/slots/{added.slot_id}?done=slot_added")

    # --- seats held and not yet decided ------------------------------------------------------

    def stuck(self, request: PageRequest) -> Page:
        identity, token, business = self._signed_in(request)
        return self._page(
            "board_stuck",
            here="/board/stuck",
            language=self._language(request, business),
            time_zone=business.time_zone,
            business=business,
            holds=self._services.refill.holds(identity.business_id),
            done=request.query.get("done"),
            done_name="",
            error=request.query.get("error"),
            csrf=self._csrf(f"staff:{token}"),
        )

    def release_hold(self, request: PageRequest, slot_id: str, cause: str) -> Page:
        business_id, _ = self._post(request)
        try:
            self._services.refill.resolve_hold(business_id, slot_id, cause)
        except NotFound:
            raise
        except DomainError as refused:
            return self._redirect("/board/stuck?" + urlencode({"error": refusal_kind(refused)}))
        return self._redirect("/board/stuck?done=hold_resolved")

    # --- requests ---------------------------------------------------------------------------

    def requests(self, request: PageRequest) -> Page:
        identity, token, business = self._signed_in(request)
        confirmed = request.query.get("confirmed") == "1"
        bookings = self._services.bookings
        pending = bookings.with_status(identity.business_id, BookingStatus.PENDING)
        shown: list[Booking] = list(pending)
        if confirmed:
            shown += bookings.with_status(identity.business_id, BookingStatus.CONFIRMED)
            shown.sort(key=lambda b: (b.slot.starts_at, b.created_at))
        pipeline = self._services.catalogue.pipeline(identity.business_id)
        return self._page(
            "board_requests",
            here="/board/requests" + ("?confirmed=1" if confirmed else ""),
            language=self._language(request, business),
            time_zone=business.time_zone,
            business=business,
            bookings=shown,
            confirmed=confirmed,
            pipeline=pipeline,
            done=request.query.get("done"),
            done_name=request.query.get("name", ""),
            error=request.query.get("error"),
            csrf=self._csrf(f"staff:{token}"),
        )


def desk_pages() -> FrontDesk:
    return FrontDesk(services(), renderer(), SystemClock(), get_settings())


def signed_in_or_login(built: FrontDesk, view: Any) -> Page:
    try:
        result: Page = view()
    except SignIn:
        return built._redirect("/board/login")
    return result


MAX_CAPACITY = 1000


def _capacity(given: str) -> int | None:
    """A capacity from the form: a whole number from 1 to 1,000, else None."""
    try:
        capacity = int(given.strip())
    except ValueError:
        return None
    return capacity if 1 <= capacity <= MAX_CAPACITY else None


def _name(given: str) -> str | None:
    """A staff member's or place's name; an empty field clears it."""
    return given.strip()[:100] or None
