"""The DynamoDB unit of work: repositories that read at once and stage their writes, and a
commit that writes them as one conditional write or one transaction."""

from __future__ import annotations

from collections.abc import Sequence
from types import TracebackType

from chalicelib.adapters.dynamodb.connection import SharedConnection
from chalicelib.adapters.dynamodb.repositories.bookings import (
    DynamoBookingsRepository,
    DynamoRemindersRepository,
)
from chalicelib.adapters.dynamodb.repositories.catalogue import DynamoCatalogueRepository
from chalicelib.adapters.dynamodb.repositories.offers import DynamoOffersRepository
from chalicelib.adapters.dynamodb.repositories.outbox import DynamoOutboxRepository
from chalicelib.adapters.dynamodb.repositories.refills import DynamoRefillsRepository
from chalicelib.adapters.dynamodb.repositories.seats import DynamoSeatsRepository
from chalicelib.adapters.dynamodb.repositories.waiting_list import DynamoWaitingListRepository
from chalicelib.adapters.dynamodb.writes import MAX_ITEMS_PER_TRANSACTION, PendingWrites
from chalicelib.ports.bookings import BookingsRepository, RemindersRepository
from chalicelib.ports.catalogue import CatalogueRepository
from chalicelib.ports.offers import OffersRepository, RefillsRepository
from chalicelib.ports.outbox import OutboxRepository
from chalicelib.ports.seats import SeatsRepository
from chalicelib.ports.waiting_list import WaitingListRepository
from chalicelib.settings import Settings

__all__ = [
    "MAX_ITEMS_PER_TRANSACTION",
    "DynamoUnitOfWork",
    "DynamoUnitOfWorkFactory",
    "offers_that_fit",
]


def offers_that_fit(messages_per_offer: Sequence[int]) -> int:
    """How many of a round's offers, in order, fit its one transaction: the seat's record,
    then for each offer its daily count, the offer, its entry and its messages."""
    items, fitting = 1, 0
    for messages in messages_per_offer:
        items += 3 + messages
        if items > MAX_ITEMS_PER_TRANSACTION:
            break
        fitting += 1
    return fitting


class DynamoUnitOfWork:
    def __init__(self, db: SharedConnection) -> None:
        self._db = db
        self._writes = PendingWrites()
        self.catalogue: CatalogueRepository = DynamoCatalogueRepository(db, self._writes)
        self.bookings: BookingsRepository = DynamoBookingsRepository(db, self._writes)
        self.seats: SeatsRepository = DynamoSeatsRepository(self._writes)
        self.waiting_list: WaitingListRepository = DynamoWaitingListRepository(db, self._writes)
        self.refills: RefillsRepository = DynamoRefillsRepository(self._writes)
        self.offers: OffersRepository = DynamoOffersRepository(db, self._writes)
        self.reminders: RemindersRepository = DynamoRemindersRepository(self._writes)
        self.outbox: OutboxRepository = DynamoOutboxRepository(self._writes)

    def __enter__(self) -> DynamoUnitOfWork:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._writes.clear()

    def commit(self) -> None:
        self._writes.commit(self._db.connection)


class DynamoUnitOfWorkFactory:
    """A fresh unit of work per call, all sharing one Connection, created on first use."""

    def __init__(self, settings: Settings) -> None:
        self._db = SharedConnection(settings)

    def __call__(self) -> DynamoUnitOfWork:
        return DynamoUnitOfWork(self._db)
