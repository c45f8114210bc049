"""The in-memory unit of work: repositories that read the shared state at once and stage
their writes, and a commit that applies them by DynamoDB's rules (`tests.fakes.state`)."""

from __future__ import annotations

from types import TracebackType

from chalicelib.ports.bookings import BookingsRepository, RemindersRepository
from chalicelib.ports.catalogue import CatalogueRepository
from chalicelib.ports.offers import OffersRepository, RefillsRepository
from chalicelib.ports.outbox import OutboxRepository
from chalicelib.ports.seats import SeatsRepository
from chalicelib.ports.waiting_list import WaitingListRepository
from tests.fakes.bookings import InMemoryBookings, InMemoryReminders
from tests.fakes.catalogue import InMemoryCatalogue
from tests.fakes.offers import InMemoryOffers
from tests.fakes.outbox import InMemoryOutbox
from tests.fakes.refills import InMemoryRefills
from tests.fakes.seats import InMemorySeats
from tests.fakes.state import InMemoryState, StagedWrites
from tests.fakes.waiting_list import InMemoryWaitingList


class InMemoryUnitOfWork:
    def __init__(self, state: InMemoryState) -> None:
        self._writes = StagedWrites(state)
        # Typed as the ports, so that mypy holds each fake to its port.
        self.catalogue: CatalogueRepository = InMemoryCatalogue(state, self._writes)
        self.bookings: BookingsRepository = InMemoryBookings(state, self._writes)
        self.seats: SeatsRepository = InMemorySeats(state, self._writes)
        self.waiting_list: WaitingListRepository = InMemoryWaitingList(state, self._writes)
        self.refills: RefillsRepository = InMemoryRefills(state, self._writes)
        self.offers: OffersRepository = InMemoryOffers(state, self._writes)
        self.reminders: RemindersRepository = InMemoryReminders(state, self._writes)
        self.outbox: OutboxRepository = InMemoryOutbox(state, self._writes)

    def __enter__(self) -> InMemoryUnitOfWork:
        return self

    def __exit__(
        self,
        kind: type[BaseException] | None,
        error: BaseException | None,
        traceback: TracebackType | None,
    ) -> None:
        self._writes.clear()

    def commit(self) -> None:
        self._writes.commit()


class InMemoryUnitOfWorkFactory:
    """A fresh unit of work per call, all on one shared state (`state`)."""

    def __init__(self, state: InMemoryState | None = None) -> None:
        self.state = state if state is not None else InMemoryState()

    def __call__(self) -> InMemoryUnitOfWork:
        return InMemoryUnitOfWork(self.state)
