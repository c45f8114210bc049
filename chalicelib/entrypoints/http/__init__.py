"""The HTTP API: its blueprints (staff and customer), request and response schemas, views,
errors and the OpenAPI document built from the routes.

``schemas`` (pydantic models, phone-number rules) is loaded on first use rather than at
import: only the routes that read a body need it, and it is the heaviest part of a cold
start that the other routes would otherwise pay for nothing.
"""

from __future__ import annotations

import importlib
from types import ModuleType
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from chalicelib.entrypoints.http import schemas


def __getattr__(name: str) -> ModuleType:
    if name == "schemas":
        return importlib.import_module("chalicelib.entrypoints.http.schemas")
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


__all__ = ["schemas"]
