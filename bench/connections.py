"""Many clients at once on the local stack: each of 50 clients sends request after request
for a minute, each on a connection of its own (as a browser's burst or a load tool does),
and every connection the server drops unanswered is counted."""

from __future__ import annotations

import http.client
import threading
import time
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from bench.refill_latency import local_stack, progress
from bench.report import Figure, Section, Verdict

CLIENTS = 50
SECONDS = 60
PATH = "/businesses/demo-salon/slots"
"""The demo business's slots: a public route that reads the emulator."""
TIMEOUT = 30.0


@dataclass
class Hammered:
    clients: int
    seconds: float
    answered: int = 0
    resets: int = 0
    """Connections reset, refused or closed without an answer."""
    errors: list[str] = field(default_factory=list)
    """Anything else: timeouts, server errors (5xx)."""

    @property
    def per_second(self) -> float:
        return self.answered / self.seconds if self.seconds > 0 else 0.0


def hammer(
    url: str, *, clients: int = CLIENTS, seconds: float = SECONDS, path: str = PATH
) -> Hammered:
    """``clients`` threads, each sending GET ``path`` on a new connection until ``seconds``
    have passed, all starting at once."""
    address = urlsplit(url)
    host, port = address.hostname or "127.0.0.1", address.port or 80
    result = Hammered(clients, seconds)
    lock = threading.Lock()
    start = threading.Barrier(clients + 1)
    stop_at = 0.0

    def client() -> None:
        start.wait()
        answered = resets = 0
        errors: list[str] = []
        while time.monotonic() < stop_at:
            connection = http.client.HTTPConnection(host, port, timeout=TIMEOUT)
            try:
                connection.request("GET", path)
                response = connection.getresponse()
                response.read()
                if response.status >= 500:
                    errors.append(f"HTTP {response.status}")
                else:
                    answered += 1
            except (ConnectionError, http.client.RemoteDisconnected):
                # RemoteDisconnected is a ConnectionResetError; refused and broken pipes too.
                resets += 1
            except (OSError, http.client.HTTPException) as error:
                errors.append(f"{type(error).__name__}: {error}")
            finally:
                connection.close()
        with lock:
            result.answered += answered
            result.resets += resets
            result.errors += errors

    threads = [threading.Thread(target=client, daemon=True) for _ in range(clients)]
    for thread in threads:
        thread.start()
    began = time.monotonic()
    stop_at = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    result.seconds = time.monotonic() - began
    return result


def measure(seconds: float = SECONDS, clients: int = CLIENTS) -> Section:
    with local_stack() as stack:
        progress(f"{clients} clients at once for {seconds:g} s, a connection per request")
        result = hammer(stack.api, clients=clients, seconds=seconds)
    return section(result)


def section(result: Hammered) -> Section:
    full = result.seconds >= SECONDS and result.clients >= CLIENTS
    met = result.resets == 0 and not result.errors
    return Section(
        "Many clients at once on the local stack",
        [
            Figure(
                f"local stack, {CLIENTS} concurrent clients for {SECONDS} s: connection resets",
                str(result.resets),
                "0",
                Verdict.MISSED if not met else Verdict.MET if full else Verdict.INCOMPLETE,
                f"{result.clients} clients for {result.seconds:.0f} s, each GET {PATH} on a new "
                f"connection, one after another; {result.answered} answered "
                f"({result.per_second:.0f} a second), {len(result.errors)} other failures"
                + (f" (first: {result.errors[0]})" if result.errors else ""),
            )
        ],
        [
            "`python -m local.stack` in its own process; the API is served by waitress (a "
            "pool of threads, a listen backlog of 1024). A reset is a connection refused, "
            "reset or closed before its answer; a timeout or a 5xx answer counts as another "
            "failure and misses the budget too.",
        ],
    )
