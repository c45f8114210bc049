"""Answers checked against the OpenAPI document: each success answer the tests get must be
what its route's operation declares, field for field."""

from __future__ import annotations

import re
from functools import cache
from typing import Any

from jsonschema import Draft202012Validator  # type: ignore[import-untyped]

from app import app
from chalicelib.entrypoints.http.openapi import openapi_document


@cache
def document() -> dict[str, Any]:
    return openapi_document(app.routes)


@cache
def _patterns() -> list[tuple[re.Pattern[str], str]]:
    def pattern(path: str) -> re.Pattern[str]:
        parts = ["[^/]+" if part.startswith("{") else re.escape(part) for part in path.split("/")]
        return re.compile("^" + "/".join(parts) + "$")

    found = [(pattern(path), path) for path in document()["paths"]]
    # A literal segment wins over a parameter (/staff/templates/preview over {message_type}).
    return sorted(found, key=lambda pair: pair[1].count("{"))


def route_of(path: str) -> str | None:
    bare = path.split("?", 1)[0]
    return next((template for pattern, template in _patterns() if pattern.match(bare)), None)


@cache
def _validator(template: str, method: str, status: str) -> Draft202012Validator | None:
    operation = document()["paths"][template][method]
    content = operation["responses"][status].get("content", {})
    schema = content.get("application/json", {}).get("schema")
    if schema is None:
        return None
    return Draft202012Validator({**schema, "components": document()["components"]})


def declared_answer_problems(method: str, path: str, status: int, body: Any) -> list[str]:
    """What is wrong with a success answer, by the document: nothing for a refusal, or for
    an answer the route does not declare as JSON."""
    if not 200 <= status < 300:
        return []
    template = route_of(path)
    if template is None:
        return [f"{method} {path}: no route in the document"]
    operation = document()["paths"][template].get(method.lower())
    if operation is None:
        return [f"{method} {template}: no operation in the document"]
    if str(status) not in operation["responses"]:
        return [f"{method} {template}: answered {status}, which the document does not declare"]
    validator = _validator(template, method.lower(), str(status))
    if validator is None:
        return []
    return [
        f"{method} {template} {status}: {'/'.join(map(str, error.absolute_path))}: {error.message}"
        for error in validator.iter_errors(body)
    ]
