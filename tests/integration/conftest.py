from __future__ import annotations

import json
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from chalice.test import Client

from app import app
from chalicelib.adapters.tokens import issue_local_staff_token
from chalicelib.bootstrap import services
from chalicelib.entrypoints.events.streams import on_booking_change, on_outbox_message
from chalicelib.settings import get_settings
from local.emulator import EmulatorServer
from local.event_filters import filter_patterns
from tests.support.aws import StreamFeed, Streams, mocked_aws
from tests.support.openapi import declared_answer_problems


@pytest.fixture
def aws() -> Iterator[None]:
    services.cache_clear()
    with mocked_aws():
        yield
    services.cache_clear()


@pytest.fixture
def emulator() -> Iterator[str]:
    """The local stack's emulator, served in this process: its address."""
    server = EmulatorServer()
    yield server.start()
    server.stop()


@pytest.fixture
def client(aws: None) -> Iterator[Client]:
    with Client(app) as test_client:
        yield test_client


@pytest.fixture
def streams(aws: None) -> Streams:
    settings = get_settings()
    return Streams(
        [
            StreamFeed(
                settings.bookings_table,
                on_booking_change,
                filter_patterns("on_booking_change"),
            ),
            StreamFeed(
                settings.outbox_table,
                on_outbox_message,
                filter_patterns("on_outbox_message"),
            ),
        ]
    )


def staff_token(business_id: str) -> str:
    settings = get_settings()
    assert settings.staff_token_secret
    return issue_local_staff_token(
        settings.staff_token_secret,
        business_id,
        now=datetime.now(UTC),
        claim=settings.staff_business_claim,
        lifetime=timedelta(hours=1),
    )


@dataclass
class Answer:
    status: int
    body: Any


@dataclass
class Api:
    """The HTTP API as a customer or a staff member uses it."""

    client: Client

    def call(self, method: str, path: str, body: Any = None, token: str | None = None) -> Answer:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        payload = None if body is None else json.dumps(body)
        response = getattr(self.client.http, method.lower())(path, headers=headers, body=payload)
        text = response.body.decode() if response.body else ""
        answer = Answer(response.status_code, json.loads(text) if text else None)
        problems = declared_answer_problems(method, path, answer.status, answer.body)
        assert not problems, "the answer is not what the OpenAPI document declares:\n" + "\n".join(
            problems
        )
        return answer


@dataclass
class Business:
    """A business set up through the staff API, with one service."""

    api: Api
    business_id: str
    token: str
    service_id: str

    def add_slot(self, capacity: int = 1, days_ahead: int = 2, **extra: Any) -> str:
        starts_at = (datetime.now(UTC) + timedelta(days=days_ahead)).replace(microsecond=0)
        answer = self.api.call(
            "POST",
            "/staff/slots",
            {
                "service_id": self.service_id,
                "starts_at": starts_at.isoformat(),
                "capacity": capacity,
                **extra,
            },
            self.token,
        )
        assert answer.status == 201, answer.body
        return str(answer.body["slots"][0]["slot_id"])

    def staff(self, method: str, path: str, body: Any = None) -> Answer:
        return self.api.call(method, path, body, self.token)

    def book(self, slot_id: str, name: str, **contact: str) -> Answer:
        return self.api.call(
            "POST",
            f"/businesses/{self.business_id}/slots/{slot_id}/bookings",
            {"name": name, **contact},
        )

    def join(self, slot_id: str, name: str, **contact: str) -> Answer:
        return self.api.call(
            "POST",
            f"/businesses/{self.business_id}/slots/{slot_id}/waiting-list",
            {"name": name, **contact},
        )


@pytest.fixture
def api(client: Client) -> Api:
    return Api(client)


def set_up_business(api: Api, business_id: str, name: str = "Salon") -> Business:
    token = staff_token(business_id)
    answer = api.call(
        "PUT",
        "/staff/business",
        {"name": name, "time_zone": "Europe/Oslo", "language": "en"},
        token,
    )
    assert answer.status == 200, answer.body
    answer = api.call("POST", "/staff/services", {"name": "Haircut", "duration_minutes": 30}, token)
    assert answer.status == 201, answer.body
    return Business(api, business_id, token, answer.body["services"][0]["service_id"])


@pytest.fixture
def salon(api: Api) -> Business:
    return set_up_business(api, "salon-a", "Salon A")
