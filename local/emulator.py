"""moto in server mode, made as atomic as DynamoDB where the product relies on it.

- DynamoDB applies each write and each transaction atomically. moto checks a
  transaction's conditions and then applies it in plain Python, so two requests served
  on two threads can interleave and both pass a condition only one should. The server
  here serves one request at a time.
- moto undoes a failed transaction by swapping in copies of its tables made before it,
  streams included. A stream reader holding an iterator then reads the discarded stream,
  which holds records of writes that never happened (a refused move's message, say).
  The original stream is put back, trimmed to where it stood.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from typing import Any

from moto.dynamodb.models import DynamoDBBackend
from moto.moto_server.threaded_moto_server import ThreadedMotoServer
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)
from werkzeug.serving import make_server

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]


def one_at_a_time(app: WsgiApp) -> WsgiApp:
    lock = threading.Lock()

    def serialised(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with lock:
            return list(app(environ, start_response))

    return serialised


def keep_streams_through_rollbacks() -> None:
    backend_class: Any = DynamoDBBackend
    original = backend_class.transact_write_items
    if getattr(original, "keeps_streams", False):
        return

    def transact_write_items(self: Any, transact_items: list[dict[str, Any]]) -> None:
        streams = {
            name: (table.stream_shard, len(table.stream_shard.items))
            for name, table in self.tables.items()
            if getattr(table, "stream_shard", None) is not None
        }
        try:
            original(self, transact_items)
        except Exception:
            for name, (shard, length) in streams.items():
                table = self.tables.get(name)
                if table is not None and table.stream_shard is not shard:
                    del shard.items[length:]
                    shard.table = table
                    table.stream_shard = shard
            raise

    transact_write_items.keeps_streams = True  # type: ignore[attr-defined]
    backend_class.transact_write_items = transact_write_items


class SerialMotoServer(ThreadedMotoServer):  # type: ignore[misc]
    def _server_entry(self) -> None:
        keep_streams_through_rollbacks()
        app = one_at_a_time(DomainDispatcherApplication(create_backend_app))
        self._server = make_server(
            self._ip_address, self._port, app, True, request_handler=MotoRequestHandler
        )
        self._server_ready_event.set()
        self._server.serve_forever()
