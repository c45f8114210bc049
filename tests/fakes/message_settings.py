"""A business's workflow rules and own texts, in memory: the rules and each text's version
live on the profile, as in DynamoDB, so the use cases read them with the business."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace

from chalicelib.domain.errors import MissingSetup
from chalicelib.domain.message_texts import CustomTemplate
from chalicelib.domain.messages import Channel, MessageType
from chalicelib.domain.model import Business
from chalicelib.domain.refusals import RetryableConflict
from chalicelib.domain.workflows import WorkflowRule, template_key
from tests.fakes.state import InMemoryState

NO_PROFILE = "the business has no profile yet: PUT /staff/business first"


class InMemoryMessageSettings:
    def __init__(self, state: InMemoryState) -> None:
        self._state = state
        self._templates: dict[tuple[str, str], CustomTemplate] = {}

    def save_rules(self, business: Business, rules: Sequence[WorkflowRule]) -> None:
        with self._state.lock:
            stored = self._state.businesses.get((business.business_id,))
            if stored is None or stored.revision != business.revision:
                raise RetryableConflict("the business's profile changed meanwhile")
            self._state.businesses[(business.business_id,)] = replace(
                stored, workflows=tuple(rules), revision=stored.revision + 1
            )

    def list_templates(self, business_id: str) -> list[CustomTemplate]:
        return [t for (owner, _), t in sorted(self._templates.items()) if owner == business_id]

    def get_template(
        self, business_id: str, message_type: MessageType, channel: Channel, language: str
    ) -> CustomTemplate | None:
        return self._templates.get((business_id, template_key(message_type, channel, language)))

    def save_template(self, template: CustomTemplate) -> None:
        key = template_key(template.message_type, template.channel, template.language)
        with self._state.lock:
            stored = self._state.businesses.get((template.business_id,))
            if stored is None:
                raise MissingSetup(NO_PROFILE)
            self._templates[(template.business_id, key)] = template
            self._state.businesses[(template.business_id,)] = replace(
                stored,
                custom_templates={**stored.custom_templates, key: template.version},
                revision=stored.revision + 1,
            )

    def delete_template(
        self, business_id: str, message_type: MessageType, channel: Channel, language: str
    ) -> None:
        key = template_key(message_type, channel, language)
        with self._state.lock:
            stored = self._state.businesses.get((business_id,))
            self._templates.pop((business_id, key), None)
            if stored is not None and key in stored.custom_templates:
                versions = {k: v for k, v in stored.custom_templates.items() if k != key}
                self._state.businesses[(business_id,)] = replace(
                    stored, custom_templates=versions, revision=stored.revision + 1
                )
