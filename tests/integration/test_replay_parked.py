"""What the stack parked in its dead-letter queue is replayed: stream batches are read back
from the stream and handed to the function that gave up on them, schedules' events to
their function; a message is deleted only once all it stands for was delivered.

SQS and the streams are moto's; the functions are the app's own handlers, called
in-process where Lambda would invoke them."""

from __future__ import annotations

import io
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import boto3
import pytest

from chalicelib.entrypoints.events.streams import on_booking_change
from chalicelib.settings import get_settings
from ops.aws import DynamoDBStreamReader, Invocation, SqsQueue
from ops.replay_parked import Outcome, ParkedWork, report
from tests.integration.conftest import Business
from tests.support.aws import REGION

FUNCTIONS = f"arn:aws:lambda:{REGION}:123456789012:function"
ON_BOOKING_CHANGE = f"{FUNCTIONS}:standby-on_booking_change"
SCHEDULED_TASK = f"{FUNCTIONS}:standby-scheduled-task"

Handler = Callable[[dict[str, Any], Any], Any]


@dataclass
class FunctionsInProcess:
    """Invokes a function by calling its handler here, as Lambda would there."""

    handlers: dict[str, Handler]
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)

    def invoke(self, function_arn: str, payload: dict[str, Any]) -> Invocation:
        self.calls.append((function_arn, payload))
        try:
            return Invocation(response=self.handlers[function_arn](payload, None))
        except Exception as error:
            return Invocation(error=f"{type(error).__name__}: {error}")


@pytest.fixture
def queue_url(aws: None) -> str:
    sqs = boto3.client("sqs", region_name=REGION)
    return str(sqs.create_queue(QueueName="standby-DeadLetterQueue")["QueueUrl"])


def parked(queue_url: str) -> list[str]:
    """What the queue holds (the messages' bodies), left visible."""
    sqs = boto3.client("sqs", region_name=REGION)
    messages = sqs.receive_message(
        QueueUrl=queue_url, MaxNumberOfMessages=10, VisibilityTimeout=0, WaitTimeSeconds=0
    ).get("Messages", [])
    return [str(message["Body"]) for message in messages]


def replay(
    queue_url: str, functions: FunctionsInProcess, *, dry_run: bool = False
) -> list[Outcome]:
    work = ParkedWork(SqsQueue(queue_url, wait_seconds=0), DynamoDBStreamReader(), functions)
    return work.replay(dry_run=dry_run)


def bookings_stream() -> tuple[str, str, list[dict[str, Any]]]:
    """The bookings table's stream ARN, its shard, and every record it holds."""
    table = get_settings().bookings_table
    arn = boto3.client("dynamodb", region_name=REGION).describe_table(TableName=table)["Table"][
        "LatestStreamArn"
    ]
    streams = boto3.client("dynamodbstreams", region_name=REGION)
    [shard] = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard["ShardId"], ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]
    return arn, shard["ShardId"], [dict(record) for record in records]


def park_stream_batch(queue_url: str, first: dict[str, Any], last: dict[str, Any]) -> None:
    """What Lambda's event source mapping sends its on-failure destination: where the
    records are, not the records."""
    arn, shard_id, _ = bookings_stream()
    boto3.client("sqs", region_name=REGION).send_message(
        QueueUrl=queue_url,
        MessageBody=json.dumps(
            {
                "requestContext": {
                    "requestId": "c9a6d5a4-0000-4000-8000-000000000000",
                    "functionArn": ON_BOOKING_CHANGE,
                    "condition": "RetryAttemptsExhausted",
                    "approximateInvokeCount": 6,
                },
                "responseContext": {
                    "statusCode": 200,
                    "executedVersion": "$LATEST",
                    "functionError": "Unhandled",
                },
                "version": "1.0",
                "timestamp": "2030-01-15T10:00:00.000Z",
                "DDBStreamBatchInfo": {
                    "shardId": shard_id,
                    "startSequenceNumber": first["dynamodb"]["SequenceNumber"],
                    "endSequenceNumber": last["dynamodb"]["SequenceNumber"],
                    "approximateArrivalOfFirstRecord": "2030-01-15T09:59:00Z",
                    "approximateArrivalOfLastRecord": "2030-01-15T09:59:00Z",
                    "batchSize": 1,
                    "streamArn": arn,
                },
            }
        ),
    )


def status_change(record: dict[str, Any]) -> tuple[str | None, str | None]:
    images = record["dynamodb"]
    return (
        images.get("OldImage", {}).get("status", {}).get("S"),
        images.get("NewImage", {}).get("status", {}).get("S"),
    )


def a_parked_cancellation(salon: Business, queue_url: str) -> str:
    """Ada cancels while Bo waits, and the record of her cancellation is parked before any
    function saw it. Returns the slot."""
    slot = salon.add_slot(capacity=1)
    ada = salon.book(slot, "Ada", email="ada@example.com").body["manage_token"]
    salon.join(slot, "Bo", email="bo@example.com")
    salon.api.call("POST", f"/bookings/{ada}/cancel")
    _, _, records = bookings_stream()
    [cancellation] = [r for r in records if status_change(r) == ("confirmed", "cancelled")]
    park_stream_batch(queue_url, cancellation, cancellation)
    return slot


def seated(salon: Business, slot: str) -> list[tuple[str, str]]:
    bookings = salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"]
    return [(b["customer"]["name"], b["source"]) for b in bookings if b["status"] == "confirmed"]


def test_a_parked_cancellation_once_replayed_gives_the_seat_to_the_waiting_customer(
    salon: Business, queue_url: str
) -> None:
    slot = a_parked_cancellation(salon, queue_url)
    functions = FunctionsInProcess({ON_BOOKING_CHANGE: on_booking_change})

    [outcome] = replay(queue_url, functions)

    assert outcome.delivered, outcome.detail
    [(function, event)] = functions.calls
    assert function == ON_BOOKING_CHANGE
    [record] = event["Records"]
    assert (record["eventSource"], record["eventName"]) == ("aws:dynamodb", "MODIFY")
    assert seated(salon, slot) == [("Bo", "waiting_list")]
    assert parked(queue_url) == []


def test_a_batch_whose_records_fail_again_stays_parked(salon: Business, queue_url: str) -> None:
    slot = a_parked_cancellation(salon, queue_url)

    def still_failing(event: dict[str, Any], context: Any) -> dict[str, Any]:
        return {
            "batchItemFailures": [
                {"itemIdentifier": r["dynamodb"]["SequenceNumber"]} for r in event["Records"]
            ]
        }

    [outcome] = replay(queue_url, FunctionsInProcess({ON_BOOKING_CHANGE: still_failing}))

    assert not outcome.delivered
    assert "1 of 1 record(s) failed again" in outcome.detail
    assert [json.loads(m)["DDBStreamBatchInfo"]["batchSize"] for m in parked(queue_url)] == [1]
    assert seated(salon, slot) == []


def test_a_batch_whose_function_raises_again_stays_parked(salon: Business, queue_url: str) -> None:
    a_parked_cancellation(salon, queue_url)

    def broken(event: dict[str, Any], context: Any) -> dict[str, Any]:
        raise RuntimeError("the table is throttled")

    [outcome] = replay(queue_url, FunctionsInProcess({ON_BOOKING_CHANGE: broken}))

    assert not outcome.delivered
    assert "failed again: RuntimeError: the table is throttled" in outcome.detail
    assert len(parked(queue_url)) == 1


def test_records_gone_from_the_stream_are_said_to_have_aged_out_and_stay_parked(
    salon: Business, queue_url: str
) -> None:
    a_parked_cancellation(salon, queue_url)
    boto3.client("dynamodb", region_name=REGION).delete_table(
        TableName=get_settings().bookings_table
    )
    functions = FunctionsInProcess({ON_BOOKING_CHANGE: on_booking_change})

    [outcome] = replay(queue_url, functions)

    assert not outcome.delivered
    assert "aged out of the stream's 24-hour retention" in outcome.detail
    assert functions.calls == []
    assert len(parked(queue_url)) == 1


def test_a_dry_run_says_what_it_would_replay_and_changes_nothing(
    salon: Business, queue_url: str
) -> None:
    slot = a_parked_cancellation(salon, queue_url)
    functions = FunctionsInProcess({ON_BOOKING_CHANGE: on_booking_change})

    outcomes = replay(queue_url, functions, dry_run=True)
    printed = io.StringIO()
    report(outcomes, dry_run=True, out=printed)

    assert functions.calls == []
    assert len(parked(queue_url)) == 1
    assert seated(salon, slot) == []
    lines = printed.getvalue().splitlines()
    assert lines[0].startswith("ready")
    assert "would hand 1 record(s) to standby-on_booking_change" in lines[0]
    assert lines[-1] == "1 could be replayed, 0 could not (a dry run: nothing changed)"


def test_a_schedule_that_could_not_invoke_its_function_is_replayed_with_its_input(
    queue_url: str,
) -> None:
    boto3.client("sqs", region_name=REGION).send_message(
        QueueUrl=queue_url,
        MessageBody=json.dumps({"business_id": "salon-a", "slot_id": "s1", "round": 1}),
        MessageAttributes={
            name: {"DataType": "String", "StringValue": value}
            for name, value in {
                "ERROR_CODE": "AWS.Scheduler.Lambda.TooManyRequestsException",
                "TARGET_ARN": SCHEDULED_TASK,
                "SCHEDULE_ARN": f"arn:aws:scheduler:{REGION}:123456789012:schedule/g/offer-1",
            }.items()
        },
    )
    functions = FunctionsInProcess({SCHEDULED_TASK: lambda event, context: {"expired": True}})

    [outcome] = replay(queue_url, functions)

    assert outcome.delivered, outcome.detail
    assert functions.calls == [
        (SCHEDULED_TASK, {"business_id": "salon-a", "slot_id": "s1", "round": 1})
    ]
    assert parked(queue_url) == []


def test_a_scheduled_task_that_kept_failing_is_replayed_with_its_event(queue_url: str) -> None:
    event = {"task": "send_message", "business_id": "salon-a", "message_id": "m-1"}
    boto3.client("sqs", region_name=REGION).send_message(
        QueueUrl=queue_url,
        MessageBody=json.dumps(
            {
                "version": "1.0",
                "timestamp": "2030-01-15T10:00:00.000Z",
                "requestContext": {
                    "requestId": "e0b1c2d3-0000-4000-8000-000000000000",
                    "functionArn": f"{SCHEDULED_TASK}:$LATEST",
                    "condition": "RetriesExhausted",
                    "approximateInvokeCount": 3,
                },
                "requestPayload": event,
                "responseContext": {"statusCode": 200, "functionError": "Unhandled"},
                "responsePayload": {"errorMessage": "the outbox is throttled"},
            }
        ),
    )
    functions = FunctionsInProcess(
        {f"{SCHEDULED_TASK}:$LATEST": lambda event, context: {"sent": True}}
    )

    [outcome] = replay(queue_url, functions)

    assert outcome.delivered, outcome.detail
    assert functions.calls == [(f"{SCHEDULED_TASK}:$LATEST", event)]
    assert parked(queue_url) == []


def test_a_message_of_no_known_kind_is_left_parked_and_said_so(queue_url: str) -> None:
    boto3.client("sqs", region_name=REGION).send_message(QueueUrl=queue_url, MessageBody="hello")
    functions = FunctionsInProcess({})

    outcomes = replay(queue_url, functions)
    printed = io.StringIO()
    report(outcomes, dry_run=False, out=printed)

    [outcome] = outcomes
    assert not outcome.delivered
    assert "not a stream batch, a schedule or a function's failed run" in outcome.detail
    assert printed.getvalue().splitlines()[-1] == "0 replayed, 1 still parked"
    assert functions.calls == []
    assert len(parked(queue_url)) == 1
