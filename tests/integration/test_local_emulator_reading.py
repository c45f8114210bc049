"""How the local stack reads the emulator: stream records as plain JSON in Lambda's shape,
reads that wait for something new, conditions parsed once and still checked per request,
and emails read back for the outbox."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local.emulator import EmulatorServer
from local.emulator_streams import EmulatorStreams
from local.outbox import EmulatorSent
from local.stream_pump import lambda_record
from tests.support.aws import create_streamed_table

REGION = "eu-west-1"


@pytest.fixture(scope="module")
def emulator() -> Iterator[str]:
    server = EmulatorServer()
    yield server.start()
    server.stop()


@dataclass
class Stream:
    dynamodb: Any
    boto_streams: Any
    table: str
    arn: str
    shard: str

    def iterator(self, position: str = "TRIM_HORIZON") -> str:
        return str(
            self.boto_streams.get_shard_iterator(
                StreamArn=self.arn, ShardId=self.shard, ShardIteratorType=position
            )["ShardIterator"]
        )

    def put(self, key: str, **attributes: Any) -> None:
        self.dynamodb.put_item(TableName=self.table, Item={"pk": {"S": key}, **attributes})


@pytest.fixture
def stream(emulator: str) -> Stream:
    dynamodb: Any = boto3.client("dynamodb", region_name=REGION, endpoint_url=emulator)
    streams: Any = boto3.client("dynamodbstreams", region_name=REGION, endpoint_url=emulator)
    return Stream(dynamodb, streams, *create_streamed_table(dynamodb, streams))


def test_records_read_as_json_are_those_boto3_reads_in_the_shape_lambda_delivers(
    emulator: str, stream: Stream
) -> None:
    stream.put("a", payload={"B": b"\x00\x01"}, n={"N": "1"}, tags={"SS": ["x", "y"]})
    stream.dynamodb.delete_item(TableName=stream.table, Key={"pk": {"S": "a"}})
    iterator = stream.iterator()

    through_boto3 = stream.boto_streams.get_records(ShardIterator=iterator)["Records"]
    as_json = EmulatorStreams(emulator, region=REGION).get_records(ShardIterator=iterator)[
        "Records"
    ]

    def delivered(records: list[dict[str, Any]], *, json: bool) -> list[dict[str, Any]]:
        return [
            lambda_record(r, stream_arn=stream.arn, region=REGION, as_json=json) for r in records
        ]

    assert len(as_json) == 2
    assert delivered(as_json, json=True) == delivered(through_boto3, json=False)


def test_a_read_asked_to_wait_answers_as_soon_as_a_record_is_written(
    emulator: str, stream: Stream
) -> None:
    reader = EmulatorStreams(emulator, region=REGION)
    iterator = stream.iterator("LATEST")
    writer = threading.Timer(0.3, lambda: stream.put("late"))
    began = time.monotonic()
    writer.start()

    records = reader.get_records(ShardIterator=iterator, WaitSeconds=4)["Records"]

    waited = time.monotonic() - began
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["late"]
    assert 0.2 < waited < 3.0


def test_a_read_asked_to_wait_for_nothing_answers_empty_when_the_time_is_up(
    emulator: str, stream: Stream
) -> None:
    reader = EmulatorStreams(emulator, region=REGION)
    began = time.monotonic()

    answer = reader.get_records(ShardIterator=stream.iterator("LATEST"), WaitSeconds=0.5)

    assert answer["Records"] == []
    assert answer["NextShardIterator"]
    assert time.monotonic() - began >= 0.45


def test_a_read_with_an_unknown_iterator_is_refused_as_a_client_error(
    emulator: str,
) -> None:
    reader = EmulatorStreams(emulator, region=REGION)

    with pytest.raises(ClientError):
        reader.get_records(ShardIterator="not-an-iterator", WaitSeconds=1)


def test_one_condition_expression_checks_each_requests_own_values(stream: Stream) -> None:
    stream.put("seat", taken={"N": "1"})

    def take(expected: str) -> None:
        stream.dynamodb.update_item(
            TableName=stream.table,
            Key={"pk": {"S": "seat"}},
            UpdateExpression="SET taken = taken + :one",
            ConditionExpression="attribute_exists(pk) AND taken = :expected",
            ExpressionAttributeValues={":one": {"N": "1"}, ":expected": {"N": expected}},
        )

    take("1")
    take("2")
    with pytest.raises(ClientError, match="ConditionalCheckFailed"):
        take("2")
    with pytest.raises(ClientError, match="ConditionalCheckFailed"):
        stream.dynamodb.update_item(
            TableName=stream.table,
            Key={"pk": {"S": "seat"}},
            UpdateExpression="SET taken = taken + :one",
            ConditionExpression="attribute_exists(#pk) AND taken = :expected",
            ExpressionAttributeNames={"#pk": "missing"},
            ExpressionAttributeValues={":one": {"N": "1"}, ":expected": {"N": "3"}},
        )
    item = stream.dynamodb.get_item(TableName=stream.table, Key={"pk": {"S": "seat"}})["Item"]
    assert item["taken"] == {"N": "3"}


def test_the_outbox_waits_for_an_email_and_reads_its_subject_and_text(emulator: str) -> None:
    ses: Any = boto3.client("ses", region_name=REGION, endpoint_url=emulator)
    ses.verify_email_identity(EmailAddress="bookings@standby.example")
    sent = EmulatorSent(emulator)
    list(sent())  # what earlier tests sent

    def send() -> None:
        ses.send_email(
            Source="bookings@standby.example",
            Destination={"ToAddresses": ["ase@example.no"]},
            Message={
                "Subject": {"Data": "Du har fått plass", "Charset": "UTF-8"},
                "Body": {"Text": {"Data": "Hei Åse", "Charset": "UTF-8"}},
            },
        )

    sender = threading.Timer(0.3, send)
    sender.start()
    began = time.monotonic()
    sent.wait(4)
    fresh = [make() for _, make in sent()]
    sender.join()  # its answer, before the emulator stops

    assert time.monotonic() - began < 3.0
    assert [(m.to, m.subject, m.body) for m in fresh] == [
        ("ase@example.no", "Du har fått plass", "Hei Åse")
    ]
