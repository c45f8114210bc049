"""Test support on moto: tables, a stream reader that delivers records as Lambda would,
and what SES and SNS were asked to send."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from email import message_from_string
from email.message import EmailMessage
from email.policy import default
from typing import Any
from uuid import uuid4

import boto3
from moto import mock_aws
from moto.core import DEFAULT_ACCOUNT_ID
from moto.ses.models import RawMessage, ses_backends
from moto.sns.models import sns_backends

from chalicelib.adapters.dynamodb.tables import create_all_tables
from chalicelib.settings import get_settings

REGION = "eu-west-1"


@contextmanager
def mocked_aws() -> Iterator[None]:
    with mock_aws():
        create_all_tables(boto3.client("dynamodb", region_name=REGION))
        boto3.client("ses", region_name=REGION).verify_email_identity(
            EmailAddress=get_settings().email_sender
        )
        yield


@dataclass(frozen=True)
class SentMessage:
    channel: str
    to: str
    subject: str | None
    body: str
    attachments: dict[str, str] = field(default_factory=dict)
    """File name to content, for emails sent raw."""


def sent_messages() -> list[SentMessage]:
    sent: list[SentMessage] = []
    for email in ses_backends[DEFAULT_ACCOUNT_ID][REGION].sent_messages:
        if isinstance(email, RawMessage):
            sent += [_raw(email, to) for to in email.destinations]
            continue
        for to in email.destinations.get("ToAddresses", []):
            sent.append(SentMessage("email", to, email.subject, email.body))
    for number, text in sns_backends[DEFAULT_ACCOUNT_ID][REGION].sms_messages.values():
        sent.append(SentMessage("sms", number, None, text))
    return sent


def _raw(email: RawMessage, to: str) -> SentMessage:
    """What a raw email says, read back with the standard library; the body is the HTML
    one when there is one, as moto keeps for other emails."""
    parsed = message_from_string(email.raw_data, policy=default)
    assert isinstance(parsed, EmailMessage)
    body = parsed.get_body(preferencelist=("html", "plain"))
    attachments = {
        str(part.get_filename()): part.get_content() for part in parsed.iter_attachments()
    }
    return SentMessage(
        "email",
        to,
        str(parsed["Subject"]),
        str(body.get_content()) if body is not None else "",
        {
            name: content.decode() if isinstance(content, bytes) else str(content)
            for name, content in attachments.items()
        },
    )


def sent_about(words: str) -> list[SentMessage]:
    """What was sent whose subject (or, for a text, body) says `words`."""
    return [m for m in sent_messages() if words in (m.subject or m.body)]


Handler = Callable[[dict[str, Any], Any], dict[str, Any]]


@dataclass
class StreamFeed:
    """Reads a table's stream from moto and hands new records to a handler as Lambda
    would; `copies` delivers every record more than once, as streams may."""

    table: str
    handler: Handler
    filters: list[dict[str, Any]] | None = None
    """The event source's filter patterns (`local.event_filters.filter_patterns`): a
    record none of them matches never reaches the handler, as in Lambda; None: all do."""
    filtered_out: list[dict[str, Any]] = field(default_factory=list)
    """Records dropped by the filters, as the handler would have seen them."""
    _last_sequence: dict[str, str] = field(default_factory=dict)
    _arn: str | None = None

    def _client(self) -> Any:
        return boto3.client("dynamodbstreams", region_name=REGION)

    def _new_records(self) -> list[dict[str, Any]]:
        streams = self._client()
        if self._arn is None:
            self._arn = boto3.client("dynamodb", region_name=REGION).describe_table(
                TableName=self.table
            )["Table"]["LatestStreamArn"]
        arn = self._arn
        records: list[dict[str, Any]] = []
        for shard in streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]:
            shard_id = shard["ShardId"]
            # A fresh iterator every time: moto swaps a table (and its stream) for a copy
            # when a transaction fails, which strands iterators taken before.
            after = self._last_sequence.get(shard_id)
            position: dict[str, str] = (
                {"ShardIteratorType": "AFTER_SEQUENCE_NUMBER", "SequenceNumber": after}
                if after
                else {"ShardIteratorType": "TRIM_HORIZON"}
            )
            iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard_id, **position)
            response = streams.get_records(ShardIterator=iterator["ShardIterator"])
            for record in response["Records"]:
                record["eventSourceARN"] = arn
                records.append(record)
                self._last_sequence[shard_id] = record["dynamodb"]["SequenceNumber"]
        return records

    def take(self) -> list[dict[str, Any]]:
        """Read what is new and deliver none of it, as when a record is parked, lost or
        late; `deliver_late` hands them over afterwards."""
        return self._new_records()

    def deliver_late(self, records: list[dict[str, Any]]) -> None:
        for record in self._passing(records):
            response = self.handler({"Records": [record]}, None)
            assert not response.get("batchItemFailures"), (record, response)

    def deliver(self, copies: int = 1) -> list[dict[str, Any]]:
        """Deliver what is new and passes the filters; returns each batch's response."""
        responses = []
        for record in self._passing(self._new_records()):
            for _ in range(copies):
                response = self.handler({"Records": [record]}, None)
                # Lambda would retry a failed record; here a failure is a bug to see.
                assert not response.get("batchItemFailures"), (record, response)
                responses.append(response)
        return responses

    def _passing(self, records: list[dict[str, Any]]) -> list[dict[str, Any]]:
        from local.event_filters import passes

        shaped = [_lambda_shape(record) for record in records]
        self.filtered_out += [r for r in shaped if not passes(self.filters, r)]
        return [r for r in shaped if passes(self.filters, r)]


def _lambda_shape(record: dict[str, Any]) -> dict[str, Any]:
    change = dict(record["dynamodb"])
    change.pop("ApproximateCreationDateTime", None)
    return {
        "eventID": record["eventID"],
        "eventName": record["eventName"],
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": REGION,
        "dynamodb": change,
        "eventSourceARN": record["eventSourceARN"],
    }


@dataclass
class Streams:
    """Both stream consumers of the app, fed until nothing new arrives."""

    feeds: list[StreamFeed]

    def settle(self, copies: int = 1) -> list[dict[str, Any]]:
        responses: list[dict[str, Any]] = []
        for _ in range(10):
            delivered = [r for feed in self.feeds for r in feed.deliver(copies)]
            if not delivered:
                return responses
            responses.extend(delivered)
        raise AssertionError("streams did not settle")


def create_streamed_table(dynamodb: Any, streams: Any) -> tuple[str, str, str]:
    """A table keyed by ``pk`` with a stream of new and old images, under a fresh name (an
    emulator's accounts outlive one server): its name, its stream's ARN and its shard."""
    name = f"things-{uuid4().hex}"
    arn = dynamodb.create_table(
        TableName=name,
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    return name, str(arn), str(shard)
