"""Counts every AWS call, whichever botocore client makes it (pynamodb keeps one per
model), by joining botocore's built-in handlers the way moto does — so it must be
imported before any client exists.

Besides the calls, it tells how many DynamoDB items each one read and wrote: moto's
consumed capacity figures are fixed, so they say nothing about cost."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import botocore.handlers

_CALL = "standby.call"


@dataclass
class Call:
    name: str
    """'service.Operation'."""
    items_read: int = 0
    items_written: int = 0


_active: list[list[str]] = []
_logs: list[list[Call]] = []


def _written(operation: str, params: dict[str, Any]) -> int:
    if operation in ("PutItem", "UpdateItem", "DeleteItem"):
        return 1
    if operation == "BatchWriteItem":
        return sum(len(requests) for requests in params.get("RequestItems", {}).values())
    if operation == "TransactWriteItems":
        writes = ("Put", "Update", "Delete")
        return sum(1 for item in params.get("TransactItems", []) if set(item) & set(writes))
    return 0


def _read(operation: str, parsed: dict[str, Any]) -> int:
    if operation == "GetItem":
        return 1 if parsed.get("Item") else 0
    if operation in ("Query", "Scan"):
        # Items examined, not only those returned: a filter does not make a read cheaper.
        return int(parsed.get("ScannedCount", parsed.get("Count", 0)))
    if operation == "BatchGetItem":
        return sum(len(items) for items in parsed.get("Responses", {}).values())
    if operation == "TransactGetItems":
        return sum(1 for response in parsed.get("Responses", []) if response.get("Item"))
    return 0


def _before_build(model: Any, params: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    name = f"{model.service_model.service_name}.{model.name}"
    call = Call(name, items_written=_written(model.name, params) if _is_dynamodb(model) else 0)
    context[_CALL] = call


def _count(model: Any, context: dict[str, Any] | None = None, **_: Any) -> None:
    name = f"{model.service_model.service_name}.{model.name}"
    for calls in _active:
        calls.append(name)
    call = (context or {}).get(_CALL) or Call(name)
    for log in _logs:
        log.append(call)


def _after(model: Any, parsed: dict[str, Any], context: dict[str, Any], **_: Any) -> None:
    call = context.get(_CALL)
    if call is not None and _is_dynamodb(model):
        call.items_read = _read(model.name, parsed)


def _is_dynamodb(model: Any) -> bool:
    return bool(model.service_model.service_name == "dynamodb")


botocore.handlers.BUILTIN_HANDLERS.extend(
    [
        ("before-parameter-build.*.*", _before_build),
        ("before-call.*.*", _count),
        ("after-call.*.*", _after),
    ]
)


@contextmanager
def aws_calls() -> Iterator[list[str]]:
    """The calls made inside the block, as 'service.Operation'."""
    calls: list[str] = []
    _active.append(calls)
    try:
        yield calls
    finally:
        _active.remove(calls)


@contextmanager
def aws_call_log() -> Iterator[list[Call]]:
    """The calls made inside the block, with the DynamoDB items each read and wrote."""
    log: list[Call] = []
    _logs.append(log)
    try:
        yield log
    finally:
        _logs.remove(log)
