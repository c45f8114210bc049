"""The AWS emulator (``local.emulator``) in a child process of its own.

Every AWS call costs the emulator 10 to 60 ms of Python. In the stack's process it would
share one interpreter lock with the routes, the pumps and the app's functions; in its own
process it has a core of its own. Nothing here imports moto, so the stack's process does
not pay for it either.

The child reads its standard input until it closes: when the stack stops, or dies however
it dies, the pipe closes and the emulator exits with it. Ctrl-C, which reaches the whole
process group, is left to the stack, which stops its pumps before the emulator.
"""

from __future__ import annotations

import contextlib
import subprocess
import sys
from pathlib import Path

PROJECT_ROOT = Path(__file__).resolve().parent.parent
STOP_SECONDS = 5.0


class EmulatorError(RuntimeError):
    pass


class EmulatorProcess:
    def __init__(self, host: str = "127.0.0.1", port: int = 0) -> None:
        """``port`` 0 picks a free one."""
        self._host = host
        self._port = port
        self._process: subprocess.Popen[str] | None = None
        self.url = ""

    def start(self) -> str:
        """Starts the emulator and returns its address once it answers."""
        process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "local.emulator",
                "--host",
                self._host,
                "--port",
                str(self._port),
            ],
            cwd=PROJECT_ROOT,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self._process = process
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("http://"):
            self.stop()
            raise EmulatorError(f"the emulator did not start (it said {line!r})")
        self.url = line
        return line

    def stop(self) -> None:
        process = self._process
        if process is None:
            return
        self._process = None
        if process.stdin is not None:
            with contextlib.suppress(OSError):
                process.stdin.close()
        try:
            process.wait(STOP_SECONDS)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()
        if process.stdout is not None:
            process.stdout.close()
