"""Use cases of a business's catalogue: its profile, services and slots."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from chalicelib.adapters.dynamodb.store import MAX_ITEMS_PER_TRANSACTION, DynamoStore
from chalicelib.domain.errors import InvalidRequest, MissingSetup, NotFound
from chalicelib.domain.model import Business, Service, Slot
from chalicelib.domain.time_rules import to_utc
from chalicelib.services.ids import new_id


@dataclass(frozen=True)
class NewService:
    name: str
    duration_minutes: int
    requires_confirmation: bool = False


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
    def __init__(self, store: DynamoStore) -> None:
        self._store = store

    def set_up_business(self, business: Business) -> Business:
        """Create or update the business's profile."""
        self._store.save_business(business)
        return business

    def business(self, business_id: str) -> Business:
        business = self._store.get_business(business_id)
        if business is None:
            raise MissingSetup("the business has no profile yet: PUT /staff/business first")
        return business

    def add_services(self, business_id: str, new: list[NewService]) -> list[Service]:
        """Add one or many services at once: all are written, or none."""
        self.business(business_id)
        _check_batch_size("services", new)
        services = [
            Service(
                business_id,
                new_id(),
                item.name,
                item.duration_minutes,
                requires_confirmation=item.requires_confirmation,
            )
            for item in new
        ]
        self._store.add_services(services)
        return services

    def list_services(self, business_id: str) -> list[Service]:
        return sorted(self._store.list_services(business_id), key=lambda s: s.name)

    def add_slots(self, business_id: str, new: list[NewSlot]) -> list[Slot]:
        """Add one or many slots at once: all are written, or none."""
        business = self.business(business_id)
        _check_batch_size("slots", new)
        services = self._store.get_services(business_id, {item.service_id for item in new})
        slots = []
        for index, item in enumerate(new):
            service = services.get(item.service_id)
            if service is None:
                raise NotFound(f"slots[{index}].service_id: no service {item.service_id!r}")
            starts_at = to_utc(item.starts_at, business.time_zone)
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
                )
            )
        self._store.add_slots(slots)
        return slots

    def list_slots(self, business_id: str) -> list[Slot]:
        return self._store.list_slots(business_id)

    def slot(self, business_id: str, slot_id: str) -> Slot:
        slot = self._store.get_slot(business_id, slot_id)
        if slot is None:
            raise NotFound(f"no slot {slot_id!r}")
        return slot


def _check_batch_size(field: str, items: list[NewService] | list[NewSlot]) -> None:
    if not items:
        raise InvalidRequest(field, "give at least one")
    if len(items) > MAX_ITEMS_PER_TRANSACTION:
        raise InvalidRequest(field, f"at most {MAX_ITEMS_PER_TRANSACTION} at once")
