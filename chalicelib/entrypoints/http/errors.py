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
        raise BadRequestError("body: must be a JSON object")
    if prepare is not None:
        raw = prepare(raw)
    from pydantic import ValidationError

    try:
        return model.model_validate(raw)
    except ValidationError as error:
        raise BadRequestError(describe(error)) from error


def describe(error: ValidationError) -> str:
    """Each problem as `field: what is wrong`, the field written as the API's clients write
    it (`slots[0].capacity`), the problem in plain words."""
    return "; ".join(
        f"{field_path(detail['loc'])}: {_problem(detail['type'], detail['msg'], detail.get('ctx'))}"
        for detail in error.errors()
    )


def field_path(location: tuple[int | str, ...]) -> str:
    """("slots", 0, "capacity") as "slots[0].capacity"; the body itself as "body"."""
    path = ""
    for part in location:
        path += f"[{part}]" if isinstance(part, int) else f".{part}" if path else str(part)
    return path or "body"


_PLAIN = {
    "missing": "required",
    "extra_forbidden": "not a field of this request; leave it out",
    "int_type": "must be a whole number",
    "int_parsing": "must be a whole number",
    "int_from_float": "must be a whole number",
    "bool_type": "must be true or false",
    "bool_parsing": "must be true or false",
    "string_type": "must be a string",
    "list_type": "must be a list",
    "dict_type": "must be a JSON object",
    "model_type": "must be a JSON object",
    "model_attributes_type": "must be a JSON object",
    "datetime_type": "must be a date and time as an ISO 8601 string, e.g. 2030-03-01T10:00",
    "string_pattern_mismatch": "is not in the expected form",
}
"""pydantic's wording ("Input should be a valid dictionary or instance of ContactBody") in
the API's words."""


_BOUNDED = {
    "string_too_long": ("must be at most {} characters", "max_length"),
    "too_short": ("give at least {}", "min_length"),
    "too_long": ("give at most {}", "max_length"),
    "greater_than_equal": ("must be at least {}", "ge"),
    "greater_than": ("must be more than {}", "gt"),
    "less_than_equal": ("must be at most {}", "le"),
    "less_than": ("must be less than {}", "lt"),
    "enum": ("must be {}", "expected"),
    "literal_error": ("must be {}", "expected"),
}
"""Refusals that name a limit: the wording, and which of pydantic's context values fills it."""


def _problem(kind: str, message: str, limits: dict[str, Any] | None) -> str:
    limits = limits or {}
    if kind == "string_too_short":
        least = limits.get("min_length", 1)
        return "must not be empty" if least == 1 else f"must be at least {least} characters"
    if kind in _BOUNDED:
        wording, limit = _BOUNDED[kind]
        return wording.format(limits.get(limit))
    if kind in _PLAIN:
        return _PLAIN[kind]
    for prefix in ("Value error, ", "Assertion failed, "):
        message = message.removeprefix(prefix)
    return message.replace("Input should be", "must be")


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
