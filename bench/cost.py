"""What a refill costs in AWS: the calls, items, function invocations and handler durations
the bench measures, priced with AWS's published on-demand prices for one region.

Prices are for eu-west-1 (Europe, Ireland), in US dollars, from AWS's public price pages
as they stood in 2025 (the DynamoDB figures after the on-demand price cut of 1 November
2024). They were not re-read from the live pages when this module was written: check them
there before quoting a figure as a bill.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from pathlib import Path

REGION = "eu-west-1"
PRICE_SOURCE = (
    "AWS on-demand price pages for eu-west-1 (Europe, Ireland) as published in 2025: "
    "aws.amazon.com/dynamodb/pricing/on-demand, /lambda/pricing, /api-gateway/pricing, "
    "/ses/pricing, /end-user-messaging/pricing (SMS to Norway)"
)

DYNAMODB_WRITE_REQUEST_UNIT = 1.4135 / 2 / 1_000_000
"""One write request unit (an item up to 1 KB; a transaction's item takes 2): half the
$1.4135 per million of before the cut of 1 November 2024."""
DYNAMODB_READ_REQUEST_UNIT = 0.283 / 2 / 1_000_000
"""One read request unit (a strongly consistent read up to 4 KB; a transaction's read takes
2): half the $0.283 per million of before the cut of 1 November 2024."""
LAMBDA_REQUEST = 0.20 / 1_000_000
"""$0.20 per million invocations."""
LAMBDA_GB_SECOND = 0.0000166667
"""x86, the first 6 billion GB-seconds a month; duration is billed by the millisecond."""
API_GATEWAY_REQUEST = 3.50 / 1_000_000
"""REST API, the first 333 million requests a month."""
SES_EMAIL = 0.10 / 1_000
"""$0.10 per 1,000 emails sent (attachments' data, a calendar file, are $0.12 a GB more)."""
SMS_COUNTRY = "Norway"
SNS_SMS = 0.0651
"""One outbound transactional SMS to a Norwegian number (one part, up to 160 GSM
characters): about $0.065, carrier fees included; the per-country price changes often."""

MEMORY_MB_DEFAULT = 512
CHALICE_CONFIG = Path(__file__).resolve().parent.parent / ".chalice" / "config.json"

TRANSACTIONAL_WRITES = frozenset({"TransactWriteItems"})
TRANSACTIONAL_READS = frozenset({"TransactGetItems"})
WRITES = frozenset({"PutItem", "UpdateItem", "DeleteItem", "BatchWriteItem"})
READS = frozenset({"GetItem", "BatchGetItem", "Query", "Scan"})
EMAILS = frozenset({"ses.SendEmail", "ses.SendRawEmail", "sesv2.SendEmail"})
SMS = frozenset({"sns.Publish"})


def configured_memory_mb(config: Path = CHALICE_CONFIG) -> int:
    """The functions' memory, as `.chalice/config.json` sets it for every function."""
    try:
        return int(json.loads(config.read_text()).get("lambda_memory_size", MEMORY_MB_DEFAULT))
    except (OSError, ValueError):
        return MEMORY_MB_DEFAULT


@dataclass(frozen=True)
class CallCount:
    """One AWS call as the bench counts it: ``dynamodb.Query``, ``ses.SendEmail``…"""

    name: str
    items_read: int = 0
    items_written: int = 0


@dataclass(frozen=True)
class Usage:
    """What one refill (or anything else) uses of the billed units."""

    api_requests: int = 0
    invocations: int = 0
    billed_ms: tuple[int, ...] = ()
    """Each invocation's billed duration, in whole milliseconds."""
    write_units: float = 0.0
    read_units: float = 0.0
    messages: int = 0
    """Emails or texts handed to SES or SNS."""
    memory_mb: int = MEMORY_MB_DEFAULT

    def __add__(self, other: Usage) -> Usage:
        return Usage(
            self.api_requests + other.api_requests,
            self.invocations + other.invocations,
            self.billed_ms + other.billed_ms,
            self.write_units + other.write_units,
            self.read_units + other.read_units,
            self.messages + other.messages,
            self.memory_mb,
        )

    @property
    def gb_seconds(self) -> float:
        return sum(self.billed_ms) / 1000 * self.memory_mb / 1024


def request_units(call: CallCount) -> tuple[float, float]:
    """(write units, read units) of one call, every item taken as up to 1 KB written and up
    to 4 KB read strongly consistently. A Query is charged on the sum of what it reads, so
    a unit per item read is an upper bound for it; an empty read still costs one unit."""
    service, _, operation = call.name.partition(".")
    if service != "dynamodb":
        return 0.0, 0.0
    if operation in TRANSACTIONAL_WRITES:
        return 2.0 * call.items_written, 2.0 * call.items_read
    if operation in TRANSACTIONAL_READS:
        return 0.0, 2.0 * max(1, call.items_read)
    if operation in WRITES:
        return float(max(1, call.items_written)), 0.0
    if operation in READS:
        return 0.0, float(max(1, call.items_read))
    return 0.0, 0.0


def billed_ms(seconds: float) -> int:
    """Lambda bills duration by the millisecond, rounded up."""
    return max(1, math.ceil(seconds * 1000 - 1e-9))


def usage_of(
    calls: Iterable[CallCount],
    *,
    durations: Iterable[float] = (),
    api_requests: int = 0,
    memory_mb: int = MEMORY_MB_DEFAULT,
) -> Usage:
    """The usage of some calls made in function invocations that ran ``durations`` seconds
    each (one invocation a duration), ``api_requests`` of them through API Gateway."""
    writes = reads = 0.0
    messages = 0
    for call in calls:
        write, read = request_units(call)
        writes += write
        reads += read
        messages += call.name in EMAILS or call.name in SMS
    billed = tuple(billed_ms(seconds) for seconds in durations)
    return Usage(api_requests, len(billed), billed, writes, reads, messages, memory_mb)


@dataclass(frozen=True)
class Bill:
    """Dollars by line, for one usage."""

    lines: dict[str, float] = field(default_factory=dict)

    @property
    def total(self) -> float:
        return sum(self.lines.values())

    def times(self, count: int) -> Bill:
        return Bill({name: value * count for name, value in self.lines.items()})


def price(usage: Usage, *, messages_by: str = "email") -> Bill:
    """What ``usage`` costs in eu-west-1; its messages sent as emails (SES) or, with
    ``messages_by="sms"``, as texts to Norway (SNS)."""
    if messages_by not in ("email", "sms"):
        raise ValueError("messages go by email or sms")
    message_price = SES_EMAIL if messages_by == "email" else SNS_SMS
    return Bill(
        {
            "API Gateway requests": usage.api_requests * API_GATEWAY_REQUEST,
            "Lambda requests": usage.invocations * LAMBDA_REQUEST,
            "Lambda duration": usage.gb_seconds * LAMBDA_GB_SECOND,
            "DynamoDB writes": usage.write_units * DYNAMODB_WRITE_REQUEST_UNIT,
            "DynamoDB reads": usage.read_units * DYNAMODB_READ_REQUEST_UNIT,
            ("SES emails" if messages_by == "email" else f"SNS texts to {SMS_COUNTRY}"): (
                usage.messages * message_price
            ),
        }
    )


def per_thousand(usage: Usage, *, messages_by: str = "email") -> Bill:
    return price(usage, messages_by=messages_by).times(1000)


def with_idle_invocations(usage: Usage, count: int, ms: int = 1) -> Usage:
    """``usage`` with ``count`` more invocations that did no work (records no filter kept
    from a function), each billed ``ms``."""
    return replace(
        usage, invocations=usage.invocations + count, billed_ms=usage.billed_ms + (ms,) * count
    )


def with_idempotency_records(usage: Usage, messages: int) -> Usage:
    """``usage`` as it was when each message also wrote an idempotency record: a
    conditional PutItem before the send and an UpdateItem after it, where the outbox item's
    own claim (one UpdateItem) guards it now: one write more a message."""
    return replace(usage, write_units=usage.write_units + messages)
