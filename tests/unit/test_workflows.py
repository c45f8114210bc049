"""Which messages a cause owes, to whom and on which channel, under a business's rules."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pytest

from chalicelib.domain.errors import InvalidRequest
from chalicelib.domain.messages import Channel, MessageType
from chalicelib.domain.model import Business, ChannelPreference, Contact, SlotSummary
from chalicelib.domain.workflows import (
    STAFF_TYPES,
    Delivery,
    Recipient,
    RuleChannel,
    Scope,
    WorkflowRule,
    check_rule,
    default_rule,
    default_rule_id,
    deliveries,
    effective_rules,
)
from chalicelib.services.message_rules import outbox_messages

ADA = Contact("Ada", email="ada@example.com", phone="+4791234567", language="fr")
SLOT = SlotSummary(
    business_name="Salon",
    time_zone="Europe/Oslo",
    language="en",
    service_name="Haircut",
    starts_at=datetime(2030, 3, 1, 9, tzinfo=UTC),
    ends_at=datetime(2030, 3, 1, 9, 30, tzinfo=UTC),
    staff="Kari",
    location="Storgata",
    service_id="cut",
)
OTHER_SLOT = replace(SLOT, service_id="colour", location="Torget", staff="Per")
STAFF_ADDRESS = "kari@example.com"


def owed(
    rules: list[WorkflowRule],
    message_type: MessageType = MessageType.BOOKING_CONFIRMED,
    slot: SlotSummary = SLOT,
    preference: ChannelPreference = ChannelPreference.BOTH,
) -> list[tuple[Channel, str]]:
    found = deliveries(
        effective_rules(rules),
        message_type,
        slot,
        contact=ADA,
        preference=preference,
        staff_address=STAFF_ADDRESS,
    )
    return [(d.channel, d.recipient) for d in found]


def rule(**fields: object) -> WorkflowRule:
    base = WorkflowRule(
        rule_id="r1",
        name="tell the front desk",
        trigger=MessageType.BOOKING_CONFIRMED,
        channel=RuleChannel.EMAIL,
        addresses=("desk@example.com",),
    )
    return replace(base, **fields)  # type: ignore[arg-type]


def test_by_default_the_customer_gets_each_customer_message_on_the_business_preference() -> None:
    for message_type in MessageType:
        if message_type in STAFF_TYPES:
            continue
        assert owed([], message_type, preference=ChannelPreference.EMAIL_FIRST) == [
            (Channel.EMAIL, "ada@example.com")
        ]
        assert owed([], message_type, preference=ChannelPreference.BOTH) == [
            (Channel.EMAIL, "ada@example.com"),
            (Channel.SMS, "+4791234567"),
        ]


def test_by_default_staff_messages_go_to_the_staff_address_by_email_and_never_to_the_customer() -> (
    None
):
    for message_type in STAFF_TYPES:
        assert owed([], message_type) == [(Channel.EMAIL, STAFF_ADDRESS)]


def test_a_staff_message_without_a_staff_address_goes_nowhere() -> None:
    found = deliveries(
        effective_rules(()),
        MessageType.SLOT_AVAILABLE,
        SLOT,
        contact=None,
        preference=ChannelPreference.EMAIL_FIRST,
        staff_address=None,
    )
    assert found == []


def test_switching_a_default_rule_off_sends_nothing_for_its_type() -> None:
    off = replace(default_rule(MessageType.BOOKING_CONFIRMED), enabled=False)
    assert owed([off]) == []
    assert owed([off], MessageType.BOOKING_PENDING) != []


def test_a_default_rule_narrowed_to_email_sends_no_text() -> None:
    email_only = replace(default_rule(MessageType.BOOKING_CONFIRMED), channel=RuleChannel.EMAIL)
    assert owed([email_only]) == [(Channel.EMAIL, "ada@example.com")]


def test_a_customer_without_the_rules_channel_is_not_reached_on_another() -> None:
    sms_only = replace(default_rule(MessageType.BOOKING_CONFIRMED), channel=RuleChannel.SMS)
    found = deliveries(
        [sms_only],
        MessageType.BOOKING_CONFIRMED,
        SLOT,
        contact=Contact("Bo", email="bo@example.com"),
        preference=ChannelPreference.EMAIL_FIRST,
        staff_address=None,
    )
    assert found == []


def test_a_rule_scoped_to_a_service_fires_for_its_slots_and_not_for_others() -> None:
    scoped = rule(scope=Scope(services=frozenset({"cut"})))
    assert (Channel.EMAIL, "desk@example.com") in owed([scoped], slot=SLOT)
    assert (Channel.EMAIL, "desk@example.com") not in owed([scoped], slot=OTHER_SLOT)


def test_a_rule_scoped_to_a_location_fires_for_its_slots_and_not_for_others() -> None:
    scoped = rule(scope=Scope(locations=frozenset({"Storgata"})))
    assert (Channel.EMAIL, "desk@example.com") in owed([scoped], slot=SLOT)
    assert (Channel.EMAIL, "desk@example.com") not in owed([scoped], slot=OTHER_SLOT)


def test_a_rule_scoped_to_staff_members_ignores_a_slot_without_one() -> None:
    scoped = rule(scope=Scope(staff=frozenset({"Kari"})))
    assert (Channel.EMAIL, "desk@example.com") in owed([scoped], slot=SLOT)
    nobody = replace(SLOT, staff=None)
    assert (Channel.EMAIL, "desk@example.com") not in owed([scoped], slot=nobody)


def test_a_rule_to_a_given_number_sends_a_text_there() -> None:
    texted = rule(channel=RuleChannel.SMS, addresses=("+4799999999",))
    assert (Channel.SMS, "+4799999999") in owed([texted])


def test_a_recipient_named_by_two_rules_gets_one_message_per_channel() -> None:
    again = replace(default_rule(MessageType.BOOKING_CONFIRMED), rule_id="r2")
    assert owed([again]) == [(Channel.EMAIL, "ada@example.com"), (Channel.SMS, "+4791234567")]


def test_a_rule_for_another_trigger_does_not_fire() -> None:
    assert (Channel.EMAIL, "desk@example.com") not in owed(
        [rule()], MessageType.BOOKING_CANCELLED_BY_CUSTOMER
    )


def test_each_message_is_told_apart_by_cause_recipient_and_channel() -> None:
    to_customer = Delivery(Channel.EMAIL, "ada@example.com", True, True)
    to_desk = Delivery(Channel.EMAIL, "desk@example.com", False, True)
    to_front = Delivery(Channel.EMAIL, "front@example.com", False, True)
    assert to_customer.cause_id("b1.v2") == "b1.v2.email"
    assert len({d.cause_id("b1.v2") for d in (to_customer, to_desk, to_front)}) == 3


def test_messages_are_in_the_customers_language_for_them_and_the_business_language_for_others() -> (
    None
):
    business = Business(
        "salon",
        "Salon",
        "Europe/Oslo",
        "nb",
        addresses={"Kari": STAFF_ADDRESS},
        workflows=(rule(),),
        custom_templates={"booking_confirmed/email/fr": 3},
    )
    messages = outbox_messages(
        business,
        MessageType.BOOKING_CONFIRMED,
        SLOT,
        contact=ADA,
        cause_id="b1.v1",
        context={},
        created_at=datetime(2030, 2, 1, tzinfo=UTC),
    )
    by_recipient = {m.recipient: m for m in messages}
    assert by_recipient["ada@example.com"].language == "fr"
    assert by_recipient["ada@example.com"].template_version == 3
    assert by_recipient["desk@example.com"].language == "nb"
    assert by_recipient["desk@example.com"].template_version is None


def test_a_changed_default_rule_replaces_the_default_and_new_types_keep_theirs() -> None:
    off = replace(default_rule(MessageType.OFFER_MADE), enabled=False)
    rules = effective_rules([off, rule()])
    assert [r.rule_id for r in rules].count(default_rule_id(MessageType.OFFER_MADE)) == 1
    assert {r.trigger for r in rules if r.is_default} == set(MessageType)
    assert rules[-1].rule_id == "r1"


@pytest.mark.parametrize(
    ("bad", "field"),
    [
        (rule(addresses=()), "recipients"),
        (
            rule(
                trigger=MessageType.SLOT_AVAILABLE,
                recipients=frozenset({Recipient.CUSTOMER}),
            ),
            "recipients",
        ),
        (rule(channel=RuleChannel.SMS, recipients=frozenset({Recipient.STAFF})), "recipients"),
        (rule(channel=RuleChannel.PREFERENCE), "channel"),
        (rule(channel=RuleChannel.SMS), "addresses"),
    ],
)
def test_a_rule_that_cannot_make_sense_is_refused_naming_the_field(
    bad: WorkflowRule, field: str
) -> None:
    with pytest.raises(InvalidRequest) as refused:
        check_rule(bad)
    assert refused.value.field == field
