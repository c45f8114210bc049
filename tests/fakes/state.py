"""What the fake repositories share: one dict per kind of item (as DynamoDB keeps one item
per key), and the writes a unit of work stages, committed by DynamoDB's rules.

Each staged write names the item it writes (a table of the state and a key), what it does
to it, the condition it relies on and the refusal the condition's failure means. On
commit every condition is checked against the state as it was before the commit, then
every write is applied — or, when any condition fails, none is and the refusal of the
failed ones is raised (`refusal_of`). Updates of one item merge into one, as the DynamoDB
unit of work merges them: their edits applied in order, their conditions all required,
the first conditioned one's refusal told."""

from __future__ import annotations

import threading
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from enum import Enum
from typing import Any

from chalicelib.domain.lifecycle import Change
from chalicelib.domain.messages import OutboxMessage
from chalicelib.domain.model import (
    Booking,
    Business,
    RefillDecision,
    Service,
    Slot,
    WaitingEntry,
)
from chalicelib.domain.offers import Offer
from chalicelib.domain.pipeline import PipelineStatus
from chalicelib.domain.refusals import Refused, WriteRejected, refusal_of
from chalicelib.domain.seats import Hold, SeatRelease

MAX_ITEMS_PER_TRANSACTION = 100

Key = tuple[Any, ...]
Edit = Callable[[Any], Any]
"""An item as it was (None: absent) → as it becomes (None: deleted)."""
Check = Callable[[Any], bool]
"""Whether a condition holds on an item as it was before the commit (None: absent)."""


@dataclass
class InMemoryState:
    """Everything the repositories keep. Units of work made from one factory share it."""

    businesses: dict[Key, Business] = field(default_factory=dict)
    """By (business,)."""
    """Stored as written: `revision` is the stored revision, `open_windows` always 0 (the
    count lives in `open_windows`, as in its own item)."""
    open_windows: dict[Key, int] = field(default_factory=dict)
    services: dict[Key, Service] = field(default_factory=dict)
    slots: dict[Key, Slot] = field(default_factory=dict)
    statuses: dict[Key, PipelineStatus] = field(default_factory=dict)
    releases: dict[Key, SeatRelease] = field(default_factory=dict)
    bookings: dict[Key, Booking] = field(default_factory=dict)
    """By (business, slot, booking): a moved booking is kept in both slots."""
    history: dict[Key, Change] = field(default_factory=dict)
    """By (business, booking, version)."""
    entries: dict[Key, WaitingEntry] = field(default_factory=dict)
    """By (business, list, entry): the list is the slot's ("SLOT", id) or, for a window
    entry, its service's ("SERVICE", id)."""
    members: dict[Key, Key] = field(default_factory=dict)
    """A customer's open place on a list, (business, list_key, customer) → the entry's key."""
    open_entries: dict[Key, int] = field(default_factory=dict)
    """Lists each customer is on, by (business, customer)."""
    daily_offers: dict[Key, int] = field(default_factory=dict)
    """Offers each customer had on a day, by (business, customer, day)."""
    refills: dict[Key, RefillDecision | Hold] = field(default_factory=dict)
    """Each freed seat's record by (business, slot, cause): its hold while undecided, then
    the decision."""
    offers: dict[Key, Offer] = field(default_factory=dict)
    """By (business, slot, offer id)."""
    messages: dict[Key, OutboxMessage] = field(default_factory=dict)
    """By (business, message id)."""
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)
    failures: list[Exception] = field(default_factory=list)
    """Errors the next commits raise instead of writing, one each (`fail_next_commit`)."""
    commits: int = 0
    """Commits that wrote something."""
    changes: list[ItemChange] = field(default_factory=list)
    """What each commit did to the items of the bookings table that its stream carries to
    the refill (bookings, offers, seat releases), in order: `tests.fakes.streams` reads
    it as the stream handler would."""

    def table(self, name: str) -> dict[Key, Any]:
        table: dict[Key, Any] = getattr(self, name)
        return table

    def fail_next_commit(self, error: Exception) -> None:
        """The next commit raises `error` and writes nothing: a concurrent transaction
        (RetryableConflict) or an outage, for the use cases' retries."""
        self.failures.append(error)

    def business(self, business_id: str, *, with_windows: bool = True) -> Business | None:
        """The profile; with its count of open window entries when the read asks for it
        (some reads of the DynamoDB adapter fetch the profile alone)."""
        stored = self.businesses.get((business_id,))
        if stored is None:
            return None
        windows = self.open_windows.get((business_id,), 0) if with_windows else 0
        return replace(stored, open_windows=windows)


STREAMED = ("bookings", "offers", "releases")


@dataclass(frozen=True)
class ItemChange:
    table: str
    old: Any
    new: Any


class Kind(Enum):
    PUT = "put"
    UPDATE = "update"
    DELETE = "delete"


@dataclass
class StagedWrite:
    kind: Kind
    table: str
    key: Key
    edits: list[Edit]
    checks: list[Check] = field(default_factory=list)
    refusal: Refused | None = None
    paths: set[str] = field(default_factory=set)
    """The attributes an update sets: DynamoDB rejects one update that sets one twice."""
    overlap: set[str] = field(default_factory=set)

    def holds(self, item: Any) -> bool:
        return all(check(item) for check in self.checks)

    def apply(self, item: Any) -> Any:
        for edit in self.edits:
            item = edit(item)
        return item


class StagedWrites:
    """What one unit of work will write on commit."""

    def __init__(self, state: InMemoryState) -> None:
        self._state = state
        self._writes: dict[tuple[str, Key], StagedWrite] = {}

    def __len__(self) -> int:
        return len(self._writes)

    def put(
        self,
        table: str,
        key: Key,
        value: Any,
        condition: Check | None = None,
        refusal: Refused | None = None,
    ) -> None:
        self._add(StagedWrite(Kind.PUT, table, key, [lambda _: value], _checks(condition), refusal))

    def update(
        self,
        table: str,
        key: Key,
        edit: Edit,
        condition: Check | None = None,
        refusal: Refused | None = None,
        *,
        paths: tuple[str, ...],
    ) -> None:
        """`paths`: the attributes the edit sets, as DynamoDB's update would name them."""
        self._add(
            StagedWrite(Kind.UPDATE, table, key, [edit], _checks(condition), refusal, set(paths))
        )

    def delete(
        self,
        table: str,
        key: Key,
        condition: Check | None = None,
        refusal: Refused | None = None,
    ) -> None:
        self._add(
            StagedWrite(Kind.DELETE, table, key, [lambda _: None], _checks(condition), refusal)
        )

    def clear(self) -> None:
        self._writes.clear()

    def _add(self, write: StagedWrite) -> None:
        assert bool(write.checks) == (write.refusal is not None), (
            "a conditioned write names its refusal, and only a conditioned one"
        )
        identity = (write.table, write.key)
        staged = self._writes.get(identity)
        if staged is None:
            self._writes[identity] = write
            return
        # DynamoDB allows one operation per item in a transaction: only updates merge.
        assert staged.kind is Kind.UPDATE and write.kind is Kind.UPDATE, (
            f"two writes of one item that cannot merge: {staged.kind.value} and "
            f"{write.kind.value} of {identity}"
        )
        staged.edits += write.edits
        staged.overlap |= staged.paths & write.paths
        staged.paths |= write.paths
        if write.checks:
            if not staged.checks:
                staged.refusal = write.refusal
            staged.checks += write.checks

    def commit(self) -> None:
        """Check every condition on the state as it was, then write all or nothing."""
        writes = list(self._writes.values())
        self._writes.clear()
        if not writes:
            return
        state = self._state
        with state.lock:
            if state.failures:
                raise state.failures.pop(0)
            overlapping = [w for w in writes if w.overlap]
            if overlapping:
                raise WriteRejected(
                    "Two document paths overlap with each other: "
                    f"{sorted(overlapping[0].overlap)} of {overlapping[0].key}"
                )
            if len(writes) > MAX_ITEMS_PER_TRANSACTION:
                raise WriteRejected(
                    f"{len(writes)} items in one write; at most {MAX_ITEMS_PER_TRANSACTION} fit"
                )
            failed = [
                write.refusal
                for write in writes
                if write.refusal is not None
                and not write.holds(state.table(write.table).get(write.key))
            ]
            if failed:
                raise refusal_of(failed)
            for write in writes:
                table = state.table(write.table)
                before = table.get(write.key)
                after = write.apply(before)
                if after is None:
                    table.pop(write.key, None)
                else:
                    table[write.key] = after
                if write.table in STREAMED and before != after:
                    state.changes.append(ItemChange(write.table, before, after))
            state.commits += 1


def _checks(condition: Check | None) -> list[Check]:
    return [] if condition is None else [condition]


def is_new(item: Any) -> bool:
    return item is None


def exists(item: Any) -> bool:
    return item is not None


def count_by(change: int) -> Edit:
    """A counter item: missing counts as 0, as DynamoDB's ADD does."""
    return lambda count: (count or 0) + change


def refused(refusal: type[Refused], why: str) -> Refused:
    return refusal(f"refused: {why}")
