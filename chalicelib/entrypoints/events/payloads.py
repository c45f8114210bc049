"""What a one-time schedule's payload must hold, task by task: EventBridge Scheduler
invokes the scheduled-task function with the JSON the schedule was created with, and a
payload that lacks a field is refused by name rather than failing somewhere inside."""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import BaseModel, ConfigDict, Field, ValidationError

from chalicelib.services.notifications import SEND_MESSAGE
from chalicelib.services.offers import EXPIRE_OFFER


class ScheduledTaskRefused(ValueError):
    """A scheduled task's payload that cannot be acted on: the fields missing or wrong."""

    def __init__(self, task: str, problems: dict[str, str]) -> None:
        self.task = task
        self.problems = problems
        listed = "; ".join(f"{field}: {problem}" for field, problem in problems.items())
        super().__init__(f"scheduled task {task!r} refused: {listed}")

    @property
    def fields(self) -> tuple[str, ...]:
        return tuple(self.problems)


class TaskPayload(BaseModel):
    # Later versions may add fields: an older function ignores them rather than refusing.
    model_config = ConfigDict(extra="ignore", frozen=True)


class OfferDeadline(TaskPayload):
    """An offer round's time to answer is up."""

    task: str = EXPIRE_OFFER
    business_id: str = Field(min_length=1)
    slot_id: str = Field(min_length=1)
    cause: str = Field(min_length=1)
    round: int


class HeldMessage(TaskPayload):
    """A message held for the business's active hours, or for its next attempt."""

    task: str = SEND_MESSAGE
    business_id: str = Field(min_length=1)
    message_id: str = Field(min_length=1)


Payload = TypeVar("Payload", bound=TaskPayload)


def read_payload(model: type[Payload], task: str, event: Any) -> Payload:
    """The payload as `model`, or ScheduledTaskRefused naming each field missing or wrong."""
    if not isinstance(event, dict):
        raise ScheduledTaskRefused(task, {"payload": "must be a JSON object"})
    try:
        return model.model_validate(event)
    except ValidationError as error:
        problems: dict[str, str] = {}
        for detail in error.errors():
            field = ".".join(str(part) for part in detail["loc"]) or "payload"
            problems.setdefault(field, "missing" if detail["type"] == "missing" else detail["msg"])
        raise ScheduledTaskRefused(task, problems) from error
