"""Counts every AWS call, whichever botocore client makes it (pynamodb keeps one per
model), by joining botocore's built-in handlers the way moto does — so it must be
imported before any client exists."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import botocore.handlers

_active: list[list[str]] = []


def _count(model: Any, **_: Any) -> None:
    for calls in _active:
        calls.append(f"{model.service_model.service_name}.{model.name}")


botocore.handlers.BUILTIN_HANDLERS.append(("before-call.*.*", _count))


@contextmanager
def aws_calls() -> Iterator[list[str]]:
    """The calls made inside the block, as 'service.Operation'."""
    calls: list[str] = []
    _active.append(calls)
    try:
        yield calls
    finally:
        _active.remove(calls)
