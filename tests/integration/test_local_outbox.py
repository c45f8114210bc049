"""The local outbox shows every email and SMS handed to the emulator, each once."""

from __future__ import annotations

import io
from collections.abc import Iterator
from email.mime.multipart import MIMEMultipart
from email.mime.text import MIMEText
from typing import TYPE_CHECKING

import boto3
import pytest
from moto import mock_aws
from moto.ses.models import ses_backends

from local.outbox import Outbox, text_of

if TYPE_CHECKING:
    from mypy_boto3_ses.type_defs import BodyTypeDef

SENDER = "bookings@standby.example"


@pytest.fixture(autouse=True)
def aws() -> Iterator[None]:
    with mock_aws():
        boto3.client("ses").verify_email_identity(EmailAddress=SENDER)
        yield


def send_email(to: str, subject: str, text: str, html: str | None = None) -> None:
    body: BodyTypeDef = {"Text": {"Data": text}}
    if html is not None:
        body["Html"] = {"Data": html}
    boto3.client("ses").send_email(
        Source=SENDER,
        Destination={"ToAddresses": [to]},
        Message={"Subject": {"Data": subject}, "Body": body},
    )


def send_sms(to: str, text: str) -> None:
    boto3.client("sns").publish(PhoneNumber=to, Message=text)


def test_an_email_and_an_sms_each_appear_once() -> None:
    printed = io.StringIO()
    outbox = Outbox(out=printed)
    send_email("kari@example.com", "Your seat is confirmed", "See you at 10:00.")
    send_sms("+4791234567", "Your seat is confirmed. See you at 10:00.")

    first_look = outbox.collect()
    second_look = outbox.collect()

    assert [(m.channel, m.to, m.subject, m.body) for m in outbox.messages()] == [
        ("email", "kari@example.com", "Your seat is confirmed", "See you at 10:00."),
        ("sms", "+4791234567", "", "Your seat is confirmed. See you at 10:00."),
    ]
    assert len(first_look) == 2
    assert second_look == []
    lines = printed.getvalue().splitlines()
    assert len(lines) == 2
    assert "email -> kari@example.com | Your seat is confirmed | See you at 10:00." in lines[0]
    assert "sms -> +4791234567" in lines[1]


def test_messages_sent_later_are_picked_up_on_the_next_look() -> None:
    outbox = Outbox(out=io.StringIO())
    send_email("kari@example.com", "First", "one")
    outbox.collect()

    send_email("ola@example.com", "Second", "two")

    assert [m.subject for m in outbox.collect()] == ["Second"]
    assert [m.subject for m in outbox.messages()] == ["First", "Second"]


def test_messages_sent_after_the_emulator_was_reset_are_still_picked_up() -> None:
    outbox = Outbox(out=io.StringIO())
    send_email("kari@example.com", "First", "one")
    send_email("kari@example.com", "Second", "two")
    outbox.collect()

    for account in ses_backends.values():
        for backend in account.values():
            backend.reset()
    boto3.client("ses").verify_email_identity(EmailAddress=SENDER)
    send_email("ola@example.com", "Third", "three")

    assert [m.subject for m in outbox.collect()] == ["Third"]


def test_an_email_sent_with_both_bodies_reads_as_text() -> None:
    outbox = Outbox(out=io.StringIO())
    send_email(
        "kari@example.com",
        "A seat opened up",
        "plain version",
        html="<html><head><style>p {}</style></head><body><p>Hi Kari,</p>"
        '<p>Take it: <a href="http://127.0.0.1:8000/offers/x">claim</a></p></body></html>',
    )

    (message,) = outbox.messages()

    assert message.body == "Hi Kari,\nTake it: <http://127.0.0.1:8000/offers/x> claim"


def test_a_raw_email_shows_its_subject_and_plain_text() -> None:
    outbox = Outbox(out=io.StringIO())
    mime = MIMEMultipart("alternative")
    mime["Subject"] = "Reminder"
    mime["From"] = SENDER
    mime["To"] = "kari@example.com"
    mime.attach(MIMEText("Tomorrow at 10:00.", "plain"))
    mime.attach(MIMEText("<p>Tomorrow at <b>10:00</b>.</p>", "html"))
    boto3.client("ses").send_raw_email(RawMessage={"Data": mime.as_string()})

    (message,) = outbox.messages()

    assert (message.subject, message.body) == ("Reminder", "Tomorrow at 10:00.")
    assert "kari@example.com" in message.to


def test_an_email_sent_through_sesv2_appears_too() -> None:
    outbox = Outbox(out=io.StringIO())
    boto3.client("sesv2").send_email(
        FromEmailAddress=SENDER,
        Destination={"ToAddresses": ["kari@example.com"]},
        Content={"Simple": {"Subject": {"Data": "Hello"}, "Body": {"Text": {"Data": "v2"}}}},
    )

    assert [(m.channel, m.subject) for m in outbox.messages()] == [("email", "Hello")]


def test_plain_text_is_left_as_it_is() -> None:
    assert text_of("  1 < 2 and that is all  ") == "1 < 2 and that is all"
