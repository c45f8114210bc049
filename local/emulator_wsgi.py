"""The emulator's front: how a request reaches moto, one at a time, and how a reader waits.

- DynamoDB and DynamoDB Streams calls (JSON over POST, named by ``X-Amz-Target``), and
  SES's and SNS's (a form posted to ``/``, the service named in the signature's scope) go
  straight to moto's handler for them. moto's own way in, a Flask app behind a dispatcher
  that works out the service from the host and the signature, cost about as much as the
  handler itself for these small requests; the other services still take it.
- Requests are served one at a time, as DynamoDB applies each write atomically
  (``one_at_a_time``).
- A reader may wait for something new instead of asking again and again. GetRecords with
  an ``X-Local-Wait-Seconds`` header waits, without holding up anyone else, until its
  shard has a record past its iterator, or the time is up; ``GET /_local/sent?after=N&wait=S``
  waits until more than N messages were sent. Each write wakes the waiters, which look
  again. The stack's stream pump and outbox read that way, so records and messages are
  seen as soon as they exist, and an idle stack asks once a second, not ten times.
"""

from __future__ import annotations

import io
import json
import os
import threading
import urllib.parse
from collections.abc import Callable, Iterable
from typing import Any

from botocore.exceptions import ClientError
from moto.core.request import Request
from moto.dynamodb.responses import DynamoHandler
from moto.dynamodbstreams.models import dynamodbstreams_backends
from moto.dynamodbstreams.responses import DynamoDBStreamsHandler
from moto.ses.responses import EmailResponse
from moto.sns.responses import SNSResponse
from werkzeug.http import HTTP_STATUS_CODES

from local.emulator_streams import WAIT_HEADER
from local.outbox import SENT_PATH, Outbox

WsgiApp = Callable[[dict[str, Any], Callable[..., Any]], Iterable[bytes]]

MAX_WAIT_SECONDS = 5.0
GET_RECORDS = "DynamoDBStreams_20120810.GetRecords"
_BY_TARGET: dict[str, Any] = {
    "DynamoDB_20120810": DynamoHandler,
    "DynamoDBStreams_20120810": DynamoDBStreamsHandler,
}
_BY_SIGNING_SERVICE: dict[str, Any] = {"ses": EmailResponse, "sns": SNSResponse}
_READS = frozenset(
    {
        "DynamoDB_20120810.GetItem",
        "DynamoDB_20120810.BatchGetItem",
        "DynamoDB_20120810.Query",
        "DynamoDB_20120810.Scan",
        "DynamoDB_20120810.DescribeTable",
        "DynamoDB_20120810.ListTables",
        "DynamoDBStreams_20120810.GetRecords",
        "DynamoDBStreams_20120810.GetShardIterator",
        "DynamoDBStreams_20120810.DescribeStream",
        "DynamoDBStreams_20120810.ListStreams",
    }
)
"""Calls that change nothing a waiting reader waits for."""


class Activity:
    """Readers waiting until something is ready. After each write the writer looks whether
    any of them is, and wakes only those: waking every reader to look for itself cost a
    thread switch per reader per write."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._waiting: list[tuple[Callable[[], bool], threading.Event]] = []

    def changed(self) -> None:
        with self._lock:
            waiting = list(self._waiting)
        for ready, event in waiting:
            if not event.is_set() and ready():
                event.set()

    def wait_until(self, ready: Callable[[], bool], seconds: float) -> None:
        if ready():
            return
        entry = (ready, threading.Event())
        with self._lock:
            self._waiting.append(entry)
        try:
            # A write between the first look and joining the waiters is seen here.
            if not ready():
                entry[1].wait(min(seconds, MAX_WAIT_SECONDS))
        finally:
            with self._lock:
                self._waiting.remove(entry)


def one_at_a_time(app: WsgiApp, activity: Activity) -> WsgiApp:
    lock = threading.Lock()

    def serialised(environ: dict[str, Any], start_response: Callable[..., Any]) -> list[bytes]:
        with lock:
            answer = list(app(environ, start_response))
        if environ.get("HTTP_X_AMZ_TARGET") not in _READS:
            activity.changed()
        return answer

    return serialised


class _DirectRequest(Request):  # type: ignore[misc]
    """A request as moto's server hands it to a handler (it sets its own Date header)."""

    from_wsgi_server = True


def _handler_of(environ: dict[str, Any]) -> Any:
    """The moto handler a request goes straight to, or None for moto's Flask app."""
    if environ.get("REQUEST_METHOD") != "POST":
        return None
    target = environ.get("HTTP_X_AMZ_TARGET")
    if target:
        return _BY_TARGET.get(target.split(".", 1)[0])
    if environ.get("PATH_INFO") != "/":
        return None
    # AWS4-HMAC-SHA256 Credential=<key>/<date>/<region>/<service>/aws4_request, ...
    scope = environ.get("HTTP_AUTHORIZATION", "").split(",", 1)[0].split("/")
    return _BY_SIGNING_SERVICE.get(scope[3]) if len(scope) == 5 else None


def answer_calls_directly(app: WsgiApp) -> WsgiApp:
    """DynamoDB's, DynamoDB Streams', SES's and SNS's calls to their moto handler; the rest
    to ``app``."""

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        handler = _handler_of(environ)
        if handler is None:
            return app(environ, start_response)
        request = _DirectRequest(environ)
        try:
            status, headers, body = handler.dispatch(
                request, request.raw_url, dict(request.headers)
            )
        except ClientError as error:  # as moto's Flask app answers it
            status, headers, body = 400, {}, error.response["Error"]["Message"]
        content = body.encode("utf-8") if isinstance(body, str) else bytes(body or b"")
        fields = [(str(name), str(value)) for name, value in headers.items()]
        if not any(name.lower() == "content-type" for name, _ in fields):
            json_call = "HTTP_X_AMZ_TARGET" in environ
            fields.append(
                ("Content-Type", "application/x-amz-json-1.0" if json_call else "text/xml")
            )
        fields = [f for f in fields if f[0].lower() != "content-length"]
        fields.append(("Content-Length", str(len(content))))
        start_response(f"{status} {HTTP_STATUS_CODES.get(int(status), '')}", fields)
        return [content]

    return serve


def _has_records(iterator_arn: str) -> bool:
    """Whether the shard behind a shard iterator holds a record past it (True for an
    iterator it does not know: GetRecords answers that at once)."""
    # arn:aws:dynamodb:<region>:<account>:table/<name>/stream/<label>|1|<id>
    parts = iterator_arn.split(":", 5)
    if len(parts) < 6:
        return True
    region, account = parts[3], parts[4]
    try:
        iterator = dynamodbstreams_backends[account][region].shard_iterators.get(iterator_arn)
    except KeyError:
        return True
    if iterator is None:
        return True
    shard = iterator.stream_shard
    return bool(shard.starting_sequence_number + len(shard.items) > iterator.sequence_number)


def wait_for_records(app: WsgiApp, activity: Activity) -> WsgiApp:
    """GetRecords asked to wait (``X-Local-Wait-Seconds``) is answered once its shard holds
    a record past its iterator, or when the time is up (then with no records)."""
    header = "HTTP_" + WAIT_HEADER.upper().replace("-", "_")

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        wait = environ.get(header)
        if wait and environ.get("HTTP_X_AMZ_TARGET") == GET_RECORDS:
            length = int(environ.get("CONTENT_LENGTH") or 0)
            body = environ["wsgi.input"].read(length)
            environ["wsgi.input"] = io.BytesIO(body)
            try:
                iterator = str(json.loads(body)["ShardIterator"])
                seconds = float(wait)
            except (ValueError, KeyError, TypeError):
                return app(environ, start_response)
            activity.wait_until(lambda: _has_records(iterator), seconds)
        return app(environ, start_response)

    return serve


def with_sent_messages(app: WsgiApp, activity: Activity) -> WsgiApp:
    """Answers ``GET /_local/sent?after=N[&wait=S]`` itself; everything else goes to ``app``."""
    outbox = Outbox(out=open(os.devnull, "w"))  # noqa: SIM115 - open as long as the server

    def serve(environ: dict[str, Any], start_response: Callable[..., Any]) -> Iterable[bytes]:
        if environ.get("PATH_INFO") != SENT_PATH:
            return app(environ, start_response)
        query = urllib.parse.parse_qs(environ.get("QUERY_STRING", ""))
        after = int(query.get("after", ["0"])[0] or 0)
        wait = float(query.get("wait", ["0"])[0] or 0)
        if wait > 0:
            activity.wait_until(lambda: len(outbox.messages()) > after, wait)
        sent = [message.to_json() for message in outbox.messages()[after:]]
        body = json.dumps({"messages": sent}).encode("utf-8")
        start_response(
            "200 OK", [("Content-Type", "application/json"), ("Content-Length", str(len(body)))]
        )
        return [body]

    return serve
