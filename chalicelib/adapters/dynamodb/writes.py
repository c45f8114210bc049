"""The writes a unit of work has staged, and how they are committed: one conditional write
for one item, else one TransactWriteItems.

Each staged write carries its condition and the refusal its failure means. DynamoDB
forbids two operations on one item in a transaction, so updates of the same item merge
into one (actions concatenated, conditions AND-ed, the first conditioned one's refusal);
a put and another write of the same item never meet (repositories are built so).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from pynamodb.connection import Connection
from pynamodb.exceptions import DeleteError, PutError, TransactWriteError, UpdateError
from pynamodb.expressions.condition import Condition
from pynamodb.expressions.update import Action
from pynamodb.models import Model
from pynamodb.transactions import TransactWrite

from chalicelib.domain.refusals import Refused, RetryableConflict, WriteRejected, refusal_of

MAX_ITEMS_PER_TRANSACTION = 100


class Kind(Enum):
    # In the order pynamodb sends them in a transaction (after condition checks), which
    # is the order of the cancellation reasons DynamoDB answers with.
    DELETE = "delete"
    PUT = "put"
    UPDATE = "update"


@dataclass
class StagedWrite:
    kind: Kind
    item: Model
    actions: list[Action] = field(default_factory=list)
    condition: Condition | None = None
    refusal: Refused | None = None


def _identity(item: Model) -> tuple[str, Any, Any]:
    hash_key, range_key = item._get_hash_range_key_serialized_values()
    return (item.Meta.table_name, str(hash_key), str(range_key))


class PendingWrites:
    """What one unit of work will write on commit."""

    def __init__(self) -> None:
        self._writes: dict[tuple[str, Any, Any], StagedWrite] = {}

    def __len__(self) -> int:
        return len(self._writes)

    def put(
        self, item: Model, condition: Condition | None = None, refusal: Refused | None = None
    ) -> None:
        self._add(StagedWrite(Kind.PUT, item, condition=condition, refusal=refusal))

    def delete(
        self, item: Model, condition: Condition | None = None, refusal: Refused | None = None
    ) -> None:
        self._add(StagedWrite(Kind.DELETE, item, condition=condition, refusal=refusal))

    def update(
        self,
        item: Model,
        actions: list[Action],
        condition: Condition | None = None,
        refusal: Refused | None = None,
    ) -> None:
        self._add(StagedWrite(Kind.UPDATE, item, list(actions), condition, refusal))

    def clear(self) -> None:
        self._writes.clear()

    def _add(self, write: StagedWrite) -> None:
        assert (write.condition is None) == (write.refusal is None), (
            "a conditioned write names its refusal, and only a conditioned one"
        )
        key = _identity(write.item)
        staged = self._writes.get(key)
        if staged is None:
            self._writes[key] = write
            return
        assert staged.kind is Kind.UPDATE and write.kind is Kind.UPDATE, (
            f"two writes of one item that cannot merge: {staged.kind.value} and "
            f"{write.kind.value} of {key}"
        )
        staged.actions += write.actions
        if write.condition is not None:
            if staged.condition is None:
                staged.condition, staged.refusal = write.condition, write.refusal
            else:
                staged.condition = staged.condition & write.condition

    def commit(self, connection: Connection) -> None:
        """Write everything staged, all or nothing; raises the refusal of the failed
        conditions, RetryableConflict or WriteRejected."""
        writes = sorted(self._writes.values(), key=lambda w: list(Kind).index(w.kind))
        self._writes.clear()
        if not writes:
            return
        if len(writes) == 1:
            _write_one(writes[0])
        else:
            _transact(connection, writes)


def _write_one(write: StagedWrite) -> None:
    """One item: a plain conditional write, half a transaction's cost."""
    try:
        if write.kind is Kind.PUT:
            write.item.save(condition=write.condition)
        elif write.kind is Kind.UPDATE:
            _update(write)
        else:
            write.item.delete(condition=write.condition)
    except (PutError, UpdateError, DeleteError) as error:
        code = error.cause_response_code
        if code == "ConditionalCheckFailedException" and write.refusal is not None:
            raise refusal_of([write.refusal]) from error
        if code == "ValidationException":
            raise WriteRejected(error.cause_response_message or str(error)) from error
        if code == "TransactionConflictException":
            raise RetryableConflict("a concurrent change got there first") from error
        raise


def _update(write: StagedWrite) -> None:
    """An update that asks nothing back. pynamodb's ``Model.update`` asks for the whole new
    item and reads it into the model; a staged write's item is only its key, and nothing
    reads it afterwards."""
    hash_key, range_key = write.item._get_hash_range_key_serialized_values()
    write.item._get_connection().update_item(
        hash_key, range_key=range_key, actions=write.actions, condition=write.condition
    )


def _transact(connection: Connection, writes: list[StagedWrite]) -> None:
    if len(writes) > MAX_ITEMS_PER_TRANSACTION:
        raise WriteRejected(
            f"{len(writes)} items in one write; at most {MAX_ITEMS_PER_TRANSACTION} fit"
        )
    try:
        with TransactWrite(connection=connection) as transaction:
            for write in writes:
                if write.kind is Kind.DELETE:
                    transaction.delete(write.item, condition=write.condition)
                elif write.kind is Kind.PUT:
                    transaction.save(write.item, condition=write.condition)
                else:
                    transaction.update(write.item, actions=write.actions, condition=write.condition)
    except TransactWriteError as error:
        if error.cause_response_code == "ValidationException":
            raise WriteRejected(error.cause_response_message or str(error)) from error
        reasons = error.cancellation_reasons or []
        failed = [
            write.refusal
            for write, reason in zip(writes, reasons, strict=False)
            if reason is not None
            and reason.code == "ConditionalCheckFailed"
            and write.refusal is not None
        ]
        if failed:
            raise refusal_of(failed) from error
        if error.cause_response_code in ("TransactionCanceledException", "TransactionConflict"):
            # Cancelled by a concurrent transaction on the same items.
            raise RetryableConflict("a concurrent change got there first") from error
        raise
