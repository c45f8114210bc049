"""The OpenAPI document of the HTTP API, served at /openapi.json, built from the routes the
app has and the operation each declares with ``@documented`` (or ``@page``)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint

from chalicelib.entrypoints.http.documented import FORM, Operation, Schema, documented, operation_of

docs = Blueprint(__name__)

VERSION = "3.1.0"
ERROR = {
    "type": "object",
    "properties": {"Code": {"type": "string"}, "Message": {"type": "string"}},
    "required": ["Code", "Message"],
}
DOCUMENT = {
    "type": "object",
    "properties": {
        "openapi": {"type": "string"},
        "info": {"type": "object"},
        "paths": {"type": "object"},
        "components": {"type": "object"},
    },
    "required": ["openapi", "info", "paths"],
}


@docs.route("/openapi.json", methods=["GET"])
@documented("This document", response=DOCUMENT)
def openapi() -> dict[str, Any]:
    return openapi_document(docs.current_app.routes)


def openapi_document(routes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Describe the routes the app has; a route that declares no operation is left out
    (a test keeps that from happening)."""
    components = _Components()
    paths: dict[str, Any] = {}
    for path, methods in routes.items():
        for method, entry in methods.items():
            operation = operation_of(entry.view_function)
            if operation is None:
                continue
            staff = entry.authorizer is not None
            paths.setdefault(path, {})[method.lower()] = _operation(
                path, method, operation, staff=staff, components=components
            )
    return {
        "openapi": VERSION,
        "info": {
            "title": "Standby",
            "version": "1",
            "description": "Bookings with a waiting list that refills freed seats by itself.",
        },
        "paths": paths,
        "components": {
            "schemas": components.schemas,
            "securitySchemes": {
                "staffToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }


class _Components:
    """The named schemas the operations refer to, gathered as they are met."""

    def __init__(self) -> None:
        self.schemas: dict[str, Any] = {"Error": ERROR}

    def ref(self, schema: Schema) -> dict[str, Any]:
        if isinstance(schema, dict):
            return schema
        if schema not in self.schemas:
            from chalicelib.entrypoints.http import schemas  # pydantic: only this route needs it

            model = getattr(schemas, schema)
            found = model.model_json_schema(
                ref_template="#/components/schemas/{model}", mode="validation"
            )
            self.schemas.update(found.pop("$defs", {}))
            self.schemas[schema] = found
        return {"$ref": f"#/components/schemas/{schema}"}


def _json(description: str, schema: dict[str, Any]) -> dict[str, Any]:
    return {"description": description, "content": {"application/json": {"schema": schema}}}


def _operation_id(path: str, method: str) -> str:
    words = path.strip("/").replace("{", "").replace("}", "").replace(".", "_").split("/")
    return "_".join([method.lower(), *words])


def _parameters(path: str) -> list[dict[str, Any]]:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return [
        {"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names
    ]


def _operation(
    path: str, method: str, operation: Operation, *, staff: bool, components: _Components
) -> dict[str, Any]:
    spec: dict[str, Any] = {
        "summary": operation.summary,
        "operationId": _operation_id(path, method),
        "parameters": _parameters(path)
        + [
            {"name": q.name, "in": "query", "required": False, "description": q.description}
            | {"schema": q.schema}
            for q in operation.query
        ],
    }
    if operation.page is not None:
        spec["responses"] = _page_responses(operation)
        if method == "POST":
            spec["requestBody"] = {
                "required": True,
                "content": {FORM: {"schema": {"type": "object"}}},
            }
        return spec
    responses: dict[str, Any] = {}
    if operation.response is not None:
        success = "201" if operation.created else "200"
        responses[success] = _json("Done", components.ref(operation.response))
    if operation.repeat is not None:
        responses["200"] = _json(
            operation.repeat.description, components.ref(operation.repeat.response)
        )
    for status in operation.refusals:
        responses[str(status)] = _json(
            "Refused; the message names the field or the reason",
            {"$ref": "#/components/schemas/Error"},
        )
    if staff:
        spec["security"] = [{"staffToken": []}]
        responses["401"] = {"description": "No staff token"}
        responses["403"] = {"description": "The staff token is not valid"}
    spec["responses"] = responses
    if operation.body is not None:
        spec["requestBody"] = {
            "required": True,
            "content": {"application/json": {"schema": components.ref(operation.body)}},
        }
    return spec


def _page_responses(operation: Operation) -> dict[str, Any]:
    text = {"type": "string"}
    responses: dict[str, Any] = {
        "200": {"description": "The page", "content": {operation.page: {"schema": text}}},
        "303": {"description": "Done: on to the page that shows the outcome"},
    }
    for status in operation.refusals:
        responses[str(status)] = {
            "description": "A page saying why",
            "content": {"text/html": {"schema": text}},
        }
    return responses
