"""The booking site: a business's services and the times of a week, in the customer's
language (a switch on every page) and the business's time zone. The forms behind a time
(book it, join its waiting list, wait for any time in a window) are in site_forms.py.

A business may show these pages in a frame on its own website: they allow exactly the
origins it lists (`embed_origins`), every other page none."""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from urllib.parse import urlencode

from chalicelib.domain.errors import MissingSetup, NotFound
from chalicelib.domain.languages import LANGUAGES, served_language, supported_language
from chalicelib.domain.model import Business, Service, Slot
from chalicelib.domain.offers import mode_for
from chalicelib.domain.time_rules import has_started, in_zone, zone
from chalicelib.entrypoints.pages.base import BasePage
from chalicelib.entrypoints.pages.forms import (
    FORM_COOKIE,
    Page,
    PageRequest,
    Refused,
    form_token,
    preferred_languages,
)

LANGUAGE_NAMES = {
    "en": "English",
    "fr": "Français",
    "de": "Deutsch",
    "da": "Dansk",
    "nb": "Norsk",
}
"""Each language named in itself, as a language switch shows them."""
SLOTS_PER_READ = 100
MOST_READS = 5
"""A week's times are read a page at a time, and at most this many pages: a week with more
slots than that shows the first ones (a bounded cost per page view, whatever the data)."""
WEEKS_AHEAD = 53
COOKIE_VALUE = re.compile(r"[A-Za-z0-9_-]{20,64}")


@dataclass(frozen=True)
class Site:
    """One request's view of a business's booking site."""

    business: Business
    language: str
    chosen: str | None
    """The language picked with the switch (?lang=), carried on every link and form."""
    cookie: str
    new_cookie: bool


@dataclass
class Day:
    day: date
    slots: list[Slot] = field(default_factory=list)


class SitePages(BasePage):
    # --- what every page of the site shares ----------------------------------------------

    def _business(self, business_id: str) -> Business:
        try:
            return self._services.catalogue.business(business_id)
        except MissingSetup as missing:
            raise NotFound(f"no business {business_id!r}") from missing

    def _site(self, business_id: str, request: PageRequest) -> Site:
        business = self._business(business_id)
        chosen = supported_language(request.query.get("lang") or request.form.get("lang") or "")
        language = chosen or next(
            (
                found
                for tag in preferred_languages(request.headers.get("accept-language"))
                if (found := supported_language(tag))
            ),
            served_language(business.language),
        )
        cookie = request.cookies.get(FORM_COOKIE, "")
        fresh = not COOKIE_VALUE.fullmatch(cookie)
        return Site(
            business, language, chosen, secrets.token_urlsafe(24) if fresh else cookie, fresh
        )

    def _href(self, site: Site, path: str, **query: str | None) -> str:
        return f"{self._root}{path}{_query(site, query)}"

    def _go(self, site: Site, path: str, **query: str | None) -> Page:
        """See the page at `path` (after a form: a reload does not send it again)."""
        return self._redirect(f"{path}{_query(site, query)}")

    def _check_public_form(self, request: PageRequest, site: Site) -> None:
        """A public form acts for no link token: its CSRF token is the HMAC of the
        browser's form cookie (double submit), which another site cannot read or set."""
        self._check_form(request, None)
        if site.new_cookie:
            raise Refused("no form cookie")
        given = request.form.get("csrf", "")
        if not secrets.compare_digest(given, form_token(self._key(), site.cookie)):
            raise Refused("missing or wrong CSRF token of a public form")

    def _site_page(
        self,
        template: str,
        site: Site,
        request: PageRequest,
        *,
        here: str,
        status: int = 200,
        **values: Any,
    ) -> Page:
        kept = {k: v for k, v in request.query.items() if k != "lang"}
        switch = [
            (
                code,
                LANGUAGE_NAMES[code],
                f"{self._root}{here}?{urlencode({**kept, 'lang': code})}",
            )
            for code in LANGUAGES
        ]
        headers = {}
        if site.new_cookie:
            headers["Set-Cookie"] = self._form_cookie(site.cookie)
        business = site.business
        return self._page(
            template,
            language=site.language,
            time_zone=business.time_zone,
            status=status,
            headers=headers,
            frame_ancestors=business.embed_origins,
            business=business,
            site_language=site.language,
            chosen=site.chosen,
            switch=switch,
            csrf=form_token(self._key(), site.cookie),
            home=self._href(site, f"/s/{business.business_id}"),
            **values,
        )

    def _form_cookie(self, value: str) -> str:
        # In a frame on the business's own site the cookie is a third-party one: it is
        # partitioned by that site (CHIPS), so browsers that block third-party cookies
        # still keep it. Over plain http (the local stack) Lax is the most a browser takes.
        where = "SameSite=None; Secure; Partitioned" if self._secure else "SameSite=Lax"
        return f"{FORM_COOKIE}={value}; Path=/; HttpOnly; {where}; Max-Age=86400"

    def _service(self, business_id: str, service_id: str) -> Service:
        for service in self._services.catalogue.list_services(business_id):
            if service.service_id == service_id:
                return service
        raise NotFound(f"no service {service_id!r}")

    def _upcoming(
        self, business: Business, service_id: str, starts_from: datetime, starts_before: datetime
    ) -> list[Slot]:
        """The service's slots starting in the range that have not started, read a page
        at a time (and at most MOST_READS pages)."""
        now = self._clock.now()
        found: list[Slot] = []
        after = None
        for _ in range(MOST_READS):
            page = self._services.catalogue.slots_between(
                business.business_id,
                max(starts_from, now),
                starts_before,
                limit=SLOTS_PER_READ,
                after=after,
            )
            found += [
                slot
                for slot in page.slots
                if slot.service_id == service_id and not has_started(slot.starts_at, now)
            ]
            if page.next is None:
                break
            after = page.next
        return sorted(found, key=lambda slot: (slot.starts_at, slot.staff or ""))

    def _mode(self, business: Business, slot: Slot) -> str:
        return mode_for(business, slot.summary(business)).value

    # --- the business's services ---------------------------------------------------------

    def services_page(self, business_id: str, request: PageRequest) -> Page:
        site = self._site(business_id, request)
        offered = [
            (service, self._href(site, f"/s/{business_id}/{service.service_id}"))
            for service in self._services.catalogue.list_services(business_id)
        ]
        return self._site_page(
            "site_services", site, request, here=f"/s/{business_id}", services=offered
        )

    # --- a week of a service's times -----------------------------------------------------

    def week(self, business_id: str, service_id: str, request: PageRequest) -> Page:
        site = self._site(business_id, request)
        business = site.business
        service = self._service(business_id, service_id)
        tz = zone(business.time_zone)
        today = in_zone(self._clock.now(), business.time_zone).date()
        this_monday = today - timedelta(days=today.weekday())
        monday = _monday_of(request.query.get("week"), this_monday)
        starts = datetime.combine(monday, time(), tzinfo=tz)
        ends = datetime.combine(monday + timedelta(days=7), time(), tzinfo=tz)
        slots = self._upcoming(business, service_id, starts, ends)
        staff_names = sorted({s.staff for s in slots if s.staff})
        locations = sorted({s.location for s in slots if s.location})
        staff = request.query.get("staff") or None
        location = request.query.get("location") or None
        shown = [
            slot
            for slot in slots
            if (staff is None or slot.staff == staff)
            and (location is None or slot.location == location)
        ]
        days = [Day(monday + timedelta(days=n)) for n in range(7)]
        for slot in shown:
            local_day = in_zone(slot.starts_at, business.time_zone).date()
            days[(local_day - monday).days].slots.append(slot)
        base = f"/s/{business_id}/{service_id}"
        filters = {"staff": staff, "location": location}

        def week_link(day: date) -> str:
            return self._href(site, base, week=day.isoformat(), **filters)

        def slot_link(slot: Slot, action: str) -> str:
            return self._href(site, f"{base}/{slot.slot_id}/{action}")

        return self._site_page(
            "site_week",
            site,
            request,
            here=base,
            service=service,
            days=days,
            monday=monday,
            sunday=monday + timedelta(days=6),
            previous=week_link(monday - timedelta(days=7)) if monday > this_monday else None,
            next=week_link(monday + timedelta(days=7))
            if monday < this_monday + timedelta(weeks=WEEKS_AHEAD)
            else None,
            staff_names=staff_names,
            locations=locations,
            staff=staff,
            location=location,
            week_value=monday.isoformat(),
            slot_link=slot_link,
            list_open=business.waiting_list_open,
            window_link=self._href(site, f"{base}/window", week=monday.isoformat()),
            filter_action=f"{self._root}{base}",
        )


def _query(site: Site, query: dict[str, str | None]) -> str:
    """The query of a link on the site: what is given, and the language picked."""
    wanted = {k: v for k, v in query.items() if v}
    if site.chosen:
        wanted["lang"] = site.chosen
    return f"?{urlencode(wanted)}" if wanted else ""


def _monday_of(given: str | None, default: date) -> date:
    """The Monday of the week `?week=` names (any day of it), else of `default`'s week."""
    try:
        day = date.fromisoformat(given or "")
    except ValueError:
        return default
    if not 2000 <= day.year <= 2099:
        return default
    return day - timedelta(days=day.weekday())
