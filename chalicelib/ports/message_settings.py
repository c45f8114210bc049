"""A business's workflow rules and its own message texts (kept beside the profile, outside
the unit of work: each change is one write of its own)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Protocol

from chalicelib.domain.message_texts import CustomTemplate
from chalicelib.domain.messages import Channel, MessageType
from chalicelib.domain.model import Business
from chalicelib.domain.workflows import WorkflowRule


class MessageSettings(Protocol):
    def save_rules(self, business: Business, rules: Sequence[WorkflowRule]) -> None:
        """Replace the saved rules, as changed from the profile read; RetryableConflict if
        another change came first."""
        ...

    def list_templates(self, business_id: str) -> list[CustomTemplate]: ...

    def get_template(
        self, business_id: str, message_type: MessageType, channel: Channel, language: str
    ) -> CustomTemplate | None: ...

    def save_template(self, template: CustomTemplate) -> None:
        """The text and the profile's note of its version, together."""
        ...

    def delete_template(
        self, business_id: str, message_type: MessageType, channel: Channel, language: str
    ) -> None:
        """Back to Standby's own text."""
        ...
