"""Cost per 1,000 refills in AWS (eu-west-1), before and after issue 16, from what the
bench measures in-process: each refill's calls and items, its function invocations and how
long each handler ran, priced by ``bench.cost``."""

from __future__ import annotations

import time
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlsplit

from bench import cost
from bench.in_process import Api, CountedStreams, Invocation, running_app, set_up_business
from bench.report import Figure, Section, Verdict
from tests.support.calls import Call, aws_call_log

AUTOMATIC = "Automatic"
ONE = "One at a time"
OFFER_MADE = "offer_made"
BEFORE_RECORDS_PER_CANCELLATION = 11
"""Stream records that invoked a function per refilled cancellation (automatic mode) before
the event sources' filters, as issue 16 measured them (7 on the bookings stream, 4 on the
outbox's)."""


@dataclass(frozen=True)
class Refill:
    """One refilled cancellation as measured: the API requests it took, and every stream
    invocation that followed, beside the records the filters kept from the functions."""

    mode: str
    requests: list[tuple[list[Call], float]]
    invocations: list[Invocation]
    dropped: int
    idle_seconds: list[float]

    def after(self, memory_mb: int) -> cost.Usage:
        calls = [c for calls, _ in self.requests for c in calls]
        calls += [c for i in self.invocations for c in i.calls]
        durations = [seconds for _, seconds in self.requests]
        durations += [i.seconds for i in self.invocations]
        return cost.usage_of(
            [cost.CallCount(c.name, c.items_read, c.items_written) for c in calls],
            durations=durations,
            api_requests=len(self.requests),
            memory_mb=memory_mb,
        )

    def before(self, memory_mb: int, records: int) -> cost.Usage:
        """Every record invoked a function (``records`` in all), and each message wrote an
        idempotency record."""
        after = self.after(memory_mb)
        idle = max(0, records - len(self.invocations))
        ms = cost.billed_ms(_median(self.idle_seconds)) if self.idle_seconds else 1
        return cost.with_idempotency_records(
            cost.with_idle_invocations(after, idle, ms), after.messages
        )


def _median(values: Sequence[float]) -> float:
    ordered = sorted(values)
    return ordered[len(ordered) // 2]


def measure() -> Section:
    memory_mb = cost.configured_memory_mb()
    with running_app() as api:
        shop = set_up_business(
            api,
            "bench-cost",
            services=[
                {"name": AUTOMATIC, "duration_minutes": 30, "waiting_list_mode": "automatic"},
                {"name": ONE, "duration_minutes": 30, "waiting_list_mode": "one_at_a_time"},
            ],
        )
        streams = CountedStreams()
        # The first of each pays for the imports a function defers to its first use: the
        # second is what a warm function takes, as most invocations are.
        automatic = [_refill(api, shop, streams, AUTOMATIC) for _ in range(2)][-1]
        one = [_refill(api, shop, streams, ONE) for _ in range(2)][-1]
    return section(automatic, one, memory_mb)


def _refill(api: Api, shop: Any, streams: CountedStreams, mode: str) -> Refill:
    slot = shop.add_slots(1, service=mode, days_ahead=4)[0]
    holder = shop.book(slot, f"Holder {mode}")
    shop.join(slot, f"Waiting {mode}")
    streams.settle()
    api.call("POST", f"/bookings/{holder['manage_token']}/cancel")
    requests = [(api.last_calls, api.last_seconds)]
    invocations = streams.settle()
    dropped = streams.filtered_out()
    idle = _idle_seconds(streams, dropped)
    count = sum(len(records) for records in dropped.values())
    offer = next(
        (
            i
            for i in invocations
            if i.handler == "on_outbox_message"
            and i.event == "INSERT"
            and i.attribute("message_type") == OFFER_MADE
        ),
        None,
    )
    url = offer.context("offer_url") if offer is not None else None
    if url is not None:
        # The customer takes the offer: the refill is done when their seat is theirs.
        token = urlsplit(url).path.rsplit("/", 1)[-1]
        api.call("POST", f"/offers/{token}/accept")
        requests.append((api.last_calls, api.last_seconds))
        invocations += streams.settle()
        more = streams.filtered_out()
        idle += _idle_seconds(streams, more)
        count += sum(len(records) for records in more.values())
    return Refill(mode, requests, invocations, count, idle)


def _idle_seconds(streams: CountedStreams, dropped: dict[str, list[dict[str, Any]]]) -> list[float]:
    """How long a function runs on a record that does no work, as each did before the
    filters: the handlers are given a few of the dropped records (they ignore them)."""
    from chalicelib.entrypoints.events.streams import on_booking_change, on_outbox_message

    handlers = {"on_booking_change": on_booking_change, "on_outbox_message": on_outbox_message}
    found: list[float] = []
    for name, records in dropped.items():
        for record in records[:3]:
            began = time.perf_counter()
            with aws_call_log() as log:
                handlers[name]({"Records": [record]}, None)
            if not list(log):
                found.append(time.perf_counter() - began)
    return found


def section(automatic: Refill, one: Refill, memory_mb: int) -> Section:
    figures = []
    notes = []
    for refill, before_records in (
        (automatic, BEFORE_RECORDS_PER_CANCELLATION),
        # Before, each message put one record fewer on the outbox's stream: no claim.
        (one, len(one.invocations) + one.dropped - one.after(memory_mb).messages),
    ):
        after = refill.after(memory_mb)
        before = refill.before(memory_mb, before_records)
        for messages_by in ("email", "sms"):
            by = "emails" if messages_by == "email" else f"texts to {cost.SMS_COUNTRY}"
            was = cost.per_thousand(before, messages_by=messages_by)
            now = cost.per_thousand(after, messages_by=messages_by)
            figures.append(
                Figure(
                    f"{refill.mode.lower()}: cost per 1,000 refills, messages as {by} "
                    "(before → after)",
                    f"${was.total:.4f} → ${now.total:.4f}",
                    "no budget",
                    Verdict.INFO,
                    _lines(now),
                )
            )
        figures.append(
            Figure(
                f"{refill.mode.lower()}: per 1,000 refills without the messages (before → after)",
                f"${_without_messages(before):.4f} → ${_without_messages(after):.4f}",
                "no budget",
                Verdict.INFO,
                f"before: {_usage(before)}; after: {_usage(after)}",
            )
        )
        notes.append(
            f"{refill.mode}: per refill, after: {_usage(after)}. Before: {before_records} "
            f"stream records invoked a function (now {len(refill.invocations)}; each record "
            "no filter passes costs a request and its median idle run, "
            f"{cost.billed_ms(_median(refill.idle_seconds)) if refill.idle_seconds else 1} ms), "
            "and each message wrote an idempotency record (4 calls a message, now 3)."
            + (
                ""
                if refill is automatic
                else " The records before are counted as now, less each message's claim."
            )
        )
    return Section(
        f"Cost per 1,000 refills in AWS ({cost.REGION})",
        figures,
        [
            "A refill is the cancellation request and everything it sets off until the "
            "waiting customer's seat is theirs: the stream invocations, the cancellation "
            "notice and the seat's message (automatic); for one at a time also the offer, "
            "the customer's acceptance and its confirmation. Calls, items and handler "
            "durations are measured in-process on moto, each refill's second run, warm (the "
            "durations include moto's own Python, so Lambda's billed duration is "
            "over-stated), with each function at "
            f"{memory_mb} MB (`.chalice/config.json`), every item up to 1 KB written and "
            "read strongly consistently (an upper bound for Queries). Streams read by Lambda "
            "and EventBridge Scheduler's API calls are free; an offer's expiry schedule fires "
            "only when it runs out, not here.",
            f"Prices: {cost.PRICE_SOURCE}; per million: DynamoDB write units "
            f"${cost.DYNAMODB_WRITE_REQUEST_UNIT * 1e6:.4f}, read units "
            f"${cost.DYNAMODB_READ_REQUEST_UNIT * 1e6:.4f}, Lambda requests "
            f"${cost.LAMBDA_REQUEST * 1e6:.2f}, API Gateway (REST) requests "
            f"${cost.API_GATEWAY_REQUEST * 1e6:.2f}; Lambda ${cost.LAMBDA_GB_SECOND:.10f} a "
            f"GB-second (x86); SES ${cost.SES_EMAIL * 1000:.2f} per 1,000 emails; SNS "
            f"${cost.SNS_SMS:.4f} per text to {cost.SMS_COUNTRY}. Free tiers left out.",
            *notes,
        ],
    )


def _without_messages(usage: cost.Usage) -> float:
    bill = cost.per_thousand(usage)
    return bill.total - bill.lines.get("SES emails", 0.0)


def _lines(bill: cost.Bill) -> str:
    return "after: " + ", ".join(f"{name} ${value:.4f}" for name, value in bill.lines.items())


def _usage(usage: cost.Usage) -> str:
    return (
        f"{_n(usage.api_requests, 'API request')}, {_n(usage.invocations, 'invocation')} "
        f"({sum(usage.billed_ms)} ms billed, {usage.gb_seconds:.3f} GB-s), "
        f"{usage.write_units:g} write units, {usage.read_units:g} read units, "
        f"{_n(usage.messages, 'message')}"
    )


def _n(count: int, what: str) -> str:
    return f"{count} {what}{'' if count == 1 else 's'}"
