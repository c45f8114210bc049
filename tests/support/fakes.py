from __future__ import annotations

from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.messaging import AwsMessageDelivery
from chalicelib.settings import get_settings
from tests.fakes.runtime import FakeClock

__all__ = ["FakeClock", "FlakyDelivery"]


class FlakyDelivery(AwsMessageDelivery):
    """SES and SNS as they are on a bad day: each channel raises the errors queued for it,
    shaped as botocore raises them, one per attempt, then sends (on moto) as usual."""

    def __init__(self, **failures: list[str]) -> None:
        super().__init__(get_settings())
        self.failures: dict[str, list[str]] = {
            channel: list(codes) for channel, codes in failures.items()
        }
        self.attempts: list[str] = []

    def fail(self, channel: str, code: str, times: int) -> None:
        self.failures.setdefault(channel, []).extend([code] * times)

    def _call_provider(self, send: dict[str, Any]) -> str:
        self.attempts.append(send["message_id"])
        queued = self.failures.get(send["channel"], [])
        if queued:
            code = queued.pop(0)
            operation = "Publish" if send["channel"] == "sms" else "SendEmail"
            raise ClientError(
                {"Error": {"Code": code, "Message": f"{code} (a test said so)"}}, operation
            )
        return super()._call_provider(send)
