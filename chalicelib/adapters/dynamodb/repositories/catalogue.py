"""The business's profile, services, slots and pipeline statuses, in the catalogue table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.update import Action

from chalicelib.adapters.dynamodb import keys, mapping
from chalicelib.adapters.dynamodb.connection import SharedConnection, business_of
from chalicelib.adapters.dynamodb.keys import business_key
from chalicelib.adapters.dynamodb.models import (
    BusinessItem,
    CatalogueItem,
    PipelineStatusItem,
    ServiceItem,
    SlotItem,
    WindowCountItem,
    profile_at,
)
from chalicelib.adapters.dynamodb.repositories.items import is_new, slot_keys
from chalicelib.adapters.dynamodb.writes import PendingWrites
from chalicelib.domain.model import Business, Service, Slot
from chalicelib.domain.pipeline import PipelineStatus
from chalicelib.domain.refusals import AlreadyExists, ProfileChanged, SeatChanged
from chalicelib.domain.seats import SeatRelease, holds_of
from chalicelib.ports.catalogue import SlotPage, slot_cursor, start_key


class DynamoCatalogueRepository:
    def __init__(self, db: SharedConnection, writes: PendingWrites) -> None:
        self._db = db
        self._writes = writes

    # --- reads ---------------------------------------------------------------------------

    def get_business(self, business_id: str) -> Business | None:
        pk = business_key(business_id)
        found = self._db.batch_get(
            [
                (CatalogueItem, pk, BusinessItem.SORT_KEY),
                (CatalogueItem, pk, WindowCountItem.SORT_KEY),
            ]
        )
        return business_of(found, pk)

    def get_businesses(self, business_ids: set[str]) -> dict[str, Business]:
        """Several businesses' profiles in one read."""
        found = self._db.batch_get(
            [
                (CatalogueItem, business_key(business_id), BusinessItem.SORT_KEY)
                for business_id in sorted(business_ids)
            ]
        )
        businesses = [
            mapping.business_from_item(i) for i in found.values() if isinstance(i, BusinessItem)
        ]
        return {business.business_id: business for business in businesses}

    def list_services(self, business_id: str) -> list[Service]:
        items = CatalogueItem.query(
            business_key(business_id), CatalogueItem.sk.startswith(keys.service_key(""))
        )
        return [mapping.service_from_item(item) for item in items if isinstance(item, ServiceItem)]

    def get_services(self, business_id: str, service_ids: set[str]) -> dict[str, Service]:
        found = self._db.batch_get(
            [
                (CatalogueItem, business_key(business_id), keys.service_key(service_id))
                for service_id in sorted(service_ids)
            ]
        )
        services = [
            mapping.service_from_item(i) for i in found.values() if isinstance(i, ServiceItem)
        ]
        return {service.service_id: service for service in services}

    def get_service_and_business(
        self, business_id: str, service_id: str
    ) -> tuple[Service | None, Business | None]:
        service, business = self._with_business(business_id, keys.service_key(service_id))
        return (
            mapping.service_from_item(service) if isinstance(service, ServiceItem) else None,
            business,
        )

    def slots_between(
        self,
        business_id: str,
        starts_from: datetime,
        starts_before: datetime,
        *,
        limit: int,
        after: str | None = None,
    ) -> SlotPage:
        partition = keys.slots_key(business_id)
        # Every sort key is `<start_key>#<slot id>`: a start at `starts_before` sorts above
        # `start_key(starts_before)`, any earlier one below it, so `between` (inclusive)
        # takes exactly [starts_from, starts_before).
        wanted = CatalogueItem.slot_start.between(start_key(starts_from), start_key(starts_before))
        start: dict[str, dict[str, Any]] | None = None
        if after is not None:
            _, _, slot_id = after.partition("#")
            start = {
                "slots_key": {"S": partition},
                "slot_start": {"S": after},
                "pk": {"S": business_key(business_id)},
                "sk": {"S": keys.slot_key(slot_id)},
            }
        # One more than the page: whether a next page exists is known without another call.
        items = CatalogueItem.slots_by_start.query(
            partition, wanted, limit=limit + 1, last_evaluated_key=start
        )
        found = [mapping.slot_from_item(item) for item in items if isinstance(item, SlotItem)]
        page = found[:limit]
        return SlotPage(page, slot_cursor(page[-1]) if len(found) > limit else None)

    def get_slot(self, business_id: str, slot_id: str) -> Slot | None:
        try:
            item = SlotItem.get(business_key(business_id), keys.slot_key(slot_id))
        except DoesNotExist:
            return None
        return mapping.slot_from_item(item)

    def get_slot_and_business(
        self, business_id: str, slot_id: str
    ) -> tuple[Slot | None, Business | None]:
        slot_item, business = self._with_business(business_id, keys.slot_key(slot_id))
        return (
            mapping.slot_from_item(slot_item) if isinstance(slot_item, SlotItem) else None,
            business,
        )

    def get_pipeline_status(self, business_id: str, status_id: str) -> PipelineStatus | None:
        try:
            item = PipelineStatusItem.get(
                business_key(business_id), keys.pipeline_status_key(status_id)
            )
        except DoesNotExist:
            return None
        return mapping.pipeline_status_from_item(item)

    def list_pipeline_statuses(self, business_id: str) -> list[PipelineStatus]:
        items = CatalogueItem.query(
            business_key(business_id), CatalogueItem.sk.startswith(keys.pipeline_status_key(""))
        )
        return [
            mapping.pipeline_status_from_item(item)
            for item in items
            if isinstance(item, PipelineStatusItem)
        ]

    def _with_business(self, business_id: str, sort_key: str) -> tuple[Any, Business | None]:
        """One catalogue item with its business, in one read."""
        pk = business_key(business_id)
        found = self._db.batch_get(
            [
                (CatalogueItem, pk, sort_key),
                (CatalogueItem, pk, BusinessItem.SORT_KEY),
                (CatalogueItem, pk, WindowCountItem.SORT_KEY),
            ]
        )
        return found.get((pk, sort_key)), business_of(found, pk)

    # --- staged writes -------------------------------------------------------------------

    def save_business(self, business: Business) -> None:
        item = mapping.business_to_item(business)
        item.revision = business.revision + 1
        self._writes.put(
            item,
            profile_at(business.revision),
            ProfileChanged("the business's profile changed meanwhile"),
        )

    def add_service(self, service: Service) -> None:
        self._writes.put(
            mapping.service_to_item(service),
            is_new(),
            AlreadyExists(f"a service {service.service_id} exists already"),
        )

    def add_slot(self, slot: Slot) -> None:
        self._writes.put(
            mapping.slot_to_item(slot),
            is_new(),
            AlreadyExists(f"a slot {slot.slot_id} exists already"),
        )

    def save_pipeline_status(self, status: PipelineStatus) -> None:
        self._writes.put(mapping.pipeline_status_to_item(status))

    def set_pipeline_start(self, business: Business, start: PipelineStatus | None) -> None:
        self._writes.update(
            BusinessItem(business_key(business.business_id), BusinessItem.SORT_KEY),
            [
                BusinessItem.pipeline_start_id.set(start.status_id)
                if start
                else BusinessItem.pipeline_start_id.remove(),
                BusinessItem.pipeline_start_name.set(start.name)
                if start
                else BusinessItem.pipeline_start_name.remove(),
                BusinessItem.revision.add(1),
            ],
            BusinessItem.pk.exists(),
            ProfileChanged("the business is gone"),
        )

    def change_slot(
        self, before: Slot, after: Slot, release: SeatRelease | None, at: datetime
    ) -> None:
        held = release.count if release else 0
        actions: list[Action] = [
            SlotItem.capacity.set(after.capacity),
            SlotItem.staff.set(after.staff) if after.staff else SlotItem.staff.remove(),
            SlotItem.location.set(after.location) if after.location else SlotItem.location.remove(),
        ]
        if held:
            actions += [SlotItem.taken.add(held), SlotItem.held.add(held)]
        changed = SeatChanged("the slot changed meanwhile")
        self._writes.update(
            slot_keys(before.business_id, before.slot_id),
            actions,
            SlotItem.pk.exists()
            & (SlotItem.capacity == before.capacity)
            & (SlotItem.taken == before.taken)
            & (SlotItem.waiting == before.waiting),
            changed,
        )
        if release is not None:
            self._writes.put(mapping.seat_release_to_item(release, at), is_new(), changed)
            for hold in holds_of(release, at):
                self._writes.put(mapping.hold_item(hold))
