"""The contract suite runs every test twice: on the in-memory unit of work and on the
DynamoDB one (on moto). Both must behave alike; where they differ, one is wrong."""

from __future__ import annotations

from collections.abc import Iterator

import pytest

from chalicelib.ports.unit_of_work import UnitOfWorkFactory
from tests.fakes import InMemoryUnitOfWorkFactory


@pytest.fixture(params=["in_memory", "dynamodb"])
def uow(request: pytest.FixtureRequest) -> Iterator[UnitOfWorkFactory]:
    if request.param == "in_memory":
        yield InMemoryUnitOfWorkFactory()
        return
    try:
        from chalicelib.adapters.dynamodb.unit_of_work import DynamoUnitOfWorkFactory
    except ImportError as error:  # until the DynamoDB unit of work is there
        pytest.skip(f"no DynamoDB unit of work to hold to the contract: {error}")
    from chalicelib.settings import get_settings
    from tests.support.aws import mocked_aws

    with mocked_aws():
        yield DynamoUnitOfWorkFactory(get_settings())
