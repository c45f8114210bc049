"""Request bodies of the catalogue: the business's profile, services, slots and pipeline
statuses."""

from __future__ import annotations

from typing import Any

from pydantic import (
    Field,
    StrictBool,
    StrictInt,
    model_validator,
)

from chalicelib.domain.model import WaitingListMode
from chalicelib.domain.pipeline import StepKind
from chalicelib.entrypoints.http.schemas.fields import (
    Colour,
    Moment,
    Name,
    OptionalMoment,
    Strict,
)
from chalicelib.ports.catalogue import (
    SERVICES_PER_WRITE,
    SLOTS_PER_WRITE,
    STATUSES_PER_WRITE,
)


class NewServiceBody(Strict):
    name: Name
    duration_minutes: StrictInt = Field(ge=5, le=24 * 60)
    requires_confirmation: StrictBool = Field(
        default=False, description="bookings wait as pending until staff confirm them"
    )
    uses_status_pipeline: StrictBool = Field(
        default=False, description="bookings go through the business's status pipeline"
    )
    waiting_list_mode: WaitingListMode | None = Field(
        default=None, description="overrides the business's waiting-list mode"
    )


class NewServicesBody(Strict):
    services: list[NewServiceBody] = Field(
        min_length=1, max_length=SERVICES_PER_WRITE, description="added in one write, all or none"
    )


class NewSlotBody(Strict):
    service_id: str = Field(min_length=1, max_length=64)
    starts_at: Moment = Field(description="ISO 8601; without an offset, the business's time")
    ends_at: OptionalMoment = Field(
        default=None, description="defaults to the start plus the service's duration"
    )
    capacity: StrictInt = Field(ge=1, le=1000)
    staff: Name | None = None
    location: Name | None = None


class NewSlotsBody(Strict):
    slots: list[NewSlotBody] = Field(
        min_length=1, max_length=SLOTS_PER_WRITE, description="added in one write, all or none"
    )


class SlotChangesBody(Strict):
    capacity: StrictInt | None = Field(default=None, ge=1, le=1000)
    staff: Name | None = Field(default=None, description="null clears it; leave out to keep")
    location: Name | None = Field(default=None, description="null clears it; leave out to keep")

    @model_validator(mode="after")
    def _something(self) -> SlotChangesBody:
        if not self.model_fields_set:
            raise ValueError("give capacity, staff or location")
        return self


class PipelineStatusBody(Strict):
    name: Name
    description: str | None = Field(default=None, max_length=1000)
    position: StrictInt = Field(ge=0, le=10_000)
    colour: Colour = Field(description="e.g. #2E7D32")
    kind: StepKind = Field(
        description="start: where bookings begin; confirmation: confirms; cancellation: "
        "needs a reason, frees the seat; none: just a step"
    )


class PipelineStatusesBody(Strict):
    statuses: list[PipelineStatusBody] = Field(
        min_length=1,
        max_length=STATUSES_PER_WRITE,
        description="added in one write with the business's note of where the pipeline starts",
    )


def one_or_many(body: Any, key: str) -> Any:
    """Staff may send one object, a list, or {key: [...]}; all mean the same."""
    if isinstance(body, list):
        return {key: body}
    if isinstance(body, dict) and key not in body:
        return {key: [body]}
    return body


# --- messages: workflows and the business's own texts ---------------------------------------
