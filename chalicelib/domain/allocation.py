"""The allocation policy: who gets a freed seat, in what order, and why others were passed over."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import UTC, datetime, timedelta

from chalicelib.domain.model import (
    Allocation,
    EntryStatus,
    SkippedEntry,
    WaitingEntry,
    customer_key,
)

SLOT_HAS_STARTED = "the slot has started"
WITHIN_CUTOFF = "too close to the slot's start"
WAITING_LIST_OFF = "the waiting list is switched off"
STAFF_CHOOSE = "staff choose from the list (manual mode)"
NO_ONE_WAITING = "no one is waiting"
NO_LONGER_WAITING = "no longer waiting"
NO_CONTACT = "no email address or phone number to reach them"
CHAIN_LIMIT = "earlier-slot moves in a row reached the limit"
HOLDS_A_SEAT = "already holds a seat of this slot"
SAME_CUSTOMER = "the same customer is ahead in line on another list"
ALREADY_ASKED = "already asked for this seat through another list"

MAX_CHAIN_STEPS = 3
"""An earlier-slot move frees a later seat, which may move someone else earlier in turn:
at most this many moves follow one freed seat, so a chain always ends."""


def queue_position(signed_up_at: datetime, entry_id: str) -> str:
    """A key that sorts entries by sign-up time, ties broken by id, as DynamoDB sorts strings."""
    moment = signed_up_at.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")
    return f"{moment}#{entry_id}"


def sign_up_order(entries: Sequence[WaitingEntry]) -> list[WaitingEntry]:
    return sorted(entries, key=lambda entry: queue_position(entry.signed_up_at, entry.entry_id))


def eligible(
    candidates: Sequence[WaitingEntry],
    *,
    slot_starts_at: datetime,
    now: datetime,
    cutoff: timedelta = timedelta(0),
    chain_step: int = 0,
    holders: frozenset[str] = frozenset(),
    asked_customers: frozenset[str] = frozenset(),
) -> Allocation:
    """Who can take a seat of this slot now, in sign-up order (`chosen` is the first;
    `others` the rest), who was passed over and why. `chain_step` counts the earlier-slot
    moves that freed this seat; at the limit, earlier-slot requests are passed over.

    One customer is one candidate, whatever lists they wait on: their first place in
    line counts and their later ones are passed over, as is anyone already holding a seat
    of the slot (`holders`) or already asked for this seat (`asked_customers`), all by
    `customer_key`."""
    ordered = sign_up_order(candidates)
    too_late = (
        SLOT_HAS_STARTED
        if now >= slot_starts_at
        else WITHIN_CUTOFF
        if now >= slot_starts_at - cutoff
        else None
    )
    if too_late:
        skipped = tuple(SkippedEntry(entry.entry_id, too_late) for entry in ordered)
        return Allocation(chosen=None, skipped=skipped, reason_if_none=too_late)
    skipped_so_far: list[SkippedEntry] = []
    able: list[WaitingEntry] = []
    chosen_customers: set[str] = set()
    for entry in ordered:
        customer = customer_key(entry.contact)
        if entry.status is not EntryStatus.WAITING:
            skipped_so_far.append(SkippedEntry(entry.entry_id, NO_LONGER_WAITING))
        elif not (entry.contact.email or entry.contact.phone):
            skipped_so_far.append(SkippedEntry(entry.entry_id, NO_CONTACT))
        elif entry.earlier_than is not None and chain_step >= MAX_CHAIN_STEPS:
            skipped_so_far.append(SkippedEntry(entry.entry_id, CHAIN_LIMIT))
        elif customer in holders:
            skipped_so_far.append(SkippedEntry(entry.entry_id, HOLDS_A_SEAT))
        elif customer in asked_customers:
            skipped_so_far.append(SkippedEntry(entry.entry_id, ALREADY_ASKED))
        elif customer in chosen_customers:
            skipped_so_far.append(SkippedEntry(entry.entry_id, SAME_CUSTOMER))
        else:
            chosen_customers.add(customer)
            able.append(entry)
    if not able:
        return Allocation(chosen=None, skipped=tuple(skipped_so_far), reason_if_none=NO_ONE_WAITING)
    return Allocation(chosen=able[0], skipped=tuple(skipped_so_far), others=tuple(able[1:]))


def choose_next(
    candidates: Sequence[WaitingEntry],
    *,
    slot_starts_at: datetime,
    now: datetime,
    cutoff: timedelta = timedelta(0),
    chain_step: int = 0,
    holders: frozenset[str] = frozenset(),
) -> Allocation:
    """Give the seat to the customer who signed up first and can still take it, unless
    the slot starts within `cutoff` (then the seat goes back on sale)."""
    found = eligible(
        candidates,
        slot_starts_at=slot_starts_at,
        now=now,
        cutoff=cutoff,
        chain_step=chain_step,
        holders=holders,
    )
    return Allocation(
        chosen=found.chosen, skipped=found.skipped, reason_if_none=found.reason_if_none
    )
