"""A unit of work that passes everything to DynamoDB's, for tests to replace one
repository (or one of its methods) with a faulty or racing one."""

from __future__ import annotations

from collections.abc import Callable
from types import TracebackType
from typing import Any

from chalicelib.ports.bookings import BookingsRepository, RemindersRepository
from chalicelib.ports.catalogue import CatalogueRepository
from chalicelib.ports.offers import OffersRepository, RefillsRepository
from chalicelib.ports.outbox import OutboxRepository
from chalicelib.ports.seats import SeatsRepository
from chalicelib.ports.unit_of_work import UnitOfWork
from chalicelib.ports.waiting_list import WaitingListRepository


class PassThroughUnitOfWork:
    def __init__(self, inner: UnitOfWork) -> None:
        self.inner = inner
        self.catalogue: CatalogueRepository = inner.catalogue
        self.bookings: BookingsRepository = inner.bookings
        self.seats: SeatsRepository = inner.seats
        self.waiting_list: WaitingListRepository = inner.waiting_list
        self.refills: RefillsRepository = inner.refills
        self.offers: OffersRepository = inner.offers
        self.reminders: RemindersRepository = inner.reminders
        self.outbox: OutboxRepository = inner.outbox

    def __enter__(self) -> UnitOfWork:
        self.inner.__enter__()
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self.inner.__exit__(kind, error, traceback)

    def commit(self) -> None:
        self.inner.commit()


class Patched:
    """A repository with some methods replaced: `Patched(repo, name=function)`."""

    def __init__(self, inner: object, **replaced: Callable[..., Any]) -> None:
        self._inner = inner
        self._replaced = replaced

    def __getattr__(self, name: str) -> Any:
        if name in self._replaced:
            return self._replaced[name]
        return getattr(self._inner, name)
