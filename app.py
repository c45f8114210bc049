"""Standby's Chalice app: it is created here, with its middleware, and given the blueprints
of chalicelib/entrypoints — nothing else lives here."""

from __future__ import annotations

from typing import Any
from uuid import uuid4

from chalice import Chalice, Response
from chalice.app import Request

from chalicelib.adapters.observability import logger
from chalicelib.entrypoints.events.schedules import schedules
from chalicelib.entrypoints.events.streams import streams
from chalicelib.entrypoints.http.auth import staff_auth
from chalicelib.entrypoints.http.customer import customer
from chalicelib.entrypoints.http.openapi import docs
from chalicelib.entrypoints.http.staff_bookings import staff_bookings
from chalicelib.entrypoints.http.staff_catalogue import staff_catalogue
from chalicelib.entrypoints.http.staff_messages import staff_messages
from chalicelib.entrypoints.pages.routes import pages

app = Chalice(app_name="standby")


@app.middleware("http")
def correlation_id(event: Request, get_response: Any) -> Response:
    correlation = (
        event.headers.get("x-correlation-id") or event.context.get("requestId") or uuid4().hex
    )
    logger.set_correlation_id(correlation)
    response: Response = get_response(event)
    response.headers["X-Correlation-Id"] = correlation
    return response


for blueprint in (
    staff_auth,
    staff_catalogue,
    staff_messages,
    staff_bookings,
    customer,
    docs,
    pages,
    streams,
    schedules,
):
    app.register_blueprint(blueprint)
