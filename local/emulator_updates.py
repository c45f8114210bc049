"""UpdateItem in the emulator: what moto does with each update, without the work that
gives nothing back. The outbox claims and marks each message with one, so the local stack
makes four of them per cancellation refilled.

- moto checks each update expression with ten walks over its tree. Three of those checks
  (one clause of each kind, no two paths overlapping, no key attribute changed) depend
  only on the expression, its names and the table's keys, and two of them look at every
  clause again at every node of the tree. Here they run once for each expression, names
  and keys; the other seven, which read the request's values and the item, run for each
  request.
- moto measures the whole item again at each attribute an update sets; here the item is
  measured once, when the update is done, as DynamoDB measures it. An update refused
  there, or failing half-way, leaves the item as it was (moto left it half-updated).
- moto copies the item twice before each update: once for the stream's old image and
  once for ReturnValues. Here the second copy is made only when ReturnValues asks for
  old values or for what changed (pynamodb asks for the whole new item, which needs none).

Updates of an item that does not exist yet, and the legacy ``AttributeUpdates`` and
``Expected``, go to moto's own code.
"""

from __future__ import annotations

import copy
import functools
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from moto.core.responses import ActionResult
from moto.dynamodb.comparisons import create_condition_expression_parser
from moto.dynamodb.exceptions import (
    ConditionalCheckFailed,
    ItemSizeToUpdateTooLarge,
    MockValidationException,
    ProvidedKeyDoesNotExist,
)
from moto.dynamodb.models import DynamoDBBackend
from moto.dynamodb.models.dynamo_type import DynamoType, Item, LimitedSizeDict
from moto.dynamodb.parsing.ast_nodes import ExpressionAttributeName, ExpressionAttributeValue
from moto.dynamodb.parsing.executors import UpdateExpressionExecutor
from moto.dynamodb.parsing.expressions import UpdateExpressionParser
from moto.dynamodb.parsing.validators import (
    ActionCountValidator,
    OverlappingPathsValidator,
    UpdateExpressionValidator,
    UpdateHashRangeKeyValidator,
)
from moto.dynamodb.responses import DynamoHandler, validate_attributes_used

ITEM_SIZE_LIMIT = 405_000
"""moto's limit on an item's size (DynamoDB's 400 KB, as moto measures it)."""
STATIC_CHECKS = (ActionCountValidator, OverlappingPathsValidator, UpdateHashRangeKeyValidator)
"""The first checks of moto's ``UpdateExpressionValidator``, in its order: they read only
the expression, its names and the table's keys."""
MAX_CHECKED = 4096
RETURNED_WITHOUT_COPY = frozenset({"NONE", "ALL_NEW"})
"""What an update may ask back that needs no copy of the item as it was."""

_checked: set[tuple[str, tuple[tuple[str, str], ...], tuple[str, ...]]] = set()
_moto_backend_update_item = DynamoDBBackend.update_item
_moto_handler_update_item = DynamoHandler.update_item


class PerRequestValidator(UpdateExpressionValidator):  # type: ignore[misc]
    """moto's validator without the checks made once per expression (``check_once``)."""

    def get_ast_processors(self) -> list[Any]:
        processors: list[Any] = super().get_ast_processors()
        return processors[len(STATIC_CHECKS) :]


def check_once(
    tree: Any, expression: str, names: dict[str, str], key_attributes: list[str]
) -> None:
    """moto's checks of an update that depend only on its expression, names and the
    table's keys; an expression that passed them once passes them again."""
    seen = (expression, tuple(sorted(names.items())), tuple(key_attributes))
    if seen in _checked:
        return
    checks = (
        ActionCountValidator(),
        OverlappingPathsValidator(names),
        UpdateHashRangeKeyValidator(key_attributes, names),
    )
    node = copy.deepcopy(tree)
    for check in checks:
        node = check.traverse(node)
    if len(_checked) >= MAX_CHECKED:
        _checked.clear()
    _checked.add(seen)


class _AttributesBeingUpdated(LimitedSizeDict):  # type: ignore[misc]
    """An item's attributes while an update sets them: measured once it is done."""

    def __setitem__(self, key: str, value: Any) -> None:
        dict.__setitem__(self, key, value)


@contextmanager
def _all_or_nothing(item: Item, before: Item) -> Iterator[None]:
    """The update applies whole, and leaves the item no larger than DynamoDB allows; or
    the item is put back as it was (``before``: a copy of it)."""
    attributes = item.attrs
    attributes.__class__ = _AttributesBeingUpdated
    try:
        yield
        if item.size() > ITEM_SIZE_LIMIT:
            raise ItemSizeToUpdateTooLarge()
    except Exception:
        item.attrs = before.attrs
        raise
    finally:
        attributes.__class__ = LimitedSizeDict


def _key_values(table: Any, key: dict[str, Any]) -> tuple[DynamoType, DynamoType | None]:
    # moto's reading of the key, case for case.
    if table.hash_key_attr in key and table.range_key_attr in key:
        return DynamoType(key[table.hash_key_attr]), DynamoType(key[table.range_key_attr])
    if table.hash_key_attr in key:
        return DynamoType(key[table.hash_key_attr]), None
    return DynamoType(key), None


def update_item(
    backend: Any,
    table_name: str,
    key: dict[str, dict[str, Any]],
    update_expression: str,
    expression_attribute_names: dict[str, Any],
    expression_attribute_values: dict[str, Any],
    attribute_updates: dict[str, Any] | None = None,
    expected: dict[str, Any] | None = None,
    condition_expression: str | None = None,
    return_values_on_condition_check_failure: str | None = None,
) -> Item:
    """moto's ``DynamoDBBackend.update_item`` for an update expression on an item that
    exists, step for step, with the cheaper checks above."""
    table = backend.get_table(table_name)
    tree = UpdateExpressionParser.make(update_expression) if update_expression else None
    hash_value, range_value = _key_values(table, key)
    item = table.get_item(hash_value, range_value)
    if tree is None or item is None or attribute_updates or expected:
        found: Item = _moto_backend_update_item(
            backend,
            table_name,
            key,
            update_expression,
            expression_attribute_names,
            expression_attribute_values,
            attribute_updates,
            expected,
            condition_expression,
            return_values_on_condition_check_failure,
        )
        return found
    before = copy.deepcopy(item)
    condition = create_condition_expression_parser(
        condition_expression, expression_attribute_names, expression_attribute_values
    ).parse()
    if not condition.expr(item):
        if return_values_on_condition_check_failure == "ALL_OLD":
            raise ConditionalCheckFailed(item=item.to_json()["Attributes"])
        raise ConditionalCheckFailed
    names = expression_attribute_names or {}
    check_once(tree, update_expression, names, table.table_key_attrs)
    validated = PerRequestValidator(
        tree,
        expression_attribute_names=expression_attribute_names,
        expression_attribute_values=expression_attribute_values,
        item=item,
        table=table,
    ).validate()
    validated.normalize()
    with _all_or_nothing(item, before):
        UpdateExpressionExecutor(validated, item, expression_attribute_names).execute()
    if table.stream_shard is not None:
        table.stream_shard.add(before, item)
    return item


@functools.lru_cache(maxsize=1024)
def _placeholders(expression: str) -> tuple[list[str], list[str]]:
    """The names (``#n``) and values (``:v``) an update expression uses."""
    tree = UpdateExpressionParser.make(expression)
    names = [
        n.get_attribute_name_placeholder() for n in tree.find_clauses([ExpressionAttributeName])
    ]
    values = [v.get_value_name() for v in tree.find_clauses([ExpressionAttributeValue])]
    return names, values


def handle_update_item(handler: Any) -> ActionResult:
    """moto's UpdateItem request, step for step, for an update expression that returns
    nothing or the new item (``ReturnValues`` NONE or ALL_NEW, which pynamodb asks for):
    the item is not copied beforehand to compare with."""
    body = handler.body
    expression = body.get("UpdateExpression")
    return_values = body.get("ReturnValues", "NONE")
    legacy = body.get("AttributeUpdates")
    if return_values not in RETURNED_WITHOUT_COPY or expression is None or legacy:
        answer: ActionResult = _moto_handler_update_item(handler)
        return answer
    name = body["TableName"]
    key = body["Key"]
    table = handler.dynamodb_backend.get_table(name)
    if not all(k in table.attribute_keys for k in key):
        raise ProvidedKeyDoesNotExist
    expression = expression.strip()
    if expression == "":
        raise MockValidationException(
            "1 validation error detected: Invalid UpdateExpression: "
            "The expression can not be empty;"
        )
    names_used, values_used = _placeholders(expression)
    # moto reads the item here, refusing a key that does not match the table's schema.
    handler.dynamodb_backend.get_item(name, key)
    condition_expression = body.get("ConditionExpression")
    names = body.get("ExpressionAttributeNames", {})
    values = handler._get_expr_attr_values()
    condition = create_condition_expression_parser(condition_expression, names, values)
    condition.parse()
    validate_attributes_used(names, names_used + condition.expr_attr_names_found)
    validate_attributes_used(values, values_used + condition.expr_attr_values_found, "Values")
    item = handler.dynamodb_backend.update_item(
        name,
        key,
        update_expression=expression,
        attribute_updates=None,
        expression_attribute_names=names,
        expression_attribute_values=values,
        expected=body.get("Expected"),
        condition_expression=condition_expression,
        return_values_on_condition_check_failure=body.get("ReturnValuesOnConditionCheckFailure"),
    )
    result: dict[str, Any] = item.to_json() if return_values == "ALL_NEW" else {}
    result["ConsumedCapacity"] = {"TableName": name, "CapacityUnits": 0.5}
    # Already plain JSON: DynamoResult's walk for moto's own types would find none.
    return ActionResult(result)


def update_items_quickly() -> None:
    backend_class: Any = DynamoDBBackend
    backend_class.update_item = update_item
    handler_class: Any = DynamoHandler
    handler_class.update_item = handle_update_item
