"""Request bodies of messaging: workflow rules and the business's own texts."""

from __future__ import annotations

from pydantic import (
    Field,
    StrictBool,
    field_validator,
)

from chalicelib.domain.messages import Channel, MessageType
from chalicelib.domain.workflows import Recipient, RuleChannel
from chalicelib.entrypoints.http.schemas.fields import (
    Language,
    Name,
    Strict,
    e164,
    is_email,
)


class ScopeBody(Strict):
    services: list[Name] = Field(default_factory=list, max_length=100, description="service ids")
    locations: list[Name] = Field(default_factory=list, max_length=100)
    staff: list[Name] = Field(default_factory=list, max_length=100)


class WorkflowBody(Strict):
    name: Name = Field(description="for staff: what the rule is for")
    trigger: MessageType = Field(description="the message type (event) the rule sends on")
    channel: RuleChannel = Field(
        default=RuleChannel.PREFERENCE,
        description="email, sms, or preference (the business's channel preference, customers)",
    )
    recipients: list[Recipient] = Field(
        default_factory=list,
        max_length=2,
        description="customer, and/or staff (the slot's staff member's or location's address)",
    )
    addresses: list[str] = Field(
        default_factory=list,
        max_length=20,
        description="given email addresses (channel email) or E.164 numbers (channel sms)",
    )
    scope: ScopeBody = Field(
        default_factory=ScopeBody, description="only slots of these; an empty list: any"
    )
    enabled: StrictBool = True
    use_custom_text: StrictBool = Field(
        default=True, description="use the business's own text for the type when it saved one"
    )

    @field_validator("addresses")
    @classmethod
    def _addresses(cls, values: list[str]) -> list[str]:
        return [value if is_email(value) else e164(value) for value in values]


class WorkflowSwitchBody(Strict):
    enabled: StrictBool = Field(description="false switches the rule off; true back on")


class MessageTextBody(Strict):
    subject: str | None = Field(
        default=None, min_length=1, max_length=1000, description="email only (jinja2)"
    )
    text: str = Field(
        min_length=1, max_length=20_000, description="the plain-text body or the SMS (jinja2)"
    )
    html: str | None = Field(
        default=None,
        min_length=1,
        max_length=20_000,
        description="email only, optional (jinja2, values HTML-escaped)",
    )


class PreviewBody(Strict):
    message_type: MessageType
    channel: Channel
    language: Language = "en"
    template: MessageTextBody | None = Field(
        default=None, description="a text to try; leave out to see the saved or standard one"
    )
