"""Offers and the other waiting-list modes: AWS calls from a freed seat (or an offer that
ran out, or was declined) to the next message handed to SES/SNS, and per answer to an
offer. Same counting as bench.operations: only calls made inside the app's handlers."""

from __future__ import annotations

import json
import time
from collections.abc import Sequence
from typing import Any
from urllib.parse import urlsplit

import boto3

from bench.in_process import (
    Api,
    Business,
    CountedStreams,
    Invocation,
    email_of,
    running_app,
    set_up_business,
)
from bench.operations import OPERATION_BUDGET, REFILL_BUDGET, Cost, describe, refill_figure
from bench.report import Figure, Section, Verdict, verdict
from chalicelib.entrypoints.events.schedules import run_scheduled_task
from chalicelib.settings import get_settings
from tests.support.aws import REGION
from tests.support.calls import aws_call_log

WINDOW_SECONDS = 10
"""The shortest response window a business may set: the expiry is measured by waiting it out."""
OFFER_MADE = "offer_made"
OFFER_TAKEN = "offer_taken"
SLOT_AVAILABLE = "slot_available"
ONE = "One at a time"
MANY = "Offer to many"
MANUAL = "Manual"


def measure() -> Section:
    with running_app() as api:
        shop = set_up_business(
            api,
            "bench-offers",
            settings={"offer_window_seconds": WINDOW_SECONDS, "staff_email": "staff@example.com"},
            services=[
                {"name": ONE, "duration_minutes": 30, "waiting_list_mode": "one_at_a_time"},
                {"name": MANY, "duration_minutes": 30, "waiting_list_mode": "offer_to_many"},
                {"name": MANUAL, "duration_minutes": 30, "waiting_list_mode": "manual"},
            ],
        )
        streams = CountedStreams()
        figures = [
            *_one_at_a_time(api, shop, streams),
            *_offer_to_many(api, shop, streams),
            _manual(api, shop, streams),
        ]
    return Section(
        "Offers and the other waiting-list modes",
        figures,
        notes=[
            "A chain is every call the stream handlers (and, for an expiry, the scheduled "
            "function) make for the cause, plus `on_outbox_message` for the first message it "
            "leads to; the offer's expiry schedule (`CreateSchedule`) is one of its calls.",
            f"Offers run out after {WINDOW_SECONDS} s here (the shortest window a business may "
            "set); the expiry is the scheduled function invoked with the payload of the "
            "schedule the refill created, as EventBridge Scheduler would.",
        ],
    )


def _waiting_slot(shop: Business, service: str, waiting: Sequence[str]) -> tuple[str, Any]:
    slot = shop.add_slots(1, service=service, days_ahead=6)[0]
    holder = shop.book(slot, f"Holder of {service} {len(waiting)}")
    for name in waiting:
        shop.join(slot, name)
    return slot, holder


def _cancel(api: Api, streams: CountedStreams, holder: Any) -> list[Invocation]:
    streams.settle()  # what came before the cancellation
    api.call("POST", f"/bookings/{holder['manage_token']}/cancel")
    return streams.settle()


def _offers_to(invocations: Sequence[Invocation], name: str) -> list[Invocation]:
    return [
        i
        for i in invocations
        if i.handler == "on_outbox_message"
        and i.event == "INSERT"
        and i.attribute("message_type") == OFFER_MADE
        and i.attribute("recipient") == email_of(name)
    ]


def _chain(invocations: Sequence[Invocation], message: Invocation | None) -> list[Invocation]:
    return [i for i in invocations if i.handler != "on_outbox_message" or i is message]


def _chain_figure(
    what: str, chain: Sequence[Invocation], budget: int | None, arrived: bool
) -> Figure:
    if not arrived:
        detail = "no message came; " + "; ".join(describe(i) for i in chain if i.calls)
        return Figure(
            what, "never", "no budget" if budget is None else f"≤ {budget}", Verdict.MISSED, detail
        )
    return refill_figure(what, chain, budget)


def _answer(api: Api, offer: Invocation | None, answer: str) -> Cost | None:
    url = offer.context("offer_url") if offer else None
    if url is None:
        return None
    # The message links to the offer page (/o/{token}); the API answers on its own path.
    token = urlsplit(url).path.rsplit("/", 1)[-1]
    api.call("POST", f"/offers/{token}/{answer}")
    return Cost(api.last_calls)


def _answer_figure(what: str, cost: Cost | None, budget: int | None) -> Figure:
    if cost is None:
        return Figure(what, "—", "—", Verdict.MISSED, "no offer came to answer")
    count = len(cost.dynamodb)
    if budget is None:
        return Figure(what, str(count), "no budget", Verdict.INFO, cost.detail())
    return Figure(what, str(count), f"≤ {budget}", verdict(count <= budget), cost.detail())


def _one_at_a_time(api: Api, shop: Business, streams: CountedStreams) -> list[Figure]:
    slot, holder = _waiting_slot(shop, ONE, ["Ann", "Ben"])
    freed = _cancel(api, streams, holder)
    to_ann = next(iter(_offers_to(freed, "Ann")), None)
    figures = [
        _chain_figure(
            "one at a time: freed seat → offer handed to SES/SNS: AWS calls",
            _chain(freed, to_ann),
            REFILL_BUDGET,
            to_ann is not None,
        )
    ]
    time.sleep(WINDOW_SECONDS + 1)
    ran_out = _expire(streams, slot)
    to_ben = next(iter(_offers_to(ran_out, "Ben")), None)
    figures.append(
        _chain_figure(
            "one at a time: offer ran out → next offer handed to SES/SNS: AWS calls",
            _chain(ran_out, to_ben),
            None,
            to_ben is not None,
        )
    )
    figures.append(
        _answer_figure(
            "accept an offer: DynamoDB calls", _answer(api, to_ben, "accept"), OPERATION_BUDGET
        )
    )
    _, holder = _waiting_slot(shop, ONE, ["Cy", "Di"])
    to_cy = next(iter(_offers_to(_cancel(api, streams, holder), "Cy")), None)
    declined = _answer(api, to_cy, "decline")
    figures.append(_answer_figure("decline an offer: DynamoDB calls", declined, None))
    # Declining asks the next customer within the request itself.
    request = Invocation("decline request", {}, declined.calls if declined else [])
    after = [request, *streams.settle()]
    to_di = next(iter(_offers_to(after, "Di")), None)
    figures.append(
        _chain_figure(
            "one at a time: declined → next offer handed to SES/SNS: AWS calls",
            _chain(after, to_di),
            None,
            to_di is not None,
        )
    )
    return figures


def _expire(streams: CountedStreams, slot_id: str) -> list[Invocation]:
    """Fire the slot's offer schedule as EventBridge Scheduler would, then let the streams
    carry what it wrote."""
    payload = _schedule_payload(slot_id)
    with aws_call_log() as log:
        run_scheduled_task(payload, None)
    fired = Invocation("run_scheduled_task", {}, list(log))
    return [fired, *streams.settle()]


def _schedule_payload(slot_id: str) -> dict[str, Any]:
    client: Any = boto3.client("scheduler", region_name=REGION)
    group = get_settings().schedule_group
    for summary in client.list_schedules(GroupName=group)["Schedules"]:
        schedule = client.get_schedule(Name=summary["Name"], GroupName=group)
        payload: dict[str, Any] = json.loads(schedule["Target"]["Input"])
        if payload.get("slot_id") == slot_id:
            return payload
    raise RuntimeError(f"no schedule for slot {slot_id}")


def _offer_to_many(api: Api, shop: Business, streams: CountedStreams) -> list[Figure]:
    waiting = ["Eve", "Fay", "Gil"]
    _, holder = _waiting_slot(shop, MANY, waiting)
    freed = _cancel(api, streams, holder)
    offers = [offer for name in waiting for offer in _offers_to(freed, name)]
    first = offers[0] if offers else None
    every = Cost([call for i in _chain(freed, None) + offers for call in i.calls])
    chain = _chain_figure(
        "offer to many: freed seat → first offer handed to SES/SNS: AWS calls",
        _chain(freed, first),
        REFILL_BUDGET,
        first is not None,
    )
    chain = Figure(
        chain.what,
        chain.measured,
        chain.budget,
        chain.verdict,
        f"{chain.detail}; all {len(offers)} offers handed over: {len(every.calls)} calls",
    )
    accepted = _answer(api, first, "accept")
    after = streams.settle()
    return [
        chain,
        _answer_figure("accept an offer to many: DynamoDB calls", accepted, OPERATION_BUDGET),
        _others_told(after),
    ]


def _others_told(after: Sequence[Invocation]) -> Figure:
    """Off the accepting customer's request: the accepted offer's stream record closes the
    rest of the round and queues the others' messages."""
    closing = [i for i in after if i.handler == "on_booking_change" and i.calls]
    cost = Cost([call for invocation in closing for call in invocation.calls])
    taken = [i for i in after if i.event == "INSERT" and i.attribute("message_type") == OFFER_TAKEN]
    return Figure(
        "offer to many: accepted → the others told the seat is taken (stream): AWS calls",
        str(len(cost.calls)),
        "no budget",
        Verdict.INFO if taken else Verdict.MISSED,
        "; ".join(describe(i) for i in closing)
        + f'; {len(taken)} "taken" messages queued; {cost.items_read} items read, '
        f"{cost.items_written} written",
    )


def _manual(api: Api, shop: Business, streams: CountedStreams) -> Figure:
    _, holder = _waiting_slot(shop, MANUAL, ["Hal"])
    freed = _cancel(api, streams, holder)
    notice = next(
        (i for i in freed if i.event == "INSERT" and i.attribute("message_type") == SLOT_AVAILABLE),
        None,
    )
    return _chain_figure(
        "manual: freed seat → staff notice handed to SES/SNS: AWS calls",
        _chain(freed, notice),
        REFILL_BUDGET,
        notice is not None,
    )
