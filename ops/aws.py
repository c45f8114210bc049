"""The AWS calls of the operator commands: the dead-letter queue (SQS), the tables'
streams and the functions (Lambda). Clients are created on first use, for the region each
ARN names, with the operator's own credentials."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import ClientError

from local.stream_pump import lambda_record

VISIBILITY_TIMEOUT_SECONDS = 900
"""How long a message stays hidden once received: longer than a run takes, so one run never
receives the same message twice."""
GET_RECORDS_LIMIT = 1000
MAX_EMPTY_READS = 5
"""An open shard may answer a read with no records; this many in a row ends the search."""
GONE = ("TrimmedDataAccessException", "ResourceNotFoundException")
_QUEUE_HOST = re.compile(r"^https://sqs\.([a-z0-9-]+)\.amazonaws\.com/")


def _session(region: str | None) -> Any:
    import boto3

    return boto3.session.Session(region_name=region)


def region_of(arn: str) -> str:
    """``arn:aws:<service>:<region>:...`` -> region."""
    return arn.split(":")[3]


def sequence_number(record: Mapping[str, Any]) -> int:
    return int(record["dynamodb"]["SequenceNumber"])


@dataclass(frozen=True)
class ParkedMessage:
    message_id: str
    receipt: str
    body: str
    attributes: dict[str, str] = field(default_factory=dict)
    """The message attributes' string values (the scheduler's say what failed)."""


class SqsQueue:
    """The dead-letter queue, read as a snapshot: every message received stays hidden for
    the run, so receiving stops once all have been seen."""

    def __init__(self, url: str, *, region: str | None = None, wait_seconds: int = 5) -> None:
        match = _QUEUE_HOST.match(url)
        self._url = url
        self._region = region or (match.group(1) if match else None)
        self._wait_seconds = wait_seconds
        self._sqs: Any = None

    def _client(self) -> Any:
        if self._sqs is None:
            self._sqs = _session(self._region).client("sqs")
        return self._sqs

    def receive(self) -> list[ParkedMessage]:
        response = self._client().receive_message(
            QueueUrl=self._url,
            MaxNumberOfMessages=10,
            WaitTimeSeconds=self._wait_seconds,
            VisibilityTimeout=VISIBILITY_TIMEOUT_SECONDS,
            MessageAttributeNames=["All"],
        )
        return [
            ParkedMessage(
                message_id=str(message["MessageId"]),
                receipt=str(message["ReceiptHandle"]),
                body=str(message.get("Body", "")),
                attributes={
                    name: str(value.get("StringValue", ""))
                    for name, value in message.get("MessageAttributes", {}).items()
                },
            )
            for message in response.get("Messages", [])
        ]

    def delete(self, message: ParkedMessage) -> None:
        self._client().delete_message(QueueUrl=self._url, ReceiptHandle=message.receipt)

    def release(self, message: ParkedMessage) -> None:
        """Visible again at once: the alarm, and the next run, see it still parked."""
        self._client().change_message_visibility(
            QueueUrl=self._url, ReceiptHandle=message.receipt, VisibilityTimeout=0
        )


class RecordsGone(Exception):
    """The stream no longer holds the records (24-hour retention), or no longer exists."""


class DynamoDBStreamReader:
    def __init__(self) -> None:
        self._clients: dict[str, Any] = {}

    def _client(self, region: str) -> Any:
        if region not in self._clients:
            self._clients[region] = _session(region).client("dynamodbstreams")
        return self._clients[region]

    def records(
        self, stream_arn: str, shard_id: str, first: str, last: str
    ) -> list[dict[str, Any]]:
        """The shard's records from sequence number ``first`` to ``last``, in the shape
        Lambda hands them to a function."""
        region = region_of(stream_arn)
        streams = self._client(region)
        try:
            iterator = streams.get_shard_iterator(
                StreamArn=stream_arn,
                ShardId=shard_id,
                ShardIteratorType="AT_SEQUENCE_NUMBER",
                SequenceNumber=first,
            )["ShardIterator"]
            return self._read(streams, iterator, int(last), stream_arn, region)
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") in GONE:
                raise RecordsGone(str(error)) from error
            raise

    @staticmethod
    def _read(
        streams: Any, iterator: str | None, last: int, stream_arn: str, region: str
    ) -> list[dict[str, Any]]:
        found: list[dict[str, Any]] = []
        empty_reads = 0
        while iterator and empty_reads < MAX_EMPTY_READS:
            response = streams.get_records(ShardIterator=iterator, Limit=GET_RECORDS_LIMIT)
            page = response.get("Records", [])
            empty_reads = 0 if page else empty_reads + 1
            for raw in page:
                if sequence_number(raw) > last:
                    return found
                # Shaped as the local stack's stream pump shapes them: as Lambda does.
                found.append(lambda_record(raw, stream_arn=stream_arn, region=region))
            if found and sequence_number(found[-1]) >= last:
                return found
            iterator = response.get("NextShardIterator")
        return found


@dataclass(frozen=True)
class Invocation:
    response: Any = None
    """What the function returned."""
    error: str | None = None
    """Why it failed (it raised, timed out, or could not be invoked)."""


class LambdaInvoker:
    """Invokes a function and waits for its answer (RequestResponse), as the event source
    mapping does."""

    def __init__(self) -> None:
        self._clients: dict[str, Any] = {}

    def _client(self, region: str) -> Any:
        if region not in self._clients:
            self._clients[region] = _session(region).client("lambda")
        return self._clients[region]

    def invoke(self, function_arn: str, payload: dict[str, Any]) -> Invocation:
        try:
            response = self._client(region_of(function_arn)).invoke(
                FunctionName=function_arn,
                InvocationType="RequestResponse",
                Payload=json.dumps(payload).encode("utf-8"),
            )
        except ClientError as error:
            return Invocation(error=f"could not be invoked: {error}")
        body = response["Payload"].read().decode("utf-8", "replace")
        if response.get("FunctionError"):
            return Invocation(error=f"{response['FunctionError']}: {body[:500]}")
        return Invocation(response=json.loads(body) if body else None)
