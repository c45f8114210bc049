"""AWS calls per operation, through the HTTP routes, and from a freed seat to the message
handed to SES: counted by botocore's own event hooks, with the items each call read and
wrote."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from bench.in_process import (
    Api,
    Business,
    CountedStreams,
    Invocation,
    running_app,
    set_up_business,
)
from bench.report import Figure, Section, Verdict, verdict
from tests.support.calls import Call

OPERATION_BUDGET = 2
REFILL_BUDGET = 6
RECORDS_BUDGET = 4
"""Stream records that invoke a function per cancellation refilled (automatic mode)."""
MESSAGE_BUDGET = 3
"""AWS calls per message, all of them: claim, send, mark."""
SEAT_ASSIGNED = "seat_assigned"
HAND_OFFS = ("ses.SendEmail", "ses.SendRawEmail", "sesv2.SendEmail", "sns.Publish")
"""The calls that hand a message to SES or SNS: where a refill's budgeted chain ends."""


@dataclass(frozen=True)
class Cost:
    calls: list[Call]

    @property
    def dynamodb(self) -> list[Call]:
        return [call for call in self.calls if call.name.startswith("dynamodb.")]

    @property
    def other(self) -> list[Call]:
        return [call for call in self.calls if not call.name.startswith("dynamodb.")]

    @property
    def items_read(self) -> int:
        return sum(call.items_read for call in self.calls)

    @property
    def items_written(self) -> int:
        return sum(call.items_written for call in self.calls)

    def names(self) -> str:
        """Operation names; other services' calls keep their service's name."""
        return (
            ", ".join(
                call.name.split(".", 1)[1] if call.name.startswith("dynamodb.") else call.name
                for call in self.calls
            )
            or "none"
        )

    def detail(self) -> str:
        read = f"{self.items_read} item{'s' if self.items_read != 1 else ''} read"
        return f"{self.names()}; {read}, {self.items_written} written"

    def split_at_hand_off(self) -> tuple[Cost, Cost] | None:
        """The calls up to and including the first hand-off to SES/SNS, and those after it
        (marking the message sent); None without one."""
        for number, call in enumerate(self.calls):
            if call.name in HAND_OFFS:
                return Cost(self.calls[: number + 1]), Cost(self.calls[number + 1 :])
        return None


def refill_figure(what: str, chain: Sequence[Invocation], budget: int | None) -> Figure:
    """A chain of handler invocations from a freed seat (or an offer's end) to the first
    message handed to SES/SNS: its calls up to that hand-off against the budget, and the
    calls after it shown beside them."""
    cost = Cost([call for invocation in chain for call in invocation.calls])
    split = cost.split_at_hand_off()
    steps = "; ".join(describe(i) for i in chain if i.calls)
    if split is None:
        detail = f"no message was handed over; {steps}"
        return Figure(what, "never", _budget(budget), Verdict.MISSED, detail)
    before, after = split
    count = len(before.calls)
    detail = (
        f"{steps}; up to the hand-off {before.items_read} items read, "
        f"{before.items_written} written; after it {len(after.calls)} more "
        f"({after.names()})"
    )
    if budget is None:
        return Figure(what, str(count), "no budget", Verdict.INFO, detail)
    return Figure(what, str(count), _budget(budget), verdict(count <= budget), detail)


def _budget(budget: int | None) -> str:
    return "no budget" if budget is None else f"≤ {budget}"


def measure() -> Section:
    with running_app() as api:
        shop = set_up_business(api, "bench-ops")
        figures = [*_customer_operations(api, shop), *_staff_operations(api, shop)]
        refill_figures, notes = _refill(api, shop)
    return Section(
        "Calls per operation",
        [*figures, *refill_figures],
        notes=[
            "Counted with botocore's `before-call` hook on every client (pynamodb keeps one "
            "per model); items from each call's request and parsed response (`Count`/"
            "`ScannedCount`, `Item`, `Responses`, the writes of a transaction), since "
            "moto's consumed-capacity figures are fixed.",
            "Operations go through the HTTP routes in-process (Chalice's test client), staff "
            "ones with a staff token; the authorizer verifies it without any AWS call.",
            *notes,
        ],
    )


def _operation(label: str, cost: Cost, budget: int = OPERATION_BUDGET) -> Figure:
    count = len(cost.dynamodb)
    detail = cost.detail()
    if cost.other:
        detail += f"; other AWS calls: {', '.join(c.name for c in cost.other)}"
    return Figure(
        f"{label}: DynamoDB calls", str(count), f"≤ {budget}", verdict(count <= budget), detail
    )


def _cost_of(api: Api, action: Callable[[], object]) -> Cost:
    action()
    return Cost(api.last_calls)


def _customer_operations(api: Api, shop: Business) -> list[Figure]:
    free, full = shop.add_slots(2)
    booking = shop.book(free, "Ada")
    book = Cost(api.last_calls)
    shop.book(full, "Bea")
    entry = shop.join(full, "Cy")
    join = Cost(api.last_calls)
    leave = _cost_of(api, lambda: api.call("DELETE", f"/waiting-list/{entry['token']}"))
    shop.join(full, "Di")
    cancel = _cost_of(api, lambda: api.call("POST", f"/bookings/{booking['manage_token']}/cancel"))
    return [
        _operation("book (customer)", book),
        _operation("cancel (customer's link)", cancel),
        _operation("join a waiting list", join),
        Figure(
            "leave a waiting list: DynamoDB calls",
            str(len(leave.dynamodb)),
            "no budget",
            Verdict.INFO,
            leave.detail(),
        ),
    ]


def _staff_operations(api: Api, shop: Business) -> list[Figure]:
    def act(slot_id: str, booking_id: str, action: str, body: object = None) -> Cost:
        path = f"/staff/slots/{slot_id}/bookings/{booking_id}/{action}"
        return _cost_of(api, lambda: shop.staff("POST", path, body))

    pending_slot = shop.add_slots(1, service="Consultation")[0]
    first = shop.book(pending_slot, "Ed")["booking"]["booking_id"]
    confirm = act(pending_slot, first, "confirm")
    no_show = act(pending_slot, first, "no-show")
    delete = _cost_of(
        api, lambda: shop.staff("DELETE", f"/staff/slots/{pending_slot}/bookings/{first}")
    )
    second_slot = shop.add_slots(1, service="Consultation", days_ahead=3)[0]
    second = shop.book(second_slot, "Flo")["booking"]["booking_id"]
    reject = act(second_slot, second, "reject", {"reason": "the salon is closed that day"})
    slot, other = shop.add_slots(2, days_ahead=4)
    third = shop.book(slot, "Gus")["booking"]["booking_id"]
    move = act(slot, third, "move", {"slot_id": other})
    cancel = act(other, third, "cancel")
    return [
        _info(f"staff {name}", cost)
        for name, cost in (
            ("confirm", confirm),
            ("reject", reject),
            ("cancel", cancel),
            ("no-show", no_show),
            ("delete", delete),
            ("move", move),
        )
    ]


def _info(label: str, cost: Cost) -> Figure:
    return Figure(
        f"{label}: DynamoDB calls",
        str(len(cost.dynamodb)),
        "no budget",
        Verdict.INFO,
        cost.detail(),
    )


def _refill(api: Api, shop: Business) -> tuple[list[Figure], list[str]]:
    """One cancellation with one customer waiting, followed through both stream handlers."""
    streams = CountedStreams()
    slot = shop.add_slots(1, days_ahead=5)[0]
    booking = shop.book(slot, "Hal")
    shop.join(slot, "Ivy")
    streams.settle()  # what came before the cancellation
    api.call("POST", f"/bookings/{booking['manage_token']}/cancel")
    invocations = streams.settle()
    dropped = streams.filtered_out()
    chain = _chain(invocations)
    in_chain = {id(invocation) for invocation in chain}
    others = [i for i in invocations if id(i) not in in_chain and i.calls]
    every = Cost([call for invocation in invocations for call in invocation.calls])
    figures = [
        _records_figure(invocations, dropped),
        _per_message_figure(invocations),
        refill_figure(
            "automatic: freed seat → message handed to SES/SNS: AWS calls", chain, REFILL_BUDGET
        ),
        Figure(
            "all calls of both stream handlers for one cancellation",
            str(len(every.calls)),
            "no budget",
            Verdict.INFO,
            f"{len(invocations)} records delivered; besides the refill: "
            + ("; ".join(describe(i) for i in others) or "nothing"),
        ),
    ]
    notes = [
        "The refill chain is every call made by `on_booking_change` for the cancellation's "
        "records plus `on_outbox_message` for the seat-assigned message, counted up to and "
        "including the hand-off (`SendEmail`, `SendRawEmail` when a calendar file rides "
        "along, or `Publish`), as the budget reads; the call after it (marking the message "
        "sent) is shown beside it. The reader that "
        "feeds the handlers (stream and table descriptions, `GetRecords`) is not counted.",
    ]
    return figures, notes


def _records_figure(
    invocations: Sequence[Invocation], dropped: dict[str, list[dict[str, Any]]]
) -> Figure:
    """What the event sources' filters let through of one refilled cancellation's records:
    each passing record is one invocation (in AWS, batched, but each takes its place in
    one); beside it, every record the two streams carried."""
    woke = len(invocations)
    by_function = {
        name: (sum(1 for i in invocations if i.handler == name), len(records))
        for name, records in dropped.items()
    }
    before = woke + sum(len(records) for records in dropped.values())
    per_stream = "; ".join(
        f"{name}: {passed} of {passed + filtered}"
        for name, (passed, filtered) in by_function.items()
    )
    passed = ", ".join(describe_record(i.handler, i.record) for i in invocations)
    return Figure(
        "stream records that invoke a function, per cancellation refilled (automatic mode)",
        str(woke),
        f"≤ {RECORDS_BUDGET}",
        verdict(woke <= RECORDS_BUDGET),
        f"{before} records on the two streams before filtering, {woke} after ({per_stream}): "
        f"{passed}",
    )


def _per_message_figure(invocations: Sequence[Invocation]) -> Figure:
    """Every call the outbox function makes for one message, the most of the cancellation's
    messages: claiming it, handing it over, marking it sent."""
    messages = [i for i in invocations if i.handler == "on_outbox_message"]
    if not messages:
        return Figure(
            "AWS calls per message, all of them (claim, send, mark)",
            "none",
            f"≤ {MESSAGE_BUDGET}",
            Verdict.MISSED,
            "no message was delivered",
        )
    most = max(messages, key=lambda i: len(i.calls))
    count = len(most.calls)
    return Figure(
        "AWS calls per message, all of them (claim, send, mark)",
        str(count),
        f"≤ {MESSAGE_BUDGET}",
        verdict(count <= MESSAGE_BUDGET),
        "; ".join(describe(i) for i in messages),
    )


def describe_record(handler: str, record: dict[str, Any]) -> str:
    image = record.get("dynamodb", {}).get("NewImage") or {}
    about = image.get("message_type", image.get("kind", {})).get("S", "")
    status = image.get("status", {}).get("S", "")
    return f"{about} {record.get('eventName', '')} ({status})".replace(" ()", "")


def _chain(invocations: Sequence[Invocation]) -> list[Invocation]:
    return [
        i
        for i in invocations
        if i.handler == "on_booking_change"
        or (i.handler == "on_outbox_message" and i.attribute("message_type") == SEAT_ASSIGNED)
    ]


def describe(invocation: Invocation) -> str:
    about = invocation.attribute("message_type") or invocation.attribute("kind")
    what = " ".join(part for part in (about, invocation.event) if part)
    label = f"{invocation.handler} ({what})" if what else invocation.handler
    return f"{label}: {Cost(invocation.calls).names()}"
