"""Places on waiting lists: a slot's list, or a window of a service (dates, staff,
location). A customer has at most one open place per list (AlreadyOnList) and at most the
business's number of open places in all (OpenListLimit)."""

from __future__ import annotations

from datetime import datetime
from typing import Protocol

from chalicelib.domain.model import (
    Booking,
    Business,
    Contact,
    EntryStatus,
    SlotSummary,
    WaitingEntry,
)
from chalicelib.domain.offers import Offer


class WaitingListRepository(Protocol):
    # --- reads ---------------------------------------------------------------------------
    def get_entry(self, business_id: str, slot_id: str, entry_id: str) -> WaitingEntry | None: ...

    def get_window_entry(
        self, business_id: str, service_id: str, entry_id: str
    ) -> WaitingEntry | None: ...

    def get_entry_and_business(
        self, business_id: str, slot_id: str, entry_id: str
    ) -> tuple[WaitingEntry | None, Business | None]:
        """One read for both."""
        ...

    def position_of(self, entry: WaitingEntry) -> int:
        """1 for the next in line: the entries still waiting ahead of it, plus one."""
        ...

    def open_place(self, business_id: str, on_list: str, contact: Contact) -> WaitingEntry | None:
        """The customer's open place on a list (`list_key`), if they have one."""
        ...

    def waiting_candidates(self, business_id: str, slot_id: str, limit: int) -> list[WaitingEntry]:
        """The first `limit` entries of the slot's list still waiting, in sign-up order."""
        ...

    def waiting_in_windows(
        self, business_id: str, service_id: str, limit: int
    ) -> list[WaitingEntry]:
        """The first `limit` window entries and earlier-slot requests of a service still
        waiting, in sign-up order: one Query, however many closed before them."""
        ...

    def window_candidates(
        self, business_id: str, slot: SlotSummary, limit: int
    ) -> list[WaitingEntry]:
        """The first `limit` window entries still waiting that a seat of `slot` fits (its
        service, within the window, staff and location if asked for), in sign-up order."""
        ...

    def ended_windows(self, now: datetime, limit: int) -> list[WaitingEntry]:
        """Window entries still open whose window ended by `now`, across businesses."""
        ...

    def list_entries(self, business_id: str, slot_id: str) -> list[WaitingEntry]:
        """Every entry of a slot's list, whatever its status, in sign-up order."""
        ...

    def list_window_entries(self, business_id: str, service_id: str) -> list[WaitingEntry]:
        """Every window entry of a service, whatever its status, in sign-up order."""
        ...

    # --- staged writes -------------------------------------------------------------------
    def add(self, entry: WaitingEntry, *, seen_waiting: int | None, max_open_entries: int) -> None:
        """Stage: a new place. On a slot's list (`seen_waiting`: the list's length read),
        refused with SeatChanged unless the slot is still full, its list as long as read
        and the customer holds no seat of it; a window entry is counted among the
        business's open windows. Refused with AlreadyOnList or OpenListLimit."""
        ...

    def booked(self, entry: WaitingEntry, booking: Booking) -> None:
        """Stage: a waiting customer got a seat by `booking`; their place closes. Refused
        (EntryNoLongerWaiting) unless the entry still waits."""
        ...

    def left(self, entry: WaitingEntry, now: datetime, status: EntryStatus) -> None:
        """Stage: the place closes without a seat (left, removed, window ended). Refused
        (EntryNoLongerWaiting) unless the entry still waits."""
        ...

    def offered(self, offer: Offer) -> None:
        """Stage: the entry is offered a seat and steps out of the queue while the offer
        is open. Refused (EntryNoLongerWaiting) unless it still waits."""
        ...

    def returned(self, offer: Offer) -> None:
        """Stage: the offer closed without a seat; the customer is back at their place.
        Refused (EntryNoLongerWaiting) unless the entry is still offered."""
        ...

    def accepted(self, offer: Offer, booking: Booking, now: datetime) -> None:
        """Stage: the offered customer took the seat by `booking`; their place closes.
        Refused (EntryNoLongerWaiting) unless the entry is still offered."""
        ...
