"""Refill latency on the local stack: cancellation → the waiting customer's message in the
outbox, at a steady rate of cancellations, each of a one-seat slot with one customer waiting.

The stack runs as a user starts it (``python -m local.stack``), in its own process; this
process only talks HTTP to it. Cancellations are sent on a fixed schedule (open loop), and
each latency is counted from the moment its cancellation was due, so a stack that falls
behind is not flattered by the client waiting for it.
"""

from __future__ import annotations

import gc
import json
import math
import os
import signal
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from contextlib import contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench.report import Figure, Section, Verdict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RATE = 10
"""Cancellations per second."""
SECONDS = 60
P95_BUDGET = 1.0
CPU_BUDGET = 0.080
"""Seconds of CPU per cancellation, the stack's process and the emulator's together."""
SEATS_PER_ROUND = 20
"""Slots made per request (the API takes up to 100) and filled before the next round."""
PROBES = 5
PROBE_TIMEOUT = 10.0
STARTUP_SECONDS = 90
# Bounds that keep the whole of `make bench` within ten minutes however slow the stack is.
PREPARE_SECONDS = 32
QUIET_SECONDS = 20
SETTLE_SECONDS = 40
"""How long to wait, after the last cancellation, for the last messages."""
EMULATOR_SIZES = (0, 1_000, 3_000)
EMULATOR_ATTEMPTS = 3
SETUP_WORKERS = 4
LOAD_WORKERS = 16


class StackFailed(RuntimeError):
    pass


def progress(text: str) -> None:
    print(f"bench: latency: {text}", file=sys.stderr, flush=True)


@dataclass
class Stack:
    api: str
    token: str
    pid: int = 0
    """The stack's process; the emulator is its child."""

    def cpu_seconds(self) -> dict[str, float]:
        """CPU time used so far by the stack's process and by the emulator's (Linux'
        /proc; empty where there is none)."""
        try:
            children = Path(f"/proc/{self.pid}/task/{self.pid}/children").read_text().split()
            found = {"stack": _cpu_of(self.pid)}
            if children:
                found["emulator"] = _cpu_of(int(children[0]))
        except (OSError, ValueError):
            return {}
        return found

    def call(self, method: str, path: str, body: Any = None, *, staff: bool = False) -> Any:
        headers = {"Content-Type": "application/json"}
        if staff:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            self.api + path,
            data=None if body is None else json.dumps(body).encode(),
            method=method,
            headers=headers,
        )
        try:
            with urllib.request.urlopen(request, timeout=30) as response:
                return json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            detail = error.read().decode("utf-8", "replace")[:300]
            raise StackFailed(f"{method} {path} -> {error.code}: {detail}") from error

    def outbox(self) -> list[dict[str, Any]]:
        messages: list[dict[str, Any]] = self.call("GET", "/_local/outbox")["messages"]
        return messages

    def dead_letters(self) -> int:
        """Stream records the stack gave up on."""
        return len(self.call("GET", "/_local/outbox")["dead_letters"])


@contextmanager
def local_stack() -> Iterator[Stack]:
    with tempfile.TemporaryDirectory(prefix="standby-bench-") as state:
        log_path = Path(state) / "stack.log"
        with log_path.open("w") as log:
            process = subprocess.Popen(
                [
                    sys.executable,
                    "-m",
                    "local.stack",
                    "--port",
                    "0",
                    "--moto-port",
                    "0",
                    "--state-dir",
                    state,
                ],
                cwd=PROJECT_ROOT,
                env={**os.environ, "PYTHONUNBUFFERED": "1"},
                stdout=log,
                stderr=subprocess.STDOUT,
                text=True,
            )
            try:
                yield _wait_for_banner(process, log_path)
            finally:
                _stop(process)


def _cpu_of(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    # utime and stime, the 14th and 15th fields of the whole line.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _wait_for_banner(process: subprocess.Popen[str], log_path: Path) -> Stack:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        text = log_path.read_text()
        if "Press Ctrl-C" in text:
            exports = dict(
                line[len("export ") :].strip().split("=", 1)
                for line in text.splitlines()
                if line.startswith("export ") and "=" in line
            )
            return Stack(exports["API"], exports["TOKEN"], process.pid)
        if process.poll() is not None:
            break
        time.sleep(0.2)
    raise StackFailed(f"the local stack did not start:\n{log_path.read_text()[-3000:]}")


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


@dataclass(frozen=True)
class Seat:
    """A one-seat slot, its holder's manage token, and who waits for it."""

    slot_id: str
    cancel_token: str
    waiting_email: str


@dataclass
class Preparer:
    """Makes one-seat slots through the API, each booked and with one customer waiting."""

    stack: Stack
    made: int = 0
    service_id: str = ""

    def prepare(self, count: int, *, deadline: float = math.inf) -> list[Seat]:
        """Up to `count` seats, in rounds, stopping at the first round past `deadline`."""
        seats: list[Seat] = []
        with confirmations_off(self.stack):
            while len(seats) < count and time.monotonic() < deadline:
                seats += self._round(min(SEATS_PER_ROUND, count - len(seats)))
        return seats

    def _round(self, count: int) -> list[Seat]:
        if not self.service_id:
            self.service_id = _service(self.stack)
        start = (datetime.now(UTC) + timedelta(days=3)).replace(second=0, microsecond=0)
        slots = [
            {
                "service_id": self.service_id,
                "starts_at": (start + timedelta(minutes=30 * number)).isoformat(),
                "capacity": 1,
            }
            for number in range(self.made, self.made + count)
        ]
        created = self.stack.call("POST", "/staff/slots", {"slots": slots}, staff=True)["slots"]
        numbered = list(enumerate((str(slot["slot_id"]) for slot in created), start=self.made))
        self.made += count
        with ThreadPoolExecutor(SETUP_WORKERS) as pool:
            return list(pool.map(self._fill, numbered))

    def _fill(self, numbered: tuple[int, str]) -> Seat:
        number, slot_id = numbered
        path = f"/businesses/demo-salon/slots/{slot_id}"
        holder = {"name": f"Holder {number}", "email": f"holder{number}@bench.example"}
        booked = self.stack.call("POST", f"{path}/bookings", holder)
        waiting = {"name": f"Waiting {number}", "email": f"waiting{number}@bench.example"}
        self.stack.call("POST", f"{path}/waiting-list", waiting)
        return Seat(slot_id, str(booked["manage_token"]), waiting["email"])


QUIET_WHILE_PREPARING = ("default-booking_confirmed", "default-waiting_list_joined")


@contextmanager
def confirmations_off(stack: Stack) -> Iterator[None]:
    """Seats are prepared with the business's confirmations (booked, on the waiting list)
    switched off, as staff can: preparing is then several times faster, and the load starts
    with nothing queued. The cancellation notice and the seat's message stay on."""
    for rule in QUIET_WHILE_PREPARING:
        stack.call("PATCH", f"/staff/workflows/{rule}", {"enabled": False}, staff=True)
    try:
        yield
    finally:
        for rule in QUIET_WHILE_PREPARING:
            stack.call("PATCH", f"/staff/workflows/{rule}", {"enabled": True}, staff=True)


def _service(stack: Stack) -> str:
    services = stack.call("GET", "/staff/services", staff=True)["services"]
    if services:
        return str(services[0]["service_id"])
    created = stack.call(
        "POST", "/staff/services", {"name": "Haircut", "duration_minutes": 30}, staff=True
    )
    return str(created["services"][0]["service_id"])


def _wait_for_outbox(stack: Stack, expected: int, timeout: float) -> int:
    """Wait until the outbox holds `expected` messages; returns how many it holds."""
    deadline = time.monotonic() + timeout
    count = len(stack.outbox())
    while count < expected and time.monotonic() < deadline:
        time.sleep(1.0)
        count = len(stack.outbox())
    return count


def one_at_a_time(stack: Stack, seats: list[Seat]) -> list[float]:
    """Each seat cancelled only once the previous refill's message is out: the latency of
    a stack with nothing else to do."""
    found: list[float] = []
    for seat in seats:
        due = time.time()
        stack.call("POST", f"/bookings/{seat.cancel_token}/cancel")
        deadline = time.monotonic() + PROBE_TIMEOUT
        while time.monotonic() < deadline:
            sent = _sent_at(stack.outbox(), seat.waiting_email, after=due)
            if sent is not None:
                found.append(sent - due)
                break
            time.sleep(0.05)
    return found


def _sent_at(messages: list[dict[str, Any]], to: str, *, after: float) -> float | None:
    """When the first message to `to` since `after` was seen: the waiting customer was
    also told, before, that they joined the waiting list."""
    for message in messages:
        if message.get("to") == to:
            sent = datetime.fromisoformat(message["sent_at"]).timestamp()
            if sent >= after:
                return sent
    return None


@dataclass
class LoadRun:
    due: dict[str, float] = field(default_factory=dict)
    """Wall-clock time each waiting customer's cancellation was due, by their email."""
    answered: list[float] = field(default_factory=list)
    """How long each cancellation request took to answer."""
    failed: list[str] = field(default_factory=list)
    seconds: float = 0.0


def cancel_at_rate(stack: Stack, seats: list[Seat], rate: float) -> LoadRun:
    run = LoadRun()

    def cancel(seat: Seat) -> None:
        began = time.monotonic()
        try:
            stack.call("POST", f"/bookings/{seat.cancel_token}/cancel")
        except (StackFailed, OSError) as error:
            run.failed.append(f"{seat.slot_id}: {error}")
        run.answered.append(time.monotonic() - began)

    started_wall, started = time.time(), time.monotonic()
    with ThreadPoolExecutor(LOAD_WORKERS) as pool:
        for number, seat in enumerate(seats):
            offset = number / rate
            time.sleep(max(0.0, started + offset - time.monotonic()))
            run.due[seat.waiting_email] = started_wall + offset
            pool.submit(cancel, seat)
    run.seconds = time.monotonic() - started
    return run


def latencies(stack: Stack, run: LoadRun, timeout: float) -> dict[str, float]:
    """Seconds from each cancellation to its waiting customer's message, for those that
    arrive within `timeout` of the last cancellation."""
    deadline = time.monotonic() + timeout
    found: dict[str, float] = {}
    while True:
        messages = stack.outbox()
        for to, due in run.due.items():
            sent = _sent_at(messages, to, after=due) if to not in found else None
            if sent is not None:
                found[to] = sent - due
        if len(found) == len(run.due) or time.monotonic() >= deadline:
            return found
        time.sleep(1.0)


def emulator_transaction_seconds(beside: int) -> float:
    """How long moto takes for one four-item TransactWriteItems on a table that already
    holds `beside` items, against in-process moto: the emulator's own cost, which the
    local stack pays on every booking, cancellation and refill."""
    import boto3

    from tests.support.aws import REGION, mocked_aws

    table = "emulator-cost"
    with mocked_aws():
        client: Any = boto3.client("dynamodb", region_name=REGION)
        client.create_table(
            TableName=table,
            BillingMode="PAY_PER_REQUEST",
            KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
            AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
            StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
        )
        for first in range(0, beside, 25):
            puts = [
                {"PutRequest": {"Item": {"pk": {"S": f"item-{n}"}, "text": {"S": "x" * 200}}}}
                for n in range(first, min(first + 25, beside))
            ]
            client.batch_write_item(RequestItems={table: puts})
        fastest = math.inf
        for attempt in range(EMULATOR_ATTEMPTS):
            gc.collect()
            began = time.perf_counter()
            client.transact_write_items(
                TransactItems=[
                    {"Put": {"TableName": table, "Item": {"pk": {"S": f"new-{attempt}-{n}"}}}}
                    for n in range(4)
                ]
            )
            fastest = min(fastest, time.perf_counter() - began)
        return fastest


def percentile(values: list[float], share: float) -> float:
    """Nearest-rank percentile; a missing value counts as infinitely late."""
    if not values:
        return math.inf
    ordered = sorted(values)
    rank = max(1, math.ceil(share * len(ordered)))
    return ordered[rank - 1]


def measure(rate: int = RATE, seconds: int = SECONDS) -> Section:
    target = rate * seconds
    with local_stack() as stack:
        preparer = Preparer(stack)
        progress(f"{PROBES} cancellations one at a time on the fresh stack")
        unloaded = one_at_a_time(stack, preparer.prepare(PROBES))
        began = time.monotonic()
        progress(f"preparing {target} one-seat slots (at most {PREPARE_SECONDS} s)")
        seats = preparer.prepare(target, deadline=began + PREPARE_SECONDS)
        prepared = time.monotonic() - began
        expected = _messages_before_load(0)
        progress(f"{len(seats)} prepared in {prepared:.0f} s; waiting for their messages")
        sent = _wait_for_outbox(stack, expected, QUIET_SECONDS)
        progress(f"cancelling {len(seats)} at {rate} a second")
        before = stack.cpu_seconds()
        run = cancel_at_rate(stack, seats, rate)
        progress(f"waiting up to {SETTLE_SECONDS} s for the waiting customers' messages")
        found = latencies(stack, run, SETTLE_SECONDS)
        cpu = _cpu_used(before, stack.cpu_seconds())
        parked = stack.dead_letters()
        progress(f"{len(found)} of {len(seats)} arrived")
    emulator = {size: emulator_transaction_seconds(size) for size in EMULATOR_SIZES}
    section = _section(
        rate, seconds, unloaded, seats, prepared, expected - sent, run, found, parked
    )
    return Section(
        section.title,
        [
            *section.figures,
            *_cpu_figures(cpu, len(seats), len(found) == len(seats), rate, seconds),
            _emulator_figure(emulator),
        ],
        [*section.notes, _emulator_note()],
    )


def _cpu_used(before: dict[str, float], after: dict[str, float]) -> dict[str, float]:
    return {name: after[name] - before[name] for name in before if name in after}


def _cpu_figures(
    cpu: dict[str, float], cancellations: int, complete: bool, rate: int, seconds: int
) -> list[Figure]:
    """What one cancellation costs the local stack in CPU, and what the rate would take."""
    what = "local stack, CPU per cancellation, stack + emulator"
    budget = f"≤ {CPU_BUDGET * 1000:.0f} ms"
    if len(cpu) != 2 or not cancellations:
        return [Figure(what, "not measured", budget, Verdict.INCOMPLETE, "no /proc here")]
    per_cancellation = {name: used / cancellations for name, used in cpu.items()}
    total = sum(per_cancellation.values())
    bound = "" if complete else "at least "
    designed = (rate, seconds) == (RATE, SECONDS)
    if total > CPU_BUDGET:
        outcome = Verdict.MISSED
    else:
        outcome = Verdict.MET if complete and designed else Verdict.INCOMPLETE
    return [
        Figure(
            what,
            f"{bound}{total * 1000:.0f} ms ("
            + " + ".join(f"{value * 1000:.0f}" for value in per_cancellation.values())
            + ")",
            budget,
            outcome,
            f"the stack's process + the emulator's, from the first cancellation of the {rate}/s "
            "load to its last message (the cancellation, the refill, both messages, and the "
            f"pumps' reads); {rate} a "
            f"second takes {bound}{total * rate:.1f} cores of CPU; this machine has "
            f"{os.cpu_count()}",
        )
    ]


def _emulator_figure(seconds: dict[int, float]) -> Figure:
    return Figure(
        "moto: one four-item transaction beside "
        + " / ".join(f"{size:,}" for size in seconds)
        + " items",
        " / ".join(f"{value * 1000:.0f} ms" for value in seconds.values()),
        "no budget",
        Verdict.INFO,
        f"fastest of {EMULATOR_ATTEMPTS}; in-process moto, the same backend the local stack serves",
    )


def _emulator_note() -> str:
    return (
        "What limits the stack is CPU. The emulator runs in a process of its own (a core of "
        "its own), served by waitress over connections kept open; a transaction costs its "
        "own items whatever the table holds (the figure above), a Query reads one partition, "
        "the hot DynamoDB calls skip moto's generic serializer, each outbox message is a "
        "stream partition of its own, and each stream is delivered as eight partitions, "
        "each by a worker of its own. The stream pump and the outbox wait in the emulator "
        "for what is new instead of polling, and read it as plain JSON; the pump reads a "
        "busy stream at most four times a second, as Lambda does, so records written "
        "meanwhile come in one batch. Each cancellation costs eleven AWS calls (the "
        "cancellation 2, the refill 3, each of its two messages 3), each about a millisecond "
        "of Python in the emulator and again in the app's botocore, plus the app's own work. "
        "In AWS the chain is 5 calls up to the hand-off, and each function invocation has a "
        "CPU of its own."
    )


def _messages_before_load(cancelled: int) -> int:
    """What the outbox holds before a load: for each seat cancelled before (the probes', an
    earlier load's), its cancellation notice and its refill; seats are prepared quietly."""
    return 2 * (PROBES + cancelled)


def _section(
    rate: int,
    seconds: int,
    unloaded: list[float],
    seats: list[Seat],
    prepared: float,
    still_queued: int,
    run: LoadRun,
    found: dict[str, float],
    parked: int,
) -> Section:
    target = rate * seconds
    count = len(seats)
    missing = count - len(found)
    values = list(found.values()) + [math.inf] * missing
    p50, p95 = percentile(values, 0.50), percentile(values, 0.95)
    designed = (rate, seconds) == (RATE, SECONDS)
    full = count == target
    met = Verdict.MET if full and designed else Verdict.INCOMPLETE
    outcome = Verdict.MISSED if p95 > P95_BUDGET else met
    slowest = max(found.values()) if found else math.inf
    span = max((run.due[to] + late for to, late in found.items()), default=0.0) - min(
        run.due.values(), default=0.0
    )
    throughput = len(found) / span if span > 0 else 0.0
    shortfall = (
        ""
        if full
        else f" Only {count} of the {target} seats ({rate}/s for {seconds} s) could be prepared "
        f"in {PREPARE_SECONDS} s, so the load lasted {count / rate:.1f} s."
    ) + (
        ""
        if designed
        else f" This run's load ({rate}/s for {seconds} s) is not the design's "
        f"({RATE}/s for {SECONDS} s)."
    )
    return Section(
        "Refill latency on the local stack",
        [
            Figure(
                "cancellation → message in the outbox, p95",
                _seconds(p95),
                f"≤ {P95_BUDGET:g} s",
                outcome,
                f"{count} cancellations at {rate}/s "
                f"(design: {RATE * SECONDS}, {RATE}/s for {SECONDS} s); "
                f"{len(found)} messages within {SETTLE_SECONDS} s of the last, {missing} not; "
                f"{len(run.failed)} cancellations failed; {parked} stream records parked",
            ),
            Figure(
                "cancellation → message in the outbox, p50",
                _seconds(p50),
                "no budget",
                Verdict.INFO,
                f"slowest that arrived {_seconds(slowest)}; {throughput:.1f} waiting customers' "
                "messages a second, first cancellation to last message",
            ),
            Figure(
                "cancellation request answered under that load, p50 / p95",
                f"{_seconds(percentile(run.answered, 0.5))} / "
                f"{_seconds(percentile(run.answered, 0.95))}",
                "no budget",
                Verdict.INFO,
                "HTTP round trip of the cancellation itself",
            ),
            Figure(
                f"one cancellation at a time on the fresh stack, median of {PROBES}",
                _seconds(percentile(unloaded, 0.5)) if len(unloaded) == PROBES else "never",
                "no budget",
                Verdict.INFO,
                "max " + _seconds(max(unloaded) if unloaded else math.inf),
            ),
        ],
        notes=[
            "`python -m local.stack` in its own process (the moto server in a child process "
            "of it; stream pump, outbox view). Seats prepared through the HTTP API in "
            f"{prepared:.0f} s, each a one-seat slot booked by one customer with another "
            "waiting, with the business's booking and waiting-list confirmations switched off "
            "meanwhile (its cancellation notices and seat messages stay on); "
            f"{still_queued} messages of earlier cancellations were still unsent when the load "
            "began." + shortfall,
            "Latency runs from the moment a cancellation was due on the fixed schedule (the "
            "client does not wait for one answer before sending the next) to the outbox's "
            "`sent_at`, when the stack's outbox first saw the message (it waits in the "
            "emulator for each new one); "
            "a message that never came counts as infinitely late. Both clocks are this "
            "machine's.",
            *(f"failed: {failure}" for failure in run.failed[:5]),
        ],
    )


def _seconds(value: float) -> str:
    return "never" if math.isinf(value) else f"{value:.2f} s"
