"""``@documented``: what a route does, declared beside it, for the OpenAPI document.

Schemas are named, not imported: the route modules load with every cold start, and the
pydantic models load only when a body is read or the document is built. ``openapi.py``
resolves each name in ``chalicelib.entrypoints.http.schemas``, and a test checks that every
route of the app is documented with a schema for each success answer.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, TypeVar

Schema = str | dict[str, Any]
"""The name of a model in ``chalicelib.entrypoints.http.schemas``, or a JSON Schema."""

View = TypeVar("View", bound=Callable[..., Any])

HTML = "text/html"
CALENDAR = "text/calendar"
FORM = "application/x-www-form-urlencoded"

_ATTRIBUTE = "openapi_operation"


@dataclass(frozen=True)
class Repeat:
    """What a repeated request answers with 200, when it finds what the first made."""

    description: str
    response: Schema


@dataclass(frozen=True)
class Query:
    """A query-string parameter an operation reads (always optional)."""

    name: str
    description: str
    schema: dict[str, Any]


@dataclass(frozen=True)
class Operation:
    summary: str
    response: Schema | None = None
    """The success answer (JSON); a page's answer is its content type, as a string."""
    body: Schema | None = None
    created: bool = False
    """The success answer is 201 Created rather than 200."""
    refusals: tuple[int, ...] = ()
    repeat: Repeat | None = None
    page: str | None = None
    """An HTML page (or a file) for people: the content type of its 200 answer; a POST takes
    a plain form, and a done form answers 303 to the page that shows the outcome."""
    query: tuple[Query, ...] = ()


def documented(
    summary: str,
    *,
    response: Schema | None = None,
    body: Schema | None = None,
    created: bool = False,
    refusals: tuple[int, ...] = (),
    repeat: Repeat | None = None,
    query: tuple[Query, ...] = (),
) -> Callable[[View], View]:
    """Declare a JSON route's operation: its summary, query parameters, request body,
    success answer and the statuses it refuses with."""
    return _attach(Operation(summary, response, body, created, refusals, repeat, query=query))


def page(
    summary: str, *, refusals: tuple[int, ...] = (), content: str = HTML
) -> Callable[[View], View]:
    """Declare a page's operation: what it shows or does, and the statuses it refuses with
    (each answered with a page saying why)."""
    return _attach(Operation(summary, refusals=refusals, page=content))


def _attach(operation: Operation) -> Callable[[View], View]:
    def attach(view: View) -> View:
        setattr(view, _ATTRIBUTE, operation)
        return view

    return attach


def operation_of(view: Callable[..., Any]) -> Operation | None:
    """The operation declared on a route's view, if any."""
    found = getattr(view, _ATTRIBUTE, None)
    return found if isinstance(found, Operation) else None
