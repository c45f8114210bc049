"""One-time schedules on EventBridge Scheduler: "expire this offer at that moment", "send
this message when the business opens"."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from functools import cached_property
from typing import Any

from botocore.exceptions import ClientError

from chalicelib.adapters.observability import logger
from chalicelib.settings import Settings


class EventBridgeScheduler:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @cached_property
    def _client(self) -> Any:
        import boto3  # on first use: most invocations never schedule anything (cold start)

        return boto3.session.Session(region_name=self._settings.region).client("scheduler")

    def at(self, name: str, when: datetime, payload: dict[str, Any]) -> None:
        """Invoke the scheduled-task function with `payload` at `when`; the schedule deletes
        itself after it fires. Creating it twice is harmless. A schedule that cannot invoke
        the function, its retries spent, is parked in the dead-letter queue with its input,
        so nothing is lost."""
        target: dict[str, Any] = {
            "Arn": self._settings.scheduled_task_function_arn,
            "RoleArn": self._settings.scheduler_role_arn,
            "Input": json.dumps(payload),
        }
        if self._settings.dead_letter_queue_arn:
            target["DeadLetterConfig"] = {"Arn": self._settings.dead_letter_queue_arn}
        try:
            self._client.create_schedule(
                Name=name,
                GroupName=self._settings.schedule_group,
                ScheduleExpression=f"at({when.astimezone(UTC):%Y-%m-%dT%H:%M:%S})",
                ScheduleExpressionTimezone="UTC",
                FlexibleTimeWindow={"Mode": "OFF"},
                ActionAfterCompletion="DELETE",
                Target=target,
            )
        except ClientError as error:
            if error.response["Error"]["Code"] != "ConflictException":
                raise

    def cancel(self, name: str) -> None:
        """Remove a schedule no longer needed; one already gone is fine."""
        try:
            self._client.delete_schedule(Name=name, GroupName=self._settings.schedule_group)
        except ClientError as error:
            if error.response["Error"]["Code"] != "ResourceNotFoundException":
                logger.warning("could not remove a schedule", extra={"schedule": name})
