"""The local HTTP front door: Chalice's local API Gateway, plus the stack's own ``/_local/``
views (GET) and actions (POST).

The socket is bound before the app is imported, so the app can be told its real public
URL (a port of 0 picks a free one); requests are served only once the app is attached.
"""

from __future__ import annotations

import json
import logging
import threading
from collections.abc import Callable, Mapping
from typing import Any
from urllib.parse import urlsplit

from chalice.config import Config
from chalice.local import (
    ChaliceRequestHandler,
    CustomLocalChalice,
    LocalChalice,
    ThreadedHTTPServer,
)

from local.lambda_runtime import LOCAL_STAGE

logger = logging.getLogger("local.server")

LocalView = Callable[[], Any]
LOCAL_PREFIX = "/_local/"


class _Server(ThreadedHTTPServer):  # type: ignore[misc]
    """Chalice's threaded server with room for a burst of new connections: the standard
    library's listen queue of 5 resets the sixth client to connect at once."""

    request_queue_size = 128


def chalice_config(app: Any, *, lambda_timeout: int = 60, memory_size: int = 512) -> Any:
    return Config(
        chalice_stage=LOCAL_STAGE,
        function_name="api_handler",
        user_provided_params={
            "app_name": app.app_name,
            "lambda_timeout": lambda_timeout,
            "lambda_memory_size": memory_size,
        },
    )


def make_request_local(app: Any) -> None:
    """Give the app a per-thread ``current_request``, as ``chalice local`` does.

    The server answers on many threads at once; a shared ``current_request`` would let one
    request read another's body.
    """
    if isinstance(app, LocalChalice):
        return
    CustomLocalChalice.__bases__ = (LocalChalice, app.__class__)
    app.__class__ = CustomLocalChalice


class _RequestHandler(ChaliceRequestHandler):  # type: ignore[misc]
    def __init__(
        self,
        request: Any,
        client_address: Any,
        server: Any,
        *,
        app_object: Any,
        config: Any,
        local_views: Mapping[str, LocalView],
        local_actions: Mapping[str, LocalView],
        after_request: Callable[[], None] | None,
    ) -> None:
        self._local_views = local_views
        self._local_actions = local_actions
        self._after_request = after_request
        super().__init__(request, client_address, server, app_object=app_object, config=config)

    def _handle(self) -> None:
        path = urlsplit(self.path).path.rstrip("/")
        # One handler serves every request of a kept-alive connection.
        self._quiet = path.startswith(LOCAL_PREFIX.rstrip("/"))
        if not self._quiet:
            try:
                self._generic_handle()
            finally:
                if self._after_request is not None:
                    self._after_request()
            return
        # A body left unread would be taken for the connection's next request.
        self.rfile.read(int(self.headers.get("Content-Length") or 0))
        view: LocalView | None = None
        if self.command in ("GET", "HEAD"):
            view = self._local_views.get(path)
        elif self.command == "POST":
            view = self._local_actions.get(path)
        if view is None and path in self._local_views:
            self._send_json(405, {"message": f"{path} answers GET only"})
        elif view is None and path in self._local_actions:
            self._send_json(405, {"message": f"{path} answers POST only"})
        elif view is None:
            self._send_json(404, {"message": f"no local view at {path}"})
        else:
            try:
                self._send_json(200, view())
            except Exception as error:
                logger.exception("local view %s failed", path)
                self._send_json(500, {"message": f"{type(error).__name__}: {error}"})

    def log_request(self, code: int | str = "-", size: int | str = "-") -> None:
        # The outbox view is polled; its access log would bury the requests that matter.
        if not getattr(self, "_quiet", False):
            super().log_request(code, size)

    def _send_json(self, status: int, payload: Any) -> None:
        body = json.dumps(payload, default=str, ensure_ascii=False).encode("utf-8")
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    do_GET = do_PUT = do_POST = do_HEAD = do_DELETE = do_PATCH = do_OPTIONS = _handle


class LocalHttpServer:
    def __init__(
        self,
        host: str,
        port: int,
        local_views: Mapping[str, LocalView] | None = None,
        after_request: Callable[[], None] | None = None,
    ) -> None:
        """``after_request`` is told whenever the app has answered a request."""
        self._local_views: dict[str, LocalView] = dict(local_views or {})
        self._local_actions: dict[str, LocalView] = {}
        self.after_request = after_request
        self._app: Any = None
        self._config: Any = None
        self._server = _Server((host, port), self._make_handler)
        self._thread: threading.Thread | None = None

    @property
    def host(self) -> str:
        return str(self._server.server_address[0])

    @property
    def port(self) -> int:
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    def add_view(self, path: str, view: LocalView) -> None:
        """Answer GET at ``path`` with what ``view`` returns, as JSON."""
        if not path.startswith(LOCAL_PREFIX):
            raise ValueError(f"local views live under {LOCAL_PREFIX}")
        self._local_views[path.rstrip("/")] = view

    def add_action(self, path: str, action: LocalView) -> None:
        """Answer POST at ``path`` by running ``action``; its result is the JSON answer."""
        if not path.startswith(LOCAL_PREFIX):
            raise ValueError(f"local actions live under {LOCAL_PREFIX}")
        self._local_actions[path.rstrip("/")] = action

    def serve(self, app: Any, config: Any | None = None) -> None:
        make_request_local(app)
        self._app = app
        self._config = config if config is not None else chalice_config(app)
        self._thread = threading.Thread(target=self._server.serve_forever, name="http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join(5)
            self._thread = None
        self._server.server_close()

    def _make_handler(self, request: Any, client_address: Any, server: Any) -> _RequestHandler:
        return _RequestHandler(
            request,
            client_address,
            server,
            app_object=self._app,
            config=self._config,
            local_views=self._local_views,
            local_actions=self._local_actions,
            after_request=self.after_request,
        )
