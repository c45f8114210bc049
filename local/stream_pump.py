"""Reads DynamoDB streams from the emulator and feeds the app's stream handlers, as Lambda's
event source mapping does.

What it keeps from the event source mapping:

- records of a shard are delivered in order, in batches of at most ``batch_size``,
  waiting up to ``maximum_batching_window_in_seconds`` to fill a batch;
- a handler that returns ``batchItemFailures`` (ReportBatchItemFailures) has the records
  before the lowest failed sequence number checkpointed, and the rest retried;
- a handler that raises (or reports an unknown item) has the whole batch retried, split in
  two first when bisecting on error;
- after ``max_retries`` retries the failed records are parked as dead letters and the
  shard moves on, so one poison record never blocks a stream, and nothing is dropped
  silently;
- shards that appear later are read from their start, a child only after its parent;
- a mapping's filter patterns (its ``FilterCriteria`` in infra/template.json) are applied
  before batching: a record none of them matches is checkpointed without invoking the
  function, as Lambda drops it.

The emulator keeps one shard per stream, where DynamoDB splits a busy table's stream into
many, by partition key, and Lambda reads them concurrently. With ``partitions`` above one,
the pump does the same with the emulator's shard: its records are spread over that many
partitions by the hash of their partition key, and each partition is delivered in order,
batched, retried and parked on its own, concurrently with the others. Records of one item
(or of one partition key) keep their order; records of different keys never had one.
"""

from __future__ import annotations

import base64
import json
import logging
import math
import threading
import time
import zlib
from collections.abc import Callable, Iterable, Mapping
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import datetime
from typing import TYPE_CHECKING, Any, Literal

from botocore.exceptions import BotoCoreError, ClientError

from local.dead_letters import DeadLetter, DeadLetters
from local.event_filters import filter_patterns, passes
from local.lambda_runtime import Handler, function_name, handler_of, lambda_context

if TYPE_CHECKING:
    from mypy_boto3_dynamodb import DynamoDBClient
    from mypy_boto3_dynamodbstreams import DynamoDBStreamsClient

    from local.emulator_streams import EmulatorStreams

logger = logging.getLogger("local.stream_pump")

ContextFactory = Callable[[str], Any]

# DynamoDB Streams' own ceiling for one GetRecords call.
GET_RECORDS_LIMIT = 1000
SHARD_REFRESH_SECONDS = 5.0


@dataclass(frozen=True)
class StreamConsumer:
    """One event source mapping: a table's stream feeding one function."""

    name: str
    table_name: str
    handler: Handler
    batch_size: int = 100
    starting_position: str = "TRIM_HORIZON"
    maximum_batching_window_in_seconds: float = 0.0
    function_name: str = ""
    filters: tuple[dict[str, Any], ...] | None = None
    """The event source's filter patterns; None: every record invokes the function."""

    @property
    def deployed_name(self) -> str:
        return self.function_name or self.name


def consumers_from_app(app: Any, table_of_stream: Callable[[str], str]) -> list[StreamConsumer]:
    """The app's ``on_dynamodb_record`` functions, each bound to the table it reads.

    ``table_of_stream`` turns the stream ARN the app declared into a table name.
    """
    from chalice.app import DynamoDBEventConfig

    consumers = []
    for source in app.event_sources:
        if not isinstance(source, DynamoDBEventConfig):
            continue
        consumers.append(
            StreamConsumer(
                name=source.name,
                table_name=table_of_stream(source.stream_arn),
                handler=handler_of(app, source.name),
                batch_size=source.batch_size,
                starting_position=source.starting_position,
                maximum_batching_window_in_seconds=source.maximum_batching_window_in_seconds,
                function_name=function_name(app, source.name),
                filters=_filters_of(source.name),
            )
        )
    return consumers


def _filters_of(handler_name: str) -> tuple[dict[str, Any], ...] | None:
    patterns = filter_patterns(handler_name)
    return None if patterns is None else tuple(patterns)


def lambda_record(
    raw: Mapping[str, Any], *, stream_arn: str, region: str, as_json: bool = False
) -> dict[str, Any]:
    """A GetRecords record in the shape Lambda hands to a function.

    boto3 parses the wire format (dates to datetimes, binary to bytes); Lambda's JSON has
    epoch seconds and base64 strings, which is what handlers and Powertools expect.
    ``as_json``: the record is in that shape already.
    """
    change = raw.get("dynamodb", {})
    dynamodb = dict(change) if as_json else _as_lambda_json(change)
    record: dict[str, Any] = {
        "eventID": raw.get("eventID", ""),
        "eventName": raw.get("eventName", ""),
        "eventVersion": "1.1",
        "eventSource": "aws:dynamodb",
        "awsRegion": region,
        "dynamodb": dynamodb,
        "eventSourceARN": stream_arn,
    }
    if "userIdentity" in raw:
        record["userIdentity"] = _as_lambda_json(raw["userIdentity"])
    return record


def _as_lambda_json(value: Any) -> Any:
    if isinstance(value, datetime):
        return int(value.timestamp())
    if isinstance(value, bytes | bytearray):
        return base64.b64encode(value).decode("ascii")
    if isinstance(value, Mapping):
        return {key: _as_lambda_json(item) for key, item in value.items()}
    if isinstance(value, list | tuple | set):
        return [_as_lambda_json(item) for item in value]
    return value


def sequence_number(record: Mapping[str, Any]) -> str:
    return str(record["dynamodb"]["SequenceNumber"])


@dataclass
class _Lane:
    """Records of a shard (or of one partition of it) waiting for delivery, in order."""

    pending: list[dict[str, Any]] = field(default_factory=list)
    head: str | None = None
    """The sequence number the attempt count belongs to: the first undelivered record."""
    attempts: int = 0
    batch_limit: int | None = None
    """Set while bisecting after an error."""
    pending_since: float | None = None
    retry_at: float = 0.0
    busy: bool = False
    """A worker is delivering this lane's records: no other may, so they stay in order."""


@dataclass
class _Shard:
    shard_id: str
    parent_id: str | None
    iterator: str | None
    lanes: list[_Lane]
    from_start: bool = True
    """Read from TRIM_HORIZON (else from LATEST) until a record has been seen."""
    closed: bool = False
    idle: bool = False
    """The last read found nothing."""
    last_fetched: str | None = None

    @property
    def pending(self) -> int:
        return sum(len(lane.pending) for lane in self.lanes)

    @property
    def done(self) -> bool:
        return self.closed and not self.pending


@dataclass
class _Mapping:
    consumer: StreamConsumer
    stream_arn: str | None = None
    hash_key: str | None = None
    shards: dict[str, _Shard] = field(default_factory=dict)
    refreshed_at: float = -math.inf
    lock: threading.Lock = field(default_factory=threading.Lock)
    wake: threading.Event = field(default_factory=threading.Event)
    last_error: str | None = None
    waited: bool = False
    """The last step's read waited for records (and found none)."""


@dataclass(frozen=True)
class _Outcome:
    failed: frozenset[str] | None
    """None: the batch succeeded; empty: it failed as a whole; else the failed records."""
    error: str = ""

    @property
    def succeeded(self) -> bool:
        return self.failed is None


class StreamPump:
    def __init__(
        self,
        *,
        dynamodb: DynamoDBClient,
        streams: DynamoDBStreamsClient | EmulatorStreams,
        consumers: Iterable[StreamConsumer],
        dead_letters: DeadLetters,
        region: str,
        max_retries: int = 3,
        bisect_on_error: bool = False,
        poll_interval: float = 0.1,
        idle_poll_interval: float = 1.0,
        active_seconds: float = 2.0,
        retry_delay: float = 0.2,
        context_factory: ContextFactory = lambda_context,
        on_iterator_spent: Callable[[str], None] | None = None,
        shard_refresh_seconds: float = SHARD_REFRESH_SECONDS,
        partitions: int = 1,
        read_wait_seconds: float = 0.0,
        reposition_when_idle: bool = True,
        read_interval: float = 0.0,
        records_as_json: bool = False,
    ) -> None:
        """``on_iterator_spent`` is told of every shard iterator the pump no longer needs
        (the emulator keeps them all otherwise); ``partitions``: how many partitions each
        shard is delivered as (see the module's docstring).

        ``read_wait_seconds``: while running, each read asks the streams client to wait that
        long for records (``get_records(..., WaitSeconds=...)``, which the local emulator's
        client takes), instead of the pump polling; 0 for a client that cannot wait.
        ``reposition_when_idle``: after an empty read, read on from a fresh iterator (see
        ``_fetch``); needless with an emulator that rolls back in place.
        ``read_interval``: while running, the least time between two reads of a stream that
        found records, so that what is written meanwhile comes in one read (Lambda reads
        each shard four times a second).
        ``records_as_json``: the streams client answers with records as JSON already (epoch
        seconds, base64 binary), the shape Lambda hands over, so they need no conversion."""
        if partitions < 1:
            raise ValueError("partitions must be at least 1")
        self._dynamodb = dynamodb
        self._streams = streams
        self._mappings = [_Mapping(consumer) for consumer in consumers]
        self._dead_letters = dead_letters
        self._region = region
        self._max_retries = max_retries
        self._bisect_on_error = bisect_on_error
        self._poll_interval = poll_interval
        self._idle_poll_interval = idle_poll_interval
        self._active_seconds = active_seconds
        self._active_until = 0.0
        self._retry_delay = retry_delay
        self._context_factory = context_factory
        self._on_iterator_spent = on_iterator_spent
        self._shard_refresh_seconds = shard_refresh_seconds
        self._partitions = partitions
        self._read_wait_seconds = read_wait_seconds
        self._reposition_when_idle = reposition_when_idle
        self._read_interval = read_interval
        self._records_as_json = records_as_json
        self._delivering: ThreadPoolExecutor | None = None
        self._delivering_lock = threading.Lock()
        self._stop = threading.Event()
        self._threads: list[threading.Thread] = []

    @property
    def consumers(self) -> list[StreamConsumer]:
        return [mapping.consumer for mapping in self._mappings]

    # --- running ------------------------------------------------------------------------

    def start(self) -> None:
        """One daemon thread per mapping, so a retrying function never stalls another."""
        self._stop.clear()
        for mapping in self._mappings:
            thread = threading.Thread(
                target=self._run,
                args=(mapping,),
                name=f"stream-pump-{mapping.consumer.name}",
                daemon=True,
            )
            thread.start()
            self._threads.append(thread)

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        for mapping in self._mappings:
            mapping.wake.set()
        for thread in self._threads:
            thread.join(timeout)
        self._threads.clear()
        with self._delivering_lock:
            delivering, self._delivering = self._delivering, None
        if delivering is not None:
            delivering.shutdown(wait=True)

    def drain(self, timeout: float = 10.0) -> None:
        """Deliver everything the streams hold now, retries included, then return."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            progressed = False
            for mapping in self._mappings:
                progressed = self._step(mapping, wait=True) or progressed
            if progressed:
                continue
            if not any(self._waiting_to_retry(mapping) for mapping in self._mappings):
                return
            time.sleep(0.01)
        raise TimeoutError("streams still had records to deliver")

    def nudge(self) -> None:
        """Something may have been written: look now, and keep looking often for a while.

        Polling the emulator ten times a second for nothing costs a third of a CPU; so the
        pump polls quickly only after activity (a request served, a function called) and
        otherwise once every ``idle_poll_interval``, which still catches writes made
        behind the stack's back.
        """
        self._active_until = time.monotonic() + self._active_seconds
        for mapping in self._mappings:
            mapping.wake.set()

    def redeliver(self, function: str, record: dict[str, Any]) -> str | None:
        """Hand one parked record to its function again, as a batch of one: None once it
        is delivered, else why not."""
        consumer = next((c for c in self.consumers if c.name == function), None)
        if consumer is None:
            return f"no stream function {function!r} in this app"
        outcome = self._invoke(consumer, [record])
        # What the function wrote may feed another stream.
        self.nudge()
        if outcome.succeeded:
            return None
        return outcome.error or "reported as failed by the handler"

    def _run(self, mapping: _Mapping) -> None:
        while not self._stop.is_set():
            mapping.wake.clear()
            began = time.monotonic()
            try:
                progressed = self._step(mapping, wait=False)
            except Exception:  # the pump must outlive any bug it meets
                logger.exception("stream pump for %s failed; carrying on", mapping.consumer.name)
                progressed = False
            if progressed:
                self._stop.wait(self._read_interval - (time.monotonic() - began))
                continue
            if mapping.waited:
                continue
            active = time.monotonic() < self._active_until
            mapping.wake.wait(self._poll_interval if active else self._idle_poll_interval)

    def _waiting_to_retry(self, mapping: _Mapping) -> bool:
        return any(shard.pending for shard in mapping.shards.values())

    # --- one pass over a mapping ----------------------------------------------------------

    def _step(self, mapping: _Mapping, *, wait: bool) -> bool:
        """Reads what is new and delivers it; ``wait``: until this step's batches are
        delivered, else partitions are handed to workers and the step returns at once."""
        with mapping.lock:
            mapping.waited = False
            self._refresh_shards(mapping)
            progressed = False
            for shard in list(mapping.shards.values()):
                if shard.done or not self._parent_done(mapping, shard):
                    continue
                progressed = self._fetch(mapping, shard, may_wait=not wait) or progressed
                if wait:
                    progressed = self._deliver_lanes(mapping, shard) or progressed
                else:
                    progressed = self._hand_out_lanes(mapping, shard) or progressed
            return progressed

    def _deliver_lanes(self, mapping: _Mapping, shard: _Shard) -> bool:
        ready = [lane for lane in shard.lanes if lane.pending and not lane.busy]
        if len(ready) < 2:
            return any([self._deliver(mapping, shard, lane) for lane in ready])
        delivering = self._workers()
        return any(list(delivering.map(lambda lane: self._deliver(mapping, shard, lane), ready)))

    def _hand_out_lanes(self, mapping: _Mapping, shard: _Shard) -> bool:
        """Each partition with records is delivered by a worker of its own until it is
        empty (or waits to retry), so a slow partition never holds up the others, and
        the reader goes on reading meanwhile."""
        now = time.monotonic()
        ready = [
            lane for lane in shard.lanes if lane.pending and not lane.busy and now >= lane.retry_at
        ]
        for lane in ready:
            lane.busy = True
            self._workers().submit(self._keep_delivering, mapping, shard, lane)
        return False

    def _keep_delivering(self, mapping: _Mapping, shard: _Shard, lane: _Lane) -> None:
        try:
            while not self._stop.is_set() and self._deliver(mapping, shard, lane):
                pass
        except Exception:  # the pump must outlive any bug it meets
            logger.exception("stream pump for %s failed; carrying on", mapping.consumer.name)
        finally:
            lane.busy = False
            mapping.wake.set()

    def _workers(self) -> ThreadPoolExecutor:
        with self._delivering_lock:
            if self._delivering is None:
                workers = self._partitions * len(self._mappings)
                self._delivering = ThreadPoolExecutor(workers, "stream-pump-partition")
            return self._delivering

    def _parent_done(self, mapping: _Mapping, shard: _Shard) -> bool:
        parent = mapping.shards.get(shard.parent_id or "")
        return parent is None or parent.done

    def _refresh_shards(self, mapping: _Mapping) -> None:
        now = time.monotonic()
        if now - mapping.refreshed_at < self._shard_refresh_seconds:
            return
        mapping.refreshed_at = now
        consumer = mapping.consumer
        try:
            if mapping.stream_arn is None:
                table = self._dynamodb.describe_table(TableName=consumer.table_name)["Table"]
                mapping.hash_key = _hash_key(table.get("KeySchema", []))
                arn = table.get("LatestStreamArn")
                if not arn:
                    self._note_error(mapping, f"table {consumer.table_name} has no stream")
                    return
                mapping.stream_arn = arn
            first_discovery = not mapping.shards
            for description in self._describe_shards(mapping.stream_arn):
                shard_id = description["ShardId"]
                if shard_id in mapping.shards:
                    continue
                # The configured starting position applies to the shards open when the
                # mapping starts; any shard that appears afterwards is read from its start.
                position: Literal["LATEST", "TRIM_HORIZON"] = (
                    "LATEST"
                    if first_discovery and consumer.starting_position == "LATEST"
                    else "TRIM_HORIZON"
                )
                iterator = self._streams.get_shard_iterator(
                    StreamArn=mapping.stream_arn, ShardId=shard_id, ShardIteratorType=position
                )["ShardIterator"]
                mapping.shards[shard_id] = _Shard(
                    shard_id=shard_id,
                    parent_id=description.get("ParentShardId"),
                    iterator=iterator,
                    lanes=[_Lane() for _ in range(self._partitions)],
                    from_start=position == "TRIM_HORIZON",
                )
            mapping.last_error = None
        except (ClientError, BotoCoreError) as error:
            mapping.stream_arn = None
            self._note_error(mapping, f"cannot read the stream of {consumer.table_name}: {error}")

    def _describe_shards(self, stream_arn: str) -> list[dict[str, Any]]:
        shards: list[dict[str, Any]] = []
        start: str | None = None
        while True:
            if start:
                response = self._streams.describe_stream(
                    StreamArn=stream_arn, ExclusiveStartShardId=start
                )
            else:
                response = self._streams.describe_stream(StreamArn=stream_arn)
            description = response["StreamDescription"]
            shards.extend(dict(shard) for shard in description.get("Shards", []))
            start = description.get("LastEvaluatedShardId")
            if not start:
                return shards

    def _note_error(self, mapping: _Mapping, message: str) -> None:
        # Said once per distinct problem: the pump polls ten times a second.
        if mapping.last_error != message:
            logger.warning("%s", message)
        mapping.last_error = message

    # --- reading ------------------------------------------------------------------------

    def _fetch(self, mapping: _Mapping, shard: _Shard, *, may_wait: bool = False) -> bool:
        if shard.pending >= mapping.consumer.batch_size * len(shard.lanes):
            return False
        if (
            self._reposition_when_idle
            and shard.idle
            and shard.iterator is not None
            and (shard.last_fetched or shard.from_start)
        ):
            # moto rolls back a failed transaction by swapping in a copy of the table,
            # stream included, which leaves open iterators reading a stream that no longer
            # grows. After an empty read, a fresh iterator from the last position read is
            # used, which is immune to that.
            self._forget(shard.iterator)
            self._reposition(mapping, shard)
        wait = self._read_wait_seconds if may_wait else 0.0
        records = self._read(mapping, shard, wait=wait)
        shard.idle = not records
        if not records:
            return False
        shard.last_fetched = sequence_number(records[-1])
        # Filtered out records are checkpointed unseen, as Lambda does.
        records = [r for r in records if passes(mapping.consumer.filters, r)]
        for record in records:
            lane = shard.lanes[self._lane_of(mapping, record, len(shard.lanes))]
            if not lane.pending:
                lane.pending_since = time.monotonic()
            lane.pending.append(record)
        return True

    @staticmethod
    def _lane_of(mapping: _Mapping, record: Mapping[str, Any], lanes: int) -> int:
        if lanes == 1:
            return 0
        keys = record.get("dynamodb", {}).get("Keys", {})
        key = keys.get(mapping.hash_key) if mapping.hash_key in keys else keys
        return zlib.crc32(json.dumps(key, sort_keys=True).encode()) % lanes

    def _read(self, mapping: _Mapping, shard: _Shard, *, wait: float) -> list[dict[str, Any]]:
        if shard.closed or shard.iterator is None or mapping.stream_arn is None:
            return []
        spent = shard.iterator
        waiting: dict[str, Any] = {"WaitSeconds": wait} if wait > 0 else {}
        try:
            response = self._streams.get_records(
                ShardIterator=spent, Limit=GET_RECORDS_LIMIT, **waiting
            )
        except ClientError as error:
            code = error.response.get("Error", {}).get("Code", "")
            if code in ("ExpiredIteratorException", "TrimmedDataAccessException"):
                self._reposition(mapping, shard)
            else:
                self._note_error(mapping, f"GetRecords on {shard.shard_id} failed: {error}")
            return []
        except BotoCoreError as error:
            self._note_error(mapping, f"GetRecords on {shard.shard_id} failed: {error}")
            return []
        self._forget(spent)
        shard.iterator = response.get("NextShardIterator")
        if shard.iterator is None:
            shard.closed = True
        # Only a read that was answered has waited: a failing one must not be retried at once.
        mapping.waited = mapping.waited or (wait > 0 and not response.get("Records"))
        return [
            lambda_record(
                raw,
                stream_arn=mapping.stream_arn,
                region=self._region,
                as_json=self._records_as_json,
            )
            for raw in response.get("Records", [])
        ]

    def _reposition(self, mapping: _Mapping, shard: _Shard) -> None:
        assert mapping.stream_arn is not None
        try:
            if shard.last_fetched is not None:
                response = self._streams.get_shard_iterator(
                    StreamArn=mapping.stream_arn,
                    ShardId=shard.shard_id,
                    ShardIteratorType="AFTER_SEQUENCE_NUMBER",
                    SequenceNumber=shard.last_fetched,
                )
            else:
                response = self._streams.get_shard_iterator(
                    StreamArn=mapping.stream_arn,
                    ShardId=shard.shard_id,
                    ShardIteratorType="TRIM_HORIZON" if shard.from_start else "LATEST",
                )
            shard.iterator = response["ShardIterator"]
        except (ClientError, BotoCoreError) as error:
            self._note_error(mapping, f"cannot reposition on {shard.shard_id}: {error}")

    def _forget(self, iterator: str) -> None:
        if self._on_iterator_spent is not None:
            try:
                self._on_iterator_spent(iterator)
            except Exception:
                logger.exception("could not release a spent shard iterator")

    # --- delivering ---------------------------------------------------------------------

    def _deliver(self, mapping: _Mapping, shard: _Shard, lane: _Lane) -> bool:
        consumer = mapping.consumer
        if not lane.pending or time.monotonic() < lane.retry_at:
            return False
        limit = lane.batch_limit or consumer.batch_size
        window = consumer.maximum_batching_window_in_seconds
        if (
            window > 0
            and len(lane.pending) < limit
            and not shard.closed
            and lane.pending_since is not None
            and time.monotonic() - lane.pending_since < window
        ):
            return False
        batch = lane.pending[:limit]
        head = sequence_number(batch[0])
        if head != lane.head:
            lane.head, lane.attempts = head, 0
        outcome = self._invoke(consumer, batch)
        # What the function wrote may feed another stream.
        self.nudge()
        if outcome.succeeded:
            self._checkpoint(lane, len(batch))
            lane.batch_limit = None
            return True
        if outcome.failed:
            self._after_partial_failure(consumer, lane, batch, outcome.failed)
        else:
            self._after_error(consumer, lane, batch, outcome.error)
        return True

    def _after_partial_failure(
        self,
        consumer: StreamConsumer,
        lane: _Lane,
        batch: list[dict[str, Any]],
        failed: frozenset[str],
    ) -> None:
        lowest = next(i for i, record in enumerate(batch) if sequence_number(record) in failed)
        self._checkpoint(lane, lowest)
        lane.head = sequence_number(batch[lowest])
        lane.attempts = lane.attempts + 1 if lowest == 0 else 1
        if lane.attempts <= self._max_retries:
            lane.retry_at = time.monotonic() + self._retry_delay
            return
        remaining = batch[lowest:]
        for record in remaining:
            if sequence_number(record) in failed:
                self._park(consumer, record, lane.attempts, "reported as failed by the handler")
        self._checkpoint(lane, len(remaining))

    def _after_error(
        self, consumer: StreamConsumer, lane: _Lane, batch: list[dict[str, Any]], error: str
    ) -> None:
        lane.retry_at = time.monotonic() + self._retry_delay
        if self._bisect_on_error and len(batch) > 1:
            # Lambda does not count a split against the retry quota.
            lane.batch_limit = math.ceil(len(batch) / 2)
            return
        lane.attempts += 1
        if lane.attempts <= self._max_retries:
            return
        for record in batch:
            self._park(consumer, record, lane.attempts, error)
        self._checkpoint(lane, len(batch))
        lane.batch_limit = None
        lane.retry_at = 0.0

    def _checkpoint(self, lane: _Lane, count: int) -> None:
        if count <= 0:
            return
        del lane.pending[:count]
        lane.head, lane.attempts = None, 0
        lane.pending_since = time.monotonic() if lane.pending else None

    def _invoke(self, consumer: StreamConsumer, batch: list[dict[str, Any]]) -> _Outcome:
        # A copy per attempt: every retry must see the records exactly as the stream holds them.
        # They are plain JSON (as Lambda's are), so a JSON round trip copies them, at a
        # fraction of deepcopy's cost.
        event = {"Records": json.loads(json.dumps(batch))}
        try:
            result = consumer.handler(event, self._context_factory(consumer.deployed_name))
        except Exception as error:
            logger.exception(
                "%s raised on a batch of %d record(s) from %s",
                consumer.name,
                len(batch),
                consumer.table_name,
            )
            return _Outcome(failed=frozenset(), error=f"{type(error).__name__}: {error}")
        return self._read_response(consumer, batch, result)

    def _read_response(
        self, consumer: StreamConsumer, batch: list[dict[str, Any]], result: Any
    ) -> _Outcome:
        if not isinstance(result, Mapping):
            return _Outcome(failed=None)
        failures = result.get("batchItemFailures")
        if not failures:
            return _Outcome(failed=None)
        in_batch = {sequence_number(record) for record in batch}
        failed: set[str] = set()
        for failure in failures:
            identifier = failure.get("itemIdentifier") if isinstance(failure, Mapping) else None
            if not identifier or str(identifier) not in in_batch:
                # What Lambda does with a malformed report: the whole batch failed.
                return _Outcome(
                    failed=frozenset(), error=f"unusable batchItemFailures entry: {failure!r}"
                )
            failed.add(str(identifier))
        logger.warning(
            "%s reported %d of %d record(s) as failed", consumer.name, len(failed), len(batch)
        )
        return _Outcome(failed=frozenset(failed))

    def _park(
        self, consumer: StreamConsumer, record: dict[str, Any], attempts: int, reason: str
    ) -> None:
        self._dead_letters.park(
            DeadLetter(
                source="dynamodb-stream",
                function=consumer.name,
                reason=reason,
                attempts=attempts,
                payload=record,
                details={
                    "table": consumer.table_name,
                    "event": str(record.get("eventName", "")),
                    "sequence_number": sequence_number(record),
                    "keys": _compact_keys(record),
                },
            )
        )


def _hash_key(key_schema: Iterable[Mapping[str, Any]]) -> str | None:
    hashed = (part["AttributeName"] for part in key_schema if part["KeyType"] == "HASH")
    return next((str(name) for name in hashed), None)


def _compact_keys(record: Mapping[str, Any]) -> str:
    keys = record.get("dynamodb", {}).get("Keys", {})
    parts = []
    for name, value in sorted(keys.items()):
        scalar = next(iter(value.values())) if isinstance(value, Mapping) and value else value
        parts.append(f"{name}={scalar}")
    return ",".join(parts)
