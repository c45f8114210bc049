"""The front desk's views across slots: the week of slots by staff member and location,
and the requests waiting for confirmation (acted on from the list with the slot page's
forms, which come back here)."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta
from typing import Any
from urllib.parse import urlencode

from chalicelib.adapters.clock import SystemClock
from chalicelib.bootstrap import services
from chalicelib.domain.errors import DomainError, NotFound
from chalicelib.domain.model import Booking, BookingStatus
from chalicelib.domain.time_rules import LAST_YEAR, in_zone
from chalicelib.entrypoints.pages.base import renderer
from chalicelib.entrypoints.pages.board import _day
from chalicelib.entrypoints.pages.desk import DeskPages, SignIn, refusal_kind
from chalicelib.entrypoints.pages.forms import Page, PageRequest
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
