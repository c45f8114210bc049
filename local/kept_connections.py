"""HTTP to the local emulator over connections kept open, one per thread.

The stack's readers ask the emulator many times a second; a new connection each time
costs both processes more than the question does.
"""

from __future__ import annotations

import http.client
import threading
import urllib.parse


class KeptConnections:
    def __init__(self, url: str) -> None:
        parsed = urllib.parse.urlsplit(url)
        self.url = url
        self._host = parsed.hostname or "127.0.0.1"
        self._port = parsed.port or 80
        self._local = threading.local()

    def request(
        self,
        method: str,
        path: str,
        *,
        body: str | None = None,
        headers: dict[str, str] | None = None,
        timeout: float,
    ) -> tuple[int, bytes]:
        """The answer's status and body; raises OSError or HTTPException when the emulator
        cannot be reached (after one more try on a fresh connection: it may have closed an
        idle one)."""
        for attempt in (1, 2):
            connection = self._connection(timeout)
            try:
                connection.request(method, path, body=body, headers=headers or {})
                response = connection.getresponse()
                return response.status, response.read()
            except (OSError, http.client.HTTPException):
                connection.close()
                self._local.connection = None
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def _connection(self, timeout: float) -> http.client.HTTPConnection:
        connection: http.client.HTTPConnection | None = getattr(self._local, "connection", None)
        if connection is None:
            connection = http.client.HTTPConnection(self._host, self._port, timeout=timeout)
            self._local.connection = connection
        connection.timeout = timeout
        if connection.sock is not None:
            connection.sock.settimeout(timeout)
        return connection
