"""Errors as Chalice view errors: every refusal is a 4xx JSON body whose message names the
field or the reason."""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from functools import wraps
from typing import TYPE_CHECKING, Any, TypeVar

from chalice import (
    BadRequestError,
    ChaliceViewError,
    ConflictError,
    NotFoundError,
)
from chalice.app import Request

from chalicelib.domain.errors import Conflict, DomainError, InvalidRequest, NotFound

if TYPE_CHECKING:
    # pydantic is imported with the request schemas, on the first body parsed (cold start).
    from pydantic import BaseModel, ValidationError

Body = TypeVar("Body", bound="BaseModel")
View = TypeVar("View", bound=Callable[..., Any])

MAX_BODY_BYTES = 256 * 1024
"""About twice the largest body the schemas allow, written plainly (a full batch of
statuses, each with a full description); a larger one is refused before it is read."""
MAX_NESTING = 32
"""Deeper than any body the API takes, far shallower than what exhausts the parser's stack."""
_STRUCTURE = re.compile(rb'["\\\[\]{}]')


# Chalice has no error class for 413; its handler answers any view error with the class's
# STATUS_CODE. (mypy reads chalice as untyped.)
class PayloadTooLargeError(ChaliceViewError):  # type: ignore[misc]
    STATUS_CODE = 413


def nested_deeper_than(body: bytes, limit: int) -> bool:
    """Whether arrays and objects in a JSON text nest deeper than `limit`, told without
    recursion (what a deep text would exhaust); brackets inside strings do not count."""
    depth = 0
    in_string = False
    skip_to = 0
    for token in _STRUCTURE.finditer(body):
        at = token.start()
        if at < skip_to:
            continue
        char = token.group()
        if in_string:
            if char == b"\\":
                skip_to = at + 2
            elif char == b'"':
                in_string = False
        elif char == b'"':
            in_string = True
        elif char in (b"[", b"{"):
            depth += 1
            if depth > limit:
                return True
        else:
            depth -= 1
    return False


def parse_body(
    model: type[Body], request: Request, *, prepare: Callable[[Any], Any] | None = None
) -> Body:
    body = request.raw_body or b"null"
    if len(body) > MAX_BODY_BYTES:
        raise PayloadTooLargeError(f"body: larger than {MAX_BODY_BYTES // 1024} KiB")
    if nested_deeper_than(body, MAX_NESTING):
        raise BadRequestError(f"body: nested deeper than {MAX_NESTING} levels")
    try:
        raw = json.loads(body)
    except (ValueError, UnicodeDecodeError) as error:
        raise BadRequestError("body: not valid JSON") from error
    if raw is None:
        raise BadRequestError("body: a JSON object is required")
    if prepare is not None:
        raw = prepare(raw)
    from pydantic import ValidationError

    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise BadRequestError(describe(error)) from error


def describe(error: ValidationError) -> str:
    problems = []
    for detail in error.errors():
        field = ".".join(str(part) for part in detail["loc"]) or "body"
        message = str(detail["msg"]).removeprefix("Value error, ")
        problems.append(f"{field}: {message}")
    return "; ".join(problems)


def to_view_error(error: DomainError) -> ChaliceViewError:
    if isinstance(error, NotFound):
        return NotFoundError(str(error))
    if isinstance(error, InvalidRequest):
        return BadRequestError(str(error))
    if isinstance(error, Conflict):
        return ConflictError(str(error))
    return BadRequestError(str(error))


def refusals_as_http(view: View) -> View:
    """Map the domain's refusals to HTTP statuses."""

    @wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return view(*args, **kwargs)
        except DomainError as error:
            raise to_view_error(error) from error

    return wrapper  # type: ignore[return-value]
