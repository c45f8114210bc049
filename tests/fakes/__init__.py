"""In-memory fakes of the ports (`chalicelib.ports`): a unit of work whose repositories
keep DynamoDB's rules (conditions checked against the state before the commit, all or
nothing, updates of one item merged), and a clock, scheduler and message delivery that
record what they were asked. The contract tests (`tests/contract`) hold them to the same
behaviour as the DynamoDB adapter."""

from tests.fakes.runtime import (
    FakeClock,
    FakeDelivery,
    FakeRenderer,
    FakeScheduler,
)
from tests.fakes.state import InMemoryState
from tests.fakes.unit_of_work import InMemoryUnitOfWork, InMemoryUnitOfWorkFactory

__all__ = [
    "FakeClock",
    "FakeDelivery",
    "FakeRenderer",
    "FakeScheduler",
    "InMemoryState",
    "InMemoryUnitOfWork",
    "InMemoryUnitOfWorkFactory",
]
