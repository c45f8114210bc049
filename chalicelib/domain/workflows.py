"""Workflows: which messages a cause owes, on which channel, to whom.

A rule is a trigger (a message type), a scope (services, locations, staff members; an empty
set means any), a channel (email, SMS, or the business's channel preference for customers),
recipients (the customer, the staff member's or location's address, given addresses) and
whether the business's own text for the type is used when it saved one.

Every business starts with one default rule per message type, which reproduces what Standby
always did: the customer gets every customer message on the business's channel preference;
the staff member's (or location's) address gets the staff messages by email. A business's
saved rules replace the default rule of the same id (switched off, another channel, another
scope) and add their own; a message type added later gets its default rule at once.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from hashlib import sha256

from chalicelib.domain.errors import InvalidRequest
from chalicelib.domain.messages import Channel, MessageType, channels_for
from chalicelib.domain.values import ChannelPreference, Contact, SlotSummary

STAFF_TYPES = frozenset({MessageType.SLOT_AVAILABLE, MessageType.STAFF_BOOKING_CONFIRMED})
"""Messages written to staff: they have no customer to send them to."""
DEFAULT_PREFIX = "default-"
MAX_RULES = 60
"""Rules live on the business's profile item (read with the business, at no extra cost);
this keeps that item far below DynamoDB's 400 KB."""


class RuleChannel(StrEnum):
    EMAIL = "email"
    SMS = "sms"
    PREFERENCE = "preference"
    """The business's channel preference for customers (email first, SMS first or both)."""


class Recipient(StrEnum):
    CUSTOMER = "customer"
    STAFF = "staff"
    """The slot's staff member's address, else its location's, else the business's own."""


@dataclass(frozen=True)
class Scope:
    """Which slots a rule is about; an empty set does not narrow."""

    services: frozenset[str] = frozenset()
    """Service ids."""
    locations: frozenset[str] = frozenset()
    staff: frozenset[str] = frozenset()

    def covers(self, slot: SlotSummary) -> bool:
        return (
            _within(self.services, slot.service_id)
            and _within(self.locations, slot.location)
            and _within(self.staff, slot.staff)
        )


def _within(chosen: frozenset[str], value: str | None) -> bool:
    return not chosen or (value is not None and value in chosen)


@dataclass(frozen=True)
class WorkflowRule:
    rule_id: str
    name: str
    trigger: MessageType
    channel: RuleChannel
    recipients: frozenset[Recipient] = frozenset()
    addresses: tuple[str, ...] = ()
    """Given email addresses or E.164 phone numbers, matching the channel."""
    scope: Scope = field(default_factory=Scope)
    enabled: bool = True
    use_custom_text: bool = True
    """Use the business's own text for the type, channel and language when it saved one."""

    @property
    def is_default(self) -> bool:
        return self.rule_id.startswith(DEFAULT_PREFIX)


def default_rule_id(message_type: MessageType) -> str:
    return f"{DEFAULT_PREFIX}{message_type.value}"


def default_rule(message_type: MessageType) -> WorkflowRule:
    if message_type in STAFF_TYPES:
        return WorkflowRule(
            rule_id=default_rule_id(message_type),
            name=f"{message_type.value} to staff",
            trigger=message_type,
            channel=RuleChannel.EMAIL,
            recipients=frozenset({Recipient.STAFF}),
        )
    return WorkflowRule(
        rule_id=default_rule_id(message_type),
        name=f"{message_type.value} to the customer",
        trigger=message_type,
        channel=RuleChannel.PREFERENCE,
        recipients=frozenset({Recipient.CUSTOMER}),
    )


def default_rules() -> list[WorkflowRule]:
    return [default_rule(message_type) for message_type in MessageType]


def effective_rules(saved: Sequence[WorkflowRule]) -> list[WorkflowRule]:
    """The default rules, each replaced by the business's saved rule of the same id, then
    the business's own rules in the order it added them."""
    by_id = {rule.rule_id: rule for rule in saved}
    defaults = [by_id.get(rule.rule_id, rule) for rule in default_rules()]
    return defaults + [rule for rule in saved if not rule.is_default]


def check_rule(rule: WorkflowRule) -> None:
    """What a rule must make sense of, beyond each field's own shape."""
    if not rule.recipients and not rule.addresses:
        raise InvalidRequest("recipients", "name at least one recipient or address")
    if Recipient.CUSTOMER in rule.recipients and rule.trigger in STAFF_TYPES:
        raise InvalidRequest(
            "recipients",
            f"{rule.trigger.value} is written to staff: it has no customer to send to",
        )
    if Recipient.STAFF in rule.recipients and rule.channel is RuleChannel.SMS:
        raise InvalidRequest(
            "recipients",
            "staff and location addresses are email addresses: use channel email, "
            "or give a phone number under addresses",
        )
    if rule.addresses and rule.channel is RuleChannel.PREFERENCE:
        raise InvalidRequest("channel", "given addresses need channel email or sms")
    for address in rule.addresses:
        is_email = "@" in address
        if is_email != (rule.channel is RuleChannel.EMAIL):
            raise InvalidRequest(
                "addresses", f"{address!r} does not fit channel {rule.channel.value}"
            )


@dataclass(frozen=True)
class Delivery:
    """One message a cause owes: one per recipient and channel."""

    channel: Channel
    recipient: str
    to_customer: bool
    use_custom_text: bool

    def cause_id(self, cause_id: str) -> str:
        """The customer's message keeps the identity it always had (cause and channel);
        any other recipient's is told apart by a digest of the address."""
        if self.to_customer:
            return f"{cause_id}.{self.channel.value}"
        return f"{cause_id}.{self.channel.value}.{_digest(self.recipient)}"


def deliveries(
    rules: Iterable[WorkflowRule],
    message_type: MessageType,
    slot: SlotSummary,
    *,
    contact: Contact | None,
    preference: ChannelPreference,
    staff_address: str | None,
) -> list[Delivery]:
    """The messages a cause of `message_type` about `slot` owes under `rules`: each
    enabled rule for the type whose scope covers the slot names its recipients; a recipient
    named by several rules on the same channel gets one message."""
    owed: dict[tuple[Channel, str], Delivery] = {}
    for rule in rules:
        if not rule.enabled or rule.trigger is not message_type or not rule.scope.covers(slot):
            continue
        for channel, recipient, to_customer in _targets(
            rule, message_type, contact, preference, staff_address
        ):
            owed.setdefault(
                (channel, recipient),
                Delivery(channel, recipient, to_customer, rule.use_custom_text),
            )
    return list(owed.values())


def _targets(
    rule: WorkflowRule,
    message_type: MessageType,
    contact: Contact | None,
    preference: ChannelPreference,
    staff_address: str | None,
) -> list[tuple[Channel, str, bool]]:
    targets: list[tuple[Channel, str, bool]] = []
    if Recipient.CUSTOMER in rule.recipients and contact and message_type not in STAFF_TYPES:
        targets += [
            (channel, address, True)
            for channel, address in _customer_ways(rule, contact, preference)
        ]
    if Recipient.STAFF in rule.recipients and staff_address and rule.channel is not RuleChannel.SMS:
        # Staff and location addresses are email addresses.
        targets.append((Channel.EMAIL, staff_address, False))
    for address in rule.addresses:
        targets.append((channel_of_address(address), address, False))
    return targets


def _customer_ways(
    rule: WorkflowRule, contact: Contact, preference: ChannelPreference
) -> list[tuple[Channel, str]]:
    if rule.channel is RuleChannel.PREFERENCE:
        return channels_for(contact, preference)
    if rule.channel is RuleChannel.EMAIL:
        return [(Channel.EMAIL, contact.email)] if contact.email else []
    return [(Channel.SMS, contact.phone)] if contact.phone else []


def channel_of_address(address: str) -> Channel:
    return Channel.EMAIL if "@" in address else Channel.SMS


def template_key(message_type: MessageType, channel: Channel, language: str) -> str:
    """How the business profile names a custom text it saved."""
    return f"{message_type.value}/{channel.value}/{language}"


def _digest(text: str) -> str:
    return sha256(text.strip().lower().encode()).hexdigest()[:16]
