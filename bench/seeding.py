"""Items written straight into in-process moto's table, in the table's own item shape,
without a request each: a hundred thousand requests would take many minutes and measure
nothing. moto answers a Query on an index from the table's items, so the indexes see
items written this way as they see any other."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from moto.core import DEFAULT_ACCOUNT_ID
from moto.dynamodb.models import dynamodb_backends
from moto.dynamodb.models.dynamo_type import LimitedSizeDict

from tests.support.aws import REGION


def write_straight(table_name: str, items: Iterable[dict[str, Any]]) -> None:
    """Put each serialized item (a pynamodb model's ``serialize()``) into the table as it
    is."""
    table = dynamodb_backends[DEFAULT_ACCOUNT_ID][REGION].get_table(table_name)
    # No one reads these items' stream records: writing them without a stream saves a
    # third of the time.
    stream, table.stream_shard = table.stream_shard, None
    # moto checks the 400 KB item limit by measuring the whole item again as it sets each
    # attribute: two thirds of a write. Items of a kilobyte never come near it.
    check_size = LimitedSizeDict.__setitem__
    LimitedSizeDict.__setitem__ = dict.__setitem__
    try:
        for item in items:
            table.put_item(item)
    finally:
        LimitedSizeDict.__setitem__ = check_size
        table.stream_shard = stream
