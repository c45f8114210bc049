"""Places on waiting lists, in memory. A place's entry, the customer's membership of the
list, their count of open lists and the list's length (the slot's `waiting`, or the
business's count of open windows) are separate items, written together."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime
from typing import Any

from chalicelib.domain.allocation import queue_position, sign_up_order
from chalicelib.domain.model import (
    Booking,
    Business,
    Contact,
    EntryStatus,
    Slot,
    SlotSummary,
    WaitingEntry,
    customer_key,
    list_key,
)
from chalicelib.domain.offers import Offer
from chalicelib.domain.refusals import (
    AlreadyOnList,
    EntryNoLongerWaiting,
    OpenListLimit,
    SeatChanged,
)
from tests.fakes.state import InMemoryState, Key, StagedWrites, count_by, is_new, refused


def home_of(entry: WaitingEntry) -> Key:
    """The list an entry lives on: its slot's, or for a window entry its service's."""
    if entry.window is not None:
        return (entry.business_id, "SERVICE", entry.window.service_id, entry.entry_id)
    return (entry.business_id, "SLOT", entry.slot_id, entry.entry_id)


def home_of_offered(offer: Offer) -> Key:
    if offer.window_service_id:
        return (offer.business_id, "SERVICE", offer.window_service_id, offer.entry_id)
    return (offer.business_id, "SLOT", offer.slot_id, offer.entry_id)


def _position(entry: WaitingEntry) -> str:
    return queue_position(entry.signed_up_at, entry.entry_id)


def _with_status(status: EntryStatus) -> Any:
    return lambda entry: entry is not None and entry.status is status


def _one_waiting_fewer(slot: Slot | None) -> Slot | None:
    return None if slot is None else replace(slot, waiting=slot.waiting - 1)


class InMemoryWaitingList:
    def __init__(self, state: InMemoryState, writes: StagedWrites) -> None:
        self._state = state
        self._writes = writes

    # --- reads ---------------------------------------------------------------------------
    def get_entry(self, business_id: str, slot_id: str, entry_id: str) -> WaitingEntry | None:
        return self._state.entries.get((business_id, "SLOT", slot_id, entry_id))

    def get_window_entry(
        self, business_id: str, service_id: str, entry_id: str
    ) -> WaitingEntry | None:
        return self._state.entries.get((business_id, "SERVICE", service_id, entry_id))

    def get_entry_and_business(
        self, business_id: str, slot_id: str, entry_id: str
    ) -> tuple[WaitingEntry | None, Business | None]:
        # As the DynamoDB read: the profile alone, without the count of open windows.
        return (
            self.get_entry(business_id, slot_id, entry_id),
            self._state.business(business_id, with_windows=False),
        )

    def position_of(self, entry: WaitingEntry) -> int:
        mine = _position(entry)
        ahead = [other for other in self._queue(home_of(entry)[:3]) if _position(other) < mine]
        return len(ahead) + 1

    def open_place(self, business_id: str, on_list: str, contact: Contact) -> WaitingEntry | None:
        place = self._state.members.get((business_id, on_list, customer_key(contact)))
        return None if place is None else self._state.entries.get(place)

    def waiting_candidates(self, business_id: str, slot_id: str, limit: int) -> list[WaitingEntry]:
        return self._queue((business_id, "SLOT", slot_id))[:limit]

    def waiting_in_windows(
        self, business_id: str, service_id: str, limit: int
    ) -> list[WaitingEntry]:
        return self._queue((business_id, "SERVICE", service_id))[:limit]

    def window_candidates(
        self, business_id: str, slot: SlotSummary, limit: int
    ) -> list[WaitingEntry]:
        if slot.service_id is None:
            return []

        def fits(entry: WaitingEntry) -> bool:
            window = entry.window
            return (
                window is not None
                and window.starts_from <= slot.starts_at
                and window.ends_by >= slot.ends_at
                and (window.staff is None or window.staff == (slot.staff or ""))
                and (window.location is None or window.location == (slot.location or ""))
            )

        queue = self._queue((business_id, "SERVICE", slot.service_id))
        return [entry for entry in queue if fits(entry)][:limit]

    def ended_windows(self, now: datetime, limit: int) -> list[WaitingEntry]:
        ended = [
            (deadline, entry)
            for entry in self._state.entries.values()
            if (deadline := _window_deadline(entry)) is not None and deadline < _utc(now)
        ]
        return [entry for _, entry in sorted(ended, key=lambda found: found[0])][:limit]

    def list_entries(self, business_id: str, slot_id: str) -> list[WaitingEntry]:
        return sign_up_order(self._on_list((business_id, "SLOT", slot_id)))

    def list_window_entries(self, business_id: str, service_id: str) -> list[WaitingEntry]:
        return sign_up_order(self._on_list((business_id, "SERVICE", service_id)))

    def _on_list(self, where: Key) -> list[WaitingEntry]:
        return [entry for key, entry in self._state.entries.items() if key[:3] == where]

    def _queue(self, where: Key) -> list[WaitingEntry]:
        """The list's entries still waiting, in sign-up order (DynamoDB's queue index holds
        only those)."""
        waiting = [e for e in self._on_list(where) if e.status is EntryStatus.WAITING]
        return sorted(waiting, key=_position)

    # --- staged writes -------------------------------------------------------------------
    def add(self, entry: WaitingEntry, *, seen_waiting: int | None, max_open_entries: int) -> None:
        customer = customer_key(entry.contact)
        if entry.window is None:
            assert seen_waiting is not None, "a slot's list is joined as long as it was read"

            def still_full(slot: Slot | None) -> bool:
                return (
                    slot is not None
                    and slot.taken >= slot.capacity
                    and slot.waiting == seen_waiting
                    and customer not in slot.holders
                )

            self._writes.update(
                "slots",
                (entry.business_id, entry.slot_id),
                lambda slot: replace(slot, waiting=slot.waiting + 1),
                still_full,
                refused(SeatChanged, "the slot has a free seat, or its list changed"),
                paths=("waiting",),
            )
        else:
            self._writes.update(
                "open_windows",
                (entry.business_id,),
                count_by(1),
                paths=("open_windows", "business_id", "kind"),
            )

        def under_limit(count: int | None) -> bool:
            return count is None or count < max_open_entries

        self._writes.update(
            "open_entries",
            (entry.business_id, customer),
            count_by(1),
            under_limit if max_open_entries > 0 else None,
            refused(OpenListLimit, "on as many lists as allowed") if max_open_entries > 0 else None,
            paths=("open_entries", "business_id"),
        )
        on_list = list_key(entry)
        if on_list is not None:
            self._writes.put(
                "members",
                (entry.business_id, on_list, customer),
                home_of(entry),
                is_new,
                refused(AlreadyOnList, "the customer has a place on this list"),
            )
        self._writes.put(
            "entries",
            home_of(entry),
            entry,
            is_new,
            refused(AlreadyOnList, "this place exists"),
        )

    def booked(self, entry: WaitingEntry, booking: Booking) -> None:
        def booked(stored: WaitingEntry) -> WaitingEntry:
            return replace(
                stored,
                status=EntryStatus.BOOKED,
                booking_id=booking.booking_id,
                slot_id=booking.slot_id,
                updated_at=booking.updated_at or booking.created_at,
            )

        self._writes.update(
            "entries",
            home_of(entry),
            booked,
            _with_status(EntryStatus.WAITING),
            refused(EntryNoLongerWaiting, "the place no longer waits"),
            paths=(
                "status",
                "booking_id",
                "slot_id",
                "updated_at",
                "queue_position",
                "open_partition",
                "open_until",
            ),
        )
        self._closed(
            entry.business_id,
            entry.contact,
            list_key(entry),
            entry.window is not None,
            entry.slot_id,
        )

    def left(self, entry: WaitingEntry, now: datetime, status: EntryStatus) -> None:
        self._writes.update(
            "entries",
            home_of(entry),
            lambda stored: replace(stored, status=status, updated_at=now),
            _with_status(EntryStatus.WAITING),
            refused(EntryNoLongerWaiting, "the place no longer waits"),
            paths=("status", "updated_at", "queue_position", "open_partition", "open_until"),
        )
        if entry.window is None:
            self._writes.update(
                "slots",
                (entry.business_id, entry.slot_id),
                _one_waiting_fewer,
                lambda slot: slot is not None,
                refused(SeatChanged, "the slot is gone"),
                paths=("waiting",),
            )
        self._closed(
            entry.business_id, entry.contact, list_key(entry), entry.window is not None, None
        )

    def offered(self, offer: Offer) -> None:
        self._writes.update(
            "entries",
            home_of_offered(offer),
            lambda stored: replace(stored, status=EntryStatus.OFFERED),
            _with_status(EntryStatus.WAITING),
            refused(EntryNoLongerWaiting, "the place no longer waits"),
            paths=("status", "queue_position"),
        )

    def returned(self, offer: Offer) -> None:
        self._writes.update(
            "entries",
            home_of_offered(offer),
            lambda stored: replace(stored, status=EntryStatus.WAITING),
            _with_status(EntryStatus.OFFERED),
            refused(EntryNoLongerWaiting, "the place is no longer offered"),
            paths=("status", "queue_position"),
        )

    def accepted(self, offer: Offer, booking: Booking, now: datetime) -> None:
        def accepted(stored: WaitingEntry) -> WaitingEntry:
            return replace(
                stored, status=EntryStatus.BOOKED, booking_id=booking.booking_id, updated_at=now
            )

        self._writes.update(
            "entries",
            home_of_offered(offer),
            accepted,
            _with_status(EntryStatus.OFFERED),
            refused(EntryNoLongerWaiting, "the place is no longer offered"),
            paths=("status", "booking_id", "updated_at", "open_partition", "open_until"),
        )
        self._closed(
            offer.business_id,
            offer.contact,
            offer.list_key,
            offer.window_service_id is not None,
            offer.slot_id,
        )

    def _closed(
        self,
        business_id: str,
        contact: Contact,
        on_list: str | None,
        is_window: bool,
        slot_id: str | None,
    ) -> None:
        """The list is one shorter, the customer on one list fewer, and their place on this
        one free again."""
        if is_window:
            self._writes.update(
                "open_windows",
                (business_id,),
                count_by(-1),
                paths=("open_windows", "business_id", "kind"),
            )
        elif slot_id is not None:
            # Merges into the seat's write of the same slot (a seat taken from the list).
            self._writes.update(
                "slots", (business_id, slot_id), _one_waiting_fewer, paths=("waiting",)
            )
        customer = customer_key(contact)
        self._writes.update(
            "open_entries", (business_id, customer), count_by(-1), paths=("open_entries",)
        )
        if on_list is not None:
            self._writes.delete("members", (business_id, on_list, customer))


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


def _window_deadline(entry: WaitingEntry) -> str | None:
    """The key DynamoDB lists an open window entry by, on its index of deadlines."""
    if entry.window is None or entry.status not in (EntryStatus.WAITING, EntryStatus.OFFERED):
        return None
    return f"{_utc(entry.window.ends_by)}#{entry.entry_id}"
