"""The local stream pump delivers table streams the way Lambda's event source mapping does."""

from __future__ import annotations

import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass, field, replace
from typing import Any, cast

import boto3
import pytest
from botocore.exceptions import ClientError, EndpointConnectionError
from chalice import Chalice
from moto import mock_aws

from local.dead_letters import DeadLetters
from local.stream_pump import StreamConsumer, StreamPump, consumers_from_app

TABLE = "pump-events"
PLACEHOLDER_ARN = "arn:aws:dynamodb:us-east-1:000000000000:table/events/stream/bound-at-deploy"


@dataclass
class Recorder:
    """What the fixture function saw, and how it is told to misbehave."""

    batches: list[list[str]] = field(default_factory=list)
    records: list[dict[str, Any]] = field(default_factory=list)
    fail_times: dict[str, int] = field(default_factory=dict)
    """Report this key as failed this many times (-1: always)."""
    raise_on: dict[str, int] = field(default_factory=dict)
    """Raise while this key is in the batch, this many times (-1: always)."""

    def handle(self, event: Any) -> dict[str, Any]:
        keys = []
        for record in event:
            keys.append(record.keys["pk"]["S"])
            self.records.append(
                {
                    "key": record.keys["pk"]["S"],
                    "new_image": record.new_image,
                    "timestamp": record.timestamp,
                    "raw": record.to_dict(),
                }
            )
        self.batches.append(keys)
        for key in keys:
            if self._consume(self.raise_on, key):
                raise RuntimeError(f"cannot handle {key}")
        failures = []
        for record in event:
            if self._consume(self.fail_times, record.keys["pk"]["S"]):
                failures.append({"itemIdentifier": record.sequence_number})
        return {"batchItemFailures": failures}

    @staticmethod
    def _consume(budget: dict[str, int], key: str) -> bool:
        left = budget.get(key, 0)
        if left == 0:
            return False
        if left > 0:
            budget[key] = left - 1
        return True

    @property
    def delivered(self) -> list[str]:
        return [key for batch in self.batches for key in batch]


def fixture_app(recorder: Recorder, batch_size: int) -> Chalice:
    app = Chalice(app_name="pump-fixture")

    @app.on_dynamodb_record(
        stream_arn=PLACEHOLDER_ARN, batch_size=batch_size, starting_position="TRIM_HORIZON"
    )
    def on_event(event: Any) -> dict[str, Any]:
        return recorder.handle(event)

    return app


@pytest.fixture
def aws() -> Iterator[None]:
    with mock_aws():
        boto3.client("dynamodb").create_table(
            TableName=TABLE,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        yield


def write(*keys: str) -> None:
    client = boto3.client("dynamodb")
    for key in keys:
        client.put_item(TableName=TABLE, Item={"pk": {"S": key}, "payload": {"B": b"\x00\x01"}})


def make_pump(
    recorder: Recorder,
    *,
    batch_size: int = 10,
    max_retries: int = 3,
    bisect_on_error: bool = False,
    dead_letters: DeadLetters | None = None,
    partitions: int = 1,
) -> StreamPump:
    app = fixture_app(recorder, batch_size)
    return StreamPump(
        dynamodb=boto3.client("dynamodb"),
        streams=boto3.client("dynamodbstreams"),
        consumers=consumers_from_app(app, lambda arn: TABLE),
        dead_letters=dead_letters or DeadLetters(),
        region="eu-west-1",
        max_retries=max_retries,
        bisect_on_error=bisect_on_error,
        retry_delay=0,
        partitions=partitions,
    )


def write_versions(keys: list[str], versions: int) -> None:
    client = boto3.client("dynamodb")
    for version in range(versions):
        for key in keys:
            client.put_item(
                TableName=TABLE, Item={"pk": {"S": key}, "version": {"N": str(version)}}
            )


@pytest.mark.usefixtures("aws")
class TestPartitions:
    def test_every_record_arrives_once_and_each_item_in_the_order_it_was_written(self) -> None:
        recorder = Recorder()
        keys = [f"item-{number}" for number in range(12)]
        write_versions(keys, 3)

        pump = make_pump(recorder, batch_size=4, partitions=4)
        pump.drain()
        pump.stop()

        assert sorted(recorder.delivered) == sorted(keys * 3)
        for key in keys:
            versions = [r["new_image"]["version"] for r in recorder.records if r["key"] == key]
            assert versions == [{"N": "0"}, {"N": "1"}, {"N": "2"}]

    def test_a_record_that_keeps_failing_is_parked_and_the_others_are_still_delivered(
        self,
    ) -> None:
        recorder = Recorder(fail_times={"item-3": -1})
        dead_letters = DeadLetters()
        keys = [f"item-{number}" for number in range(8)]
        write_versions(keys, 1)

        pump = make_pump(recorder, max_retries=2, dead_letters=dead_letters, partitions=4)
        pump.drain()
        pump.stop()

        (letter,) = dead_letters.all()
        assert letter.details["keys"] == "pk=item-3"
        assert set(recorder.delivered) == set(keys)


@pytest.mark.usefixtures("aws")
class TestDelivery:
    def test_records_reach_the_function_in_the_order_they_were_written(self) -> None:
        recorder = Recorder()
        write("a", "b", "c", "d", "e")

        make_pump(recorder).drain()

        assert recorder.delivered == ["a", "b", "c", "d", "e"]

    def test_a_batch_holds_at_most_the_batch_size(self) -> None:
        recorder = Recorder()
        write("a", "b", "c", "d", "e")

        make_pump(recorder, batch_size=2).drain()

        assert recorder.batches == [["a", "b"], ["c", "d"], ["e"]]

    def test_records_arrive_shaped_as_lambda_delivers_them(self) -> None:
        recorder = Recorder()
        write("a")
        stream_arn = boto3.client("dynamodb").describe_table(TableName=TABLE)["Table"][
            "LatestStreamArn"
        ]

        make_pump(recorder).drain()

        (seen,) = recorder.records
        raw = seen["raw"]
        assert raw["eventSource"] == "aws:dynamodb"
        assert raw["eventVersion"] == "1.1"
        assert raw["eventName"] == "INSERT"
        assert raw["awsRegion"] == "eu-west-1"
        assert raw["eventSourceARN"] == stream_arn
        assert isinstance(raw["dynamodb"]["ApproximateCreationDateTime"], int)
        assert raw["dynamodb"]["StreamViewType"] == "NEW_AND_OLD_IMAGES"
        assert seen["new_image"]["payload"] == {"B": "AAE="}, "binary arrives base64, as JSON"

    def test_the_consumers_are_read_from_the_app_with_their_settings(self) -> None:
        (consumer,) = make_pump(Recorder(), batch_size=7).consumers

        assert consumer.name == "on_event"
        assert consumer.table_name == TABLE
        assert consumer.batch_size == 7
        assert consumer.starting_position == "TRIM_HORIZON"
        assert consumer.deployed_name == "pump-fixture-local-on_event"


@pytest.mark.usefixtures("aws")
def test_records_no_filter_pattern_matches_are_checkpointed_without_invoking_the_function() -> None:
    recorder = Recorder()
    (consumer,) = consumers_from_app(fixture_app(recorder, 10), lambda arn: TABLE)
    only_b = {"dynamodb": {"NewImage": {"pk": {"S": [{"prefix": "b"}]}}}}
    pump = StreamPump(
        dynamodb=boto3.client("dynamodb"),
        streams=boto3.client("dynamodbstreams"),
        consumers=[replace(consumer, filters=(only_b,))],
        dead_letters=DeadLetters(),
        region="eu-west-1",
        retry_delay=0,
    )
    write("a1", "b1", "a2", "b2")

    pump.drain()
    write("a3", "b3")
    pump.drain()

    assert recorder.delivered == ["b1", "b2", "b3"]


def test_the_apps_stream_functions_get_the_templates_filters() -> None:
    import app as standby
    from local.event_filters import filter_patterns

    consumers = consumers_from_app(standby.app, lambda arn: "table")

    assert {c.name: c.filters for c in consumers} == {
        name: tuple(filter_patterns(name) or ())
        for name in ("on_booking_change", "on_outbox_message")
    }


@pytest.mark.usefixtures("aws")
class TestFailures:
    def test_a_reported_failure_is_retried_from_that_record_and_earlier_ones_are_not_resent(
        self,
    ) -> None:
        recorder = Recorder(fail_times={"b": 1})
        write("a", "b", "c")

        make_pump(recorder).drain()

        assert recorder.batches == [["a", "b", "c"], ["b", "c"]]

    def test_the_records_after_a_failed_one_are_still_delivered(self) -> None:
        recorder = Recorder(fail_times={"b": 2})
        write("a", "b", "c", "d")

        make_pump(recorder, batch_size=2).drain()

        assert recorder.batches[-1] == ["d"]
        assert recorder.delivered.count("b") == 3
        assert set(recorder.delivered) == {"a", "b", "c", "d"}

    def test_a_record_that_keeps_failing_is_parked_as_a_dead_letter(self) -> None:
        recorder = Recorder(fail_times={"b": -1})
        dead_letters = DeadLetters()
        write("a", "b", "c")

        make_pump(recorder, max_retries=2, dead_letters=dead_letters).drain()

        (letter,) = dead_letters.all()
        assert letter.source == "dynamodb-stream"
        assert letter.function == "on_event"
        assert letter.attempts == 3
        assert letter.payload["dynamodb"]["Keys"] == {"pk": {"S": "b"}}
        assert recorder.delivered.count("b") == 3

    def test_after_parking_a_record_the_stream_moves_on(self) -> None:
        recorder = Recorder(fail_times={"a": -1})
        pump = make_pump(recorder, max_retries=1)
        write("a")
        pump.drain()

        write("b")
        pump.drain()

        assert recorder.batches[-1] == ["b"]

    def test_a_function_that_raises_has_its_whole_batch_retried(self) -> None:
        recorder = Recorder(raise_on={"b": 1})
        write("a", "b", "c")

        make_pump(recorder).drain()

        assert recorder.batches == [["a", "b", "c"], ["a", "b", "c"]]

    def test_a_batch_that_keeps_raising_is_parked_record_by_record(self) -> None:
        recorder = Recorder(raise_on={"b": -1})
        dead_letters = DeadLetters()
        write("a", "b")

        make_pump(recorder, max_retries=1, dead_letters=dead_letters).drain()

        parked = [letter.details["keys"] for letter in dead_letters.all()]
        assert parked == ["pk=a", "pk=b"]
        assert all("RuntimeError: cannot handle b" in x.reason for x in dead_letters.all())

    def test_bisecting_on_error_isolates_the_poison_record(self) -> None:
        recorder = Recorder(raise_on={"c": -1})
        dead_letters = DeadLetters()
        write("a", "b", "c", "d")

        make_pump(recorder, max_retries=1, bisect_on_error=True, dead_letters=dead_letters).drain()

        assert [letter.details["keys"] for letter in dead_letters.all()] == ["pk=c"]
        assert {"a", "b", "d"} <= set(recorder.delivered)
        assert recorder.batches[-1] == ["d"]


@pytest.mark.usefixtures("aws")
def test_records_written_after_a_failed_transaction_are_still_delivered() -> None:
    recorder = Recorder()
    pump = make_pump(recorder)
    write("a")
    pump.drain()
    with pytest.raises(ClientError, match="TransactionCanceled"):
        boto3.client("dynamodb").transact_write_items(
            TransactItems=[
                {
                    "Put": {
                        "TableName": TABLE,
                        "Item": {"pk": {"S": "a"}},
                        "ConditionExpression": "attribute_not_exists(pk)",
                    }
                }
            ]
        )

    write("b")
    pump.drain()

    assert recorder.delivered == ["a", "b"]


@pytest.mark.usefixtures("aws")
def test_running_in_its_thread_the_pump_delivers_writes_as_they_happen() -> None:
    recorder = Recorder()
    pump = make_pump(recorder)
    pump.start()
    try:
        write("a", "b")
        deadline = time.monotonic() + 3
        while recorder.delivered != ["a", "b"] and time.monotonic() < deadline:
            time.sleep(0.02)
    finally:
        pump.stop()

    assert recorder.delivered == ["a", "b"]


@dataclass
class HoldingRecorder(Recorder):
    """Keeps a batch holding ``held`` waiting until ``release`` is set."""

    held: str = "slow"
    holding: threading.Event = field(default_factory=threading.Event)
    release: threading.Event = field(default_factory=threading.Event)

    def handle(self, event: Any) -> dict[str, Any]:
        if any(record.keys["pk"]["S"] == self.held for record in event):
            self.holding.set()
            self.release.wait(5)
        return super().handle(event)


@pytest.mark.usefixtures("aws")
def test_running_in_its_thread_a_slow_partition_does_not_hold_up_the_others() -> None:
    recorder = HoldingRecorder()
    pump = make_pump(recorder, partitions=4)
    # "a", "b" and "c" fall in partitions other than that of "slow".
    others = ["a", "b", "c"]
    pump.start()
    try:
        write("slow")
        assert recorder.holding.wait(3)
        write(*others)
        deadline = time.monotonic() + 3
        while sorted(recorder.delivered) != others and time.monotonic() < deadline:
            time.sleep(0.02)
        delivered_while_held = sorted(recorder.delivered)
        recorder.release.set()
        while "slow" not in recorder.delivered and time.monotonic() < deadline + 3:
            time.sleep(0.02)
    finally:
        recorder.release.set()
        pump.stop()

    assert delivered_while_held == others
    assert sorted(recorder.delivered) == ["a", "b", "c", "slow"]


# --- shards coming and going, which the emulator never does: a hand-written stream -----


class FakeStream:
    """A DynamoDB stream whose shards split: enough of both APIs for the pump."""

    ARN = "arn:aws:dynamodb:eu-west-1:123456789012:table/split/stream/2024"

    def __init__(self) -> None:
        self.shards: dict[str, dict[str, Any]] = {}
        self.records: dict[str, list[dict[str, Any]]] = {}
        self._sequence = 100

    def add_shard(self, shard_id: str, parent: str | None = None) -> None:
        self.shards[shard_id] = {
            "ShardId": shard_id,
            **({"ParentShardId": parent} if parent else {}),
        }
        self.records[shard_id] = []

    def close(self, shard_id: str) -> None:
        self.shards[shard_id]["closed"] = True

    def put(self, shard_id: str, key: str) -> None:
        self._sequence += 1
        self.records[shard_id].append(
            {
                "eventID": key,
                "eventName": "INSERT",
                "dynamodb": {
                    "Keys": {"pk": {"S": key}},
                    "SequenceNumber": str(self._sequence),
                    "SizeBytes": 1,
                    "StreamViewType": "KEYS_ONLY",
                    "ApproximateCreationDateTime": 0,
                },
            }
        )

    def describe_table(self, TableName: str) -> dict[str, Any]:
        return {"Table": {"TableName": TableName, "LatestStreamArn": self.ARN}}

    def describe_stream(self, StreamArn: str, **_: Any) -> dict[str, Any]:
        shards = [{k: v for k, v in s.items() if k != "closed"} for s in self.shards.values()]
        return {"StreamDescription": {"StreamArn": StreamArn, "Shards": shards}}

    def get_shard_iterator(
        self, ShardId: str, ShardIteratorType: str, SequenceNumber: str = "", **_: Any
    ) -> dict[str, Any]:
        records = self.records[ShardId]
        if ShardIteratorType == "AFTER_SEQUENCE_NUMBER":
            sequences = [r["dynamodb"]["SequenceNumber"] for r in records]
            position = sequences.index(SequenceNumber) + 1
        elif ShardIteratorType == "LATEST":
            position = len(records)
        else:
            position = 0
        return {"ShardIterator": f"{ShardId}|{position}"}

    def get_records(self, ShardIterator: str, Limit: int) -> dict[str, Any]:
        shard_id, position = ShardIterator.split("|")
        start = int(position)
        records = self.records[shard_id][start : start + Limit]
        end = start + len(records)
        exhausted = end == len(self.records[shard_id])
        response: dict[str, Any] = {"Records": records}
        if not (exhausted and self.shards[shard_id].get("closed")):
            response["NextShardIterator"] = f"{shard_id}|{end}"
        return response


def pump_reading(stream: FakeStream, recorder: Recorder, **options: Any) -> StreamPump:
    """A pump reading the hand-written stream into the fixture app's function."""
    app = fixture_app(recorder, batch_size=10)
    return StreamPump(
        dynamodb=cast(Any, stream),
        streams=cast(Any, stream),
        consumers=[
            StreamConsumer(name="on_event", table_name="split", handler=app.handler_map["on_event"])
        ],
        dead_letters=DeadLetters(),
        region="eu-west-1",
        **options,
    )


def test_a_shard_that_appears_later_is_read_from_its_start_after_its_parent() -> None:
    stream = FakeStream()
    stream.add_shard("shard-1")
    stream.put("shard-1", "a")
    recorder = Recorder()
    pump = pump_reading(stream, recorder, retry_delay=0, shard_refresh_seconds=0)
    pump.drain()
    stream.add_shard("shard-2", parent="shard-1")
    stream.put("shard-2", "c")
    stream.put("shard-1", "b")
    stream.close("shard-1")
    pump.drain()

    assert recorder.delivered == ["a", "b", "c"]


class UnreachableStream(FakeStream):
    """A stream whose reads fail as an emulator that went away does, counting them."""

    def __init__(self) -> None:
        super().__init__()
        self.reads = 0

    def get_records(self, ShardIterator: str, Limit: int, **_: Any) -> dict[str, Any]:
        self.reads += 1
        raise EndpointConnectionError(endpoint_url="http://127.0.0.1:1")


def test_a_pump_whose_reads_wait_does_not_retry_a_failing_read_at_once() -> None:
    stream = UnreachableStream()
    stream.add_shard("shard-1")
    pump = pump_reading(stream, Recorder(), read_wait_seconds=1.0, idle_poll_interval=0.2)
    pump.start()
    try:
        time.sleep(1.0)
    finally:
        pump.stop()

    # One read per idle poll (0.2 s), not one after another as fast as they fail.
    assert 1 <= stream.reads <= 10


@pytest.mark.usefixtures("aws")
class TestReplay:
    def test_a_parked_record_replayed_once_its_function_works_again_leaves_the_dead_letters(
        self,
    ) -> None:
        recorder = Recorder(fail_times={"b": 3})
        dead_letters = DeadLetters()
        pump = make_pump(recorder, max_retries=2, dead_letters=dead_letters)
        write("a", "b", "c")
        pump.drain()
        parked = [letter.details["keys"] for letter in dead_letters.all()]

        replayed = dead_letters.replay(
            lambda letter: pump.redeliver(letter.function, letter.payload)
        )

        assert parked == ["pk=b"]
        assert (replayed.replayed, replayed.still_parked) == (1, 0)
        assert dead_letters.all() == []
        assert recorder.batches[-1] == ["b"]

    def test_a_parked_record_that_fails_again_stays_with_the_new_reason(self) -> None:
        recorder = Recorder(raise_on={"b": 2})
        dead_letters = DeadLetters()
        pump = make_pump(recorder, max_retries=1, dead_letters=dead_letters)
        write("b")
        pump.drain()
        [before] = dead_letters.all()
        recorder.fail_times["b"] = -1

        replayed = dead_letters.replay(
            lambda letter: pump.redeliver(letter.function, letter.payload)
        )

        [after] = dead_letters.all()
        assert (replayed.replayed, replayed.still_parked) == (0, 1)
        assert "RuntimeError: cannot handle b" in before.reason
        assert after.reason == "reported as failed by the handler"
        assert after.attempts == before.attempts + 1
        assert after.payload == before.payload
