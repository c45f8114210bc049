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
- moto answers each Query by sorting every item of the table, then keeping those of the
  partition (or of the index) asked for, and sorting those again. Here a Query on the table
  or on a local index reads its one partition, and a Query on a global index reads the
  items unsorted: it costs the partition, not the table, and the order of what it keeps is
  moto's own.
- moto keeps every shard iterator it ever issued; a stream pump polling ten times a second
  adds up. Here only the newest ``MAX_SHARD_ITERATORS`` are kept: the oldest expire, as
  DynamoDB's do after fifteen minutes.
- moto's server (werkzeug's) closes the connection after each request and starts a thread
  for the next: a third of the emulator's time went to connections. Here waitress serves
  it, keeping each client's connection open across requests, on a fixed set of threads.
  moto also looks up the service of each request by scanning its modules on disk; here the
  answer is kept per host.
- moto parses each UpdateExpression twice a request, and its validators walk the tree ten
  times testing every node against abstract classes; here each expression is parsed once
  and each kind of validator remembers which kinds of node it handles, across requests
  (``apply_updates_quickly``).
- moto builds each item an attribute at a time, and before each one adds up the size of
  all those before it, to refuse an item over 400 KB: an item of n attributes costs n² size
  walks, and every write, read and stream record builds items. Here the running size is
  kept as the item is built, and the same limit refused at the same attribute
  (``build_items_quickly``).
- moto lexes and parses each condition expression two or three times a request; here each
  distinct expression (with its names) is parsed once, and its tree made into a condition
  with each request's own values (``check_conditions_quickly``).
- moto lists a table's key attributes, those of its indexes included, again for each
  attribute of each item written; here the list is kept per set of indexes
  (``list_key_attributes_once``), and each handler's list of methods is made once.
- moto reads each request's JSON body by walking it against the API's model; for the hot
  calls that gives what reading the JSON gives, but for binary values, which it decodes.
  Here those bodies are read as JSON, and one with a binary value as moto reads it
  (``parse_parameters``).
- moto draws each request id a character at a time, and searches every answer, however
  long, for an XML ``<RequestId>`` to write it into; here the id is drawn in one call and
  only answers holding the tag are searched (``enrich_response``).
- UpdateItem: ``local/emulator_updates.py``.
- How requests reach moto, one at a time, and how readers wait for records and sent
  messages without polling: ``local/emulator_wsgi.py``.
- ``GET /_local/sent?after=N`` lists the emails and SMS handed to SES and SNS, from the
  N-th on, so the stack's outbox can read them when the emulator runs in its own process.

``python -m local.emulator`` runs it in a process of its own (see ``local/emulator_process.py``):
it prints its address on one line, and stops when its standard input closes.
"""

from __future__ import annotations

import argparse
import base64
import copy
import functools
import json
import logging
import re
import signal
import string
import sys
import threading
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from moto.core import responses as moto_responses
from moto.core.responses import ActionResult, BaseResponse
from moto.core.utils import method_names_from_class as _moto_method_names
from moto.dynamodb.comparisons import (
    AttributeValue,
    ConditionExpressionParser,
    Func,
    Op,
    OpDefault,
    get_filter_expression,
)
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    ItemSizeTooLarge,
    MockValidationException,
    MultipleTransactionsException,
    TooManyTransactionsException,
    TransactionCanceledException,
    TransactWriteSingleOpException,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.models.table import Table
from moto.dynamodb.models.utilities import bytesize
from moto.dynamodb.parsing import validators as moto_validators
from moto.dynamodb.parsing.ast_nodes import DepthFirstTraverser, Node
from moto.dynamodb.parsing.expressions import UpdateExpressionParser
from moto.dynamodb.responses import DynamoHandler
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
from moto.moto_api._internal import mock_random
from moto.moto_server.werkzeug_app import DomainDispatcherApplication, create_backend_app
from waitress.server import create_server

from local.collector import set_for_serving
from local.emulator_updates import ITEM_SIZE_LIMIT, update_items_quickly
from local.emulator_wsgi import (
    Activity,
    WsgiApp,
    answer_calls_directly,
    one_at_a_time,
    wait_for_records,
    with_sent_messages,
)

Reason = tuple[str, str, dict[str, Any] | None] | tuple[None, None, None]

WRITES = ("ConditionCheck", "Put", "Delete", "Update")
MAX_ITEMS = 100
MAX_SHARD_ITERATORS = 10_000
SERVER_THREADS = 16
"""Readers waiting for records or messages each hold one while they wait."""
STOP_SECONDS = 5.0


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

    def remember(
        self, backend: Any, table_name: str, key: dict[str, Any], *, changed_in_place: bool
    ) -> None:
        table: Table = backend.get_table(table_name)
        hash_key, range_key = backend.get_keys_value(table, key)
        item = table.get_item(hash_key, range_key)
        # An update changes the stored item in place: keep a copy of it. A put stores a new
        # item and a delete drops the old one, which neither changes: keeping it will do.
        if changed_in_place:
            item = copy.deepcopy(item)
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

    undo.remember(backend, table_name, key, changed_in_place=op_type == "Update")
    # The condition held just now, on the item as it stands: the write need not parse it
    # and check it again.
    writing = {
        "condition_expression": None,
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
    iterators = handler.backend.shard_iterators
    result = handler.backend.get_records(handler._get_param("ShardIterator"), limit)
    while len(iterators) > MAX_SHARD_ITERATORS:
        del iterators[next(iter(iterators))]
    return json.dumps(result, default=_wire_value)


def read_streams_quickly() -> None:
    handler_class: Any = DynamoDBStreamsHandler
    handler_class.get_records = get_records


# The product's hot calls; their results hold wire-shaped items already.
QUICK_ACTIONS = frozenset(
    {
        "GetItem",
        "BatchGetItem",
        "Query",
        "PutItem",
        "UpdateItem",
        "DeleteItem",
        "TransactWriteItems",
    }
)
_generic_serialized = BaseResponse.serialized


def serialized(handler: Any, action_result: ActionResult) -> tuple[int, dict[str, Any], str]:
    """DynamoDB's hot calls written out as JSON directly; errors and the rest as moto does."""
    result = action_result.result
    if isinstance(result, Exception) or handler._get_action() not in QUICK_ACTIONS:
        generic: tuple[int, dict[str, Any], str] = _generic_serialized(handler, action_result)
        return generic
    fields = result if isinstance(result, dict) else {}
    body = json.dumps(
        {name: value for name, value in fields.items() if value is not None}, default=_wire_value
    )
    headers = {"Content-Type": "application/x-amz-json-1.0", **handler.response_headers}
    return 200, headers, body


_moto_parse_parameters = BaseResponse.parse_parameters
_BLOB = re.compile(rb'"BS?"\s*:')
"""A binary attribute value (B or BS): moto's parser decodes its base64."""


def parse_parameters(handler: Any, request: Any) -> None:
    """The hot calls' JSON bodies read as JSON. moto walks each body against the API's
    model to build its parameters; for these calls that gives the same as reading the JSON,
    except binary values, which it decodes (a body with any goes to moto's parser)."""
    body = request.data
    if handler._get_action() in QUICK_ACTIONS and not _BLOB.search(body):
        handler.params = json.loads(body)
        return
    _moto_parse_parameters(handler, request)


REQUEST_ID_CHARACTERS = string.ascii_letters + string.digits
REQUEST_ID_LENGTH = 52


def enrich_response(headers: dict[str, str], body: Any) -> tuple[dict[str, str], Any]:
    """moto's ``_enrich_response``: a request id in the headers, and in an XML body's
    ``<RequestId>``. moto drew the id a character at a time and searched every body with
    a look-behind pattern, JSON ones too, however long; here the id is drawn in one call
    and only a body that holds the tag is searched."""
    if "status" in headers:
        headers["status"] = str(headers["status"])
    request_id = "".join(mock_random.choices(REQUEST_ID_CHARACTERS, k=REQUEST_ID_LENGTH))
    headers["x-amzn-requestid"] = request_id
    if isinstance(body, str) and "<RequestId>" in body:
        body = re.sub(r"(?<=<RequestId>).*(?=<\/RequestId>)", request_id, body)
    return headers, body


def answer_dynamodb_quickly() -> None:
    handler_class: Any = DynamoHandler
    handler_class.serialized = serialized
    handler_class.parse_parameters = parse_parameters
    response_class: Any = BaseResponse
    response_class._enrich_response = staticmethod(enrich_response)


_querying = threading.local()
_moto_query = Table.query
_moto_all_items = Table.all_items


def query(
    table: Any, hash_key: DynamoType | None, *args: Any, **kwargs: Any
) -> tuple[list[Item], int, dict[str, Any] | None]:
    # moto's positional order: range_comparison, range_objs, limit, exclusive_start_key,
    # scan_index_forward, projection_expressions, index_name.
    index_name = args[6] if len(args) > 6 else kwargs.get("index_name")
    _querying.table = table
    # A local index shares the table's partition key: its items are those of one partition.
    local_index = any(index.name == index_name for index in table.indexes)
    _querying.partition = hash_key if index_name is None or local_index else None
    try:
        found: tuple[list[Item], int, dict[str, Any] | None]
        found = _moto_query(table, hash_key, *args, **kwargs)
        return found
    finally:
        _querying.table = None


def all_items(table: Any) -> list[Item]:
    """Within a Query, the items it may keep, unsorted: the query sorts what it keeps."""
    if id(getattr(_querying, "table", None)) != id(table):
        everything: list[Item] = _moto_all_items(table)
        return everything
    partitions: Iterable[Any] = table.items.values()
    if _querying.partition is not None:
        only = table.items.get(_querying.partition)
        partitions = [] if only is None else [only]
    if table.range_key_attr:
        return [item for partition in partitions for item in partition.values()]
    return list(partitions)


def query_partitions_only() -> None:
    table_class: Any = Table
    table_class.query = query
    table_class.all_items = all_items


_moto_parse_update = UpdateExpressionParser.make.__func__


@functools.lru_cache(maxsize=1024)
def _parsed_update(parser: type, expression: str) -> Any:
    return _moto_parse_update(parser, expression)


def _parse_update(parser: type, expression: str) -> Any:
    return _parsed_update(parser, expression)


_processing: dict[type, dict[type, Any]] = {}
_node_kinds: dict[type, bool] = {}


def _is_node(kind: type) -> bool:
    # Node is an abstract base class: isinstance() against it is slow, and asked at every
    # node of every tree ten times a request.
    known = _node_kinds.get(kind)
    if known is None:
        known = _node_kinds[kind] = issubclass(kind, Node)
    return known


def _processor_of(traverser: Any, kind: type) -> Any:
    """The traverser's function for nodes of this kind (None: it leaves them alone), from its
    table of kinds, first match first, as moto picks it; kept per kind of traverser, since
    every table names only the traverser's own methods and moto makes new traversers for
    every request."""
    known = _processing.get(type(traverser))
    if known is None:
        known = _processing[type(traverser)] = {}
    if kind not in known:
        matches = (m for k, m in traverser._processing_map().items() if issubclass(kind, k))
        method = next(matches, None)
        known[kind] = None if method is None else method.__func__
    return known[kind]


def traverse_node_recursively(traverser: Any, node: Any, child_id: int = -1) -> Any:
    """moto's depth-first traversal, processing each node after its children."""
    kind = type(node)
    if not _is_node(kind):
        return node
    parent = node.parent
    if node.children is not None:
        for index, child in enumerate(node.children):
            traverser.pre_processing_of_child(node, index)
            traverser.traverse_node_recursively(child, index)
    processor = _processor_of(traverser, kind)
    if processor is not None:
        node = processor(traverser, node)
        node.parent = parent
        if parent:
            parent.children[child_id] = node
    return node


def apply_updates_quickly() -> None:
    """moto parses an UpdateExpression twice a request (to check its placeholders, then to
    apply it); here each distinct expression is parsed once, and its tree serves every
    request (moto's validator changes a copy of it, never the tree itself). moto's
    validators also rebuild their table of node kinds at every node they visit, and test each
    node against abstract classes; here each kind of validator keeps its answer per kind of
    node, for every request (the tables name only the validator's own methods)."""
    parser_class: Any = UpdateExpressionParser
    parser_class.make = classmethod(_parse_update)
    traverser_class: Any = DepthFirstTraverser
    traverser_class.traverse_node_recursively = traverse_node_recursively
    validators: Any = moto_validators
    validators.deepcopy = copy_tree


_ParsedCondition = tuple[Any, list[str], list[str]]
"""A condition's tree, and the names and values it refers to."""
_condition_trees: dict[tuple[str, tuple[tuple[str, str], ...]], _ParsedCondition] = {}
MAX_CONDITION_TREES = 1024
_moto_make_operand = ConditionExpressionParser._make_operand


def _parse_condition(parser: Any) -> Op | Func:
    """moto's parse, each step as moto takes it, with the tree kept per expression and
    names: a value (``:v``) is looked up in each request's own values when the operands are
    made, so one tree serves every request that writes with the same expression."""
    expression = parser.condition_expression
    if not expression:
        return OpDefault(None, None)
    names = parser.expression_attribute_names or {}
    key = (expression, tuple(sorted(names.items())))
    parsed = _condition_trees.get(key)
    if parsed is None:
        nodes = parser._lex_condition_expression()
        nodes = parser._parse_paths(nodes)
        nodes = parser._apply_functions(nodes)
        nodes = parser._apply_comparator(nodes)
        nodes = parser._apply_in(nodes)
        nodes = parser._apply_between(nodes)
        nodes = parser._apply_parens_and_booleans(nodes)
        node = nodes[0]
        parser._assert_no_redundant_parentheses(node)
        parsed = (node, parser._find_literals(node), parser._find_expr_attr_values(node))
        if len(_condition_trees) >= MAX_CONDITION_TREES:
            _condition_trees.clear()
        _condition_trees[key] = parsed
    else:
        # What moto's lexer refuses first: a value the request did not supply.
        for value in parsed[2]:
            parser._lookup_expression_attribute_value(value)
    node, names_found, values_found = parsed
    parser.expr_attr_names_found.extend(names_found)
    parser.expr_attr_values_found.extend(values_found)
    condition: Op | Func = parser._make_op_condition(node)
    return condition


def _make_operand(parser: Any, node: Any) -> Any:
    if node.kind == ConditionExpressionParser.Kind.EXPRESSION_ATTRIBUTE_VALUE:
        return AttributeValue(parser._lookup_expression_attribute_value(node.text))
    return _moto_make_operand(parser, node)


def check_conditions_quickly() -> None:
    """moto lexes and parses a condition expression two or three times a request (to check
    its placeholders, then to test the item); here each distinct expression is parsed once
    and its tree made into a condition with each request's own values."""
    parser_class: Any = ConditionExpressionParser
    parser_class.parse = _parse_condition
    parser_class._make_operand = _make_operand


_SHARED: frozenset[type] = frozenset({str, int, float, bool, type(None)})
"""Kinds of value a copy can share with its original: nothing changes them in place."""


@functools.lru_cache(maxsize=256)
def _is_node_class(kind: type) -> bool:
    return issubclass(kind, Node)


def copy_tree(value: Any, memo: dict[int, Any] | None = None) -> Any:
    """What ``copy.deepcopy`` returns for an expression tree (nodes, their lists of
    children and their parents, each copied once), without its generic walk; values of other
    kinds are deep-copied by ``copy.deepcopy`` itself, sharing the same memo."""
    if memo is None:
        memo = {}
    kind: Any = type(value)
    if kind in _SHARED:
        return value
    found = memo.get(id(value))
    if found is not None:
        return found
    if _is_node_class(kind):
        node = kind.__new__(kind)
        memo[id(value)] = node
        node.__dict__.update({name: copy_tree(item, memo) for name, item in value.__dict__.items()})
        return node
    if kind is list:
        copied: list[Any] = []
        memo[id(value)] = copied
        copied.extend([copy_tree(item, memo) for item in value])
        return copied
    return copy.deepcopy(value, memo)


def _build_item(
    self: Item, hash_key: DynamoType, range_key: DynamoType | None, attrs: dict[str, Any]
) -> None:
    self.hash_key = hash_key
    self.range_key = range_key
    built = LimitedSizeDict.__new__(LimitedSizeDict)
    dict.__init__(built)
    size = 0
    for key, value in attrs.items():
        typed = DynamoType(value)
        # What moto's dict checks at each attribute: all before it, and this one.
        size += bytesize(key) + typed.size()
        if size > ITEM_SIZE_LIMIT:
            raise ItemSizeTooLarge
        dict.__setitem__(built, key, typed)
    self.attrs = built


def build_items_quickly() -> None:
    """moto's ``Item`` is built with a running size, not a sum of all its attributes so
    far at each one; an item over the limit is refused as before. Attributes set later (an
    update's) are still checked by moto's own dict."""
    item_class: Any = Item
    item_class.__init__ = _build_item


def _attribute_keys(table: Any) -> list[str]:
    """The key attributes of the table and of all its indexes, as moto lists them, made once
    per set of indexes: moto makes the list again at every use, once per attribute of each
    item written."""
    indexes = (*table.indexes, *table.global_indexes)
    signature = (tuple(table.table_key_attrs), tuple(id(index) for index in indexes))
    kept = table.__dict__.get("_local_attribute_keys")
    if kept is None or kept[0] != signature:
        names = list(table.table_key_attrs)
        for index in indexes:
            names += [part["AttributeName"] for part in index.schema]
        kept = table.__dict__["_local_attribute_keys"] = (signature, names)
    return list(kept[1])


def list_key_attributes_once() -> None:
    table_class: Any = Table
    table_class.attribute_keys = property(_attribute_keys)


@functools.lru_cache(maxsize=64)
def _method_names(handler_class: type) -> list[str]:
    return list(_moto_method_names(handler_class))


def remember_handler_methods() -> None:
    """moto lists a handler's methods (``inspect.getmembers``) at every request to find the
    action's; here each handler's list is made once."""
    moto_responses.method_names_from_class = _method_names


class QuickDispatcher(DomainDispatcherApplication):  # type: ignore[misc]
    """moto's dispatcher, remembering which service answers each host."""

    def __init__(self) -> None:
        super().__init__(create_backend_app)
        self._services: dict[str | None, Any] = {}

    def get_backend_for_host(self, host: str | None) -> Any:
        if host not in self._services:
            self._services[host] = super().get_backend_for_host(host)
        return self._services[host]


def emulator_app() -> WsgiApp:
    undo_failed_transactions()
    read_streams_quickly()
    answer_dynamodb_quickly()
    query_partitions_only()
    apply_updates_quickly()
    update_items_quickly()
    check_conditions_quickly()
    build_items_quickly()
    list_key_attributes_once()
    remember_handler_methods()
    activity = Activity()
    # Waiting readers, and reading what was sent, do not wait behind AWS calls.
    served = one_at_a_time(answer_calls_directly(QuickDispatcher()), activity)
    return with_sent_messages(wait_for_records(served, activity), activity)


class EmulatorServer:
    """The emulator on waitress, in a thread: ``start``, ``url``, ``stop``."""

    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """``port`` 0 picks a free one."""
        logging.getLogger("waitress").setLevel(logging.ERROR)
        self._server: Any = create_server(
            emulator_app(), host=host, port=port, threads=SERVER_THREADS, ident="standby-local"
        )
        self._stopping = False
        self._thread = threading.Thread(target=self._serve, name="emulator", daemon=True)

    def _serve(self) -> None:
        try:
            self._server.run()
        except OSError:
            # Connections closed from ``stop`` while the loop was waiting on them.
            if not self._stopping:
                raise

    @property
    def url(self) -> str:
        return f"http://{self._server.effective_host}:{self._server.effective_port}"

    def start(self) -> str:
        self._thread.start()
        return self.url

    def stop(self) -> None:
        self._stopping = True
        server = self._server
        # waitress's loop runs while anything is registered with it: close it all.
        while server._map:
            for dispatcher in list(server._map.values()):
                dispatcher.handle_close()
        server.task_dispatcher.shutdown()
        self._thread.join(STOP_SECONDS)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m local.emulator")
    parser.add_argument("--host", default="127.0.0.1")
    parser.add_argument("--port", type=int, default=0, help="0: any free port")
    args = parser.parse_args(argv)
    # Ctrl-C reaches the whole process group: the stack stops its pumps first, then this.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    server = EmulatorServer(args.host, args.port)
    print(server.start(), flush=True)
    set_for_serving()
    # Standard input closes when the stack stops or dies: no emulator outlives its stack.
    sys.stdin.read()
    server.stop()
    return 0


if __name__ == "__main__":
    sys.exit(main())
