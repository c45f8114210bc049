"""The API describes itself truthfully, and logs say what happened without personal data."""

from __future__ import annotations

import io
import json
import logging

from openapi_spec_validator import validate

from app import app
from chalicelib.adapters.observability import logger
from chalicelib.api.openapi import OPERATIONS
from tests.integration.conftest import Api, Business
from tests.support.aws import Streams


def test_the_openapi_document_lists_exactly_the_routes_the_app_has(api: Api) -> None:
    routes = {(path, method) for path, methods in app.routes.items() for method in methods}
    assert routes == set(OPERATIONS)
    served = api.call("GET", "/openapi.json").body
    documented = {
        (path, method.upper()) for path, methods in served["paths"].items() for method in methods
    }
    assert documented == routes
    booking = served["paths"]["/businesses/{business_id}/slots/{slot_id}/bookings"]["post"]
    schema_name = booking["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    assert schema_name.endswith("/ContactBody")
    assert {"name", "email", "phone"} <= set(
        served["components"]["schemas"]["ContactBody"]["properties"]
    )
    assert served["paths"]["/staff/slots"]["get"]["security"] == [{"staffToken": []}]


def test_the_openapi_document_is_valid_and_describes_what_the_door_refuses(api: Api) -> None:
    served = api.call("GET", "/openapi.json").body
    validate(served)  # OpenAPI 3.1: its schemas are JSON Schema, as pydantic writes them
    schemas = served["components"]["schemas"]
    assert schemas["NewSlotsBody"]["properties"]["slots"]["maxItems"] == 100
    assert schemas["PipelineStatusesBody"]["properties"]["statuses"]["maxItems"] == 99
    assert schemas["NewSlotBody"]["properties"]["capacity"]["type"] == "integer"
    assert schemas["NewSlotBody"]["properties"]["starts_at"]["format"] == "date-time"
    language = schemas["BusinessProfile"]["properties"]["language"]["description"]
    assert language.startswith("en, fr, de, da or nb")


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
