"""Use cases of a business's catalogue: its profile, services and slots."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

from chalicelib.adapters.observability import logger
from chalicelib.domain.errors import InvalidRequest, MissingSetup, NotFound, SlotFull
from chalicelib.domain.listing import SlotRange
from chalicelib.domain.model import Business, Service, Slot, WaitingListMode
from chalicelib.domain.pipeline import PipelineStatus, StepKind, in_order, start_of
from chalicelib.domain.refusals import ProfileChanged, RetryableConflict, SeatChanged
from chalicelib.domain.seats import SeatRelease, seats_to_hold
from chalicelib.domain.time_rules import has_started, to_utc
from chalicelib.ports.catalogue import (
    SERVICES_PER_WRITE,
    SLOTS_PER_WRITE,
    STATUSES_PER_WRITE,
    CatalogueRepository,
    SlotPage,
    cursor_start,
)
from chalicelib.ports.runtime import Clock
from chalicelib.ports.unit_of_work import UnitOfWorkFactory
from chalicelib.services.ids import new_id
from chalicelib.services.retry import retry

SLOTS_PER_PAGE = 200


class _Unchanged:
    """Marks a field the request left out, as opposed to one it cleared."""


UNCHANGED: Any = _Unchanged()


@dataclass(frozen=True)
class SlotChanges:
    capacity: int | None = None
    staff: str | None = UNCHANGED
    location: str | None = UNCHANGED


@dataclass(frozen=True)
class NewPipelineStatus:
    name: str
    position: int
    colour: str
    kind: StepKind
    description: str | None = None

    def as_status(self, business_id: str, status_id: str) -> PipelineStatus:
        return PipelineStatus(
            business_id=business_id,
            status_id=status_id,
            name=self.name,
            position=self.position,
            colour=self.colour,
            kind=self.kind,
            description=self.description,
        )


@dataclass(frozen=True)
class NewService:
    name: str
    duration_minutes: int
    requires_confirmation: bool = False
    uses_status_pipeline: bool = False
    waiting_list_mode: WaitingListMode | None = None


@dataclass(frozen=True)
class NewSlot:
    service_id: str
    starts_at: datetime
    """Without an offset, a wall-clock time at the business."""
    capacity: int
    ends_at: datetime | None = None
    staff: str | None = None
    location: str | None = None


class Catalogue:
    def __init__(self, uow: UnitOfWorkFactory, clock: Clock) -> None:
        self._uow = uow
        self._clock = clock

    def set_up_business(self, business: Business) -> Business:
        """Create or update the business's profile, keeping what is set elsewhere (the
        pipeline's start, workflows, texts) as it is, even when it changes meanwhile."""

        def attempt() -> Business:
            with self._uow() as uow:
                saved = _profile_to_save(uow.catalogue, business)
                uow.catalogue.save_business(saved)
                uow.commit()
            return replace(saved, revision=saved.revision + 1)

        return retry(
            attempt,
            on=(ProfileChanged, RetryableConflict),
            gave_up="the business's profile kept changing; try again",
        )

    def pipeline(self, business_id: str) -> list[PipelineStatus]:
        """The business's status pipeline, in order."""
        with self._uow() as uow:
            return in_order(uow.catalogue.list_pipeline_statuses(business_id))

    def add_pipeline_statuses(
        self, business_id: str, new: list[NewPipelineStatus]
    ) -> list[PipelineStatus]:
        """Add one or many steps to the pipeline, all or none."""
        _check_batch_size("statuses", new, STATUSES_PER_WRITE)
        added = [item.as_status(business_id, new_id()) for item in new]
        self._save_pipeline(business_id, added)
        return added

    def change_pipeline_status(
        self, business_id: str, status_id: str, changed: NewPipelineStatus
    ) -> PipelineStatus:
        with self._uow() as uow:
            if uow.catalogue.get_pipeline_status(business_id, status_id) is None:
                raise NotFound(f"no status {status_id!r}")
        status = changed.as_status(business_id, status_id)
        self._save_pipeline(business_id, [status])
        return status

    def _save_pipeline(self, business_id: str, changed: list[PipelineStatus]) -> None:
        """The steps, and the business's note of where bookings begin, together."""
        with self._uow() as uow:
            business = _business(uow.catalogue, business_id)
            replaced = {status.status_id for status in changed}
            kept = [
                s
                for s in uow.catalogue.list_pipeline_statuses(business_id)
                if s.status_id not in replaced
            ]
            for status in changed:
                uow.catalogue.save_pipeline_status(status)
            uow.catalogue.set_pipeline_start(business, start_of([*kept, *changed]))
            uow.commit()

    def business(self, business_id: str) -> Business:
        with self._uow() as uow:
            return _business(uow.catalogue, business_id)

    def add_services(self, business_id: str, new: list[NewService]) -> list[Service]:
        """Add one or many services at once: all are written, or none."""
        self.business(business_id)
        _check_batch_size("services", new, SERVICES_PER_WRITE)
        services = [
            Service(
                business_id,
                new_id(),
                item.name,
                item.duration_minutes,
                requires_confirmation=item.requires_confirmation,
                uses_status_pipeline=item.uses_status_pipeline,
                waiting_list_mode=item.waiting_list_mode,
            )
            for item in new
        ]
        with self._uow() as uow:
            for service in services:
                uow.catalogue.add_service(service)
            uow.commit()
        return services

    def list_services(self, business_id: str) -> list[Service]:
        with self._uow() as uow:
            return sorted(uow.catalogue.list_services(business_id), key=lambda s: s.name)

    def add_slots(self, business_id: str, new: list[NewSlot]) -> list[Slot]:
        """Add one or many slots at once: all are written, or none."""
        business = self.business(business_id)
        _check_batch_size("slots", new, SLOTS_PER_WRITE)
        with self._uow() as uow:
            services = uow.catalogue.get_services(business_id, {item.service_id for item in new})
        now = self._clock.now()
        slots = []
        for index, item in enumerate(new):
            service = services.get(item.service_id)
            if service is None:
                raise NotFound(f"slots[{index}].service_id: no service {item.service_id!r}")
            starts_at = to_utc(item.starts_at, business.time_zone)
            if has_started(starts_at, now):
                raise InvalidRequest(f"slots[{index}].starts_at", "must be in the future")
            ends_at = (
                to_utc(item.ends_at, business.time_zone)
                if item.ends_at
                else starts_at + timedelta(minutes=service.duration_minutes)
            )
            if ends_at <= starts_at:
                raise InvalidRequest(f"slots[{index}].ends_at", "must be after starts_at")
            slots.append(
                Slot(
                    business_id=business_id,
                    slot_id=new_id(),
                    service_id=service.service_id,
                    service_name=service.name,
                    starts_at=starts_at,
                    ends_at=ends_at,
                    capacity=item.capacity,
                    staff=item.staff,
                    location=item.location,
                    requires_confirmation=service.requires_confirmation,
                    uses_status_pipeline=service.uses_status_pipeline,
                    waiting_list_mode=service.waiting_list_mode,
                )
            )
        with self._uow() as uow:
            for slot in slots:
                uow.catalogue.add_slot(slot)
            uow.commit()
        return slots

    def change_slot(self, business_id: str, slot_id: str, changes: SlotChanges) -> Slot:
        """Change a slot's capacity, staff member or location. Seats a raise adds go to
        the waiting list first; a capacity below the seats taken is refused."""
        return retry(
            lambda: self._change_slot(business_id, slot_id, changes),
            on=(SeatChanged, RetryableConflict),
            gave_up="the slot kept changing; try again",
        )

    def _change_slot(self, business_id: str, slot_id: str, changes: SlotChanges) -> Slot:
        with self._uow() as uow:
            slot, business = slot_and_business(uow.catalogue, business_id, slot_id)
            after = replace(
                slot,
                capacity=slot.capacity if changes.capacity is None else changes.capacity,
                staff=changes.staff if changes.staff is not UNCHANGED else slot.staff,
                location=changes.location if changes.location is not UNCHANGED else slot.location,
            )
            if after.capacity < slot.taken:
                raise SlotFull(
                    f"capacity: {slot.taken} seats are taken or held; cancel or move bookings first"
                )
            # New staff or a new location may suit customers waiting for a window: the
            # free seats then go to the list first, as added seats do.
            moved_where = (after.staff, after.location) != (slot.staff, slot.location)
            hold = seats_to_hold(
                after.capacity - slot.taken
                if moved_where and business.open_windows
                else after.capacity - slot.capacity,
                slot.waiting + business.open_windows,
                business.list_claims_freed_seats(after.summary(business)),
            )
            release = (
                SeatRelease(business_id, slot_id, new_id(), hold, after.summary(business))
                if hold
                else None
            )
            uow.catalogue.change_slot(slot, after, release, self._clock.now())
            uow.commit()
            logger.info(
                "slot changed",
                extra={
                    "business_id": business_id,
                    "slot_id": slot_id,
                    "held_for_waiting_list": hold,
                },
            )
            return replace(after, taken=slot.taken + hold, held=slot.held + hold)

    def listing(self, business_id: str, wanted: SlotRange, *, started_too: bool) -> SlotPage:
        """A page of the business's slots in the range asked for (read on its calendar),
        continuing after the cursor `after` of an earlier page: for customers only those
        that have not started, for staff (`started_too`) all of them. Two reads (the
        business, then one Query of the range), however many slots it ever had."""
        now = self._clock.now()
        with self._uow() as uow:
            business = uow.catalogue.get_business(business_id)
            if business is None:
                raise NotFound(f"no business {business_id!r}")
            start, end = wanted.resolve(business.time_zone, now)
            if not started_too:
                start = max(start, now)
            page = _page(uow.catalogue, business_id, start, end, SLOTS_PER_PAGE, wanted.after)
        if started_too:
            return page
        return replace(page, slots=[s for s in page.slots if not has_started(s.starts_at, now)])

    def slots_between(
        self,
        business_id: str,
        starts_from: datetime,
        starts_before: datetime,
        *,
        limit: int = SLOTS_PER_PAGE,
        after: str | None = None,
    ) -> SlotPage:
        """A page of the business's slots starting in [starts_from, starts_before), in
        start order, continuing after `after` (the `next` of an earlier page; InvalidRequest
        for text that is not one); NotFound for a business that is not set up."""
        with self._uow() as uow:
            if uow.catalogue.get_business(business_id) is None:
                raise NotFound(f"no business {business_id!r}")
            return _page(uow.catalogue, business_id, starts_from, starts_before, limit, after)

    def slot(self, business_id: str, slot_id: str) -> Slot:
        with self._uow() as uow:
            slot = uow.catalogue.get_slot(business_id, slot_id)
        if slot is None:
            raise NotFound(f"no slot {slot_id!r}")
        return slot


def _page(
    catalogue: CatalogueRepository,
    business_id: str,
    start: datetime,
    end: datetime,
    limit: int,
    after: str | None,
) -> SlotPage:
    """One page of [start, end) after the cursor `after`: a cursor before the range reads
    from its start, one past it finds nothing (a page is never asked to start outside the
    range it reads)."""
    if after is not None:
        cursor_at = cursor_start(after)
        if cursor_at is None:
            raise InvalidRequest("after", "not the `next` of an earlier page")
        if cursor_at >= end:
            return SlotPage([], None)
        if cursor_at < start:
            after = None
    if start >= end:
        return SlotPage([], None)
    return catalogue.slots_between(business_id, start, end, limit=limit, after=after)


def _check_batch_size(field: str, items: Sequence[object], most: int) -> None:
    if not items:
        raise InvalidRequest(field, "give at least 1")
    if len(items) > most:
        raise InvalidRequest(field, f"give at most {most}")


def _profile_to_save(catalogue: CatalogueRepository, business: Business) -> Business:
    """The profile as given, with what is set elsewhere (the pipeline's start, workflows,
    texts) as it is now, and the revision read."""
    existing = catalogue.get_business(business.business_id)
    if existing is None:
        return business
    return replace(
        business,
        pipeline_start_id=existing.pipeline_start_id,
        pipeline_start_name=existing.pipeline_start_name,
        workflows=existing.workflows,
        custom_templates=existing.custom_templates,
        revision=existing.revision,
    )


def _business(catalogue: CatalogueRepository, business_id: str) -> Business:
    business = catalogue.get_business(business_id)
    if business is None:
        raise MissingSetup("the business has no profile yet: PUT /staff/business first")
    return business


def slot_and_business(
    catalogue: CatalogueRepository, business_id: str, slot_id: str
) -> tuple[Slot, Business]:
    """A slot and its business, read together: what most changes to a slot start from."""
    slot, business = catalogue.get_slot_and_business(business_id, slot_id)
    if business is None:
        raise NotFound(f"no business {business_id!r}")
    if slot is None:
        raise NotFound(f"no slot {slot_id!r}")
    return slot, business
