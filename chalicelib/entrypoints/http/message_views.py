"""How workflow rules and a business's own texts look in JSON responses, and how request
bodies become them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from chalicelib.domain.errors import InvalidRequest
from chalicelib.domain.languages import language_of
from chalicelib.domain.message_texts import CustomTemplate, variables_for
from chalicelib.domain.messages import Channel, MessageType
from chalicelib.domain.workflows import Scope, WorkflowRule
from chalicelib.ports.runtime import RenderedMessage
from chalicelib.services.message_texts import TextKey, TextParts

if TYPE_CHECKING:
    from chalicelib.entrypoints.http import schemas


def workflow_view(rule: WorkflowRule) -> dict[str, Any]:
    return {
        "workflow_id": rule.rule_id,
        "name": rule.name,
        "default": rule.is_default,
        "trigger": rule.trigger.value,
        "channel": rule.channel.value,
        "recipients": sorted(recipient.value for recipient in rule.recipients),
        "addresses": list(rule.addresses),
        "scope": {
            "services": sorted(rule.scope.services),
            "locations": sorted(rule.scope.locations),
            "staff": sorted(rule.scope.staff),
        },
        "enabled": rule.enabled,
        "use_custom_text": rule.use_custom_text,
    }


def workflow_from_body(body: schemas.WorkflowBody) -> WorkflowRule:
    """The rule a body describes; its id is given by the use case."""
    return WorkflowRule(
        rule_id="",
        name=body.name,
        trigger=body.trigger,
        channel=body.channel,
        recipients=frozenset(body.recipients),
        addresses=tuple(dict.fromkeys(body.addresses)),
        scope=Scope(
            services=frozenset(body.scope.services),
            locations=frozenset(body.scope.locations),
            staff=frozenset(body.scope.staff),
        ),
        enabled=body.enabled,
        use_custom_text=body.use_custom_text,
    )


def text_parts(body: schemas.MessageTextBody) -> TextParts:
    return TextParts(text=body.text, subject=body.subject, html=body.html)


def template_view(template: CustomTemplate) -> dict[str, Any]:
    return {
        "message_type": template.message_type.value,
        "channel": template.channel.value,
        "language": template.language,
        "version": template.version,
        "subject": template.subject,
        "text": template.text,
        "html": template.html,
        "updated_at": template.updated_at.isoformat() if template.updated_at else None,
    }


def variables_view() -> dict[str, list[str]]:
    """What a text of each type may use."""
    return {t.value: sorted(variables_for(t)) for t in MessageType}


def rendered_view(rendered: RenderedMessage) -> dict[str, Any]:
    return {"subject": rendered.subject, "text": rendered.text, "html": rendered.html}


def text_key(message_type: str, channel: str, language: str) -> TextKey:
    """The path's type, channel and language, each refused by name when unknown."""
    try:
        parsed_type = MessageType(message_type)
    except ValueError as error:
        known = ", ".join(t.value for t in MessageType)
        raise InvalidRequest("message_type", f"unknown; one of {known}") from error
    try:
        parsed_channel = Channel(channel)
    except ValueError as error:
        raise InvalidRequest("channel", "email or sms") from error
    return TextKey(parsed_type, parsed_channel, language_of(language))
