"""Every email and SMS the app handed to SES or SNS, read back from the emulator.

In the emulator's process its backends are plain Python objects: SES (and SESv2, which
stores into SES) keeps ``sent_messages``, SNS keeps ``sms_messages`` and each topic's
``sent_notifications``. The outbox polls them (or, from another process, the emulator's
``/_local/sent`` listing of them: ``EmulatorSent``), prints each new message once, and
lists them for the HTTP view.

SES in the emulator keeps only the HTML body when both bodies are sent, so an HTML body is
turned back into readable text here.
"""

from __future__ import annotations

import email
import email.header
import email.message
import email.policy
import json
import logging
import sys
import threading
from collections.abc import Callable, Iterator
from dataclasses import asdict, dataclass
from datetime import UTC, datetime
from functools import partial
from html.parser import HTMLParser
from typing import Any, TextIO

from local.kept_connections import KeptConnections
from local.repeating import Repeating

logger = logging.getLogger("local.outbox")

Sent = Iterator[tuple[tuple[str, ...], Callable[[], "SentMessage"]]]
"""Each message sent: a key that names it once, and how to make it."""

PREVIEW_CHARS = 160
SENT_PATH = "/_local/sent"


@dataclass(frozen=True)
class SentMessage:
    channel: str
    """"email", "sms" or "sns" (a topic)."""
    to: str
    subject: str
    body: str
    sent_at: str
    """When the outbox first saw it: the emulator does not record a send time."""
    message_id: str

    def to_json(self) -> dict[str, Any]:
        return asdict(self)

    def console_line(self) -> str:
        body = " ".join(self.body.split())
        if len(body) > PREVIEW_CHARS:
            body = body[: PREVIEW_CHARS - 3] + "..."
        subject = f" | {self.subject}" if self.subject else ""
        return f"[outbox] {self.channel} -> {self.to}{subject} | {body}"


class _TextOfHtml(HTMLParser):
    _BREAKS = frozenset({"br", "p", "div", "li", "tr", "h1", "h2", "h3", "h4", "table"})
    _HIDDEN = frozenset({"style", "script", "head", "title"})

    def __init__(self) -> None:
        super().__init__(convert_charrefs=True)
        self.parts: list[str] = []
        self._hidden = 0

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        if tag in self._HIDDEN:
            self._hidden += 1
        elif tag in self._BREAKS:
            self.parts.append("\n")
        if tag == "a":
            href = dict(attrs).get("href")
            if href:
                self.parts.append(f" <{href}> ")

    def handle_endtag(self, tag: str) -> None:
        if tag in self._HIDDEN:
            self._hidden = max(0, self._hidden - 1)
        elif tag in self._BREAKS:
            self.parts.append("\n")

    def handle_data(self, data: str) -> None:
        if not self._hidden:
            self.parts.append(data)


def text_of(body: str) -> str:
    """Readable text of a body that may be HTML."""
    if "<" not in body or ">" not in body:
        return body.strip()
    parser = _TextOfHtml()
    parser.feed(body)
    parser.close()
    lines = (" ".join(line.split()) for line in "".join(parser.parts).splitlines())
    return "\n".join(line for line in lines if line)


def _addresses(destinations: Any) -> str:
    if isinstance(destinations, dict):
        found = [
            address
            for field_name in ("ToAddresses", "CcAddresses", "BccAddresses")
            for address in destinations.get(field_name, [])
        ]
    elif isinstance(destinations, list):
        found = [str(address) for address in destinations]
    else:
        found = [str(destinations)]
    return ", ".join(found)


def _raw_parts(raw: str) -> tuple[str, str]:
    # compat32: the modern policy builds a rich object for every header of every part,
    # which cost more than the rest of the parse; only the subject and one body are read.
    message = email.message_from_string(raw, policy=email.policy.compat32)
    # A folded header keeps its folding space; a mail client shows it trimmed.
    subject = " ".join(
        str(
            email.header.make_header(email.header.decode_header(message.get("Subject", "")))
        ).split()
    )
    return subject, text_of(_body_of(message))


def _body_of(message: email.message.Message) -> str:
    """The plain text part's text, else the HTML part's (the order of ``get_body``)."""
    parts: dict[str, email.message.Message | None] = {"text/plain": None, "text/html": None}
    for part in message.walk():
        kind = part.get_content_type()
        disposition = str(part.get("Content-Disposition", "")).split(";", 1)[0].strip()
        if kind in parts and parts[kind] is None and disposition != "attachment":
            parts[kind] = part
    chosen = parts["text/plain"] or parts["text/html"]
    if chosen is None:
        return ""
    payload = chosen.get_payload(decode=True)
    if not isinstance(payload, bytes):
        return ""
    return payload.decode(chosen.get_content_charset() or "utf-8", "replace")


class Outbox:
    def __init__(
        self,
        *,
        out: TextIO | None = None,
        poll_interval: float = 0.1,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
        source: Callable[[], Sent] | None = None,
        wait_for_more: Callable[[float], object] | None = None,
        wait_seconds: float = 1.0,
    ) -> None:
        """``out`` is where each new message is printed (standard output by default);
        ``source`` lists what was sent (by default, the emulator in this process);
        ``wait_for_more(seconds)``, if given, returns once something new may have been sent
        (or after ``seconds``), and the outbox looks then instead of every
        ``poll_interval``."""
        self._out = out if out is not None else sys.stdout
        self._poll_interval = poll_interval
        self._clock = clock
        self._lock = threading.Lock()
        self._seen: set[tuple[str, ...]] = set()
        self._read_up_to: dict[tuple[str, ...], tuple[object, int]] = {}
        """How far each of the emulator's lists of sent messages has been read, and the list
        itself (kept, so a new list after a reset is never taken for it): they only grow,
        and reading them whole at every look costs as much as all ever sent."""
        self._messages: list[SentMessage] = []
        self._source = source if source is not None else self._sent
        if wait_for_more is None:
            self._loop = Repeating("outbox", self.collect, poll_interval)
        else:
            waiting = wait_for_more

            def wait_then_collect() -> None:
                waiting(wait_seconds)
                self.collect()

            self._loop = Repeating("outbox", wait_then_collect, 0.0)

    def start(self) -> None:
        self._loop.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._loop.stop(timeout)

    def messages(self) -> list[SentMessage]:
        """Everything sent so far, oldest first (reading the emulator now)."""
        self.collect()
        with self._lock:
            return list(self._messages)

    def collect(self) -> list[SentMessage]:
        """Take in and print the messages sent since the last look."""
        with self._lock:
            fresh = []
            for key, make in self._source():
                if key in self._seen:
                    continue
                self._seen.add(key)
                message = make()
                self._messages.append(message)
                fresh.append(message)
            for message in fresh:
                print(message.console_line(), file=self._out, flush=True)
            return fresh

    def _sent(self) -> Sent:
        from moto.ses.models import ses_backends
        from moto.sns.models import sns_backends

        for account_id, region, backend in _backends(ses_backends):
            for sent in self._unread(("ses", account_id, region), backend.sent_messages):
                key = ("ses", account_id, region, str(getattr(sent, "id", id(sent))))
                yield key, partial(self._email, sent)
        for account_id, region, backend in _backends(sns_backends):
            sms = self._unread(("sms", account_id, region), backend.sms_messages)
            for message_id, (phone, text) in sms:
                key = ("sms", account_id, region, str(message_id))
                yield key, partial(self._message, "sms", str(phone), "", str(text), str(message_id))
            for topic in list(backend.topics.values()):
                notifications = self._unread(("sns", str(topic.arn)), topic.sent_notifications)
                for notification in notifications:
                    message_id, text, subject = notification[0], notification[1], notification[2]
                    key = ("sns", account_id, region, str(message_id))
                    yield (
                        key,
                        partial(
                            self._message,
                            "sns",
                            str(topic.arn),
                            str(subject or ""),
                            str(text),
                            str(message_id),
                        ),
                    )

    def _unread(self, source: tuple[str, ...], sent: list[Any] | dict[Any, Any]) -> list[Any]:
        """What was added to one of the emulator's lists (or dicts) since the last look; a
        new list (the emulator was reset) is read from its start."""
        # A copy first: the emulator's request threads may append meanwhile.
        listed = list(sent.items()) if isinstance(sent, dict) else list(sent)
        read, start = self._read_up_to.get(source, (None, 0))
        if read is not sent:
            start = 0
        self._read_up_to[source] = (sent, len(listed))
        return listed[start:]

    def _email(self, sent: Any) -> SentMessage:
        message_id = str(getattr(sent, "id", ""))
        if hasattr(sent, "raw_data"):
            subject, body = _raw_parts(str(sent.raw_data))
        elif hasattr(sent, "template"):
            subject, body = f"(template {sent.template})", str(sent.template_data)
        else:
            subject, body = str(sent.subject), text_of(str(sent.body))
        return self._message("email", _addresses(sent.destinations), subject, body, message_id)

    def _message(self, channel: str, to: str, subject: str, body: str, mid: str) -> SentMessage:
        return SentMessage(
            channel=channel,
            to=to,
            subject=subject,
            body=body,
            sent_at=self._clock().isoformat(),
            message_id=mid,
        )


class EmulatorSent:
    """What the emulator at ``url`` (``local.emulator``, in another process) was handed, as
    a source for ``Outbox``: each look asks only for the messages after those seen, and
    ``wait`` asks the emulator to answer once there are more."""

    def __init__(self, url: str, *, timeout: float = 5.0) -> None:
        self._emulator = KeptConnections(url)
        self._timeout = timeout
        self._lock = threading.Lock()
        self._taken: list[SentMessage] = []
        self._given = 0

    def __call__(self) -> Sent:
        with self._lock:
            pending = self._given < len(self._taken)
        if not pending:
            self._fetch(0.0)
        with self._lock:
            first, self._given = self._given, len(self._taken)
            fresh = self._taken[first:]
        for offset, message in enumerate(fresh):
            yield ("emulator", str(first + offset)), partial(lambda kept: kept, message)

    def wait(self, seconds: float) -> None:
        """Returns once the emulator was handed messages not yet seen, or after ``seconds``."""
        self._fetch(seconds)

    def _fetch(self, wait: float) -> None:
        with self._lock:
            after = len(self._taken)
        path = f"{SENT_PATH}?after={after}" + (f"&wait={wait:g}" if wait > 0 else "")
        status, body = self._emulator.request("GET", path, timeout=self._timeout + wait)
        if status != 200:
            raise OSError(f"the emulator answered {path} with {status}")
        fresh = [SentMessage(**fields) for fields in json.loads(body)["messages"]]
        with self._lock:
            # Another look may have taken them meanwhile.
            if len(self._taken) == after:
                self._taken.extend(fresh)


def _backends(backend_dict: Any) -> Iterator[tuple[str, str, Any]]:
    # Copies first: the emulator's request threads may add accounts or regions meanwhile.
    for account_id, account in list(backend_dict.items()):
        for region, backend in list(account.items()):
            yield str(account_id), str(region), backend
