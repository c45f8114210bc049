"""The app in this process against in-process moto: its HTTP routes through Chalice's test
client, its stream handlers fed by the tests' stream reader, every AWS call counted.

The environment must already be the local account (``tests.support.env``) and the call
counter imported before this module is: both happen first thing in ``bench.run``.
"""

from __future__ import annotations

import json
import time
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

from chalice.test import Client

from app import app
from chalicelib.adapters.tokens import issue_local_staff_token
from chalicelib.bootstrap import services
from chalicelib.entrypoints.events.streams import on_booking_change, on_outbox_message
from chalicelib.settings import get_settings
from local.event_filters import filter_patterns
from tests.support.aws import Handler, StreamFeed, mocked_aws
from tests.support.calls import Call, aws_call_log


class UnexpectedAnswer(RuntimeError):
    pass


@dataclass
class Api:
    """The HTTP API, called in-process; each call's AWS calls are kept in `last_calls`."""

    client: Client
    last_calls: list[Call] = field(default_factory=list)
    last_seconds: float = 0.0
    """How long the last call took the app, in-process."""

    def call(
        self, method: str, path: str, body: Any = None, token: str | None = None, expect: int = 200
    ) -> Any:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        payload = None if body is None else json.dumps(body)
        began = time.perf_counter()
        with aws_call_log() as log:
            response = getattr(self.client.http, method.lower())(
                path, headers=headers, body=payload
            )
        self.last_seconds = time.perf_counter() - began
        self.last_calls = list(log)
        text = response.body.decode() if response.body else ""
        if response.status_code != expect:
            raise UnexpectedAnswer(f"{method} {path} -> {response.status_code}: {text[:300]}")
        return json.loads(text) if text else None


@dataclass
class Business:
    api: Api
    business_id: str
    token: str
    services: dict[str, str]
    """Service ids by name."""

    def add_slots(
        self, count: int, *, service: str = "Haircut", capacity: int = 1, days_ahead: int = 2
    ) -> list[str]:
        start = (datetime.now(UTC) + timedelta(days=days_ahead)).replace(microsecond=0)
        slots = [
            {
                "service_id": self.services[service],
                "starts_at": (start + timedelta(hours=number)).isoformat(),
                "capacity": capacity,
            }
            for number in range(count)
        ]
        answer = self.staff("POST", "/staff/slots", {"slots": slots}, expect=201)
        return [str(slot["slot_id"]) for slot in answer["slots"]]

    def staff(self, method: str, path: str, body: Any = None, expect: int = 200) -> Any:
        return self.api.call(method, path, body, self.token, expect)

    def book(self, slot_id: str, name: str) -> Any:
        return self.api.call(
            "POST",
            f"/businesses/{self.business_id}/slots/{slot_id}/bookings",
            {"name": name, "email": email_of(name)},
            expect=201,
        )

    def join(self, slot_id: str, name: str) -> Any:
        return self.api.call(
            "POST",
            f"/businesses/{self.business_id}/slots/{slot_id}/waiting-list",
            {"name": name, "email": email_of(name)},
            expect=201,
        )


def email_of(name: str) -> str:
    return f"{name.lower().replace(' ', '.')}@example.com"


def staff_token(business_id: str) -> str:
    settings = get_settings()
    assert settings.staff_token_secret, "the local account has a staff token secret"
    return issue_local_staff_token(
        settings.staff_token_secret,
        business_id,
        now=datetime.now(UTC),
        claim=settings.staff_business_claim,
        lifetime=timedelta(hours=1),
    )


DEFAULT_SERVICES = (
    {"name": "Haircut", "duration_minutes": 30},
    {"name": "Consultation", "duration_minutes": 30, "requires_confirmation": True},
)


def set_up_business(
    api: Api,
    business_id: str,
    *,
    settings: dict[str, Any] | None = None,
    services: Sequence[dict[str, Any]] = DEFAULT_SERVICES,
) -> Business:
    token = staff_token(business_id)
    profile = {"name": "Bench Salon", "time_zone": "Europe/Oslo", "language": "en"}
    api.call("PUT", "/staff/business", {**profile, **(settings or {})}, token)
    created = api.call("POST", "/staff/services", {"services": list(services)}, token, expect=201)
    ids = {service["name"]: str(service["service_id"]) for service in created["services"]}
    return Business(api, business_id, token, ids)


@dataclass(frozen=True)
class Invocation:
    """One stream record handed to one handler, and the AWS calls the handler made."""

    handler: str
    record: dict[str, Any]
    calls: list[Call]
    seconds: float = 0.0
    """How long the handler ran for this record (its batch's time, shared out)."""

    @property
    def new_image(self) -> dict[str, Any]:
        image: dict[str, Any] = self.record.get("dynamodb", {}).get("NewImage") or {}
        return image

    @property
    def event(self) -> str:
        return str(self.record.get("eventName", ""))

    def attribute(self, name: str) -> str | None:
        value = self.new_image.get(name, {})
        return str(value["S"]) if "S" in value else None

    def context(self, name: str) -> str | None:
        """A value of a queued message's context (its links, for one)."""
        value = self.new_image.get("context", {}).get("M", {}).get(name, {})
        return str(value["S"]) if "S" in value else None


@dataclass
class CountedStreams:
    """Both stream handlers fed until nothing new arrives, each invocation's calls kept.

    Only calls made inside a handler are counted: the reader's own stream calls are not.
    """

    invocations: list[Invocation] = field(default_factory=list)
    feeds: list[StreamFeed] = field(default_factory=list)

    def __post_init__(self) -> None:
        settings = get_settings()
        self.feeds = [
            StreamFeed(
                settings.bookings_table,
                self._counted("on_booking_change", on_booking_change),
                filter_patterns("on_booking_change"),
            ),
            StreamFeed(
                settings.outbox_table,
                self._counted("on_outbox_message", on_outbox_message),
                filter_patterns("on_outbox_message"),
            ),
        ]

    def _counted(self, name: str, handler: Handler) -> Handler:
        def run(event: dict[str, Any], context: Any) -> dict[str, Any]:
            began = time.perf_counter()
            with aws_call_log() as log:
                response = handler(event, context)
            share = (time.perf_counter() - began) / max(1, len(event["Records"]))
            for record in event["Records"]:
                self.invocations.append(Invocation(name, record, list(log), share))
            return response

        return run

    def settle(self) -> list[Invocation]:
        """Deliver everything new; returns the invocations this made."""
        first = len(self.invocations)
        for feed in self.feeds:
            feed.filtered_out.clear()
        for _ in range(20):
            # Records the filters dropped invoked nothing, so wrote nothing new.
            if not any([feed.deliver() for feed in self.feeds]):
                return self.invocations[first:]
        raise RuntimeError("the streams did not settle")

    def filtered_out(self) -> dict[str, list[dict[str, Any]]]:
        """The records the last `settle` read that no filter passed, by handler."""
        return {
            "on_booking_change": list(self.feeds[0].filtered_out),
            "on_outbox_message": list(self.feeds[1].filtered_out),
        }


@contextmanager
def running_app() -> Iterator[Api]:
    """A fresh in-process AWS account with every table, and the app's API over it."""
    services.cache_clear()
    with mocked_aws(), Client(app) as client:
        yield Api(client)
    services.cache_clear()
