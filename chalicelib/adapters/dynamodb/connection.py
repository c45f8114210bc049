"""The one pynamodb Connection a process shares, created on first use (never at import:
cold start and moto both depend on it), and the reads several repositories make with it."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from pynamodb.connection import Connection
from pynamodb.models import Model

from chalicelib.adapters.dynamodb import mapping
from chalicelib.adapters.dynamodb.models import BookingsItem, BusinessItem, WindowCountItem
from chalicelib.domain.model import Business
from chalicelib.settings import Settings

ItemKey = tuple[type[Model], str, str]
"""An item to read: its table's model, partition key and sort key."""


class SharedConnection:
    """One lazily-created Connection for every unit of work of a process (a Lambda
    container), so its HTTP connections are reused across requests."""

    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @cached_property
    def connection(self) -> Connection:
        return Connection(region=self._settings.region)

    def batch_get(self, keys: Sequence[ItemKey]) -> dict[tuple[str, str], Any]:
        """Items of several tables in one strongly consistent BatchGetItem."""
        request: dict[str, Any] = {}
        models: dict[str, type[Model]] = {}
        for model, hash_key, range_key in keys:
            table = model.Meta.table_name
            models[table] = model
            request.setdefault(table, {"Keys": [], "ConsistentRead": True})["Keys"].append(
                {"pk": {"S": hash_key}, "sk": {"S": range_key}}
            )
        found: dict[tuple[str, str], Any] = {}
        while request:
            client: Any = self.connection.client
            response = client.batch_get_item(RequestItems=request)
            for table, items in response.get("Responses", {}).items():
                for raw in items:
                    found[(raw["pk"]["S"], raw["sk"]["S"])] = models[table].from_raw_data(raw)
            request = response.get("UnprocessedKeys") or {}
        return found


def business_of(found: dict[tuple[str, str], Any], pk: str) -> Business | None:
    """The business of a batch read that asked for its profile and window count."""
    profile = found.get((pk, BusinessItem.SORT_KEY))
    windows = found.get((pk, WindowCountItem.SORT_KEY))
    if not isinstance(profile, BusinessItem):
        return None
    return mapping.business_from_item(
        profile, windows if isinstance(windows, WindowCountItem) else None
    )


def past_deadline(partition: str, now: datetime, limit: int) -> Iterable[BookingsItem]:
    """Items of one kind still open past their deadline, oldest first: one Query on the
    index of open deadlines."""
    return BookingsItem.open_offers.query(
        partition, BookingsItem.open_until < now.astimezone(UTC).isoformat(), limit=limit
    )
