"""The local stack wires the emulator, the routes, the pumps and the outbox together.

Run in-process with a small fixture app, so it checks the harness, not the product.
"""

from __future__ import annotations

import io
import json
import os
import socket
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import boto3
import jwt
import pytest
from chalice import Chalice

from chalicelib.adapters.dynamodb.streams import placeholder_stream_arn
from local.server import LocalHttpServer
from local.stack import LocalStack, StackOptions

REFUSED: set[str] = set()
"""Addresses and numbers the fixture's functions fail on, as on a broken dependency."""


def fixture_app() -> Chalice:
    app = Chalice(app_name="stack-fixture")

    @app.route("/echo", methods=["POST"])
    def echo() -> dict[str, Any]:
        return {"you_sent": app.current_request.json_body}

    @app.route("/bookings", methods=["POST"], cors=False)
    def book() -> dict[str, Any]:
        body = app.current_request.json_body
        boto3.client("dynamodb").put_item(
            TableName=os.environ["STANDBY_TABLE_PREFIX"] + "-bookings",
            Item={
                "pk": {"S": "BIZ#b#SLOT#s"},
                "sk": {"S": f"BOOKING#{body['email']}"},
                "email": {"S": body["email"]},
            },
        )
        return {"ok": True}

    @app.route("/remind", methods=["POST"])
    def remind() -> dict[str, Any]:
        body = app.current_request.json_body
        due = datetime.now(UTC) - timedelta(seconds=1)
        boto3.client("scheduler").create_schedule(
            Name=body.get("name", "remind-1"),
            ScheduleExpression=f"at({due.strftime('%Y-%m-%dT%H:%M:%S')})",
            FlexibleTimeWindow={"Mode": "OFF"},
            Target={
                "Arn": "arn:aws:lambda:eu-west-1:123456789012:function:stack-fixture-dev-text",
                "RoleArn": "arn:aws:iam::123456789012:role/scheduler",
                "Input": json.dumps({"phone": body["phone"]}),
            },
            ActionAfterCompletion="DELETE",
        )
        return {"scheduled": True}

    @app.on_dynamodb_record(
        stream_arn=placeholder_stream_arn("bookings"), starting_position="TRIM_HORIZON"
    )
    def confirm(event: Any) -> dict[str, Any]:
        ses = boto3.client("ses")
        failures = []
        for record in event:
            email = record.new_image["email"]["S"]
            if email in REFUSED:
                failures.append({"itemIdentifier": record.sequence_number})
                continue
            ses.send_email(
                Source=os.environ["EMAIL_SENDER"],
                Destination={"ToAddresses": [email]},
                Message={"Subject": {"Data": "Booked"}, "Body": {"Text": {"Data": "Welcome"}}},
            )
        return {"batchItemFailures": failures}

    @app.lambda_function(name="text")
    def text(event: dict[str, Any], context: Any) -> None:
        if event["phone"] in REFUSED:
            raise RuntimeError("the SMS provider is down")
        boto3.client("sns").publish(PhoneNumber=event["phone"], Message="See you soon")

    return app


@pytest.fixture(scope="module")
def stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[LocalStack]:
    state_dir = tmp_path_factory.mktemp("state")
    saved = os.environ.pop("STAFF_TOKEN_SECRET")
    options = StackOptions(port=0, moto_port=0, demo=False, state_dir=state_dir)
    running = LocalStack(options, app_loader=fixture_app, out=io.StringIO()).start()
    try:
        yield running
    finally:
        running.stop()
        os.environ["STAFF_TOKEN_SECRET"] = saved


def call(stack: LocalStack, method: str, path: str, body: Any = None) -> tuple[int, Any]:
    request = urllib.request.Request(
        stack.api_url + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, json.loads(response.read())
    except urllib.error.HTTPError as error:
        return error.code, json.loads(error.read() or b"null")


def eventually(check: Callable[[], Any], timeout: float = 3.0) -> Any:
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() > deadline:
            return result
        time.sleep(0.05)


def test_routes_are_served_by_the_chalice_gateway(stack: LocalStack) -> None:
    assert call(stack, "POST", "/echo", {"hello": "there"}) == (
        200,
        {"you_sent": {"hello": "there"}},
    )


def test_unknown_routes_answer_as_api_gateway_does(stack: LocalStack) -> None:
    status, body = call(stack, "GET", "/nowhere")

    assert status == 403
    assert body == {"message": "Missing Authentication Token"}


def test_a_write_reaches_the_stream_function_and_its_email_shows_in_the_outbox(
    stack: LocalStack,
) -> None:
    call(stack, "POST", "/bookings", {"email": "kari@example.com"})

    def emails_to_kari() -> list[dict[str, Any]]:
        outbox = call(stack, "GET", "/_local/outbox")[1]
        return [m for m in outbox["messages"] if m["to"] == "kari@example.com"]

    (message,) = eventually(emails_to_kari)
    assert (message["channel"], message["subject"], message["body"]) == (
        "email",
        "Booked",
        "Welcome",
    )
    assert call(stack, "GET", "/_local/outbox")[1]["dead_letters"] == []


def test_a_due_schedule_fires_its_function(stack: LocalStack) -> None:
    call(stack, "POST", "/remind", {"phone": "+4791234567"})

    def texts() -> list[dict[str, Any]]:
        outbox = call(stack, "GET", "/_local/outbox")[1]
        return [m for m in outbox["messages"] if m["channel"] == "sms"]

    (message,) = eventually(texts)
    assert (message["to"], message["body"]) == ("+4791234567", "See you soon")


def test_what_was_parked_is_replayed_once_its_functions_work_again(stack: LocalStack) -> None:
    REFUSED.update({"poison@example.com", "+4790000000"})
    try:
        call(stack, "POST", "/bookings", {"email": "poison@example.com"})
        call(stack, "POST", "/remind", {"phone": "+4790000000", "name": "remind-poison"})
        parked = eventually(
            lambda: len(call(stack, "GET", "/_local/dead-letters")[1]["dead_letters"]) == 2,
            timeout=10,
        )
        failed_again = call(stack, "POST", "/_local/dead-letters/replay")
    finally:
        REFUSED.clear()

    status, replayed = call(stack, "POST", "/_local/dead-letters/replay")

    assert parked
    assert failed_again[0] == 200
    assert (failed_again[1]["replayed"], failed_again[1]["still_parked"]) == (0, 2)
    assert {letter["source"] for letter in failed_again[1]["dead_letters"]} == {
        "dynamodb-stream",
        "scheduler",
    }
    assert (status, replayed) == (200, {"replayed": 2, "still_parked": 0, "dead_letters": []})

    def sent_after_replay() -> set[str]:
        outbox = call(stack, "GET", "/_local/outbox")[1]
        return {m["to"] for m in outbox["messages"]} & {"poison@example.com", "+4790000000"}

    assert eventually(lambda: len(sent_after_replay()) == 2)
    assert call(stack, "GET", "/_local/dead-letters") == (200, {"dead_letters": []})


def test_local_views_answer_only_their_method(stack: LocalStack) -> None:
    assert call(stack, "POST", "/_local/outbox")[0] == 405
    assert call(stack, "GET", "/_local/dead-letters/replay")[0] == 405
    assert call(stack, "GET", "/_local/nothing-here")[0] == 404


def test_the_staff_token_is_signed_with_the_key_kept_in_the_state_directory(
    stack: LocalStack,
) -> None:
    key = (stack.options.state_dir / "staff-token-secret").read_text().strip()

    claims = jwt.decode(stack.token, key, algorithms=["HS256"])

    assert claims["custom:business_id"] == "demo-salon"


def test_the_app_is_told_where_it_is_served(stack: LocalStack) -> None:
    assert stack.settings is not None
    assert stack.settings.public_base_url == stack.api_url


def test_the_banner_tells_how_to_use_the_stack(stack: LocalStack) -> None:
    banner = stack.banner()

    assert f"export TOKEN={stack.token}" in banner.splitlines()
    assert stack.outbox_url in banner


def without_chalice_marker(env: dict[str, str]) -> dict[str, str]:
    # Every new Chalice app appends itself to AWS_EXECUTION_ENV; that is not the stack's doing.
    return {name: value for name, value in env.items() if name != "AWS_EXECUTION_ENV"}


def test_stopping_gives_back_the_environment(tmp_path: Path) -> None:
    before = without_chalice_marker(dict(os.environ))
    options = StackOptions(port=0, moto_port=0, demo=False, state_dir=tmp_path)
    LocalStack(options, app_loader=fixture_app, out=io.StringIO()).start().stop()

    assert without_chalice_marker(dict(os.environ)) == before


def test_the_emulator_stops_with_the_stack(tmp_path: Path) -> None:
    options = StackOptions(port=0, moto_port=0, demo=False, state_dir=tmp_path)
    stack = LocalStack(options, app_loader=fixture_app, out=io.StringIO()).start()
    emulator = stack.moto_url

    stack.stop()

    with pytest.raises(urllib.error.URLError):
        urllib.request.urlopen(f"{emulator}/_local/sent", timeout=5)


def test_fifty_clients_connecting_at_once_are_all_let_in() -> None:
    server = LocalHttpServer("127.0.0.1", 0)
    clients: list[socket.socket] = []
    try:
        # Nothing accepts while they connect: each must wait in the listen queue.
        for _ in range(50):
            client = socket.create_connection((server.host, server.port), timeout=1)
            clients.append(client)
    finally:
        for client in clients:
            client.close()
        server.stop()
    assert len(clients) == 50
