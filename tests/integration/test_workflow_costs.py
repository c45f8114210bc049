"""Workflow rules and a business's own texts cost booking, cancelling, joining and the
refill no DynamoDB call: they come with the business profile those paths read anyway."""

from __future__ import annotations

from dataclasses import replace

from chalicelib.domain.messages import Channel, MessageType
from chalicelib.domain.model import Actor, Contact
from chalicelib.domain.workflows import RuleChannel, Scope, WorkflowRule, default_rule
from chalicelib.services.catalogue import NewSlot
from chalicelib.services.message_texts import TextKey, TextParts
from tests.support.calls import aws_calls
from tests.support.shop import START, Shop


def _with_rules_and_a_text(shop: Shop) -> None:
    workflows = shop.services.workflows
    workflows.change(
        "shop",
        "default-booking_confirmed",
        replace(default_rule(MessageType.BOOKING_CONFIRMED), channel=RuleChannel.EMAIL),
    )
    for trigger in (MessageType.BOOKING_CONFIRMED, MessageType.SEAT_ASSIGNED):
        workflows.add(
            "shop",
            WorkflowRule(
                rule_id="",
                name="front desk",
                trigger=trigger,
                channel=RuleChannel.EMAIL,
                addresses=("desk@example.com",),
                scope=Scope(locations=frozenset({"Storgata"})),
            ),
        )
    shop.services.message_texts.save(
        "shop",
        TextKey(MessageType.SEAT_ASSIGNED, Channel.EMAIL, "en"),
        TextParts(subject="Yours, {{ customer_name }}", text="{{ service_name }}"),
    )


def _dynamodb(calls: list[str]) -> list[str]:
    return [call for call in calls if call.startswith("dynamodb.")]


def test_booking_joining_cancelling_and_the_refill_make_the_same_calls_with_rules(
    aws: None,
) -> None:
    shop = Shop()
    _with_rules_and_a_text(shop)
    service_id = shop.catalogue.slot("shop", shop.slot_id).service_id
    [storgata] = shop.catalogue.add_slots(
        "shop", [NewSlot(service_id, START, capacity=2, location="Storgata")]
    )

    with aws_calls() as booking:
        shop.bookings.book("shop", storgata.slot_id, Contact("Cy", "cy@example.com"))
    with aws_calls() as joining:
        shop.wait(1)
    shop.feed_changes()
    with aws_calls() as cancelling:
        shop.bookings.cancel("shop", shop.slot_id, shop.holder.booking_id, by=Actor.STAFF)
    with aws_calls() as refilling:
        shop.feed_changes()

    assert _dynamodb(booking) == ["dynamodb.BatchGetItem", "dynamodb.TransactWriteItems"]
    assert _dynamodb(joining) == ["dynamodb.BatchGetItem", "dynamodb.TransactWriteItems"]
    assert len(_dynamodb(cancelling)) <= 2
    assert _dynamodb(refilling) == [
        "dynamodb.BatchGetItem",
        "dynamodb.Query",
        "dynamodb.TransactWriteItems",
    ]
