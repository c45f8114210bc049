"""The arithmetic that prices a refill (bench/cost.py)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from bench import cost
from bench.cost import CallCount, Usage


def test_a_transaction_costs_two_write_units_an_item() -> None:
    assert cost.request_units(CallCount("dynamodb.TransactWriteItems", 0, 4)) == (8.0, 0.0)


def test_a_plain_write_costs_one_unit_an_item_and_never_less_than_one() -> None:
    assert cost.request_units(CallCount("dynamodb.UpdateItem", 0, 1)) == (1.0, 0.0)
    assert cost.request_units(CallCount("dynamodb.BatchWriteItem", 0, 25)) == (25.0, 0.0)
    # A conditional write that changed nothing is still a request.
    assert cost.request_units(CallCount("dynamodb.PutItem", 0, 0)) == (1.0, 0.0)


def test_reads_cost_a_unit_an_item_and_an_empty_read_one() -> None:
    assert cost.request_units(CallCount("dynamodb.BatchGetItem", 3, 0)) == (0.0, 3.0)
    assert cost.request_units(CallCount("dynamodb.Query", 0, 0)) == (0.0, 1.0)
    assert cost.request_units(CallCount("dynamodb.TransactGetItems", 2, 0)) == (0.0, 4.0)


def test_other_services_cost_no_request_units() -> None:
    assert cost.request_units(CallCount("ses.SendEmail")) == (0.0, 0.0)
    assert cost.request_units(CallCount("scheduler.CreateSchedule")) == (0.0, 0.0)


def test_lambda_bills_whole_milliseconds_rounded_up() -> None:
    assert cost.billed_ms(0.0101) == 11
    assert cost.billed_ms(0.010) == 10
    assert cost.billed_ms(0.0) == 1


def test_usage_adds_up_calls_invocations_and_messages() -> None:
    usage = cost.usage_of(
        [
            CallCount("dynamodb.BatchGetItem", 3, 0),
            CallCount("dynamodb.TransactWriteItems", 0, 4),
            CallCount("dynamodb.UpdateItem", 0, 1),
            CallCount("ses.SendRawEmail"),
            CallCount("sns.Publish"),
        ],
        durations=[0.05, 0.1005],
        api_requests=1,
        memory_mb=512,
    )

    assert usage == Usage(1, 2, (50, 101), 9.0, 3.0, 2, 512)
    assert usage.gb_seconds == pytest.approx(0.151 * 0.5)


def test_a_bill_prices_each_line_in_eu_west_1() -> None:
    usage = Usage(
        api_requests=1,
        invocations=4,
        billed_ms=(1000, 1000, 1000, 1000),
        write_units=30,
        read_units=6,
        messages=2,
        memory_mb=1024,
    )

    bill = cost.price(usage)

    assert bill.lines == pytest.approx(
        {
            "API Gateway requests": 3.50e-6,
            "Lambda requests": 4 * 0.20e-6,
            "Lambda duration": 4 * 0.0000166667,
            "DynamoDB writes": 30 * 0.70675e-6,
            "DynamoDB reads": 6 * 0.1415e-6,
            "SES emails": 2 * 0.0001,
        }
    )
    assert bill.total == pytest.approx(sum(bill.lines.values()))


def test_per_thousand_is_a_thousand_times_one_and_texts_go_to_norway() -> None:
    usage = Usage(messages=2, memory_mb=512)

    one = cost.price(usage, messages_by="sms")
    thousand = cost.per_thousand(usage, messages_by="sms")

    assert one.lines["SNS texts to Norway"] == pytest.approx(2 * cost.SNS_SMS)
    assert thousand.total == pytest.approx(1000 * one.total)
    with pytest.raises(ValueError):
        cost.price(usage, messages_by="pigeon")


def test_before_the_issue_idle_invocations_and_idempotency_writes_are_added() -> None:
    after = Usage(1, 4, (10, 20, 30, 40), 30.0, 6.0, 2, 512)

    before = cost.with_idempotency_records(cost.with_idle_invocations(after, 8, 2), 2)

    assert before.invocations == 12
    assert before.billed_ms == (10, 20, 30, 40, *(2,) * 8)
    assert before.write_units == 32.0
    assert cost.per_thousand(before).total > cost.per_thousand(after).total


def test_the_memory_comes_from_the_chalice_config(tmp_path: Path) -> None:
    config = tmp_path / "config.json"
    config.write_text(json.dumps({"lambda_memory_size": 1024}))

    assert cost.configured_memory_mb(config) == 1024
    assert cost.configured_memory_mb(tmp_path / "missing.json") == cost.MEMORY_MB_DEFAULT
    assert cost.configured_memory_mb() == 512


def test_a_refill_before_the_issue_woke_a_function_for_every_record() -> None:
    from bench.in_process import Invocation
    from bench.refill_cost import Refill
    from tests.support.calls import Call

    send = [
        Call("dynamodb.UpdateItem", 0, 1),
        Call("ses.SendEmail"),
        Call("dynamodb.UpdateItem", 0, 1),
    ]
    refill = Refill(
        mode="Automatic",
        requests=[([Call("dynamodb.TransactWriteItems", 0, 4)], 0.05)],
        invocations=[
            Invocation("on_booking_change", {}, [Call("dynamodb.Query", 2, 0)], 0.02),
            Invocation("on_outbox_message", {}, send, 0.03),
        ],
        dropped=5,
        idle_seconds=[0.001, 0.003, 0.002],
    )

    after = refill.after(512)
    before = refill.before(512, records=11)

    assert (after.api_requests, after.invocations, after.billed_ms) == (1, 3, (50, 20, 30))
    assert (after.write_units, after.read_units, after.messages) == (10.0, 2.0, 1)
    assert before.invocations == 1 + 11
    assert before.billed_ms == (50, 20, 30, *(2,) * 9)
    assert before.write_units == 11.0
