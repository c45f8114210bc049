"""The local stack as a user starts it: ``python -m local.stack``, in its own process."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest

PROJECT_ROOT = Path(__file__).resolve().parents[2]
STARTUP_SECONDS = 60


@dataclass
class RunningStack:
    process: subprocess.Popen[str]
    lines: list[str] = field(default_factory=list)
    exports: dict[str, str] = field(default_factory=dict)

    @property
    def api(self) -> str:
        return self.exports["API"]

    @property
    def token(self) -> str:
        return self.exports["TOKEN"]

    def output(self) -> str:
        return "".join(self.lines[-200:])

    def call(
        self,
        method: str,
        path: str,
        body: Any = None,
        *,
        staff: bool = False,
        timeout: float = 10,
    ) -> tuple[int, Any]:
        headers = {"Content-Type": "application/json"}
        if staff:
            headers["Authorization"] = f"Bearer {self.token}"
        request = urllib.request.Request(
            self.api + path,
            data=None if body is None else json.dumps(body).encode("utf-8"),
            method=method,
            headers=headers,
        )
        try:
            with urllib.request.urlopen(request, timeout=timeout) as response:
                return response.status, json.loads(response.read() or b"null")
        except urllib.error.HTTPError as error:
            raw = error.read()
            try:
                return error.code, json.loads(raw or b"null")
            except ValueError:
                return error.code, raw.decode("utf-8", "replace")


def _read_output(stack: RunningStack, ready: threading.Event) -> None:
    assert stack.process.stdout is not None
    for line in stack.process.stdout:
        stack.lines.append(line)
        if line.startswith("export "):
            name, _, value = line[len("export ") :].strip().partition("=")
            stack.exports[name] = value
        if line.startswith("Press Ctrl-C"):
            ready.set()
    ready.set()


@pytest.fixture(scope="session")
def local_stack(tmp_path_factory: pytest.TempPathFactory) -> Iterator[RunningStack]:
    state_dir = tmp_path_factory.mktemp("local-state")
    process = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "local.stack",
            "--port",
            "0",
            "--moto-port",
            "0",
            "--state-dir",
            str(state_dir),
        ],
        cwd=PROJECT_ROOT,
        env={**os.environ, "PYTHONUNBUFFERED": "1"},
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    stack = RunningStack(process)
    ready = threading.Event()
    threading.Thread(target=_read_output, args=(stack, ready), daemon=True).start()
    try:
        started = ready.wait(STARTUP_SECONDS)
        if not started or process.poll() is not None or "TOKEN" not in stack.exports:
            pytest.fail(f"the local stack did not start:\n{stack.output()}")
        if "SLOT" not in stack.exports:
            pytest.fail(f"the local stack did not load its demo data:\n{stack.output()}")
        yield stack
    finally:
        _stop(process)


def _stop(process: subprocess.Popen[str]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait(timeout=5)


def wait_for(check: Callable[[], Any], timeout: float, interval: float = 0.02) -> Any:
    """Poll ``check`` until it returns something truthy or ``timeout`` seconds pass."""
    deadline = time.monotonic() + timeout
    while True:
        result = check()
        if result or time.monotonic() >= deadline:
            return result
        time.sleep(interval)


CROWD_MODULE = "test_messy_customers.py"


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """The crowd of messy customers leaves the shared stack busy for a while (offer rounds
    still running out) and, when it finds a fault, with parked stream records: it runs
    after the other end-to-end tests, so that none of them starts from what it left."""
    crowd = [item for item in items if item.path.name == CROWD_MODULE]
    if not crowd:
        return
    rest = [item for item in items if item.path.name != CROWD_MODULE]
    here = Path(__file__).parent
    e2e = [index for index, item in enumerate(rest) if here in item.path.parents]
    after = e2e[-1] + 1 if e2e else len(rest)
    items[:] = rest[:after] + crowd + rest[after:]
