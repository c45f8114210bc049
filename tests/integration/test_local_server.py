"""The local stack's HTTP front door, on waitress: many clients at once, and requests
passed to the Chalice gateway as API Gateway would pass them."""

from __future__ import annotations

import json
import urllib.error
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from chalice import Chalice, Response

from bench.connections import hammer
from local.server import LocalHttpServer


def fixture_app() -> Chalice:
    app = Chalice(app_name="server-fixture")

    @app.route("/ping", methods=["GET"])
    def ping() -> dict[str, Any]:
        return {"pong": True}

    @app.route("/items/{item_id}", methods=["POST"])
    def echo(item_id: str) -> dict[str, Any]:
        request = app.current_request
        return {
            "item_id": item_id,
            "query": request.query_params,
            "body": request.json_body,
            "header": request.headers.get("x-standby-test"),
        }

    @app.route("/teapot", methods=["GET"])
    def teapot() -> Response:
        return Response(
            body="short and stout", status_code=418, headers={"Content-Type": "text/plain"}
        )

    return app


@pytest.fixture
def server() -> Iterator[LocalHttpServer]:
    answered: list[int] = []
    server = LocalHttpServer("127.0.0.1", 0, after_request=lambda: answered.append(1))
    server.add_view("/_local/hello", lambda: {"hello": "there"})
    server.serve(fixture_app())
    try:
        yield server
    finally:
        server.stop()


def call(server: LocalHttpServer, method: str, path: str, body: Any = None) -> tuple[int, Any, Any]:
    request = urllib.request.Request(
        server.url + path,
        data=None if body is None else json.dumps(body).encode(),
        method=method,
        headers={"Content-Type": "application/json", "X-Standby-Test": "yes"},
    )
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, response.headers, response.read()
    except urllib.error.HTTPError as error:
        return error.code, error.headers, error.read()


def test_fifty_clients_at_once_are_all_answered_and_none_reset(server: LocalHttpServer) -> None:
    result = hammer(server.url, clients=50, seconds=2, path="/ping")

    assert result.resets == 0
    assert result.errors == []
    assert result.answered >= 50


def test_a_route_gets_its_path_parameters_query_body_and_headers(server: LocalHttpServer) -> None:
    status, headers, body = call(server, "POST", "/items/a%20b?size=2&size=3", {"n": 1})

    assert status == 200
    assert headers["Content-Type"] == "application/json"
    assert json.loads(body) == {
        "item_id": "a%20b",
        "query": {"size": "3"},
        "body": {"n": 1},
        "header": "yes",
    }


def test_a_route_answers_its_own_status_and_content_type(server: LocalHttpServer) -> None:
    status, headers, body = call(server, "GET", "/teapot")

    assert (status, headers["Content-Type"], body) == (418, "text/plain", b"short and stout")


def test_unknown_routes_and_local_views_answer_as_before(server: LocalHttpServer) -> None:
    assert call(server, "GET", "/nowhere")[0] == 403
    assert json.loads(call(server, "GET", "/_local/hello")[2]) == {"hello": "there"}
    assert call(server, "POST", "/_local/hello")[0] == 405
    status, _, body = call(server, "HEAD", "/_local/hello")
    assert (status, body) == (200, b"")
