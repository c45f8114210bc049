"""The small interfaces use cases depend on; adapters implement them, tests fake them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.messages import OutboxMessage


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class RenderedMessage:
    subject: str | None
    text: str
    html: str | None


class MessageRenderer(Protocol):
    def render(self, message: OutboxMessage) -> RenderedMessage: ...


class MessageDelivery(Protocol):
    def deliver(self, message: OutboxMessage, rendered: RenderedMessage) -> str:
        """Hand the message to its channel at most once per message id; returns the
        provider's message id."""
        ...


class Scheduler(Protocol):
    def at(self, name: str, when: datetime, payload: dict[str, Any]) -> None:
        """Run the scheduled-task function with `payload` at `when`, once per name."""
        ...

    def cancel(self, name: str) -> None: ...
