"""The front desk: a slot's detail page, where staff act on its bookings (confirm,
reject, cancel, no-show, delete, move, a pipeline step) after a warning naming who gets a
freed seat, and run its waiting list (book, remove, add, offer a free seat to chosen
customers); with what happened: the allocation log, a booking's history and messages.

Every action calls the same use case as the staff API, for the signed-in staff token's
business only."""

from __future__ import annotations

from datetime import timedelta
from typing import Any
from urllib.parse import quote, urlencode

from chalicelib.adapters.tokens import StaffIdentity
from chalicelib.domain.errors import (
    Conflict,
    DomainError,
    InvalidRequest,
    NotActive,
    NotFound,
    SlotFull,
    SlotHasFreeSeats,
    SlotStarted,
)
from chalicelib.domain.lifecycle import Action
from chalicelib.domain.model import Actor, Business, EntryStatus, Slot
from chalicelib.domain.offers import mode_for
from chalicelib.domain.pipeline import StepKind
from chalicelib.domain.time_rules import in_zone
from chalicelib.domain.values import WaitingListMode
from chalicelib.entrypoints.pages.board import BoardPages
from chalicelib.entrypoints.pages.forms import Page, PageRequest, Refused
from chalicelib.entrypoints.pages.rendering import PAGE_LANGUAGES
from chalicelib.entrypoints.pages.site_forms import ContactForm
from chalicelib.services.notifications import STAFF_LISTING_LIMIT

GIVING_UP = {
    "reject": Action.REJECT,
    "cancel": Action.CANCEL,
    "no_show": Action.NO_SHOW,
    "delete": Action.DELETE,
    "move": Action.MOVE,
}
"""The actions that may free a seat, so show a warning page first."""
MOVE_HORIZON = timedelta(days=28)
"""How far ahead the move form looks for free slots of the service."""
MOVE_CHOICES = 200


def refusal_kind(error: DomainError) -> str:
    """A refusal in the desk's words (a key of the string catalogue)."""
    named = {
        "WaitingListClosed": "list_closed",
        "HoldsASeat": "holds_seat",
        "AlreadyWaiting": "already_waiting",
        "TooManyEntries": "too_many",
        "NotAllowed": "not_allowed",
    }
    for kind in type(error).__mro__:
        if kind.__name__ in named:
            return named[kind.__name__]
    if isinstance(error, SlotFull):
        return "full"
    if isinstance(error, SlotHasFreeSeats):
        return "has_free_seats"
    if isinstance(error, SlotStarted):
        return "started"
    if isinstance(error, NotActive):
        return "not_active"
    if isinstance(error, InvalidRequest):
        return "invalid"
    if isinstance(error, Conflict):
        return "conflict"
    return "conflict"


class DeskPages(BoardPages):
    def _signed_in(self, request: PageRequest) -> tuple[StaffIdentity, str, Business]:
        signed_in = self._staff(request)
        if signed_in is None:
            raise SignIn()
        identity, token = signed_in
        return identity, token, self._services.catalogue.business(identity.business_id)

    # --- the slot's page ------------------------------------------------------------------

    def slot_page(
        self,
        request: PageRequest,
        slot_id: str,
        *,
        form: ContactForm | None = None,
        status: int = 200,
        error: str | None = None,
    ) -> Page:
        identity, token, business = self._signed_in(request)
        business_id = identity.business_id
        view = self._services.board.slot(business_id, slot_id)
        slot = view.slot
        chosen = request.query.get("booking")
        history: list[Any] = []
        messages: list[Any] = []
        focus = next((b for b in [*view.seated, *view.released] if b.booking_id == chosen), None)
        if focus is not None:
            history = self._services.bookings.history(business_id, slot_id, focus.booking_id)
            recent = self._services.notifications.recent(
                business_id, None, limit=STAFF_LISTING_LIMIT, before=None
            )
            messages = [
                m for m in recent.messages if m.context.get("booking_id") == focus.booking_id
            ]
        waiting = [e for e in view.waiting if e.status is EntryStatus.WAITING]
        positions = {entry.entry_id: index for index, entry in enumerate(waiting, start=1)}
        mode = mode_for(business, slot.summary(business))
        pipeline = (
            self._services.catalogue.pipeline(business_id) if slot.uses_status_pipeline else []
        )
        return self._page(
            "board_slot",
            here=f"/board/slots/{slot_id}",
            language=self._language(request, business),
            time_zone=business.time_zone,
            status=status,
            business=business,
            slot=slot,
            view=view,
            positions=positions,
            mode=mode.value,
            manual=mode is WaitingListMode.MANUAL,
            pipeline=pipeline,
            focus=focus,
            history=history,
            messages=messages,
            done=request.query.get("done"),
            done_name=request.query.get("name", ""),
            error=error or request.query.get("error"),
            form=form or ContactForm({"language": business.language}),
            languages=PAGE_LANGUAGES,
            day_iso=in_zone(slot.starts_at, business.time_zone).date().isoformat(),
            csrf=self._csrf(f"staff:{token}"),
            now=self._clock.now(),
        )

    def _back(self, slot_id: str, **query: str) -> Page:
        return self._redirect(f"/board/slots/{slot_id}?{urlencode(query)}")

    def _post(self, request: PageRequest) -> tuple[str, Business]:
        signed_in = self._staff(request)
        if signed_in is None:
            raise Refused("not signed in")
        identity, token = signed_in
        self._check_form(request, f"staff:{token}")
        return identity.business_id, self._services.catalogue.business(identity.business_id)

    # --- bookings -------------------------------------------------------------------------

    def confirm(self, request: PageRequest, slot_id: str, booking_id: str) -> Page:
        business_id, _ = self._post(request)
        back = request.form.get("back") == "requests"
        try:
            done = self._services.bookings.act(
                business_id, slot_id, booking_id, Action.CONFIRM, by=Actor.STAFF
            )
        except DomainError as refused:
            if isinstance(refused, NotFound):
                raise
            return self._back(slot_id, error=refusal_kind(refused))
        if back:
            return self._redirect(f"/board/requests?done=confirmed&name={quote(done.contact.name)}")
        return self._back(slot_id, done="confirmed", name=done.contact.name)

    def action_page(
        self,
        request: PageRequest,
        slot_id: str,
        booking_id: str,
        action_name: str,
        *,
        error: str | None = None,
        status: int = 200,
    ) -> Page:
        identity, token, business = self._signed_in(request)
        action = GIVING_UP.get(action_name)
        if action is None:
            raise NotFound(f"no action {action_name!r}")
        bookings = self._services.bookings
        booking = bookings.get(identity.business_id, slot_id, booking_id)
        slot = self._services.catalogue.slot(identity.business_id, slot_id)
        try:
            preview = bookings.preview(
                identity.business_id, slot_id, booking_id, action, by=Actor.STAFF
            )
        except NotFound:
            raise
        except DomainError as refused:  # the booking can no longer take this action
            return self._page(
                "board_action",
                language=self._language(request, business),
                time_zone=business.time_zone,
                status=status if status != 200 else 409,
                business=business,
                booking=booking,
                slot=booking.slot,
                action=action_name,
                possible=False,
                error=error or refusal_kind(refused),
                back=request.query.get("back") or request.form.get("back") or "",
                csrf="",
            )
        chosen = preview.allocation.chosen if preview.allocation else None
        return self._page(
            "board_action",
            language=self._language(request, business),
            time_zone=business.time_zone,
            status=status,
            business=business,
            booking=booking,
            slot=booking.slot,
            action=action_name,
            possible=True,
            seat=preview.seat,
            mode=mode_for(business, booking.slot).value,
            next_customer=chosen.contact.name if chosen else None,
            waiting=slot.waiting,
            none_reason=preview.allocation.reason_if_none if preview.allocation else None,
            targets=self._move_targets(identity.business_id, slot) if action_name == "move" else [],
            error=error,
            back=request.query.get("back") or request.form.get("back") or "",
            csrf=self._csrf(f"staff:{token}"),
        )

    def _move_targets(self, business_id: str, slot: Slot) -> list[Slot]:
        """The service's slots with a free seat, from now on (one bounded read)."""
        now = self._clock.now()
        page = self._services.catalogue.slots_between(
            business_id, now, now + MOVE_HORIZON, limit=MOVE_CHOICES
        )
        return [
            s
            for s in page.slots
            if s.service_id == slot.service_id and s.slot_id != slot.slot_id and not s.is_full
        ]

    def act(self, request: PageRequest, slot_id: str, booking_id: str, action_name: str) -> Page:
        business_id, _ = self._post(request)
        action = GIVING_UP.get(action_name)
        if action is None:
            raise NotFound(f"no action {action_name!r}")
        reason = request.form.get("reason", "").strip() or None
        if action is Action.REJECT and reason is None:
            return self.action_page(
                request, slot_id, booking_id, action_name, error="reason_required", status=400
            )
        bookings = self._services.bookings
        try:
            if action is Action.MOVE:
                target = request.form.get("slot_id", "")
                if not target:
                    return self.action_page(
                        request, slot_id, booking_id, action_name, error="pick_slot", status=400
                    )
                done = bookings.move(business_id, slot_id, booking_id, target, by=Actor.STAFF)
            else:
                done = bookings.act(
                    business_id, slot_id, booking_id, action, by=Actor.STAFF, reason=reason
                )
        except NotFound:
            raise
        except DomainError as refused:
            return self.action_page(
                request, slot_id, booking_id, action_name, error=refusal_kind(refused), status=409
            )
        if request.form.get("back") == "requests":
            return self._redirect(
                f"/board/requests?done={action_name}&name={quote(done.contact.name)}"
            )
        return self._back(slot_id, done=action_name, name=done.contact.name)

    def step(self, request: PageRequest, slot_id: str, booking_id: str) -> Page:
        business_id, _ = self._post(request)
        reason = request.form.get("reason", "").strip() or None
        status_id = request.form.get("status_id", "")
        back = request.form.get("back") == "requests"
        try:
            if not status_id:
                raise InvalidRequest("status_id", "pick a step")
            step = next(
                (
                    s
                    for s in self._services.catalogue.pipeline(business_id)
                    if s.status_id == status_id
                ),
                None,
            )
            if step is not None and step.kind is StepKind.CANCELLATION and reason is None:
                error = "reason_required"
            else:
                done = self._services.bookings.enter_step(
                    business_id, slot_id, booking_id, status_id, by=Actor.STAFF, reason=reason
                )
                if back:
                    return self._redirect(
                        f"/board/requests?done=step&name={quote(done.contact.name)}"
                    )
                return self._back(slot_id, done="step", name=done.contact.name)
        except NotFound as missing:
            if str(missing).startswith("status_id"):
                error = "invalid"
            else:
                raise
        except DomainError as refused:
            error = refusal_kind(refused)
        if back:
            return self._redirect(f"/board/requests?error={error}")
        return self._back(slot_id, error=error)

    # --- the waiting list -----------------------------------------------------------------

    def book_entry(self, request: PageRequest, slot_id: str, entry_id: str) -> Page:
        business_id, _ = self._post(request)
        try:
            done = self._services.bookings.book_from_list(
                business_id, slot_id, entry_id, by=Actor.STAFF
            )
        except NotFound:
            raise
        except DomainError as refused:
            return self._back(slot_id, error=refusal_kind(refused))
        return self._back(slot_id, done="booked", name=done.contact.name)

    def remove_entry(self, request: PageRequest, slot_id: str, entry_id: str) -> Page:
        business_id, _ = self._post(request)
        try:
            left = self._services.waiting_list.leave(business_id, slot_id, entry_id)
        except NotFound:
            raise
        except DomainError as refused:
            return self._back(slot_id, error=refusal_kind(refused))
        return self._back(slot_id, done="removed", name=left.contact.name)

    def add_entry(self, request: PageRequest, slot_id: str) -> Page:
        business_id, business = self._post(request)
        form = ContactForm.read(dict(request.form), business.language)
        if form.contact is None:
            return self.slot_page(request, slot_id, form=form, status=400)
        try:
            entry, position = self._services.waiting_list.join(business_id, slot_id, form.contact)
        except NotFound:
            raise
        except DomainError as refused:
            return self.slot_page(
                request, slot_id, form=form, status=409, error=refusal_kind(refused)
            )
        return self._back(slot_id, done="added", name=entry.contact.name, position=str(position))

    def offer_chosen(self, request: PageRequest, slot_id: str) -> Page:
        business_id, _ = self._post(request)
        chosen = [name[len("entry_") :] for name in request.form if name.startswith("entry_")]
        if not chosen:
            return self._back(slot_id, error="pick_customers")
        try:
            offers = self._services.offers.offer_chosen(business_id, slot_id, chosen)
        except NotFound:
            raise
        except DomainError as refused:
            return self._back(slot_id, error=refusal_kind(refused))
        names = ", ".join(offer.contact.name for offer in offers)
        return self._back(slot_id, done="offered", name=names)


class SignIn(Exception):
    """Not signed in: the page sends the browser to the sign-in page."""
