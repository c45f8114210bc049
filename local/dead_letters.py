"""Where the local stack parks what it gave up delivering, so that nothing is lost silently.

In AWS a stream record or a schedule that keeps failing ends up in an on-failure
destination or a dead-letter queue; locally it lands here, is printed once, and is listed
by the outbox view.
"""

from __future__ import annotations

import json
import logging
import threading
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from typing import Any

logger = logging.getLogger("local.dead_letters")


@dataclass(frozen=True)
class DeadLetter:
    source: str
    """What gave up: "dynamodb-stream" or "scheduler"."""
    function: str
    reason: str
    attempts: int
    payload: dict[str, Any]
    """The Lambda-shaped record or event that was not delivered."""
    parked_at: str = field(default_factory=lambda: datetime.now(UTC).isoformat())
    details: dict[str, str] = field(default_factory=dict)

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def summary(self) -> str:
        facts = " ".join(f"{key}={value}" for key, value in self.details.items())
        return (
            f"{self.source} -> {self.function}: {facts} "
            f"after {self.attempts} attempt(s): {self.reason}"
        )


class DeadLetters:
    """A thread-safe, in-memory dead-letter queue."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._letters: list[DeadLetter] = []

    def park(self, letter: DeadLetter) -> None:
        with self._lock:
            self._letters.append(letter)
        logger.error("DEAD LETTER %s", letter.summary())
        logger.debug("dead letter payload: %s", json.dumps(letter.payload, default=str))

    def all(self) -> list[DeadLetter]:
        with self._lock:
            return list(self._letters)

    def to_json(self) -> list[dict[str, Any]]:
        return [letter.to_json() for letter in self.all()]
