"""The business's profile, services, slots and pipeline statuses, in memory."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime

from chalicelib.domain.model import Business, Service, Slot
from chalicelib.domain.pipeline import PipelineStatus
from chalicelib.domain.refusals import AlreadyExists, ProfileChanged, SeatChanged
from chalicelib.domain.seats import SeatRelease, holds_of
from chalicelib.ports.catalogue import SlotPage, slot_cursor
from tests.fakes.state import InMemoryState, StagedWrites, exists, is_new, refused


class InMemoryCatalogue:
    def __init__(self, state: InMemoryState, writes: StagedWrites) -> None:
        self._state = state
        self._writes = writes

    # --- reads ---------------------------------------------------------------------------
    def get_business(self, business_id: str) -> Business | None:
        return self._state.business(business_id)

    def get_businesses(self, business_ids: set[str]) -> dict[str, Business]:
        found = (self._state.business(b, with_windows=False) for b in business_ids)
        return {business.business_id: business for business in found if business is not None}

    def list_services(self, business_id: str) -> list[Service]:
        return [
            service
            for (owner, _), service in sorted(self._state.services.items())
            if owner == business_id
        ]

    def get_services(self, business_id: str, service_ids: set[str]) -> dict[str, Service]:
        found = (self._state.services.get((business_id, s)) for s in service_ids)
        return {service.service_id: service for service in found if service is not None}

    def get_service_and_business(
        self, business_id: str, service_id: str
    ) -> tuple[Service | None, Business | None]:
        return self._state.services.get((business_id, service_id)), self.get_business(business_id)

    def _slots_of(self, business_id: str) -> list[Slot]:
        slots = [slot for (owner, _), slot in self._state.slots.items() if owner == business_id]
        return sorted(slots, key=lambda slot: (slot.starts_at, slot.slot_id))

    def slots_between(
        self,
        business_id: str,
        starts_from: datetime,
        starts_before: datetime,
        *,
        limit: int,
        after: str | None = None,
    ) -> SlotPage:
        found = [
            slot
            for slot in self._slots_of(business_id)
            if starts_from <= slot.starts_at < starts_before
            and (after is None or slot_cursor(slot) > after)
        ]
        page = found[:limit]
        return SlotPage(page, slot_cursor(page[-1]) if len(found) > limit else None)

    def get_slot(self, business_id: str, slot_id: str) -> Slot | None:
        return self._state.slots.get((business_id, slot_id))

    def get_slot_and_business(
        self, business_id: str, slot_id: str
    ) -> tuple[Slot | None, Business | None]:
        return self.get_slot(business_id, slot_id), self.get_business(business_id)

    def get_pipeline_status(self, business_id: str, status_id: str) -> PipelineStatus | None:
        return self._state.statuses.get((business_id, status_id))

    def list_pipeline_statuses(self, business_id: str) -> list[PipelineStatus]:
        return [
            status
            for (owner, _), status in sorted(self._state.statuses.items())
            if owner == business_id
        ]

    # --- staged writes -------------------------------------------------------------------
    def save_business(self, business: Business) -> None:
        read = business.revision

        def still_as_read(stored: Business | None) -> bool:
            if read == 0:
                return stored is None or stored.revision == 0
            return stored is not None and stored.revision == read

        self._writes.put(
            "businesses",
            (business.business_id,),
            replace(business, revision=read + 1, open_windows=0),
            still_as_read,
            refused(ProfileChanged, "the business's profile changed meanwhile"),
        )

    def add_service(self, service: Service) -> None:
        self._writes.put(
            "services",
            (service.business_id, service.service_id),
            service,
            is_new,
            refused(AlreadyExists, f"service {service.service_id!r} exists"),
        )

    def add_slot(self, slot: Slot) -> None:
        self._writes.put(
            "slots",
            (slot.business_id, slot.slot_id),
            slot,
            is_new,
            refused(AlreadyExists, f"slot {slot.slot_id!r} exists"),
        )

    def save_pipeline_status(self, status: PipelineStatus) -> None:
        self._writes.put("statuses", (status.business_id, status.status_id), status)

    def set_pipeline_start(self, business: Business, start: PipelineStatus | None) -> None:
        def started(stored: Business) -> Business:
            return replace(
                stored,
                pipeline_start_id=start.status_id if start else None,
                pipeline_start_name=start.name if start else None,
                revision=stored.revision + 1,
            )

        self._writes.update(
            "businesses",
            (business.business_id,),
            started,
            exists,
            refused(ProfileChanged, "the business has no profile"),
            paths=("pipeline_start_id", "pipeline_start_name", "revision"),
        )

    def change_slot(
        self, before: Slot, after: Slot, release: SeatRelease | None, at: datetime
    ) -> None:
        held = release.count if release else 0

        def changed(stored: Slot) -> Slot:
            return replace(
                stored,
                capacity=after.capacity,
                staff=after.staff or None,
                location=after.location or None,
                taken=stored.taken + held,
                held=stored.held + held,
            )

        def as_read(stored: Slot | None) -> bool:
            return (
                stored is not None
                and stored.capacity == before.capacity
                and stored.taken == before.taken
                and stored.waiting == before.waiting
            )

        self._writes.update(
            "slots",
            (before.business_id, before.slot_id),
            changed,
            as_read,
            refused(SeatChanged, "the slot changed meanwhile"),
            paths=("capacity", "staff", "location", "taken", "held"),
        )
        if release is not None:
            self._writes.put(
                "releases",
                (release.business_id, release.slot_id, release.release_id),
                release,
                is_new,
                refused(SeatChanged, "the slot changed meanwhile"),
            )
            for hold in holds_of(release, at):
                self._writes.put("refills", (hold.business_id, hold.slot_id, hold.cause), hold)
