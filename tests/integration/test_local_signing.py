"""The local stack's clients send their credential scope, unsigned, and the emulator
serves them as it serves signed ones."""

from __future__ import annotations

from typing import Any

import boto3

from local.signing import sign_again, sign_scope_only
from tests.support.aws import create_streamed_table

REGION = "eu-west-1"


def _client(service: str, url: str) -> tuple[Any, list[str]]:
    """A client of a session of its own (a session takes its handlers when it is made), and
    the Authorization header of each request it sends."""
    session: Any = boto3.session.Session(region_name=REGION)
    client: Any = session.client(service, endpoint_url=url)
    sent: list[str] = []
    client.meta.events.register(
        "before-send.*.*",
        lambda request, **_: sent.append(request.headers["Authorization"].decode("ascii")),
    )
    return client, sent


def test_clients_made_after_it_send_the_scope_without_a_signature(emulator: str) -> None:
    sign_scope_only()
    try:
        dynamodb, dynamodb_sent = _client("dynamodb", emulator)
        streams, _ = _client("dynamodbstreams", emulator)
        ses, ses_sent = _client("ses", emulator)
        name, _, _ = create_streamed_table(dynamodb, streams)
        dynamodb.put_item(TableName=name, Item={"pk": {"S": "a"}, "n": {"N": "1"}})
        ses.verify_email_identity(EmailAddress="desk@example.com")
        # moto's backends outlive one server: count what this test sends.
        sent_before = ses.get_send_quota()["SentLast24Hours"]
        ses.send_email(
            Source="desk@example.com",
            Destination={"ToAddresses": ["ada@example.com"]},
            Message={"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "A seat."}}},
        )
    finally:
        sign_again()

    item = dynamodb.get_item(TableName=name, Key={"pk": {"S": "a"}})["Item"]
    assert item == {"pk": {"S": "a"}, "n": {"N": "1"}}
    assert ses.get_send_quota()["SentLast24Hours"] == sent_before + 1
    scope = f"/{REGION}/dynamodb/aws4_request, SignedHeaders=host, Signature=unsigned"
    assert dynamodb_sent[-1].endswith(scope)
    assert f"/{REGION}/ses/aws4_request" in ses_sent[-1]
    assert "Signature=unsigned" in ses_sent[-1]


def test_clients_made_before_or_after_it_sign_as_ever(emulator: str) -> None:
    before, before_sent = _client("dynamodb", emulator)
    sign_scope_only()
    sign_again()
    after, after_sent = _client("dynamodb", emulator)

    before.list_tables()
    after.list_tables()

    for header in (before_sent[-1], after_sent[-1]):
        assert "Signature=unsigned" not in header
        assert len(header.rsplit("Signature=", 1)[1]) == 64  # a SHA-256 signature in hex
