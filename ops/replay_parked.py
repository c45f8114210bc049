"""Replays what the stack parked in its dead-letter queue.

    .venv/bin/python -m ops.replay_parked --queue-url URL [--dry-run]

The queue (the stack's ``DeadLetterQueueUrl`` output) holds three kinds of message:

- a stream batch an event source mapping gave up on. Lambda parks not the records but where
  they are (``DDBStreamBatchInfo``: stream, shard, first and last sequence numbers) and
  which function gave up (``requestContext.functionArn``). The records are read back from
  the stream, while its 24-hour retention still holds them, and handed to that function
  again as a stream event; those it reports as failed (``batchItemFailures``) are not
  delivered;
- a one-time schedule that could not invoke its function: the message is the schedule's
  input, its ``TARGET_ARN`` attribute names the function;
- a scheduled task that kept failing: Lambda's invocation record, the event under
  ``requestPayload``.

A message is deleted only once everything it stands for was delivered; the others stay
parked, and the run says why. Every consumer is idempotent, so delivering again a record or
an event that had in fact gone through changes nothing.
"""

from __future__ import annotations

import argparse
import json
import sys
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Protocol, TextIO

from ops.aws import (
    DynamoDBStreamReader,
    Invocation,
    LambdaInvoker,
    ParkedMessage,
    RecordsGone,
    SqsQueue,
    sequence_number,
)

STREAM_BATCH = "DDBStreamBatchInfo"
SCHEDULE_TARGET = "TARGET_ARN"
UNKNOWN = "a parked message"


class ParkedQueue(Protocol):
    def receive(self) -> list[ParkedMessage]:
        """The next messages not yet received in this run; none once all were."""
        ...

    def delete(self, message: ParkedMessage) -> None: ...

    def release(self, message: ParkedMessage) -> None:
        """Leave it parked, visible again."""
        ...


class StreamReader(Protocol):
    def records(
        self, stream_arn: str, shard_id: str, first: str, last: str
    ) -> list[dict[str, Any]]:
        """Lambda-shaped records from ``first`` to ``last``, or RecordsGone."""
        ...


class Invoker(Protocol):
    def invoke(self, function_arn: str, payload: dict[str, Any]) -> Invocation: ...


@dataclass(frozen=True)
class Outcome:
    message_id: str
    what: str
    """What the message stands for, in a few words."""
    delivered: bool
    """Everything was delivered (in a dry run: could be replayed)."""
    detail: str

    def line(self, *, dry_run: bool) -> str:
        if dry_run:
            verdict = "ready" if self.delivered else "stuck"
        else:
            verdict = "replayed" if self.delivered else "kept"
        return f"{verdict:<8} {self.message_id}  {self.what}: {self.detail}"


@dataclass(frozen=True)
class _Delivery:
    """One invocation a message asks for."""

    what: str
    function_arn: str
    payload: dict[str, Any]
    records: list[dict[str, Any]] | None = None
    """A stream batch's records, whose failures the function may report one by one."""


class _Stuck(Exception):
    """A message that cannot be replayed as it stands: what it stands for, and why."""

    def __init__(self, what: str, reason: str) -> None:
        super().__init__(reason)
        self.what = what
        self.reason = reason


class ParkedWork:
    def __init__(self, queue: ParkedQueue, streams: StreamReader, invoker: Invoker) -> None:
        self._queue = queue
        self._streams = streams
        self._invoker = invoker

    def replay(self, *, dry_run: bool = False) -> list[Outcome]:
        """Replay every parked message (in a dry run: say what would be replayed, and touch
        nothing). Delivered messages are deleted; the others stay parked."""
        outcomes: list[Outcome] = []
        kept: list[ParkedMessage] = []
        while batch := self._queue.receive():
            for message in batch:
                outcome = self._replay(message, dry_run)
                outcomes.append(outcome)
                if outcome.delivered and not dry_run:
                    self._queue.delete(message)
                else:
                    kept.append(message)
        # Only now: released at once, they would be received again in this run.
        for message in kept:
            self._queue.release(message)
        return outcomes

    def _replay(self, message: ParkedMessage, dry_run: bool) -> Outcome:
        # One message's trouble, whatever it is, never stops the others.
        try:
            delivery = self._delivery(message)
        except _Stuck as stuck:
            return Outcome(message.message_id, stuck.what, False, stuck.reason)
        except Exception as error:
            return Outcome(message.message_id, UNKNOWN, False, _one_line(error))
        if dry_run:
            return Outcome(message.message_id, delivery.what, True, _would(delivery))
        try:
            return self._deliver(message, delivery)
        except Exception as error:
            return Outcome(message.message_id, delivery.what, False, _one_line(error))

    def _delivery(self, message: ParkedMessage) -> _Delivery:
        body = _json_object(message.body)
        if body is not None and STREAM_BATCH in body:
            return self._stream_batch(body)
        target = message.attributes.get(SCHEDULE_TARGET)
        if target:
            if body is None:
                raise _Stuck(f"schedule for {_name(target)}", "its input is not a JSON object")
            return _Delivery(f"schedule for {_name(target)}", target, body)
        context = (body or {}).get("requestContext")
        function = context.get("functionArn") if isinstance(context, dict) else None
        payload = (body or {}).get("requestPayload")
        if function and isinstance(payload, dict):
            return _Delivery(f"failed run of {_name(function)}", str(function), payload)
        raise _Stuck(UNKNOWN, "not a stream batch, a schedule or a function's failed run")

    def _stream_batch(self, body: Mapping[str, Any]) -> _Delivery:
        info = body[STREAM_BATCH]
        function = str(body.get("requestContext", {}).get("functionArn", ""))
        stream = str(info["streamArn"])
        first, last = str(info["startSequenceNumber"]), str(info["endSequenceNumber"])
        what = f"{_table(stream)} stream batch {first}..{last} for {_name(function)}"
        if not function:
            raise _Stuck(what, "the message names no function to deliver the records to")
        try:
            records = self._streams.records(stream, str(info["shardId"]), first, last)
        except RecordsGone as gone:
            raise _Stuck(
                what,
                "the records have aged out of the stream's 24-hour retention (or the stream "
                f"is gone), so they cannot be replayed ({gone}). The message stays parked: "
                "note what it names, then delete it from the queue by hand",
            ) from gone
        except Exception as error:
            raise _Stuck(what, f"could not read the stream: {_one_line(error)}") from error
        if (
            not records
            or sequence_number(records[0]) != int(first)
            or sequence_number(records[-1]) != int(last)
        ):
            raise _Stuck(
                what,
                f"the stream holds {len(records)} record(s) of this batch, not all of it: "
                "the rest may have aged out of its 24-hour retention",
            )
        return _Delivery(what, function, {"Records": records}, records)

    def _deliver(self, message: ParkedMessage, delivery: _Delivery) -> Outcome:
        result = self._invoker.invoke(delivery.function_arn, delivery.payload)
        if result.error is not None:
            failed_again = f"failed again: {result.error}"
            return Outcome(message.message_id, delivery.what, False, failed_again)
        if delivery.records is not None:
            failed = _failed_records(result.response, delivery.records)
            if failed:
                return Outcome(
                    message.message_id,
                    delivery.what,
                    False,
                    f"{len(failed)} of {len(delivery.records)} record(s) failed again "
                    f"({', '.join(failed)})",
                )
        return Outcome(message.message_id, delivery.what, True, _delivered(delivery))


def _failed_records(response: Any, records: Sequence[Mapping[str, Any]]) -> list[str]:
    """The sequence numbers a partial batch response reports as failed."""
    if not isinstance(response, Mapping):
        return []
    in_batch = [str(record["dynamodb"]["SequenceNumber"]) for record in records]
    failed = []
    for failure in response.get("batchItemFailures") or []:
        identifier = failure.get("itemIdentifier") if isinstance(failure, Mapping) else None
        if str(identifier) not in in_batch:
            return in_batch  # what Lambda makes of a report it cannot read: all failed
        failed.append(str(identifier))
    return failed


def _would(delivery: _Delivery) -> str:
    if delivery.records is not None:
        return f"would hand {len(delivery.records)} record(s) to {_name(delivery.function_arn)}"
    return f"would invoke {_name(delivery.function_arn)} with its event"


def _delivered(delivery: _Delivery) -> str:
    if delivery.records is not None:
        return f"{len(delivery.records)} record(s) delivered to {_name(delivery.function_arn)}"
    return f"{_name(delivery.function_arn)} ran with its event"


def _one_line(error: Exception) -> str:
    return " ".join(f"{type(error).__name__}: {error}".split())


def _json_object(text: str) -> dict[str, Any] | None:
    try:
        value = json.loads(text)
    except ValueError:
        return None
    return value if isinstance(value, dict) else None


def _name(function_arn: str) -> str:
    """``arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`` -> name."""
    parts = function_arn.split(":")
    return parts[6] if len(parts) > 6 and parts[5] == "function" else function_arn or "?"


def _table(stream_arn: str) -> str:
    """``arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>`` -> name."""
    return stream_arn.split(":table/", 1)[-1].split("/", 1)[0]


def report(outcomes: Sequence[Outcome], *, dry_run: bool, out: TextIO) -> None:
    for outcome in outcomes:
        print(outcome.line(dry_run=dry_run), file=out)
    delivered = sum(outcome.delivered for outcome in outcomes)
    left = len(outcomes) - delivered
    if dry_run:
        print(
            f"{delivered} could be replayed, {left} could not (a dry run: nothing changed)",
            file=out,
        )
    else:
        print(f"{delivered} replayed, {left} still parked", file=out)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ops.replay_parked",
        description="Replay the stream batches and schedules parked in the dead-letter queue.",
    )
    parser.add_argument("--queue-url", required=True, help="the stack's DeadLetterQueueUrl output")
    parser.add_argument(
        "--dry-run", action="store_true", help="say what would be replayed; change nothing"
    )
    parser.add_argument("--region", help="the queue's region (default: the one in its URL)")
    args = parser.parse_args(argv)
    work = ParkedWork(
        SqsQueue(args.queue_url, region=args.region), DynamoDBStreamReader(), LambdaInvoker()
    )
    outcomes = work.replay(dry_run=args.dry_run)
    report(outcomes, dry_run=args.dry_run, out=sys.stdout)
    # A script running this learns whether anything is still parked.
    return 0 if args.dry_run or all(outcome.delivered for outcome in outcomes) else 1


if __name__ == "__main__":
    sys.exit(main())
