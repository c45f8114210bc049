"""The vocabulary of Standby: businesses, services, slots, bookings and waiting entries.

Pure data and the rules that belong to a single object. No AWS, no clock reads:
every moment a rule needs is passed in.
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime
from enum import StrEnum
from typing import TYPE_CHECKING

from chalicelib.domain.refill import RefillOutcome
from chalicelib.domain.reminders import DEFAULT_LEAD_MINUTES
from chalicelib.domain.time_rules import ActiveHours
from chalicelib.domain.values import ChannelPreference as ChannelPreference
from chalicelib.domain.values import Contact as Contact
from chalicelib.domain.values import SlotSummary as SlotSummary
from chalicelib.domain.values import WaitingListMode as WaitingListMode
from chalicelib.domain.values import customer_key as customer_key

if TYPE_CHECKING:
    from chalicelib.domain.workflows import WorkflowRule


class BookingStatus(StrEnum):
    PENDING = "pending"
    """Waiting for staff to confirm; holds its seat meanwhile."""
    CONFIRMED = "confirmed"
    REJECTED = "rejected"
    CANCELLED = "cancelled"
    NO_SHOW = "no_show"
    DELETED = "deleted"
    MOVED = "moved"
    """Moved to another slot; the booking lives on there."""

    @property
    def holds_seat(self) -> bool:
        return self in (BookingStatus.PENDING, BookingStatus.CONFIRMED)


class BookingSource(StrEnum):
    DIRECT = "direct"
    WAITING_LIST = "waiting_list"


class SeatAfterRelease(StrEnum):
    """What the write that freed a seat did with it."""

    HELD_FOR_WAITING_LIST = "held_for_waiting_list"
    BACK_ON_SALE = "back_on_sale"


class PaymentStatus(StrEnum):
    UNPAID = "unpaid"
    PAID = "paid"


class EntryStatus(StrEnum):
    WAITING = "waiting"
    OFFERED = "offered"
    """Holding an open offer; back to waiting if it expires or is declined."""
    BOOKED = "booked"
    LEFT = "left"
    ENDED = "ended"
    """A window entry whose window passed without a seat."""


class Actor(StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"
    WAITING_LIST = "waiting_list"


@dataclass(frozen=True)
class Business:
    """A business as read with its profile: who it is, how its waiting list behaves and
    how it messages customers, and a few values read along so common reads need no other."""

    # --- profile ---
    business_id: str
    name: str
    time_zone: str
    language: str
    addresses: dict[str, str] = field(default_factory=dict)
    """Email addresses of staff members and locations, by name, for their copies."""
    staff_email: str | None = None
    """Where staff notices go when the slot's staff member or location has no address."""
    embed_origins: tuple[str, ...] = ()
    """The https origins of the business's own websites, which may show its booking site in
    a frame; none: no site may."""

    # --- waiting-list policy ---
    waiting_list_open: bool = True
    waiting_list_mode: WaitingListMode = WaitingListMode.AUTOMATIC
    offer_window_seconds: int = 30 * 60
    """How long a customer has to accept an offer."""
    offer_to_many_count: int = 0
    """How many customers an offer to many goes to at once; 0 means everyone (up to a cap)."""
    refill_cutoff_minutes: int = 0
    """No seat is given from the waiting list this close to the slot's start."""
    max_offers_per_day: int = 0
    """How many offers one customer may get in a day (the business's day); 0: no limit."""
    max_open_entries: int = 0
    """How many waiting lists one customer may be on at once; 0: no limit."""

    # --- messaging ---
    message_channels: ChannelPreference = ChannelPreference.EMAIL_FIRST
    active_hours: ActiveHours | None = None
    """Messages wait for these hours (the business's wall clock); None: any time."""
    reminder_lead_times: tuple[int, ...] = DEFAULT_LEAD_MINUTES
    """Minutes before a slot each reminder goes out; empty: no reminders."""
    workflows: tuple[WorkflowRule, ...] = ()
    """The business's saved workflow rules: changed default rules and its own."""
    custom_templates: dict[str, int] = field(default_factory=dict)
    """The current version of each text the business wrote itself, by type/channel/language:
    kept here so a message knows it without another read."""

    # --- read along with the profile, so what needs them costs no other read ---
    pipeline_start_id: str | None = None
    pipeline_start_name: str | None = None
    """Where bookings of pipeline services begin."""
    open_windows: int = 0
    """Window entries (a service and a date range rather than one slot) still open: while
    any is, a freed seat is held for the list until the refill has looked for a match."""
    revision: int = 0
    """The profile's revision as read: a change made from it is saved only if no other
    change came first."""

    def sendable_from(self, moment: datetime) -> datetime:
        """The earliest moment a message written at `moment` may go out."""
        if self.active_hours is None:
            return moment
        return self.active_hours.next_open_moment(moment, self.time_zone)

    def address_for(self, staff: str | None, location: str | None) -> str | None:
        """The staff member's address, else the location's, else the business's own."""
        for name in (staff, location):
            if name and name in self.addresses:
                return self.addresses[name]
        return self.staff_email

    def list_claims_freed_seats(self, slot: SlotSummary) -> bool:
        """Whether a freed seat is held for the waiting list (not in manual mode, where
        staff decide and the seat stays on sale meanwhile)."""
        mode = slot.waiting_list_mode or self.waiting_list_mode
        return self.waiting_list_open and mode is not WaitingListMode.MANUAL


@dataclass(frozen=True)
class Service:
    business_id: str
    service_id: str
    name: str
    duration_minutes: int
    requires_confirmation: bool = False
    """Bookings wait as pending until staff confirm them."""
    uses_status_pipeline: bool = False
    """Bookings go through the business's status pipeline (and so wait as pending)."""
    waiting_list_mode: WaitingListMode | None = None
    """Overrides the business's waiting-list mode for this service."""


@dataclass(frozen=True)
class Slot:
    business_id: str
    slot_id: str
    service_id: str
    service_name: str
    starts_at: datetime
    ends_at: datetime
    capacity: int
    staff: str | None = None
    location: str | None = None
    requires_confirmation: bool = False
    uses_status_pipeline: bool = False
    waiting_list_mode: WaitingListMode | None = None
    taken: int = 0
    """Seats booked or held for the waiting list."""
    held: int = 0
    """Seats freed and held for the waiting list until the refill decides."""
    waiting: int = 0
    """Customers on the waiting list, still waiting."""
    holders: frozenset[str] = frozenset()
    """The customers (by `customer_key`) holding a seat of the slot: one seat each."""

    def is_held_by(self, contact: Contact) -> bool:
        return customer_key(contact) in self.holders

    @property
    def free_seats(self) -> int:
        return max(self.capacity - self.taken, 0)

    @property
    def is_full(self) -> bool:
        return self.free_seats == 0

    def summary(self, business: Business) -> SlotSummary:
        return SlotSummary(
            business_name=business.name,
            time_zone=business.time_zone,
            language=business.language,
            service_name=self.service_name,
            starts_at=self.starts_at,
            ends_at=self.ends_at,
            staff=self.staff,
            location=self.location,
            waiting_list_mode=self.waiting_list_mode,
            service_id=self.service_id,
            reminder_lead_minutes=business.reminder_lead_times,
        )


def list_key(entry: WaitingEntry) -> str | None:
    """The list an entry is a place on, for the rule "one open place per customer per
    list": a slot's own list, or one window (the same service, dates, staff member and
    location). None for an earlier-slot request, which is one per booking already."""
    if entry.earlier_than is not None:
        return None
    window = entry.window
    if window is None:
        return f"SLOT#{entry.slot_id}"
    parts = "|".join(
        (
            window.starts_from.astimezone(UTC).isoformat(),
            window.ends_by.astimezone(UTC).isoformat(),
            window.staff or "",
            window.location or "",
        )
    )
    return f"WINDOW#{window.service_id}#{hashlib.sha256(parts.encode()).hexdigest()[:24]}"


@dataclass(frozen=True)
class Booking:
    business_id: str
    slot_id: str
    booking_id: str
    status: BookingStatus
    source: BookingSource
    contact: Contact
    slot: SlotSummary
    created_at: datetime
    version: int = 1
    updated_at: datetime | None = None
    cancelled_by: Actor | None = None
    seat_after_release: SeatAfterRelease | None = None
    waiting_entry_id: str | None = None
    reason: str | None = None
    """Why it was rejected, cancelled or moved, when someone said."""
    moved_to_slot_id: str | None = None
    moved_from_slot_id: str | None = None
    pipeline_status_id: str | None = None
    pipeline_status_name: str | None = None
    payment_status: PaymentStatus | None = None
    """Bookings given from the waiting list start unpaid; None where no payment is tracked."""
    chain_step: int = 0
    """On a booking moved to an earlier seat from the waiting list: how many such moves
    in a row led here, so a chain of moves stays bounded."""

    reminded_until: datetime | None = None
    """Reminders of its slot due up to this moment are done: sent, or skipped because the
    booking arrived in the slot later. None: up to when it was made."""


@dataclass(frozen=True)
class EntryWindow:
    """What a window entry waits for: any slot of a service within a date range, with a
    given staff member or at a given location when the customer asked for one."""

    service_id: str
    starts_from: datetime
    ends_by: datetime
    staff: str | None = None
    location: str | None = None

    def fits(self, slot: SlotSummary) -> bool:
        """Whether a seat of `slot` is what the customer waits for."""
        return (
            slot.service_id == self.service_id
            and self.starts_from <= slot.starts_at
            and slot.ends_at <= self.ends_by
            and (self.staff is None or self.staff == slot.staff)
            and (self.location is None or self.location == slot.location)
        )


@dataclass(frozen=True)
class EarlierThan:
    """An earlier-slot request: the booking to move when an earlier seat is found."""

    slot_id: str
    booking_id: str


@dataclass(frozen=True)
class WaitingEntry:
    business_id: str
    slot_id: str
    """The slot waited for; for a window entry, the slot it was booked into, if any."""
    entry_id: str
    status: EntryStatus
    contact: Contact
    slot: SlotSummary
    """For a window entry: the service, and the window as its start and end."""
    signed_up_at: datetime
    booking_id: str | None = None
    updated_at: datetime | None = None
    window: EntryWindow | None = None
    """Set for an entry that waits for any matching slot rather than one slot."""
    earlier_than: EarlierThan | None = None
    """Set when the customer holds a booking and waits for an earlier seat to move to."""

    def fits(self, slot_id: str, slot: SlotSummary) -> bool:
        if self.window is None:
            return self.slot_id == slot_id
        return self.window.fits(slot)


@dataclass(frozen=True)
class SkippedEntry:
    entry_id: str
    reason: str


@dataclass(frozen=True)
class Allocation:
    """The refill's decision for one freed seat."""

    chosen: WaitingEntry | None
    skipped: tuple[SkippedEntry, ...] = field(default_factory=tuple)
    reason_if_none: str | None = None
    others: tuple[WaitingEntry, ...] = field(default_factory=tuple)
    """Everyone else who could take it, in order (asked too when offering to many)."""

    @property
    def in_order(self) -> list[WaitingEntry]:
        return ([self.chosen] if self.chosen else []) + list(self.others)


@dataclass(frozen=True)
class RefillDecision:
    """What the refill decided for one freed seat; recorded once per cause."""

    cause: str
    outcome: RefillOutcome
    decided_at: datetime
    skipped: Sequence[SkippedEntry]
    booking_id: str | None = None
    entry_id: str | None = None
    reason: str | None = None
    round: int = 0
    """Rounds of offers made for the seat so far (modes that offer)."""
    closed_round: int = 0
    """The last round whose offers were all closed."""
    offered: tuple[str, ...] = ()
    """Entries the seat was offered to."""
    offered_customers: tuple[str, ...] = ()
    """The customers (by `customer_key`) those entries belong to: none is asked twice."""
    holds_seat: bool = True
    """False for offers staff sent in manual mode: the seat stayed on sale meanwhile."""
