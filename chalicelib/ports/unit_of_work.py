"""One use case's writes, committed together or not at all.

A use case opens a unit of work, reads through its repositories (reads are immediate and
strongly consistent where the use case decides on them), stages its writes through the
same repositories, and commits once. Each staged write carries the condition it relies on
and the refusal (`chalicelib.domain.refusals`) its failure means; `commit` raises the
refusal of the failed condition, so a use case never learns which item failed, only what
it means. Nothing staged is written when a condition fails, and leaving the `with` block
without committing writes nothing.
"""

from __future__ import annotations

from types import TracebackType
from typing import Protocol

from chalicelib.ports.bookings import BookingsRepository, RemindersRepository
from chalicelib.ports.catalogue import CatalogueRepository
from chalicelib.ports.offers import OffersRepository, RefillsRepository
from chalicelib.ports.outbox import OutboxRepository
from chalicelib.ports.seats import SeatsRepository
from chalicelib.ports.waiting_list import WaitingListRepository


class UnitOfWork(Protocol):
    catalogue: CatalogueRepository
    bookings: BookingsRepository
    seats: SeatsRepository
    waiting_list: WaitingListRepository
    refills: RefillsRepository
    offers: OffersRepository
    reminders: RemindersRepository
    outbox: OutboxRepository

    def __enter__(self) -> UnitOfWork: ...

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        """Discard whatever was staged and not committed."""
        ...

    def commit(self) -> None:
        """Write everything staged, all or nothing (one write when one item, else one
        transaction of at most 100 items). Raises the refusal of the first failed
        condition in `chalicelib.domain.refusals.PRECEDENCE` order, or RetryableConflict
        when a concurrent transaction on the same items got there first."""
        ...


class UnitOfWorkFactory(Protocol):
    """A fresh unit of work per use case (and per retry): units of work are not shared
    between threads or attempts."""

    def __call__(self) -> UnitOfWork: ...
