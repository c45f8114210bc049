"""Use cases of the waiting list: join a full slot's list, or wait for any slot of a
service in a window of dates, or for an earlier slot than one's booking; see one's place,
leave."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from chalicelib.adapters.observability import logger
from chalicelib.domain.customer_refusals import (
    AlreadyAsked,
    AlreadyWaiting,
    HoldsASeat,
    TooManyEntries,
    WaitingListClosed,
    limit_message,
)
from chalicelib.domain.errors import (
    Conflict,
    InvalidRequest,
    NotActive,
    NotFound,
    SlotHasFreeSeats,
)
from chalicelib.domain.messages import OutboxMessage
from chalicelib.domain.model import (
    Business,
    Contact,
    EarlierThan,
    EntryStatus,
    EntryWindow,
    RefillDecision,
    Service,
    SlotSummary,
    WaitingEntry,
    list_key,
)
from chalicelib.domain.refusals import (
    AlreadyOnList,
    AlreadyQueued,
    EntryNoLongerWaiting,
    OpenListLimit,
    RetryableConflict,
    SeatChanged,
)
from chalicelib.domain.time_rules import refuse_if_started, to_utc
from chalicelib.ports.runtime import Clock
from chalicelib.ports.unit_of_work import UnitOfWorkFactory
from chalicelib.services.catalogue import slot_and_business
from chalicelib.services.ids import id_for_cause, new_id
from chalicelib.services.links import WINDOW_ENTRY, LinkClaims, Links
from chalicelib.services.retry import retry
from chalicelib.services.waiting_list_messages import joined_messages, left_messages

ENDED_PER_SWEEP = 200
WINDOWS_SHOWN = 200
LIST_BUSY = "the waiting list is busy; try again"
MAX_WINDOW = timedelta(days=92)
"""How far apart a window's start and end may be: long enough for a season, short
enough that a forgotten entry does not wait for ever."""


class WaitingList:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock, links: Links) -> None:
        self._uow = uow
        self._clock = clock
        self._links = links

    def join(self, business_id: str, slot_id: str, contact: Contact) -> tuple[WaitingEntry, int]:
        """Join a full slot's waiting list; returns the entry and its exact position. A
        customer already on it gets AlreadyWaiting with their place; one holding a seat of
        the slot cannot join."""
        return retry(
            lambda: self._join(business_id, slot_id, contact),
            # The slot changed since we read it (a seat freed, someone else joined): read
            # again so the answer and the position are right.
            on=(SeatChanged, RetryableConflict),
            gave_up=LIST_BUSY,
        )

    def _join(self, business_id: str, slot_id: str, contact: Contact) -> tuple[WaitingEntry, int]:
        with self._uow() as uow:
            slot, business = slot_and_business(uow.catalogue, business_id, slot_id)
            refuse_if_started(slot.starts_at, self._clock.now())
            if not business.waiting_list_open:
                raise WaitingListClosed("this business does not keep a waiting list")
            if slot.is_held_by(contact):
                raise HoldsASeat("you already have a booking for this time")
            if not slot.is_full:
                raise SlotHasFreeSeats("the slot has a free seat: book it instead")
            entry = WaitingEntry(
                business_id=business_id,
                slot_id=slot_id,
                entry_id=new_id(),
                status=EntryStatus.WAITING,
                contact=contact,
                slot=slot.summary(business),
                signed_up_at=self._clock.now(),
            )
            uow.outbox.add(joined_messages(entry, slot.waiting + 1, self._links, business))
            uow.waiting_list.add(
                entry, seen_waiting=slot.waiting, max_open_entries=business.max_open_entries
            )
            try:
                uow.commit()
            except (AlreadyOnList, AlreadyQueued) as error:  # its message names the place
                raise self._already_waiting(entry) from error
            except OpenListLimit as error:
                raise TooManyEntries(limit_message(business.max_open_entries)) from error
            logger.info("joined the waiting list", extra=_ids(entry))
            return entry, slot.waiting + 1

    def join_window(
        self,
        business_id: str,
        service_id: str,
        contact: Contact,
        window: EntryWindow,
    ) -> tuple[WaitingEntry, int]:
        """Wait for a seat in any slot of a service between two moments, with a given
        staff member or at a given location if asked; returns the entry and its position
        among the service's window entries."""
        with self._uow() as uow:
            service, business = uow.catalogue.get_service_and_business(business_id, service_id)
        if business is None:
            raise NotFound(f"no business {business_id!r}")
        if service is None:
            raise NotFound(f"no service {service_id!r}")
        if not business.waiting_list_open:
            raise WaitingListClosed("this business does not keep a waiting list")
        now = self._clock.now()
        window = replace(
            window,
            starts_from=to_utc(window.starts_from, business.time_zone),
            ends_by=to_utc(window.ends_by, business.time_zone),
        )
        _check_window(window, now)
        entry = WaitingEntry(
            business_id=business_id,
            slot_id="",
            entry_id=new_id(),
            status=EntryStatus.WAITING,
            contact=contact,
            slot=SlotSummary(
                business_name=business.name,
                time_zone=business.time_zone,
                language=business.language,
                service_name=service.name,
                starts_at=window.starts_from,
                ends_at=window.ends_by,
                staff=window.staff,
                location=window.location,
                waiting_list_mode=service.waiting_list_mode,
                service_id=service_id,
            ),
            signed_up_at=now,
            window=window,
        )
        return self._add_window_entry(entry, business)

    def ask_for_earlier(
        self, business_id: str, slot_id: str, booking_id: str, *, starts_from: datetime | None
    ) -> tuple[WaitingEntry, int]:
        """A customer holding a booking asks to be moved when an earlier seat of the same
        service frees up (any staff member or location, from `starts_from` or now). One
        open request per booking."""
        with self._uow() as uow:
            booking, slot, business = uow.bookings.get_booking_context(
                business_id, slot_id, booking_id
            )
        if booking is None or slot is None or business is None:
            raise NotFound(f"no booking {booking_id!r}")
        if not booking.status.holds_seat:
            raise NotActive(f"a {booking.status.value} booking cannot be moved")
        if not business.waiting_list_open:
            raise WaitingListClosed("this business does not keep a waiting list")
        now = self._clock.now()
        window = EntryWindow(
            service_id=slot.service_id,
            starts_from=max(to_utc(starts_from, business.time_zone) if starts_from else now, now),
            ends_by=booking.slot.starts_at,
        )
        # It ends when the customer's booking starts, so however far ahead that is, the
        # request is bounded: only a window the customer sets themselves has a cap.
        _check_window(window, now, field="starts_from", capped=starts_from is not None)
        entry = WaitingEntry(
            business_id=business_id,
            slot_id="",
            entry_id=id_for_cause(f"earlier.{booking_id}.v{booking.version}"),
            status=EntryStatus.WAITING,
            contact=booking.contact,
            slot=slot.summary(business),
            signed_up_at=now,
            window=window,
            earlier_than=EarlierThan(slot_id=booking.slot_id, booking_id=booking_id),
        )
        try:
            return self._add_window_entry(entry, business)
        except AlreadyAsked as error:
            raise AlreadyAsked("this booking already waits for an earlier slot") from error

    def _add_window_entry(
        self, entry: WaitingEntry, business: Business
    ) -> tuple[WaitingEntry, int]:
        max_open_entries = business.max_open_entries

        def attempt() -> tuple[WaitingEntry, int]:
            with self._uow() as uow:
                # Entries ahead of a new one: it signed up last, so this is its place.
                position = uow.waiting_list.position_of(entry)
                uow.outbox.add(joined_messages(entry, position, self._links, business))
                uow.waiting_list.add(entry, seen_waiting=None, max_open_entries=max_open_entries)
                try:
                    uow.commit()
                except (AlreadyOnList, AlreadyQueued) as error:  # its message names the place
                    if entry.earlier_than is not None:
                        raise AlreadyAsked("already on this list") from error
                    raise self._already_waiting(entry) from error
                except OpenListLimit as error:
                    raise TooManyEntries(limit_message(max_open_entries)) from error
            logger.info("joined a window waiting list", extra=_ids(entry))
            return entry, position

        return retry(attempt, on=(RetryableConflict,), gave_up=LIST_BUSY)

    def _already_waiting(self, joining: WaitingEntry) -> Conflict:
        """The customer's open place on the list they tried to join again."""
        on_list = list_key(joining)
        with self._uow() as uow:
            place = (
                uow.waiting_list.open_place(joining.business_id, on_list, joining.contact)
                if on_list
                else None
            )
            if place is None:
                return Conflict("you are already on this waiting list")
            waiting = place.status is EntryStatus.WAITING
            return AlreadyWaiting(place, uow.waiting_list.position_of(place) if waiting else None)

    def close_ended_windows(self) -> int:
        """Close window entries whose window has ended, so they no longer count as open
        (and freed seats are no longer held for them). Each is closed once, however
        often the sweep runs; one with an offer in flight waits for its answer."""
        now = self._clock.now()
        closed = 0
        with self._uow() as uow:
            ended = uow.waiting_list.ended_windows(now, ENDED_PER_SWEEP)
        for entry in ended:
            if entry.status is not EntryStatus.WAITING:
                continue
            try:
                self._leave(entry, now, status=EntryStatus.ENDED)
            except NotActive:
                continue  # booked, left or offered meanwhile
            closed += 1
        if closed:
            logger.info("closed ended windows", extra={"closed": closed})
        return closed

    def view_place(self, link: LinkClaims) -> tuple[WaitingEntry, int | None]:
        """The place a customer's link names, on a slot's list or a service's."""
        if link.kind == WINDOW_ENTRY:
            return self.view_window(link.business_id, link.slot_id, link.item_id)
        return self.view(link.business_id, link.slot_id, link.item_id)

    def leave_place(self, link: LinkClaims) -> WaitingEntry:
        if link.kind == WINDOW_ENTRY:
            return self.leave_window(link.business_id, link.slot_id, link.item_id)
        return self.leave(link.business_id, link.slot_id, link.item_id)

    def view_window(
        self, business_id: str, service_id: str, entry_id: str
    ) -> tuple[WaitingEntry, int | None]:
        entry = self._window_entry(business_id, service_id, entry_id)
        return entry, self._position(entry)

    def leave_window(self, business_id: str, service_id: str, entry_id: str) -> WaitingEntry:
        entry = self._window_entry(business_id, service_id, entry_id)
        with self._uow() as uow:
            business = uow.catalogue.get_business(business_id)
        now = self._clock.now()
        messages = left_messages(entry, business, now) if business else []
        left = self._leave(entry, now, messages)
        logger.info("left a window waiting list", extra=_ids(left))
        return left

    def waiting_for_service(
        self, business_id: str, service_id: str
    ) -> tuple[Service, list[WaitingEntry]]:
        """A service's window entries and earlier-slot requests still waiting, in sign-up
        order (the first WINDOWS_SHOWN): one read of the service, one Query of its queue."""
        with self._uow() as uow:
            service, _ = uow.catalogue.get_service_and_business(business_id, service_id)
            if service is None:
                raise NotFound(f"no service {service_id!r}")
            return service, uow.waiting_list.waiting_in_windows(
                business_id, service_id, WINDOWS_SHOWN
            )

    def list_for_service(self, business_id: str, service_id: str) -> list[WaitingEntry]:
        """A service's window entries and earlier-slot requests, in sign-up order."""
        with self._uow() as uow:
            service, _ = uow.catalogue.get_service_and_business(business_id, service_id)
            if service is None:
                raise NotFound(f"no service {service_id!r}")
            return uow.waiting_list.list_window_entries(business_id, service_id)

    def _window_entry(self, business_id: str, service_id: str, entry_id: str) -> WaitingEntry:
        with self._uow() as uow:
            entry = uow.waiting_list.get_window_entry(business_id, service_id, entry_id)
        if entry is None:
            raise NotFound("no such place on the waiting list")
        return entry

    def view(
        self, business_id: str, slot_id: str, entry_id: str
    ) -> tuple[WaitingEntry, int | None]:
        """The entry, and its position while it still waits."""
        entry = self._entry(business_id, slot_id, entry_id)
        return entry, self._position(entry)

    def _position(self, entry: WaitingEntry) -> int | None:
        if entry.status is not EntryStatus.WAITING:
            return None
        with self._uow() as uow:
            return uow.waiting_list.position_of(entry)

    def leave(self, business_id: str, slot_id: str, entry_id: str) -> WaitingEntry:
        """Leave the list; the customer is told, in the same write."""
        with self._uow() as uow:
            entry, business = uow.waiting_list.get_entry_and_business(
                business_id, slot_id, entry_id
            )
        if entry is None:
            raise NotFound("no such place on the waiting list")
        now = self._clock.now()
        messages = left_messages(entry, business, now) if business else []
        left = self._leave(entry, now, messages)
        logger.info("left the waiting list", extra=_ids(left))
        return left

    def allocations(self, business_id: str, slot_id: str) -> list[RefillDecision]:
        """The refill's decisions for the slot, newest first: who got each freed seat, who
        was passed over and why, or why the seat went back on sale."""
        with self._uow() as uow:
            if uow.catalogue.get_slot(business_id, slot_id) is None:
                raise NotFound(f"no slot {slot_id!r}")
            return uow.refills.refills(business_id, slot_id)

    def list_for_slot(self, business_id: str, slot_id: str) -> list[WaitingEntry]:
        with self._uow() as uow:
            if uow.catalogue.get_slot(business_id, slot_id) is None:
                raise NotFound(f"no slot {slot_id!r}")
            return uow.waiting_list.list_entries(business_id, slot_id)

    def _leave(
        self,
        entry: WaitingEntry,
        now: datetime,
        messages: Sequence[OutboxMessage] = (),
        status: EntryStatus = EntryStatus.LEFT,
    ) -> WaitingEntry:
        """The place closes; its messages are queued in the same write."""
        with self._uow() as uow:
            uow.outbox.add(messages)
            uow.waiting_list.left(entry, now, status)
            try:
                uow.commit()
            except (EntryNoLongerWaiting, AlreadyQueued) as error:
                # Its messages are queued only by the write that closed it: either says so.
                raise NotActive("this place on the waiting list is no longer waiting") from error
        return replace(entry, status=status, updated_at=now)

    def _entry(self, business_id: str, slot_id: str, entry_id: str) -> WaitingEntry:
        with self._uow() as uow:
            entry = uow.waiting_list.get_entry(business_id, slot_id, entry_id)
        if entry is None:
            raise NotFound("no such place on the waiting list")
        return entry


def _ids(entry: WaitingEntry) -> dict[str, str]:
    return {"business_id": entry.business_id, "slot_id": entry.slot_id, "entry_id": entry.entry_id}


def _check_window(
    window: EntryWindow, now: datetime, field: str = "ends_by", *, capped: bool = True
) -> None:
    if window.ends_by <= window.starts_from:
        raise InvalidRequest(field, "the window must end after it starts")
    if window.ends_by <= now:
        raise InvalidRequest(field, "the window is over already")
    if capped and window.ends_by - window.starts_from > MAX_WINDOW:
        raise InvalidRequest(field, f"a window spans at most {MAX_WINDOW.days} days")
