"""Email through SES, SMS through SNS: one call per hand-over.

Neither SES's SendEmail/SendRawEmail nor SNS's Publish to a phone number takes an
idempotency token, so the guard against sending twice is the outbox item itself: the
notifications use case claims it (a conditional write) before calling `deliver`, and only
the attempt holding the claim hands the message over."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib.domain.delivery import DeliveryFailure
from chalicelib.domain.messages import Channel, OutboxMessage
from chalicelib.ports.runtime import DeliveryFailed, RenderedMessage
from chalicelib.settings import Settings

# boto3 is imported on the first send, not with app.py: only the functions that send need
# it, yet every function imports app.py.
if TYPE_CHECKING:
    import boto3


class AwsMessageDelivery:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @cached_property
    def _session(self) -> boto3.session.Session:
        import boto3

        # Its own session: boto3's default one is not safe to share across threads.
        return boto3.session.Session(region_name=self._settings.region)

    @cached_property
    def _ses(self) -> Any:
        return self._session.client("ses")

    @cached_property
    def _sns(self) -> Any:
        return self._session.client("sns")

    def deliver(self, message: OutboxMessage, rendered: RenderedMessage) -> str:
        send = {
            "message_id": message.message_id,
            "channel": message.channel.value,
            "to": message.recipient,
            "subject": rendered.subject or "",
            "text": rendered.text,
            "html": rendered.html or "",
            "attachments": [
                {"filename": a.filename, "content_type": a.content_type, "content": a.content}
                for a in rendered.attachments
            ],
        }
        result = self._hand_over(send)
        if "error" in result:
            raise DeliveryFailed(DeliveryFailure(str(result["error"]), str(result["detail"])))
        return str(result["provider_message_id"])

    def _hand_over(self, send: dict[str, Any]) -> dict[str, str]:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            return {"provider_message_id": self._call_provider(send)}
        except ClientError as error:
            # Throttling has already been retried by botocore; what is left is the
            # outbox's to try again later, or to give up.
            details = error.response.get("Error", {})
            return {
                "error": str(details.get("Code", "Unknown")),
                "detail": str(details.get("Message", "")),
            }
        except BotoCoreError as error:
            return {"error": type(error).__name__, "detail": str(error)}

    def _call_provider(self, send: dict[str, Any]) -> str:
        if send["channel"] == Channel.SMS.value:
            response = self._sns.publish(
                PhoneNumber=send["to"],
                Message=send["text"],
                MessageAttributes={
                    "AWS.SNS.SMS.SMSType": {"DataType": "String", "StringValue": "Transactional"}
                },
            )
        elif send["attachments"]:
            # The recipient comes from the message's To header.
            response = self._ses.send_raw_email(
                Source=self._settings.email_sender,
                RawMessage={"Data": mime_message(self._settings.email_sender, send)},
            )
        else:
            body: dict[str, Any] = {"Text": {"Data": send["text"], "Charset": "UTF-8"}}
            if send["html"]:
                body["Html"] = {"Data": send["html"], "Charset": "UTF-8"}
            response = self._ses.send_email(
                Source=self._settings.email_sender,
                Destination={"ToAddresses": [send["to"]]},
                Message={"Subject": {"Data": send["subject"], "Charset": "UTF-8"}, "Body": body},
            )
        return str(response["MessageId"])


def mime_message(sender: str, send: dict[str, Any]) -> bytes:
    """An email with text and HTML bodies and attachments, as SES's raw send wants it.

    Built with the standard library's MIME classes (its compat32 policy): the modern
    ``EmailMessage`` parses every header it is given into a rich object and refolds it on
    the way out, several milliseconds of each function's billed time for the same bytes.
    """
    from email.charset import QP, Charset
    from email.header import Header
    from email.mime.multipart import MIMEMultipart
    from email.mime.text import MIMEText
    from email.policy import compat32
    from email.utils import formataddr, parseaddr

    def address(value: str) -> str:
        name, mailbox = parseaddr(value)
        return formataddr((name, mailbox), charset="utf-8") if name else mailbox or value

    # Bodies quoted-printable, so their lines stay lines (ending in CRLF) on the wire.
    readable = Charset("utf-8")
    readable.body_encoding = QP
    text = MIMEText(send["text"], "plain", readable)  # type: ignore[arg-type]
    body: MIMEText | MIMEMultipart = text
    if send["html"]:
        body = MIMEMultipart("alternative", _subparts=[text])
        body.attach(MIMEText(send["html"], "html", readable))  # type: ignore[arg-type]
    email = MIMEMultipart("mixed", _subparts=[body]) if send["attachments"] else body
    email["From"] = address(sender)
    email["To"] = address(send["to"])
    email["Subject"] = Header(send["subject"], "utf-8")  # type: ignore[assignment]
    for attachment in send["attachments"]:
        maintype, _, rest = attachment["content_type"].partition("/")
        subtype, *params = [part.strip() for part in rest.split(";")]
        if maintype != "text":
            raise ValueError(f"attachments are text, not {attachment['content_type']}")
        part = MIMEText(attachment["content"], subtype, "utf-8")
        for param in params:
            name, _, value = param.partition("=")
            if value:
                part.set_param(name, value)
        part.add_header("Content-Disposition", "attachment", filename=attachment["filename"])
        email.attach(part)
    return email.as_bytes(policy=compat32.clone(linesep="\r\n"))
