"""Messages rendered from jinja2 templates in `templates/`, dates written the way the
customer's language writes them (Babel), in the business's time zone.

Layout: templates/messages/<language>/<message type>.<part>.j2, where part is one of
subject, email.txt, email.html and sms. A language without its own file falls back to
English, and so does a language Standby does not write (one stored before languages were
checked), so that no message fails for its language.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from functools import cached_property
from pathlib import Path
from typing import TYPE_CHECKING, Any

from chalicelib.domain import sms
from chalicelib.domain.calendar import CalendarEvent, ics
from chalicelib.domain.languages import FALLBACK_LANGUAGE, LANGUAGES, served_language
from chalicelib.domain.messages import Channel, MessageType, OutboxMessage
from chalicelib.domain.time_rules import in_zone
from chalicelib.ports.runtime import Attachment, RenderedMessage

if TYPE_CHECKING:
    import jinja2

# Locally the folder sits beside chalicelib/; in the deployment package vendor/ puts it at
# the zip root, which is again beside chalicelib/.
TEMPLATES_DIR = Path(__file__).resolve().parent.parent.parent / "templates"
# Babel writes times with narrow and no-break spaces ("10:00\u202fAM"); outside the GSM
# alphabet they make a text UCS-2, which holds 70 characters a segment instead of 160.
PLAIN_SPACES = str.maketrans({"\u202f": " ", "\u00a0": " ", "\u2009": " "})
CALENDAR_MESSAGES = frozenset(
    {
        MessageType.BOOKING_CONFIRMED,
        MessageType.SEAT_ASSIGNED,
        MessageType.BOOKING_MOVED,
        MessageType.BOOKING_REMINDER,
    }
)
"""Emails that carry the booking as a calendar event."""
SHORTENED_FIRST = (
    "reason",
    "waiting_list",
    "customer_name",
    "business_name",
    "service_name",
    "location",
    "staff",
)
"""Free text a text message may cut to stay within its segments, in this order; links and
dates are never cut."""


class TemplateRenderer:
    def __init__(self, templates_dir: Path = TEMPLATES_DIR) -> None:
        self._dir = templates_dir

    @cached_property
    def _env(self) -> jinja2.Environment:
        # jinja2 (~35 ms) is imported on the first message, not with app.py: only the
        # outbox function renders messages, yet every function imports app.py.
        import jinja2

        env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(self._dir),
            autoescape=jinja2.select_autoescape(enabled_extensions=("html", "html.j2")),
            undefined=jinja2.StrictUndefined,
            keep_trailing_newline=False,
        )
        return env

    def render(self, message: OutboxMessage) -> RenderedMessage:
        message = _written(message)
        values = self._values(message)
        name = message.message_type.value
        if message.channel is Channel.SMS:
            return RenderedMessage(
                subject=None, text=self._sms(message.language, name, values), html=None
            )
        return RenderedMessage(
            subject=self._part(message.language, name, "subject", values),
            text=self._part(message.language, name, "email.txt", values),
            html=self._part(message.language, name, "email.html", values),
            attachments=_calendar(message),
        )

    def _sms(self, language: str, name: str, values: dict[str, Any]) -> str:
        """The text within sms.MAX_SEGMENTS: free text is cut, longest-kept first, until
        it fits."""
        values = dict(values)

        def text() -> str:
            return sms.plain_typography(self._part(language, name, "sms", values))

        rendered = text()
        for key in SHORTENED_FIRST:
            value = values.get(key)
            if sms.segments(rendered) <= sms.MAX_SEGMENTS:
                break
            if not isinstance(value, str) or not value:
                continue
            keep, cut = 0, len(value)  # keeping `keep` characters fits; `cut` does not
            values[key] = ""
            if sms.segments(text()) > sms.MAX_SEGMENTS:
                continue  # even without it the text is too long: cut the next one too
            while cut - keep > 1:
                middle = (keep + cut) // 2
                values[key] = sms.shortened(value, middle)
                if sms.segments(text()) <= sms.MAX_SEGMENTS:
                    keep = middle
                else:
                    cut = middle
            values[key] = sms.shortened(value, keep)
            rendered = text()
        return rendered

    def _part(self, language: str, name: str, part: str, values: dict[str, Any]) -> str:
        template = self._env.select_template(
            [
                f"messages/{language}/{name}.{part}.j2",
                f"messages/{FALLBACK_LANGUAGE}/{name}.{part}.j2",
            ]
        )
        return template.render(values).strip()

    def values(self, message: OutboxMessage) -> dict[str, Any]:
        """What a template of the message may use: its context, with each moment also
        written out in its language and time zone. A business's own texts get the same."""
        return self._values(_written(message))

    def _values(self, message: OutboxMessage) -> dict[str, Any]:
        from babel.dates import format_date, format_time

        locale = message.language.replace("-", "_")
        values: dict[str, Any] = dict(message.context)
        for key in (
            "starts_at",
            "ends_at",
            "previous_starts_at",
            "previous_ends_at",
            "expires_at",
        ):
            if key in message.context:
                moment = in_zone(datetime.fromisoformat(message.context[key]), message.time_zone)
                values[f"{key}_date"] = format_date(moment, format="full", locale=locale)
                values[f"{key}_time"] = format_time(moment, format="short", locale=locale)
        for optional in ("staff", "location", "reason"):
            values.setdefault(optional, None)
        return values


def _written(message: OutboxMessage) -> OutboxMessage:
    """The message in a language Standby writes: Babel knows no dates in another."""
    if message.language in LANGUAGES:
        return message
    return replace(message, language=served_language(message.language))


def _calendar(message: OutboxMessage) -> tuple[Attachment, ...]:
    context = message.context
    if message.message_type not in CALENDAR_MESSAGES or "booking_id" not in context:
        return ()
    event = CalendarEvent(
        booking_id=str(context["booking_id"]),
        starts_at=datetime.fromisoformat(context["starts_at"]),
        ends_at=datetime.fromisoformat(context["ends_at"]),
        summary=f"{context['service_name']}, {context['business_name']}",
        stamp=message.created_at,
        location=context.get("location") or None,
        url=context.get("manage_url") or None,
        # Later messages about the booking replace the event in the customer's calendar.
        sequence=int(message.created_at.timestamp()),
    )
    return (Attachment("booking.ics", "text/calendar; method=PUBLISH", ics(event)),)
