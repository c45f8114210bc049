"""The one retry policy of the use cases: read again and try again, a bounded number of
times, when a write was refused for something that reading again can fix."""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from chalicelib.domain.refusals import RetryableConflict

MAX_ATTEMPTS = 5

T = TypeVar("T")


class TryAgain(Exception):
    """Raised by an attempt that found the world changed under it (a customer left, a
    booking went): the next attempt reads again."""


def retry(
    attempt: Callable[[], T],
    *,
    on: tuple[type[Exception], ...],
    gave_up: str,
    attempts: int = MAX_ATTEMPTS,
) -> T:
    """Run `attempt` (which opens its own unit of work, so each try reads afresh) until it
    returns; TryAgain or one of `on` (usually RetryableConflict and the refusals a fresh
    read can fix) starts the next try. After `attempts` tries, RetryableConflict saying
    `gave_up`."""
    retried: tuple[type[Exception], ...] = (TryAgain, *on)
    for _ in range(attempts):
        try:
            return attempt()
        except retried:
            continue
    raise RetryableConflict(gave_up)
