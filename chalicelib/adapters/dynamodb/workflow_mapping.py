"""Translation of workflow rules and custom texts between pynamodb items and the domain."""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from chalicelib.adapters.dynamodb.keys import business_key
from chalicelib.adapters.dynamodb.models import (
    MessageTemplateItem,
    ScopeMap,
    WorkflowRuleMap,
)
from chalicelib.domain.message_texts import CustomTemplate
from chalicelib.domain.messages import Channel, MessageType
from chalicelib.domain.workflows import Recipient, RuleChannel, Scope, WorkflowRule


def template_sort_key(message_type: MessageType, channel: Channel, language: str) -> str:
    return f"TEMPLATE#{message_type.value}#{channel.value}#{language}"


TEMPLATE_PREFIX = "TEMPLATE#"


def rules_to_items(rules: Sequence[WorkflowRule]) -> list[WorkflowRuleMap] | None:
    if not rules:
        return None
    return [
        WorkflowRuleMap(
            rule_id=rule.rule_id,
            name=rule.name,
            trigger=rule.trigger.value,
            channel=rule.channel.value,
            recipients=sorted(recipient.value for recipient in rule.recipients),
            addresses=list(rule.addresses),
            scope=ScopeMap(
                services=sorted(rule.scope.services),
                locations=sorted(rule.scope.locations),
                staff=sorted(rule.scope.staff),
            ),
            enabled=rule.enabled,
            use_custom_text=rule.use_custom_text,
        )
        for rule in rules
    ]


def rules_from_items(items: Iterable[WorkflowRuleMap]) -> tuple[WorkflowRule, ...]:
    rules = []
    for item in items:
        try:
            trigger = MessageType(item.trigger)
        except ValueError:
            continue  # a type no longer sent: its rule has nothing to do
        scope = item.scope
        rules.append(
            WorkflowRule(
                rule_id=item.rule_id,
                name=item.name,
                trigger=trigger,
                channel=RuleChannel(item.channel),
                recipients=frozenset(Recipient(value) for value in item.recipients or []),
                addresses=tuple(item.addresses or []),
                scope=Scope(
                    services=frozenset(scope.services or []) if scope else frozenset(),
                    locations=frozenset(scope.locations or []) if scope else frozenset(),
                    staff=frozenset(scope.staff or []) if scope else frozenset(),
                ),
                enabled=bool(item.enabled),
                use_custom_text=bool(item.use_custom_text),
            )
        )
    return tuple(rules)


def template_to_item(template: CustomTemplate) -> MessageTemplateItem:
    return MessageTemplateItem(
        business_key(template.business_id),
        template_sort_key(template.message_type, template.channel, template.language),
        business_id=template.business_id,
        message_type=template.message_type.value,
        channel=template.channel.value,
        language=template.language,
        version=template.version,
        subject=template.subject,
        text=template.text,
        html=template.html,
        updated_at=template.updated_at,
    )


def template_from_item(item: MessageTemplateItem) -> CustomTemplate:
    return CustomTemplate(
        business_id=item.business_id,
        message_type=MessageType(item.message_type),
        channel=Channel(item.channel),
        language=item.language,
        version=int(item.version),
        text=item.text,
        subject=item.subject,
        html=item.html,
        updated_at=item.updated_at,
    )
