"""Where the local stack parks what it gave up delivering, so that nothing is lost silently.

In AWS a stream record or a schedule that keeps failing ends up in an on-failure
destination or a dead-letter queue; locally it lands here, is printed once, and is listed
by the outbox view. Once the cause is fixed, it can be replayed (``POST
/_local/dead-letters/replay``), as ``ops.replay_parked`` replays the queue in AWS.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, replace
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


Redeliver = Callable[[DeadLetter], str | None]
"""Delivers a letter again the way it was first delivered: None once delivered, else why not."""


@dataclass(frozen=True)
class Replayed:
    replayed: int
    still_parked: int

    def to_json(self) -> dict[str, int]:
        return asdict(self)


class DeadLetters:
    """A thread-safe, in-memory dead-letter queue."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._replaying = threading.Lock()
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

    def replay(self, redeliver: Redeliver) -> Replayed:
        """Deliver every parked letter again, in the order they were parked: those delivered
        leave the list, the others stay with the new reason. Letters parked meanwhile stay
        as they are."""
        with self._replaying:
            delivered: set[int] = set()
            failed: dict[int, DeadLetter] = {}
            for letter in self.all():
                reason = redeliver(letter)
                if reason is None:
                    delivered.add(id(letter))
                else:
                    failed[id(letter)] = replace(
                        letter, reason=reason, attempts=letter.attempts + 1
                    )
            with self._lock:
                # By identity: two letters may be alike, and only those replayed change.
                self._letters = [
                    failed.get(id(letter), letter)
                    for letter in self._letters
                    if id(letter) not in delivered
                ]
                still_parked = len(self._letters)
        for letter in failed.values():
            logger.error("DEAD LETTER still: %s", letter.summary())
        return Replayed(replayed=len(delivered), still_parked=still_parked)
