"""Errors as Chalice view errors: every refusal is a 4xx JSON body whose message names the
field or the reason."""

from __future__ import annotations

import json
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


def parse_body(
    model: type[Body], request: Request, *, prepare: Callable[[Any], Any] | None = None
) -> Body:
    try:
        raw = json.loads(request.raw_body or b"null")
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
