"""A piece of work repeated on a daemon thread until stopped."""

from __future__ import annotations

import logging
import threading
from collections.abc import Callable

logger = logging.getLogger("local")


class Repeating:
    """Calls `work` every `interval` seconds. A failure is logged and the loop goes on:
    a local stack whose printer or pump died silently would mislead whoever watches it."""

    def __init__(self, name: str, work: Callable[[], object], interval: float) -> None:
        self._name = name
        self._work = work
        self._interval = interval
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def start(self) -> None:
        self._stop.clear()
        self._thread = threading.Thread(target=self._run, name=self._name, daemon=True)
        self._thread.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._stop.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None

    def _run(self) -> None:
        while not self._stop.is_set():
            try:
                self._work()
            except Exception:
                logger.exception("%s failed; carrying on", self._name)
            self._stop.wait(self._interval)
