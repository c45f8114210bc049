"""Email through SES, SMS through SNS, each message handed over at most once (Powertools
idempotency, keyed by the message id, which itself is derived from the message's cause)."""

from __future__ import annotations

from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib.domain.delivery import DeliveryFailure
from chalicelib.domain.messages import Channel, OutboxMessage
from chalicelib.ports.runtime import DeliveryFailed, RenderedMessage
from chalicelib.settings import Settings

# boto3 and Powertools' idempotency utility (~45 ms together) are imported on the first
# send, not with app.py: only the outbox function sends, yet every function imports app.py.
if TYPE_CHECKING:
    import boto3
    from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

# A stream record is retried for at most a day; keep the record of a send far longer.
IDEMPOTENCY_TTL_SECONDS = 14 * 24 * 3600


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

    @cached_property
    def _config(self) -> IdempotencyConfig:
        from aws_lambda_powertools.utilities.idempotency import IdempotencyConfig

        return IdempotencyConfig(
            event_key_jmespath="idempotency_key",
            expires_after_seconds=IDEMPOTENCY_TTL_SECONDS,
            raise_on_no_idempotency_key=True,
        )

    @cached_property
    def _send_once(self) -> Any:
        from aws_lambda_powertools.utilities.idempotency import (
            DynamoDBPersistenceLayer,
            idempotent_function,
        )

        persistence = DynamoDBPersistenceLayer(table_name=self._settings.idempotency_table)
        return idempotent_function(
            data_keyword_argument="send",
            persistence_store=persistence,
            config=self._config,
        )(self._hand_over)

    def register_invocation(self, lambda_context: Any) -> None:
        """Tell the duplicate-send guard when this invocation will time out: a send cut
        short by a timeout must not block its retry until the guard's record expires."""
        self._config.register_lambda_context(lambda_context)

    def deliver(self, message: OutboxMessage, rendered: RenderedMessage) -> str:
        send = {
            # One hand-over per attempt: a stale copy of an attempt already made (a stream
            # record delivered twice) gets that attempt's saved outcome, failure included,
            # instead of sending again after the message was retried or given up.
            "idempotency_key": message.message_id
            if message.attempts == 0
            else f"{message.message_id}#{message.attempts}",
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
        result = self._send_once(send=send)
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
    """An email with text and HTML bodies and attachments, as SES's raw send wants it."""
    from email.message import EmailMessage
    from email.policy import SMTP

    email = EmailMessage(policy=SMTP)
    email["From"] = sender
    email["To"] = send["to"]
    email["Subject"] = send["subject"]
    email.set_content(send["text"])
    if send["html"]:
        email.add_alternative(send["html"], subtype="html")
    for attachment in send["attachments"]:
        maintype, _, rest = attachment["content_type"].partition("/")
        subtype, *params = [part.strip() for part in rest.split(";")]
        email.add_attachment(
            attachment["content"].encode(),
            maintype=maintype,
            subtype=subtype,
            filename=attachment["filename"],
            params=dict(param.split("=", 1) for param in params if "=" in param),
        )
    return email.as_bytes()
