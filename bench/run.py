"""``make bench``: measure every budget of the design, write bench/RESULTS.md, and exit
non-zero when a budget is missed."""

from __future__ import annotations

# The environment first: the settings are read once, when chalicelib is first imported.
import os

from tests.support.env import use_local_account

use_local_account()
# Hundreds of bookings' log lines would bury the results.
os.environ.setdefault("POWERTOOLS_LOG_LEVEL", "WARNING")

import argparse  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
from collections.abc import Callable  # noqa: E402
from datetime import UTC, datetime  # noqa: E402
from pathlib import Path  # noqa: E402

# Joins botocore's built-in handlers, so it must come before any client is created.
import tests.support.calls  # noqa: E402,F401
from bench import (  # noqa: E402
    cold_start,
    connections,
    offers,
    operations,
    refill_cost,
    refill_latency,
    reminder_sweep,
    slot_history,
    waiting_list_growth,
)
from bench.report import (  # noqa: E402
    Section,
    machine,
    markdown,
    missed,
    reference_loop_seconds,
    speed,
)
from local.emulator import undo_failed_transactions  # noqa: E402

RESULTS = Path(__file__).resolve().parent / "RESULTS.md"
BEFORE_AND_AFTER = Path(__file__).resolve().parent / "before_and_after.md"
"""Hand-written: the figures from before the fixes, appended to the results."""


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument(
        "--only",
        action="append",
        choices=[
            "cold-start",
            "operations",
            "offers",
            "waiting-list",
            "slot-history",
            "reminders",
            "latency",
            "connections",
            "cost",
        ],
        help="run only this benchmark (repeatable)",
    )
    parser.add_argument(
        "--sizes",
        type=int,
        nargs="+",
        default=list(waiting_list_growth.SIZES),
        help="waiting-list sizes to refill beside",
    )
    parser.add_argument(
        "--reminder-bookings",
        type=int,
        default=reminder_sweep.FUTURE,
        help="future bookings beside the reminder sweep (default: the design's 100000)",
    )
    parser.add_argument(
        "--latency-rate",
        type=int,
        default=refill_latency.RATE,
        help="cancellations a second for the latency load (default: the design's)",
    )
    parser.add_argument(
        "--latency-seconds",
        type=int,
        default=refill_latency.SECONDS,
        help="how long the latency load lasts (default: the design's)",
    )
    parser.add_argument(
        "--connection-seconds",
        type=float,
        default=connections.SECONDS,
        help="how long the many clients keep sending (default: the design's 60 s)",
    )
    parser.add_argument(
        "--out",
        type=Path,
        default=None,
        help="where to write the report; bench/RESULTS.md for a full run, nowhere for --only",
    )
    args = parser.parse_args(argv)
    # Cold start and the local stack's load first, while nothing else runs on the machine:
    # the benchmarks after them fill this process with hundreds of thousands of items, and
    # its garbage collector, walking them beside the load, took cores from the stack.
    benchmarks: dict[str, Callable[[], Section]] = {
        "cold-start": cold_start.measure,
        "latency": lambda: refill_latency.measure(args.latency_rate, args.latency_seconds),
        "connections": lambda: connections.measure(args.connection_seconds),
        "operations": operations.measure,
        "offers": offers.measure,
        "waiting-list": lambda: waiting_list_growth.measure(args.sizes),
        "slot-history": slot_history.measure,
        "reminders": lambda: reminder_sweep.measure(args.reminder_bookings),
        "cost": refill_cost.measure,
    }
    # In-process moto rolls a failed transaction back as the local stack's emulator does,
    # so a transaction costs its own items, not the whole table.
    undo_failed_transactions()
    started = time.monotonic()
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    machine_line = machine()
    speed_at_start = reference_loop_seconds()
    sections = []
    for name, benchmark in benchmarks.items():
        if args.only and name not in args.only:
            continue
        began = time.monotonic()
        print(f"bench: {name} ...", flush=True)
        sections.append(benchmark())
        print(f"bench: {name} done in {time.monotonic() - began:.0f} s", flush=True)
    seconds = time.monotonic() - started
    speed_line = speed(speed_at_start, reference_loop_seconds())
    page = markdown(
        sections, machine_line=machine_line, speed_line=speed_line, when=when, seconds=seconds
    )
    if BEFORE_AND_AFTER.exists():
        page += "\n" + BEFORE_AND_AFTER.read_text()
    # A run of some parts must not replace the full run's record.
    out = args.out or (None if args.only else RESULTS)
    if out is not None:
        out.write_text(page)
    print(page)
    failures = missed(sections)
    for figure in failures:
        print(f"bench: budget missed: {figure.what}: {figure.measured} (budget {figure.budget})")
    return 1 if failures else 0


if __name__ == "__main__":
    sys.exit(main())
