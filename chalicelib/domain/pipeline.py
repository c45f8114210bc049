"""Status pipelines: a business's own steps a booking goes through before (and after)
it is confirmed. A step's kind says what entering it does to the booking."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum

from chalicelib.domain.lifecycle import Action
from chalicelib.domain.model import BookingStatus


class StepKind(StrEnum):
    START = "start"
    """Where a new booking of a pipeline service begins."""
    CONFIRMATION = "confirmation"
    """Entering it confirms the booking and sends the confirmation."""
    CANCELLATION = "cancellation"
    """Entering it needs a reason, frees the seat and sends the rejection."""
    NONE = "none"


@dataclass(frozen=True)
class PipelineStatus:
    business_id: str
    status_id: str
    name: str
    position: int
    colour: str
    kind: StepKind
    description: str | None = None


def in_order(statuses: Sequence[PipelineStatus]) -> list[PipelineStatus]:
    return sorted(statuses, key=lambda status: (status.position, status.name))


def start_of(statuses: Sequence[PipelineStatus]) -> PipelineStatus | None:
    """The first start step; without one, the first step of all."""
    ordered = in_order(statuses)
    starts = [status for status in ordered if status.kind is StepKind.START]
    candidates = starts or ordered
    return candidates[0] if candidates else None


def action_on_entering(kind: StepKind, current: BookingStatus) -> Action | None:
    """The lifecycle change entering a step of `kind` makes, if any."""
    if kind is StepKind.CONFIRMATION and current is BookingStatus.PENDING:
        return Action.CONFIRM
    if kind is StepKind.CANCELLATION:
        return Action.REJECT if current is BookingStatus.PENDING else Action.CANCEL
    return None
