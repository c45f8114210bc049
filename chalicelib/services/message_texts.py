"""Use cases of a business's own message texts: save one (checked first), list them, go
back to Standby's text, and preview a text with sample values before customers see it."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime

from chalicelib.adapters.custom_templates import SandboxedTexts
from chalicelib.adapters.templates import TemplateRenderer
from chalicelib.domain.errors import InvalidRequest, MissingSetup, NotFound
from chalicelib.domain.languages import language_of
from chalicelib.domain.message_texts import CustomTemplate, sample_context
from chalicelib.domain.messages import Channel, MessageType, OutboxMessage
from chalicelib.domain.model import Business
from chalicelib.domain.workflows import template_key
from chalicelib.ports.message_settings import MessageSettings
from chalicelib.ports.runtime import Clock, RenderedMessage
from chalicelib.ports.unit_of_work import UnitOfWorkFactory

SAMPLE_RECIPIENT = {Channel.EMAIL: "ada@example.com", Channel.SMS: "+4791234567"}


@dataclass(frozen=True)
class TextParts:
    """An email's subject, plain text and (optional) HTML; an SMS's text."""

    text: str
    subject: str | None = None
    html: str | None = None

    def named(self) -> dict[str, str]:
        parts = {"subject": self.subject, "text": self.text, "html": self.html}
        return {name: value for name, value in parts.items() if value is not None}


@dataclass(frozen=True)
class TextKey:
    message_type: MessageType
    channel: Channel
    language: str


class MessageTexts:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        texts: MessageSettings,
        standard: TemplateRenderer,
        clock: Clock,
        sandbox: SandboxedTexts | None = None,
    ) -> None:
        self._uow = uow
        self._texts = texts
        self._standard = standard
        self._clock = clock
        self._sandbox = sandbox or SandboxedTexts()

    def save(self, business_id: str, key: TextKey, parts: TextParts) -> CustomTemplate:
        """Check the text, then keep it as the business's text for the type, channel and
        language; messages queued from now on use it."""
        business = self._business(business_id)
        self._check(business, key, parts)
        version = business.custom_templates.get(_key(key), 0) + 1
        template = CustomTemplate(
            business_id=business_id,
            message_type=key.message_type,
            channel=key.channel,
            language=key.language,
            version=version,
            text=parts.text,
            subject=parts.subject,
            html=parts.html,
            updated_at=self._clock.now(),
        )
        self._texts.save_template(template)
        return template

    def saved(self, business_id: str) -> list[CustomTemplate]:
        self._business(business_id)
        return self._texts.list_templates(business_id)

    def reset(self, business_id: str, key: TextKey) -> None:
        """Back to Standby's own text."""
        if (
            self._texts.get_template(business_id, key.message_type, key.channel, key.language)
            is None
        ):
            raise NotFound(f"no text of its own for {_key(key)}")
        self._texts.delete_template(business_id, key.message_type, key.channel, key.language)

    def preview(
        self, business_id: str, key: TextKey, parts: TextParts | None = None
    ) -> RenderedMessage:
        """Render with sample values: the text given (checked as on save), else the
        business's saved text, else Standby's own."""
        business = self._business(business_id)
        language_of(key.language)
        sample = _sample(business, key)
        if parts is not None:
            self._check(business, key, parts)
            return self._sandbox.render(
                _unsaved(business_id, key, parts), self._standard.values(sample)
            )
        saved = self._texts.get_template(business_id, key.message_type, key.channel, key.language)
        if saved is None:
            return self._standard.render(sample)
        return self._sandbox.render(saved, self._standard.values(sample))

    def _check(self, business: Business, key: TextKey, parts: TextParts) -> None:
        language_of(key.language)
        if key.channel is Channel.EMAIL and not parts.subject:
            raise InvalidRequest("subject", "an email needs a subject")
        if key.channel is Channel.SMS and (parts.subject is not None or parts.html is not None):
            raise InvalidRequest("text", "an SMS has only a text: leave out subject and html")
        values = self._standard.values(_sample(business, key))
        self._sandbox.check(key.message_type, parts.named(), values)

    def _business(self, business_id: str) -> Business:
        with self._uow() as uow:
            business = uow.catalogue.get_business(business_id)
        if business is None:
            raise MissingSetup("the business has no profile yet: PUT /staff/business first")
        return business


def _key(key: TextKey) -> str:
    return template_key(key.message_type, key.channel, key.language)


def _sample(business: Business, key: TextKey) -> OutboxMessage:
    return OutboxMessage(
        business_id=business.business_id,
        message_id=f"{key.message_type.value}:preview",
        message_type=key.message_type,
        channel=key.channel,
        recipient=SAMPLE_RECIPIENT[key.channel],
        language=key.language,
        time_zone=business.time_zone,
        context=sample_context(key.message_type) | {"business_name": business.name},
        created_at=datetime(2030, 2, 27, tzinfo=UTC),
    )


def _unsaved(business_id: str, key: TextKey, parts: TextParts) -> CustomTemplate:
    return CustomTemplate(
        business_id=business_id,
        message_type=key.message_type,
        channel=key.channel,
        language=key.language,
        version=0,
        text=parts.text,
        subject=parts.subject,
        html=parts.html,
    )
