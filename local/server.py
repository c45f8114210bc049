"""The local HTTP front door: Chalice's local API Gateway, plus the stack's own ``/_local/``
views (GET) and actions (POST), served by waitress.

waitress listens with a backlog of 1024 and answers on a pool of threads, each request
whole before the next on its thread, over connections kept open; Chalice's own server (the
standard library's) listened with a queue of 5 and reset the clients of a burst.

The socket is bound before the app is imported, so the app can be told its real public
URL (a port of 0 picks a free one); requests are served only once the app is attached.
"""

from __future__ import annotations

import base64
import json
import logging
import threading
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from typing import Any
from urllib.parse import urlsplit

from chalice.config import Config
from chalice.local import (
    CustomLocalChalice,
    LocalChalice,
    LocalGateway,
    LocalGatewayException,
)
from waitress.server import create_server

from local.lambda_runtime import LOCAL_STAGE

logger = logging.getLogger("local.server")

LocalView = Callable[[], Any]
LOCAL_PREFIX = "/_local/"
THREADS = 16
"""Requests answered at once: most of a request's time is spent waiting for the emulator."""
BACKLOG = 1024
"""Connections the kernel holds for the server while it is busy."""
CONNECTION_LIMIT = 1000
"""Connections kept open at once, before waitress stops accepting more."""
STOP_SECONDS = 5.0

StartResponse = Callable[..., Any]
Headers = list[tuple[str, str]]


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


def request_headers(environ: Mapping[str, Any]) -> dict[str, str]:
    """The request's headers from a WSGI environ, named as a client writes them."""
    headers: dict[str, str] = {}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            name = key[5:]
        elif key in ("CONTENT_TYPE", "CONTENT_LENGTH") and value:
            name = key
        else:
            continue
        headers["-".join(part.capitalize() for part in name.split("_"))] = value
    return headers


def _status(code: int) -> str:
    try:
        return f"{code} {HTTPStatus(code).phrase}"
    except ValueError:
        return f"{code} Unknown"


class GatewayApp:
    """A WSGI application: Chalice's local gateway for the routes, and the local views."""

    def __init__(
        self,
        local_views: Mapping[str, LocalView],
        local_actions: Mapping[str, LocalView],
    ) -> None:
        self._local_views = local_views
        self._local_actions = local_actions
        self.after_request: Callable[[], None] | None = None
        self._gateway: LocalGateway | None = None

    def attach(self, app: Any, config: Any) -> None:
        self._gateway = LocalGateway(app, config)

    def __call__(self, environ: dict[str, Any], start_response: StartResponse) -> Iterable[bytes]:
        method = str(environ["REQUEST_METHOD"])
        uri = str(environ.get("REQUEST_URI") or environ.get("PATH_INFO") or "/")
        body = _read_body(environ)
        path = urlsplit(uri).path.rstrip("/")
        if path.startswith(LOCAL_PREFIX.rstrip("/")):
            code, headers, payload = self._local(method, path)
        else:
            try:
                code, headers, payload = self._route(method, uri, request_headers(environ), body)
            finally:
                if self.after_request is not None:
                    self.after_request()
        headers.append(("Content-Length", str(len(payload))))
        start_response(_status(code), headers)
        return [] if method == "HEAD" else [payload]

    def _route(
        self, method: str, uri: str, headers: dict[str, str], body: bytes | None
    ) -> tuple[int, Headers, bytes]:
        assert self._gateway is not None, "the app is served only once attached"
        try:
            response = self._gateway.handle_request(
                method=method, path=uri, headers=headers, body=body
            )
        except LocalGatewayException as error:
            return error.CODE, _header_list(dict(error.headers)), _bytes(error.body)
        except Exception as error:
            logger.exception("%s %s failed", method, uri)
            return _json(502, {"message": f"{type(error).__name__}: {error}"})
        payload = response.get("body")
        if payload is not None and response.get("isBase64Encoded"):
            payload = base64.b64decode(payload)
        merged: dict[str, Any] = {**(response.get("headers") or {})}
        merged.update(response.get("multiValueHeaders") or {})
        if payload is not None and not any(k.lower() == "content-type" for k in merged):
            merged["Content-Type"] = "application/json"
        return int(response["statusCode"]), _header_list(merged), _bytes(payload)

    def _local(self, method: str, path: str) -> tuple[int, Headers, bytes]:
        view: LocalView | None = None
        if method in ("GET", "HEAD"):
            view = self._local_views.get(path)
        elif method == "POST":
            view = self._local_actions.get(path)
        if view is None and path in self._local_views:
            return _json(405, {"message": f"{path} answers GET only"})
        if view is None and path in self._local_actions:
            return _json(405, {"message": f"{path} answers POST only"})
        if view is None:
            return _json(404, {"message": f"no local view at {path}"})
        try:
            return _json(200, view())
        except Exception as error:
            logger.exception("local view %s failed", path)
            return _json(500, {"message": f"{type(error).__name__}: {error}"})


def _read_body(environ: Mapping[str, Any]) -> bytes | None:
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        length = 0
    if length <= 0:
        return None
    return bytes(environ["wsgi.input"].read(length))


def _bytes(body: str | bytes | None) -> bytes:
    if body is None:
        return b""
    return body if isinstance(body, bytes) else body.encode("utf-8")


def _header_list(headers: Mapping[str, Any]) -> Headers:
    found: Headers = []
    for name, value in headers.items():
        if name.lower() == "content-length":
            continue
        values = value if isinstance(value, list) else [value]
        found.extend((str(name), str(item)) for item in values)
    return found


def _json(status: int, payload: Any) -> tuple[int, Headers, bytes]:
    body = json.dumps(payload, default=str, ensure_ascii=False).encode("utf-8")
    return status, [("Content-Type", "application/json")], body


class LocalHttpServer:
    def __init__(
        self,
        host: str,
        port: int,
        local_views: Mapping[str, LocalView] | None = None,
        after_request: Callable[[], None] | None = None,
        *,
        threads: int = THREADS,
    ) -> None:
        """``after_request`` is told whenever the app has answered a request."""
        self._local_views: dict[str, LocalView] = dict(local_views or {})
        self._local_actions: dict[str, LocalView] = {}
        self._wsgi = GatewayApp(self._local_views, self._local_actions)
        self._wsgi.after_request = after_request
        # The access log of a polled view would bury the requests that matter.
        logging.getLogger("waitress").setLevel(logging.ERROR)
        self._server: Any = create_server(
            self._wsgi,
            # waitress would listen on every address of a name, each with its own socket.
            host="127.0.0.1" if host == "localhost" else host,
            port=port,
            threads=threads,
            backlog=BACKLOG,
            connection_limit=CONNECTION_LIMIT,
            ident="standby-local",
            clear_untrusted_proxy_headers=True,
        )
        self._thread: threading.Thread | None = None

    @property
    def after_request(self) -> Callable[[], None] | None:
        return self._wsgi.after_request

    @after_request.setter
    def after_request(self, value: Callable[[], None] | None) -> None:
        self._wsgi.after_request = value

    @property
    def host(self) -> str:
        return str(self._server.effective_host)

    @property
    def port(self) -> int:
        return int(self._server.effective_port)

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
        self._wsgi.attach(app, config if config is not None else chalice_config(app))
        self._thread = threading.Thread(target=self._server.run, name="http", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        server = self._server
        if self._thread is None:
            _close_all(server)
        else:
            # waitress's loop runs while anything is registered with it: everything is
            # closed on the loop's own thread, so it never waits on a closed socket.
            server.trigger.pull_trigger(lambda: _close_all(server))
            self._thread.join(STOP_SECONDS)
            self._thread = None
            _close_all(server)
        server.task_dispatcher.shutdown()


def _close_all(server: Any) -> None:
    while server._map:
        for dispatcher in list(server._map.values()):
            dispatcher.handle_close()
