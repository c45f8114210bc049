"""The raw email SES is handed when a message carries a calendar file: what a mail client
reads back from it."""

from __future__ import annotations

from email import message_from_bytes
from email.message import EmailMessage
from email.policy import default
from typing import Any

from chalicelib.adapters.messaging import mime_message

CALENDAR = "BEGIN:VCALENDAR\r\nSUMMARY:Klipp\\, Salong Ål\r\nEND:VCALENDAR\r\n"


def a_message(**changes: Any) -> dict[str, Any]:
    return {
        "to": "ase@example.no",
        "subject": "Du har fått plass: Klipp fredag 4. desember kl. 10:00 - «Salong Ål»",
        "text": "Hei Åse,\nDu har fått plassen.",
        "html": "<p>Hei Åse,</p><p>Du har fått plassen.</p>",
        "attachments": [
            {
                "filename": "booking.ics",
                "content_type": "text/calendar; method=PUBLISH",
                "content": CALENDAR,
            }
        ],
        **changes,
    }


def read_back(raw: bytes) -> EmailMessage:
    parsed = message_from_bytes(raw, policy=default)
    assert isinstance(parsed, EmailMessage)
    return parsed


def test_a_client_reads_the_sender_recipient_subject_and_both_bodies_as_written() -> None:
    email = read_back(mime_message("Salong Ål <bookings@standby.example>", a_message()))

    assert str(email["From"]) == "Salong Ål <bookings@standby.example>"
    assert str(email["To"]) == "ase@example.no"
    assert str(email["Subject"]) == a_message()["subject"]
    plain = email.get_body(preferencelist=("plain",))
    html = email.get_body(preferencelist=("html",))
    assert plain is not None and html is not None
    assert plain.get_content().splitlines() == ["Hei Åse,", "Du har fått plassen."]
    assert html.get_content().strip() == a_message()["html"]


def test_the_calendar_file_arrives_whole_with_its_method_and_its_letters() -> None:
    email = read_back(mime_message("bookings@standby.example", a_message()))

    (calendar,) = list(email.iter_attachments())
    assert calendar.get_filename() == "booking.ics"
    assert calendar.get_content_type() == "text/calendar"
    assert calendar.get_param("method") == "PUBLISH"
    assert calendar.get_content() == CALENDAR


def test_lines_end_as_mail_transport_wants_them() -> None:
    raw = mime_message("bookings@standby.example", a_message())

    assert b"\r\n" in raw
    assert b"\n" not in raw.replace(b"\r\n", b"")


def test_a_message_without_html_has_the_text_body_only() -> None:
    email = read_back(mime_message("bookings@standby.example", a_message(html="")))

    assert email.get_body(preferencelist=("html",)) is None
    plain = email.get_body(preferencelist=("plain",))
    assert plain is not None and "Du har fått plassen." in plain.get_content()
