"""The small interfaces use cases depend on; adapters implement them, tests fake them."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from chalicelib.domain.delivery import DeliveryFailure
from chalicelib.domain.messages import OutboxMessage


class Clock(Protocol):
    def now(self) -> datetime: ...


@dataclass(frozen=True)
class Attachment:
    filename: str
    content_type: str
    """e.g. text/calendar; method=PUBLISH"""
    content: str


@dataclass(frozen=True)
class RenderedMessage:
    subject: str | None
    text: str
    html: str | None
    attachments: tuple[Attachment, ...] = ()


class DeliveryFailed(Exception):
    """The channel did not take the message; `failure.permanent` says whether trying again
    could help."""

    def __init__(self, failure: DeliveryFailure) -> None:
        super().__init__(str(failure))
        self.failure = failure


class MessageRenderer(Protocol):
    def render(self, message: OutboxMessage) -> RenderedMessage: ...


class MessageDelivery(Protocol):
    def deliver(self, message: OutboxMessage, rendered: RenderedMessage) -> str:
        """Hand the message to its channel, once per call (the caller's claim on the
        message is what keeps a call from being repeated); returns the provider's message
        id, or raises DeliveryFailed."""
        ...


class Scheduler(Protocol):
    def at(self, name: str, when: datetime, payload: dict[str, Any]) -> None:
        """Run the scheduled-task function with `payload` at `when`, once per name."""
        ...

    def cancel(self, name: str) -> None: ...
