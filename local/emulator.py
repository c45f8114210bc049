"""moto in server mode, made as atomic as DynamoDB where the product relies on it.

- DynamoDB applies each write and each transaction atomically. moto checks a
  transaction's conditions and then applies it in plain Python, so two requests served
  on two threads can interleave and both pass a condition only one should. The server
  here serves one request at a time.
- moto writes every response through a generic serializer that walks each attribute of
  each stream record against the API's model: a read of ten records took 80 ms, a quarter
  of the emulator's time under load. Stream records are kept in their wire shape already,
  so GetRecords answers with them as JSON directly.
- moto undoes a failed transaction by swapping in deep copies of every table it touches,
  made before it (one per item of the transaction, streams included): a transaction then
  costs as much as all the data written so far, and a stream reader holding an iterator
  reads the discarded stream, with records of writes that never happened. Here a
  transaction keeps an undo log instead: the prior version of each item it writes. On
  failure those are put back and each touched stream is trimmed to where it stood, so a
  transaction costs what its own items cost and leaves no trace when it fails.
"""

from __future__ import annotations

import base64
import copy
import json
import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from moto.dynamodb.comparisons import get_filter_expression
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item
from moto.dynamodb.models.table import Table
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]
Reason = tuple[str, str, dict[str, Any] | None] | tuple[None, None, None]

WRITES = ("ConditionCheck", "Put", "Delete", "Update")
MAX_ITEMS = 100


def one_at_a_time(app: WsgiApp) -> WsgiApp:
    lock = threading.Lock()

    def serialised(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with lock:
            return list(app(environ, start_response))

    return serialised


@dataclass(frozen=True)
class Prior:
    """An item as it stood before a transaction wrote it (None: it did not exist)."""

    table: Table
    hash_key: DynamoType
    range_key: DynamoType | None
    item: Item | None

    def put_back(self) -> None:
        # Straight into the table's storage: putting back writes no stream record.
        if self.range_key is None:
            if self.item is None:
                self.table.items.pop(self.hash_key, None)
            else:
                self.table.items[self.hash_key] = self.item
            return
        partition = self.table.items[self.hash_key]
        if self.item is None:
            partition.pop(self.range_key, None)
            if not partition:
                del self.table.items[self.hash_key]
        else:
            partition[self.range_key] = self.item


@dataclass
class UndoLog:
    """What a transaction changed, to put back if it fails."""

    priors: list[Prior]
    stream_lengths: dict[int, tuple[Any, int]]

    @classmethod
    def empty(cls) -> UndoLog:
        return cls([], {})

    def remember(self, backend: Any, table_name: str, key: dict[str, Any]) -> None:
        table: Table = backend.get_table(table_name)
        hash_key, range_key = backend.get_keys_value(table, key)
        # Updates change the stored item in place: keep a copy of this one item.
        item = copy.deepcopy(table.get_item(hash_key, range_key))
        self.priors.append(Prior(table, hash_key, range_key, item))
        shard = table.stream_shard
        if shard is not None and id(shard) not in self.stream_lengths:
            self.stream_lengths[id(shard)] = (shard, len(shard.items))

    def roll_back(self) -> None:
        for prior in reversed(self.priors):
            prior.put_back()
        for shard, length in self.stream_lengths.values():
            del shard.items[length:]


def transact_write_items(backend: Any, transact_items: list[dict[str, Any]]) -> None:
    """moto's TransactWriteItems, item for item, with an undo log instead of table copies."""
    if len(transact_items) > MAX_ITEMS:
        raise TooManyTransactionsException()
    undo = UndoLog.empty()
    targets: set[tuple[str, str]] = set()
    reasons: list[Reason] = []
    for entry in transact_items:
        if len(entry) > 1:
            undo.roll_back()
            raise TransactWriteSingleOpException
        try:
            reasons.append(_apply(backend, entry, targets, undo))
        except (MultipleTransactionsException, MockValidationException):
            undo.roll_back()
            raise
        except ConditionalCheckFailed as failed:
            reasons.append(("ConditionalCheckFailed", str(failed.message), None))
        except Exception as error:  # moto reports any failure as a cancellation reason
            reasons.append((type(error).__name__, str(error), None))
    if any(code is not None for code, _, _ in reasons):
        undo.roll_back()
        raise TransactionCanceledException(reasons)


def _apply(
    backend: Any, entry: dict[str, Any], targets: set[tuple[str, str]], undo: UndoLog
) -> Reason:
    op_type, op = next(iter(entry.items()))
    if op_type not in WRITES:
        raise ValueError("Unsupported transaction operation")
    table_name = op["TableName"]
    if op_type == "Put":
        table = backend.get_table(table_name)
        attrs = op["Item"]
        key = {table.hash_key_attr: attrs[table.hash_key_attr]}
        if table.range_key_attr is not None:
            key[table.range_key_attr] = attrs[table.range_key_attr]
    else:
        key = op["Key"]
    target = (str(table_name), str(dict(sorted(key.items()))))
    if target in targets:
        raise MultipleTransactionsException()
    targets.add(target)

    condition = op.get("ConditionExpression")
    names = op.get("ExpressionAttributeNames")
    values = op.get("ExpressionAttributeValues")
    current = backend.get_item(table_name, key)
    if condition is not None and not get_filter_expression(condition, names, values).expr(current):
        old = None
        if op.get("ReturnValuesOnConditionCheckFailure") == "ALL_OLD" and current:
            old = current.to_json()["Attributes"]
        return ("ConditionalCheckFailed", "The conditional request failed", old)
    if op_type == "ConditionCheck":
        return (None, None, None)

    undo.remember(backend, table_name, key)
    writing = {
        "condition_expression": condition,
        "expression_attribute_names": names,
        "expression_attribute_values": values,
    }
    if op_type == "Put":
        backend.put_item(table_name, op["Item"], **writing)
    elif op_type == "Delete":
        backend.delete_item(table_name, key, **writing)
    else:
        backend.update_item(table_name, key, update_expression=op["UpdateExpression"], **writing)
    return (None, None, None)


def undo_failed_transactions() -> None:
    """Make moto's DynamoDB (in this process, server or not) roll back a failed transaction
    with an undo log of the items it wrote."""
    backend_class: Any = DynamoDBBackend
    backend_class.transact_write_items = transact_write_items


def _wire_value(value: object) -> float | str:
    # What JSON protocols send for timestamps and binary attributes.
    if isinstance(value, datetime):
        return value.timestamp()
    if isinstance(value, bytes):
        return base64.b64encode(value).decode("ascii")
    raise TypeError(f"{type(value).__name__} is not JSON serialisable")


def get_records(handler: Any) -> str:
    """GetRecords, its records (already in wire shape) written out as JSON directly."""
    limit = handler._get_param("Limit") or 1000
    result = handler.backend.get_records(handler._get_param("ShardIterator"), limit)
    return json.dumps(result, default=_wire_value)


def read_streams_quickly() -> None:
    handler_class: Any = DynamoDBStreamsHandler
    handler_class.get_records = get_records


class SerialMotoServer(ThreadedMotoServer):  # type: ignore[misc]
    def _server_entry(self) -> None:
        undo_failed_transactions()
        read_streams_quickly()
        app = one_at_a_time(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()
