"""Who can take a seat of a slot freed now: the one plan the refill follows, the offers'
rounds ask by, and a release's preview shows staff before they release."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime, timedelta

from chalicelib.domain.allocation import WAITING_LIST_OFF, eligible
from chalicelib.domain.model import Allocation, Business, SlotSummary
from chalicelib.ports.waiting_list import WaitingListRepository

CANDIDATES_PER_QUERY = 10


def plan(
    waiting_list: WaitingListRepository,
    business: Business | None,
    slot_id: str,
    slot: SlotSummary,
    now: datetime,
    *,
    wanted: int = 1,
    already_asked: Sequence[str] = (),
    chain_step: int = 0,
    holders: frozenset[str] = frozenset(),
    asked_customers: frozenset[str] = frozenset(),
) -> Allocation:
    """Who could take a seat of this slot now, in sign-up order: one Query on the slot's
    list sorted by sign-up time, whatever its length, and — while window entries are
    open — one on its service's list, merged by sign-up time. `holders` hold a seat of
    the slot already; `already_asked` entries and `asked_customers` were asked for this
    seat before."""
    if business is None or not business.waiting_list_open:
        return Allocation(chosen=None, reason_if_none=WAITING_LIST_OFF)
    limit = max(wanted, CANDIDATES_PER_QUERY) + len(already_asked)
    candidates = waiting_list.waiting_candidates(business.business_id, slot_id, limit)
    if business.open_windows > 0:
        candidates += waiting_list.window_candidates(business.business_id, slot, limit)
    asked = set(already_asked)
    return eligible(
        [entry for entry in candidates if entry.entry_id not in asked],
        slot_starts_at=slot.starts_at,
        now=now,
        cutoff=timedelta(minutes=business.refill_cutoff_minutes),
        chain_step=chain_step,
        holders=holders,
        asked_customers=asked_customers,
    )
