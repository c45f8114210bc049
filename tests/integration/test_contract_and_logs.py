"""The API describes itself truthfully, and logs say what happened without personal data."""

from __future__ import annotations

import io
import json
import logging

from openapi_spec_validator import OpenAPIV31SpecValidator, validate

from app import app
from chalicelib.adapters.observability import logger
from chalicelib.entrypoints.http.documented import operation_of
from tests.integration.conftest import Api, Business
from tests.support.aws import Streams
from tests.support.openapi import declared_answer_problems


def test_every_route_of_the_app_declares_its_operation_with_a_schema_for_success(
    api: Api,
) -> None:
    routes = {(path, method) for path, methods in app.routes.items() for method in methods}
    undocumented = {
        (path, method)
        for path, methods in app.routes.items()
        for method, entry in methods.items()
        if operation_of(entry.view_function) is None
    }
    assert undocumented == set()
    served = api.call("GET", "/openapi.json").body
    documented = {
        (path, method.upper()) for path, methods in served["paths"].items() for method in methods
    }
    assert documented == routes
    for path, methods in served["paths"].items():
        for method, operation in methods.items():
            successes = {
                status: answer
                for status, answer in operation["responses"].items()
                if status.startswith("2")
            }
            assert successes, f"{method} {path} declares no success answer"
            for status, answer in successes.items():
                [(content_type, media)] = answer["content"].items()
                assert "schema" in media, f"{method} {path} {status} {content_type}: no schema"


def test_the_openapi_document_says_who_may_call_what_and_with_which_body(api: Api) -> None:
    served = api.call("GET", "/openapi.json").body
    booking = served["paths"]["/businesses/{business_id}/slots/{slot_id}/bookings"]["post"]
    schema_name = booking["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert schema_name.endswith("/ContactBody")
    assert {"name", "email", "phone"} <= set(
        served["components"]["schemas"]["ContactBody"]["properties"]
    )
    assert booking["responses"]["201"]["content"]["application/json"]["schema"] == {
        "$ref": "#/components/schemas/BookedAnswer"
    }
    assert "200" in booking["responses"]  # a repeated booking answers with the first
    assert served["paths"]["/staff/slots"]["get"]["security"] == [{"staffToken": []}]
    assert "security" not in served["paths"]["/businesses/{business_id}/slots"]["get"]
    offer_page = served["paths"]["/o/{token}"]["get"]["responses"]["200"]["content"]
    assert offer_page == {"text/html": {"schema": {"type": "string"}}}


def test_the_openapi_document_is_valid_for_its_version_and_describes_what_the_door_refuses(
    api: Api,
) -> None:
    served = api.call("GET", "/openapi.json").body
    assert served["openapi"] == "3.1.0"  # its schemas are JSON Schema, as pydantic writes them
    validate(served, cls=OpenAPIV31SpecValidator)
    schemas = served["components"]["schemas"]
    assert schemas["NewSlotsBody"]["properties"]["slots"]["maxItems"] == 100
    assert schemas["PipelineStatusesBody"]["properties"]["statuses"]["maxItems"] == 99
    assert schemas["NewSlotBody"]["properties"]["capacity"]["type"] == "integer"
    assert schemas["NewSlotBody"]["properties"]["starts_at"]["format"] == "date-time"
    language = schemas["BusinessProfile"]["properties"]["language"]["description"]
    assert language.startswith("en, fr, de, da or nb")


def test_an_answer_that_strays_from_its_declared_schema_is_caught(salon: Business) -> None:
    slot = salon.add_slot(capacity=2)
    answer = salon.book(slot, "Ada", email="ada@example.com")
    path = f"/businesses/{salon.business_id}/slots/{slot}/bookings"
    assert declared_answer_problems("POST", path, answer.status, answer.body) == []

    extra = {**answer.body, "booking": {**answer.body["booking"], "secret": "x"}}
    missing = {key: value for key, value in answer.body.items() if key != "manage_url"}

    assert declared_answer_problems("POST", path, 201, extra)
    assert declared_answer_problems("POST", path, 201, missing)
    assert declared_answer_problems("POST", path, 202, answer.body)


def test_logs_are_structured_with_correlation_ids_and_hold_no_email_or_phone(
    salon: Business, streams: Streams
) -> None:
    output = io.StringIO()
    handler = logging.StreamHandler(output)
    handler.setFormatter(logger.registered_formatter)
    standard_logger = logging.getLogger(logger.service)
    standard_logger.addHandler(handler)
    try:
        _refill_with_contacts(salon, streams)
    finally:
        standard_logger.removeHandler(handler)

    lines = output.getvalue().splitlines()
    records = [json.loads(line) for line in lines]
    messages = {record["message"] for record in records}
    assert {"held seat given to the waiting list", "message sent"} <= messages
    assert all(record.get("correlation_id") for record in records)
    everything = "\n".join(lines)
    for personal in ("ada@example.com", "bo@example.com", "+4791234567", "4791234567"):
        assert personal not in everything


def _refill_with_contacts(salon: Business, streams: Streams) -> None:
    slot = salon.add_slot(capacity=1)
    holder = salon.book(slot, "Ada", email="ada@example.com")
    salon.join(slot, "Bo", email="bo@example.com")
    salon.join(slot, "Cy", phone="+4791234567")
    salon.api.call("POST", f"/bookings/{holder.body['manage_token']}/cancel")
    streams.settle()
