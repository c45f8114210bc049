"""The runtime ports faked: a clock the test sets, a scheduler that keeps its schedules
until the test fires the due ones, and message delivery and rendering that keep what was
sent (and can be told to fail)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from chalicelib.domain.delivery import DeliveryFailure
from chalicelib.domain.messages import OutboxMessage
from chalicelib.ports.runtime import DeliveryFailed, RenderedMessage


@dataclass
class FakeClock:
    current: datetime

    def now(self) -> datetime:
        return self.current

    def set(self, moment: datetime) -> None:
        self.current = moment

    def advance(self, **delta: float) -> None:
        self.current += timedelta(**delta)


@dataclass(frozen=True)
class Schedule:
    name: str
    when: datetime
    payload: dict[str, Any]


@dataclass
class FakeScheduler:
    """EventBridge Scheduler's one-time schedules: one per name (creating one again is
    harmless), each deleted once it fires."""

    schedules: dict[str, Schedule] = field(default_factory=dict)
    fired: list[Schedule] = field(default_factory=list)
    cancelled: list[str] = field(default_factory=list)

    def at(self, name: str, when: datetime, payload: dict[str, Any]) -> None:
        self.schedules.setdefault(name, Schedule(name, when, dict(payload)))

    def cancel(self, name: str) -> None:
        if self.schedules.pop(name, None) is not None:
            self.cancelled.append(name)

    def due(self, now: datetime) -> list[Schedule]:
        return sorted(
            (s for s in self.schedules.values() if s.when <= now), key=lambda s: (s.when, s.name)
        )

    def fire_due(self, now: datetime, run: Callable[[dict[str, Any]], Any]) -> list[Schedule]:
        """Run every schedule due by `now` (soonest first) with its payload, as the
        scheduled-task function would be invoked; returns those fired."""
        fired = self.due(now)
        for schedule in fired:
            del self.schedules[schedule.name]
            self.fired.append(schedule)
            run(schedule.payload)
        return fired


@dataclass(frozen=True)
class Sent:
    message: OutboxMessage
    rendered: RenderedMessage
    provider_message_id: str


@dataclass
class FakeDelivery:
    """Takes messages as SES and SNS would — every hand-over it is given, as neither has
    an idempotency token — and keeps them. `fail(code, times)` makes the next hand-overs
    fail with a provider's error code (a permanent one such as "MessageRejected", or a
    passing one such as "Throttling")."""

    sent: list[Sent] = field(default_factory=list)
    attempts: list[str] = field(default_factory=list)
    failures: list[str] = field(default_factory=list)

    def fail(self, code: str, times: int = 1) -> None:
        self.failures.extend([code] * times)

    def deliver(self, message: OutboxMessage, rendered: RenderedMessage) -> str:
        self.attempts.append(message.message_id)
        if self.failures:
            code = self.failures.pop(0)
            raise DeliveryFailed(DeliveryFailure(code, f"{code} (a test said so)"))
        provider_id = f"provider-{len(self.sent) + 1}"
        self.sent.append(Sent(message, rendered, provider_id))
        return provider_id

    def sent_to(self, recipient: str) -> list[OutboxMessage]:
        return [s.message for s in self.sent if s.message.recipient == recipient]


@dataclass
class FakeRenderer:
    """Renders a message as its type and context, so a test reads what it would say."""

    rendered: list[str] = field(default_factory=list)

    def render(self, message: OutboxMessage) -> RenderedMessage:
        self.rendered.append(message.message_id)
        subject = f"{message.message_type.value} ({message.language})"
        text = "\n".join(f"{key}: {value}" for key, value in sorted(message.context.items()))
        return RenderedMessage(subject=subject, text=text, html=None)
