"""The booking site's forms: book a time (and, in the same step, ask for an earlier one),
join a full time's waiting list, or wait for any time of a service in a window; and the
pages that follow, with the links the customer keeps.

A repeated booking or join answers with what the customer has, never with its link: that
went to them with the first answer and in their message, and whoever merely knows their
email must not get it."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta

from pydantic import ValidationError

from chalicelib.adapters.clock import SystemClock
from chalicelib.adapters.observability import logger
from chalicelib.bootstrap import services
from chalicelib.domain.customer_refusals import (
    AlreadyAsked,
    AlreadyBooked,
    AlreadyWaiting,
    HoldsASeat,
    TooManyEntries,
    WaitingListClosed,
)
from chalicelib.domain.errors import (
    DomainError,
    InvalidRequest,
    NotFound,
    SlotFull,
    SlotHasFreeSeats,
    SlotStarted,
)
from chalicelib.domain.model import Contact, EntryWindow, Slot
from chalicelib.domain.time_rules import has_started, in_zone
from chalicelib.entrypoints.http.schemas import ContactBody
from chalicelib.entrypoints.pages.base import renderer
from chalicelib.entrypoints.pages.forms import Page, PageRequest
from chalicelib.entrypoints.pages.site import Site, SitePages
from chalicelib.services.links import BOOKING
from chalicelib.services.waiting_list import MAX_WINDOW
from chalicelib.settings import get_settings

CONTACT_FIELDS = ("name", "email", "phone", "language")


@dataclass
class ContactForm:
    """What a customer typed, kept to show again, and what is wrong with it, by field."""

    values: dict[str, str]
    errors: dict[str, str] = field(default_factory=dict)
    contact: Contact | None = None

    def value(self, name: str, default: str = "") -> str:
        return self.values.get(name, default)

    def error(self, name: str) -> str | None:
        return self.errors.get(name)

    @classmethod
    def read(cls, form: dict[str, str], language: str) -> ContactForm:
        values = {name: form.get(name, "").strip() for name in (*CONTACT_FIELDS, "earlier")}
        values["language"] = values["language"] or language
        read = cls(values)
        try:
            body = ContactBody.model_validate(
                {name: values[name] or None for name in CONTACT_FIELDS}
            )
        except ValidationError as invalid:
            for error in invalid.errors():
                where = str(error["loc"][0]) if error["loc"] else "reach"
                read.errors.setdefault("email" if where == "reach" else where, where)
            return read
        read.contact = Contact(
            name=body.name, email=body.email, phone=body.phone, language=body.language
        )
        return read


class BookingSite(SitePages):
    # --- booking a time --------------------------------------------------------------------

    def _slot(self, site: Site, service_id: str, slot_id: str) -> Slot:
        slot = self._services.catalogue.slot(site.business.business_id, slot_id)
        if slot.service_id != service_id:
            raise NotFound(f"no slot {slot_id!r} of service {service_id!r}")
        return slot

    def book_form(self, business_id: str, service_id: str, slot_id: str, req: PageRequest) -> Page:
        site = self._site(business_id, req)
        slot = self._slot(site, service_id, slot_id)
        return self._book_page(site, req, slot, ContactForm({"language": site.language}))

    def _book_page(
        self, site: Site, req: PageRequest, slot: Slot, form: ContactForm, status: int = 200
    ) -> Page:
        if has_started(slot.starts_at, self._clock.now()):
            return self._outcome(site, req, slot, "started", status=409)
        if slot.is_full and status == 200:
            return self._outcome(site, req, slot, "slot_full", status=200)
        path = f"/s/{site.business.business_id}/{slot.service_id}/{slot.slot_id}/book"
        return self._site_page(
            "site_book",
            site,
            req,
            here=path,
            status=status,
            slot=slot,
            form=form,
            action=f"{self._root}{path}",
            pending=slot.requires_confirmation or slot.uses_status_pipeline,
            list_open=site.business.waiting_list_open,
            back=self._week_of(site, slot),
        )

    def book(self, business_id: str, service_id: str, slot_id: str, req: PageRequest) -> Page:
        site = self._site(business_id, req)
        self._check_public_form(req, site)
        slot = self._slot(site, service_id, slot_id)
        form = ContactForm.read(dict(req.form), site.language)
        if form.contact is None:
            return self._book_page(site, req, slot, form, status=400)
        try:
            booking = self._services.bookings.book(business_id, slot_id, form.contact)
        except AlreadyBooked as repeat:
            return self._outcome(site, req, slot, "already_booked", booking=repeat.booking)
        except SlotFull:
            return self._outcome(site, req, slot, "slot_full", status=409)
        except SlotStarted:
            return self._outcome(site, req, slot, "started", status=409)
        links = self._services.links
        token = links.booking_token(business_id, slot_id, booking.booking_id)
        earlier = None
        if form.values.get("earlier") and site.business.waiting_list_open:
            try:
                entry, _ = self._services.waiting_list.ask_for_earlier(
                    business_id, slot_id, booking.booking_id, starts_from=None
                )
                earlier = links.token_for_entry(entry)
            except DomainError as refusal:  # nothing earlier can come (it starts now)
                logger.info("earlier-slot request not made", extra={"reason": str(refusal)})
        return self._go(site, f"/s/{business_id}/booked/{token}", earlier=earlier)

    def booked(self, business_id: str, token: str, req: PageRequest) -> Page:
        site = self._site(business_id, req)
        link = self._services.links.read(token, BOOKING)
        if link.business_id != business_id:
            raise NotFound("not a booking of this business")
        booking = self._services.bookings.get(business_id, link.slot_id, link.item_id)
        earlier_url = None
        earlier = req.query.get("earlier")
        if earlier:
            try:
                if self._services.links.read_entry(earlier).business_id == business_id:
                    earlier_url = f"{self._root}/w/{earlier}"
            except DomainError:
                pass
        return self._site_page(
            "site_booked",
            site,
            req,
            here=f"/s/{business_id}/booked/{token}",
            booking=booking,
            slot=booking.slot,
            manage_url=f"{self._root}/b/{token}",
            manage_full=self._services.links.booking_url(token),
            calendar_url=f"{self._root}/b/{token}/calendar.ics",
            earlier_url=earlier_url,
        )

    # --- joining a full time's waiting list ------------------------------------------------

    def join_form(self, business_id: str, service_id: str, slot_id: str, req: PageRequest) -> Page:
        site = self._site(business_id, req)
        slot = self._slot(site, service_id, slot_id)
        return self._join_page(site, req, slot, ContactForm({"language": site.language}))

    def _join_page(
        self, site: Site, req: PageRequest, slot: Slot, form: ContactForm, status: int = 200
    ) -> Page:
        if has_started(slot.starts_at, self._clock.now()):
            return self._outcome(site, req, slot, "started", status=409)
        if not site.business.waiting_list_open:
            return self._outcome(site, req, slot, "list_closed", status=409)
        if not slot.is_full and status == 200:
            return self._outcome(site, req, slot, "has_free_seat")
        path = f"/s/{site.business.business_id}/{slot.service_id}/{slot.slot_id}/join"
        return self._site_page(
            "site_join",
            site,
            req,
            here=path,
            status=status,
            slot=slot,
            form=form,
            action=f"{self._root}{path}",
            mode=self._mode(site.business, slot),
            offer_window_minutes=max(site.business.offer_window_seconds // 60, 1),
            back=self._week_of(site, slot),
        )

    def join(self, business_id: str, service_id: str, slot_id: str, req: PageRequest) -> Page:
        site = self._site(business_id, req)
        self._check_public_form(req, site)
        slot = self._slot(site, service_id, slot_id)
        form = ContactForm.read(dict(req.form), site.language)
        if form.contact is None:
            return self._join_page(site, req, slot, form, status=400)
        try:
            entry, _ = self._services.waiting_list.join(business_id, slot_id, form.contact)
        except AlreadyWaiting as repeat:
            return self._outcome(
                site, req, slot, "already_waiting", position=repeat.position, status=200
            )
        except (HoldsASeat, SlotHasFreeSeats, SlotStarted, WaitingListClosed, TooManyEntries) as no:
            return self._outcome(site, req, slot, _OUTCOMES[type(no)], status=409)
        token = self._services.links.token_for_entry(entry)
        return self._go(site, f"/s/{business_id}/joined/{token}")

    def joined(self, business_id: str, token: str, req: PageRequest) -> Page:
        site = self._site(business_id, req)
        link = self._services.links.read_entry(token)
        if link.business_id != business_id:
            raise NotFound("not a place on a list of this business")
        entry, position = self._services.waiting_list.view_place(link)
        slot = entry.slot
        return self._site_page(
            "site_joined",
            site,
            req,
            here=f"/s/{business_id}/joined/{token}",
            entry=entry,
            slot=slot,
            position=position,
            mode=(slot.waiting_list_mode or site.business.waiting_list_mode).value,
            offer_window_minutes=max(site.business.offer_window_seconds // 60, 1),
            place_url=f"{self._root}/w/{token}",
            place_full=self._services.links.entry_url(token),
        )

    # --- waiting for any time in a window --------------------------------------------------

    def window_form(self, business_id: str, service_id: str, req: PageRequest) -> Page:
        site = self._site(business_id, req)
        today = in_zone(self._clock.now(), site.business.time_zone).date()
        try:
            start = max(date.fromisoformat(req.query.get("week", "")), today)
        except ValueError:
            start = today
        form = ContactForm(
            {
                "language": site.language,
                "from": start.isoformat(),
                "to": (start + timedelta(days=6)).isoformat(),
            }
        )
        return self._window_page(site, req, service_id, form)

    def _window_page(
        self, site: Site, req: PageRequest, service_id: str, form: ContactForm, status: int = 200
    ) -> Page:
        business = site.business
        service = self._service(business.business_id, service_id)
        now = self._clock.now()
        ahead = self._upcoming(business, service_id, now, now + timedelta(days=28))
        path = f"/s/{business.business_id}/{service_id}/window"
        return self._site_page(
            "site_window",
            site,
            req,
            here=path,
            status=status,
            service=service,
            form=form,
            action=f"{self._root}{path}",
            staff_names=sorted({s.staff for s in ahead if s.staff}),
            locations=sorted({s.location for s in ahead if s.location}),
            list_open=business.waiting_list_open,
            mode=(service.waiting_list_mode or business.waiting_list_mode).value,
            offer_window_minutes=max(business.offer_window_seconds // 60, 1),
            back=self._href(site, f"/s/{business.business_id}/{service_id}"),
        )

    def join_window(self, business_id: str, service_id: str, req: PageRequest) -> Page:
        site = self._site(business_id, req)
        self._check_public_form(req, site)
        self._service(business_id, service_id)
        form = ContactForm.read(dict(req.form), site.language)
        for name in ("from", "to", "staff", "location"):
            form.values[name] = req.form.get(name, "").strip()
        window = _window(form, service_id, in_zone(self._clock.now(), site.business.time_zone))
        if form.contact is None or window is None:
            return self._window_page(site, req, service_id, form, status=400)
        try:
            entry, _ = self._services.waiting_list.join_window(
                business_id, service_id, form.contact, window
            )
        except AlreadyWaiting as repeat:
            return self._outcome(site, req, None, "already_waiting", position=repeat.position)
        except (AlreadyAsked, TooManyEntries, WaitingListClosed) as no:
            return self._outcome(site, req, None, _OUTCOMES[type(no)], status=409)
        except InvalidRequest:
            form.errors["dates"] = "window_over"
            return self._window_page(site, req, service_id, form, status=400)
        token = self._services.links.token_for_entry(entry)
        return self._go(site, f"/s/{business_id}/joined/{token}")

    # --- shared ------------------------------------------------------------------------------

    def _week_of(self, site: Site, slot: Slot) -> str:
        day = in_zone(slot.starts_at, site.business.time_zone).date()
        return self._href(
            site, f"/s/{site.business.business_id}/{slot.service_id}", week=day.isoformat()
        )

    def _outcome(
        self,
        site: Site,
        req: PageRequest,
        slot: Slot | None,
        outcome: str,
        *,
        status: int = 200,
        **values: object,
    ) -> Page:
        """A page saying, in words, what became of the request and what can be done now."""
        business_id = site.business.business_id
        join_url = book_url = back = None
        if slot is not None:
            base = f"/s/{business_id}/{slot.service_id}/{slot.slot_id}"
            join_url = self._href(site, f"{base}/join") if site.business.waiting_list_open else None
            book_url = self._href(site, f"{base}/book")
            back = self._week_of(site, slot)
        return self._site_page(
            "site_outcome",
            site,
            req,
            here=f"/s/{business_id}",
            status=status,
            outcome=outcome,
            slot=slot,
            join_url=join_url,
            book_url=book_url,
            back=back or self._href(site, f"/s/{business_id}"),
            **{"booking": None, "position": None, **values},
        )


_OUTCOMES: dict[type[DomainError], str] = {
    HoldsASeat: "holds_seat",
    SlotHasFreeSeats: "has_free_seat",
    SlotStarted: "started",
    WaitingListClosed: "list_closed",
    TooManyEntries: "too_many",
    AlreadyAsked: "already_waiting",
}


def _window(form: ContactForm, service_id: str, now: datetime) -> EntryWindow | None:
    """The window the form asks for (whole days at the business), or None with the reason
    in the form's errors."""
    try:
        first = date.fromisoformat(form.values["from"])
        last = date.fromisoformat(form.values["to"])
    except ValueError:
        form.errors["dates"] = "dates"
        return None
    if last < first:
        form.errors["dates"] = "dates_order"
    elif last < now.date():
        form.errors["dates"] = "window_over"
    elif last - first >= MAX_WINDOW:
        form.errors["dates"] = "window_long"
    if "dates" in form.errors:
        return None
    return EntryWindow(
        service_id=service_id,
        # Wall-clock times at the business: the use case reads them in its time zone.
        starts_from=datetime.combine(max(first, now.date()), time()),
        ends_by=datetime.combine(last + timedelta(days=1), time()),
        staff=form.values["staff"] or None,
        location=form.values["location"] or None,
    )


def booking_site() -> BookingSite:
    """Built per request from the container's services (cheap: they are cached)."""
    return BookingSite(services(), renderer(), SystemClock(), get_settings())
