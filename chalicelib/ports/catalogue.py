"""The business's profile, services, slots and pipeline statuses."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Protocol

from chalicelib.domain.model import Business, Service, Slot
from chalicelib.domain.pipeline import PipelineStatus
from chalicelib.domain.seats import SeatRelease


@dataclass(frozen=True)
class SlotPage:
    slots: list[Slot]
    next: str | None
    """Where the next page starts (pass it as `after`); None: this was the last."""


def start_key(moment: datetime) -> str:
    """A start time as slots are sorted by it: UTC, ISO 8601, fixed width, so that the
    text sorts as the time does."""
    return moment.astimezone(UTC).replace(tzinfo=None).isoformat(timespec="microseconds") + "Z"


def slot_cursor(slot: Slot) -> str:
    """Where a slot stands in start order, `<start_key>#<slot id>`: the cursor of a page
    that ends with it, and the slot's sort key on the index by start."""
    return f"{start_key(slot.starts_at)}#{slot.slot_id}"


def cursor_start(cursor: str) -> datetime | None:
    """The start time a cursor names; None for text that is not a cursor."""
    moment, separator, slot_id = cursor.partition("#")
    if not separator or not slot_id or not moment.endswith("Z"):
        return None
    try:
        found = datetime.fromisoformat(moment[:-1])
    except ValueError:
        return None
    if found.tzinfo is not None or start_key(found.replace(tzinfo=UTC)) != moment:
        return None
    return found.replace(tzinfo=UTC)


class CatalogueRepository(Protocol):
    # --- reads ---------------------------------------------------------------------------
    def get_business(self, business_id: str) -> Business | None:
        """The profile with its count of open window entries, in one read."""
        ...

    def get_businesses(self, business_ids: set[str]) -> dict[str, Business]: ...

    def list_services(self, business_id: str) -> list[Service]: ...

    def get_services(self, business_id: str, service_ids: set[str]) -> dict[str, Service]: ...

    def get_service_and_business(
        self, business_id: str, service_id: str
    ) -> tuple[Service | None, Business | None]:
        """One read for both."""
        ...

    def slots_between(
        self,
        business_id: str,
        starts_from: datetime,
        starts_before: datetime,
        *,
        limit: int,
        after: str | None = None,
    ) -> SlotPage:
        """The slots starting in [starts_from, starts_before), in start order (then by
        id), at most `limit`, continuing after `after`, the cursor of an earlier page (one
        whose start lies in the range: callers check it with `cursor_start`). One Query
        that reads only that range, however many slots the business had before or has
        after it."""
        ...

    def get_slot(self, business_id: str, slot_id: str) -> Slot | None: ...

    def get_slot_and_business(
        self, business_id: str, slot_id: str
    ) -> tuple[Slot | None, Business | None]:
        """One read for both."""
        ...

    def get_pipeline_status(self, business_id: str, status_id: str) -> PipelineStatus | None: ...

    def list_pipeline_statuses(self, business_id: str) -> list[PipelineStatus]: ...

    # --- staged writes -------------------------------------------------------------------
    def save_business(self, business: Business) -> None:
        """The profile as changed from the one read (`business.revision` is the revision
        read). Refused with ProfileChanged if another change came first."""
        ...

    def add_service(self, service: Service) -> None:
        """A new service; refused with AlreadyExists if its id is taken."""
        ...

    def add_slot(self, slot: Slot) -> None:
        """A new slot; refused with AlreadyExists if its id is taken."""
        ...

    def save_pipeline_status(self, status: PipelineStatus) -> None: ...

    def set_pipeline_start(self, business: Business, start: PipelineStatus | None) -> None:
        """The business's note of where bookings begin on the pipeline (None: nowhere)."""
        ...

    def change_slot(
        self, before: Slot, after: Slot, release: SeatRelease | None, at: datetime
    ) -> None:
        """A slot's capacity, staff or location as changed from `before`, conditioned on
        its counts as read (SeatChanged otherwise). Seats a raise adds are held for the
        waiting list in the same write, each hold with its record, when `release` says so."""
        ...


SERVICES_PER_WRITE = 100
SLOTS_PER_WRITE = 100
STATUSES_PER_WRITE = 99
"""How many of each one request may add: one transaction of at most 100 items (the
statuses share it with the business's note of where the pipeline starts)."""
