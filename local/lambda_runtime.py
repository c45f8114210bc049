"""Calling the app's functions the way Lambda would: by name, with an event and a context."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice.local import LambdaContext

LOCAL_STAGE = "local"

Handler = Callable[[dict[str, Any], Any], Any]


def function_name(app: Any, handler_name: str, stage: str = LOCAL_STAGE) -> str:
    """The name Chalice gives the deployed function: ``<app>-<stage>-<handler>``."""
    return f"{app.app_name}-{stage}-{handler_name}"


def handler_of(app: Any, handler_name: str) -> Handler:
    """The wrapped handler Lambda would call (Chalice's own entry point, middleware included)."""
    handler: Handler = app.handler_map[handler_name]
    return handler


def handler_for_function(app: Any, deployed_function_name: str) -> str | None:
    """Which of the app's handlers a deployed function name stands for, if any.

    Deployed names are ``<app>-<stage>-<handler>``, and handler names may themselves hold
    dashes, so the longest handler name that ends the function name wins.
    """
    names: list[str] = list(app.handler_map)
    if deployed_function_name in names:
        return deployed_function_name
    matches = [name for name in names if deployed_function_name.endswith(f"-{name}")]
    return max(matches, key=len) if matches else None


def lambda_context(name: str, *, timeout_seconds: int = 60, memory_size: int = 512) -> Any:
    """A context with what handlers (and Powertools) read: name, request id, time left."""
    return LambdaContext(
        function_name=name, memory_size=memory_size, max_runtime_ms=timeout_seconds * 1000
    )
