"""Places on waiting lists, with the counts that go with them: the slot's list length,
the business's open windows, the customer's open places and their one place per list."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.update import Action

from chalicelib.adapters.dynamodb import keys, mapping
from chalicelib.adapters.dynamodb.connection import SharedConnection, past_deadline
from chalicelib.adapters.dynamodb.keys import business_key, service_partition, slot_partition
from chalicelib.adapters.dynamodb.models import (
    BookingsItem,
    BusinessItem,
    CatalogueItem,
    CustomerItem,
    ListMemberItem,
    SlotItem,
    WaitingEntryItem,
)
from chalicelib.adapters.dynamodb.repositories.items import (
    count_windows,
    customer_keys,
    entry_keys,
    holds_no_seat,
    is_new,
    member_keys,
    offered_entry_keys,
    slot_keys,
)
from chalicelib.adapters.dynamodb.writes import PendingWrites
from chalicelib.domain.allocation import queue_position, sign_up_order
from chalicelib.domain.model import (
    Booking,
    Business,
    Contact,
    EntryStatus,
    SlotSummary,
    WaitingEntry,
    customer_key,
    list_key,
)
from chalicelib.domain.offers import Offer
from chalicelib.domain.refusals import (
    AlreadyOnList,
    EntryNoLongerWaiting,
    OpenListLimit,
    SeatChanged,
)


class DynamoWaitingListRepository:
    def __init__(self, db: SharedConnection, writes: PendingWrites) -> None:
        self._db = db
        self._writes = writes

    # --- reads ---------------------------------------------------------------------------

    def get_entry(self, business_id: str, slot_id: str, entry_id: str) -> WaitingEntry | None:
        return self._entry_in(slot_partition(business_id, slot_id), entry_id)

    def get_window_entry(
        self, business_id: str, service_id: str, entry_id: str
    ) -> WaitingEntry | None:
        return self._entry_in(service_partition(business_id, service_id), entry_id)

    def get_entry_and_business(
        self, business_id: str, slot_id: str, entry_id: str
    ) -> tuple[WaitingEntry | None, Business | None]:
        pk = business_key(business_id)
        entry_pk, entry_sk = slot_partition(business_id, slot_id), keys.entry_key(entry_id)
        found = self._db.batch_get(
            [(BookingsItem, entry_pk, entry_sk), (CatalogueItem, pk, BusinessItem.SORT_KEY)]
        )
        entry_item = found.get((entry_pk, entry_sk))
        business_item = found.get((pk, BusinessItem.SORT_KEY))
        return (
            mapping.entry_from_item(entry_item)
            if isinstance(entry_item, WaitingEntryItem)
            else None,
            mapping.business_from_item(business_item)
            if isinstance(business_item, BusinessItem)
            else None,
        )

    def position_of(self, entry: WaitingEntry) -> int:
        """Counts only the entries ahead, through the queue index."""
        ahead = BookingsItem.queue.count(
            keys.entry_partition(entry),
            BookingsItem.queue_position < queue_position(entry.signed_up_at, entry.entry_id),
            consistent_read=True,
        )
        return ahead + 1

    def open_place(self, business_id: str, on_list: str, contact: Contact) -> WaitingEntry | None:
        place = member_keys(business_id, on_list, contact)
        try:
            member = ListMemberItem.get(place.pk, place.sk, consistent_read=True)
        except DoesNotExist:
            return None
        if not isinstance(member, ListMemberItem):
            return None
        return self._entry_in(member.entry_partition, member.entry_id)

    def waiting_candidates(self, business_id: str, slot_id: str, limit: int) -> list[WaitingEntry]:
        """One Query, however long the list."""
        items = BookingsItem.queue.query(
            slot_partition(business_id, slot_id), consistent_read=True, limit=limit
        )
        return [mapping.entry_from_item(i) for i in items if isinstance(i, WaitingEntryItem)]

    def waiting_in_windows(
        self, business_id: str, service_id: str, limit: int
    ) -> list[WaitingEntry]:
        """One Query of the queue index, which holds only entries still waiting."""
        items = BookingsItem.queue.query(
            service_partition(business_id, service_id), consistent_read=True, limit=limit
        )
        return [mapping.entry_from_item(i) for i in items if isinstance(i, WaitingEntryItem)]

    def window_candidates(
        self, business_id: str, slot: SlotSummary, limit: int
    ) -> list[WaitingEntry]:
        """One Query on the service's list, filtered on the window, staff and location."""
        if slot.service_id is None:
            return []
        fits = (
            (WaitingEntryItem.window_from <= slot.starts_at)
            & (WaitingEntryItem.window_to >= slot.ends_at)
            & (
                WaitingEntryItem.window_staff.does_not_exist()
                | (WaitingEntryItem.window_staff == (slot.staff or ""))
            )
            & (
                WaitingEntryItem.window_location.does_not_exist()
                | (WaitingEntryItem.window_location == (slot.location or ""))
            )
        )
        items = BookingsItem.queue.query(
            service_partition(business_id, slot.service_id),
            filter_condition=fits,
            consistent_read=True,
            limit=limit,
        )
        return [mapping.entry_from_item(i) for i in items if isinstance(i, WaitingEntryItem)]

    def ended_windows(self, now: datetime, limit: int) -> list[WaitingEntry]:
        items = past_deadline(keys.OPEN_WINDOWS, now, limit)
        return [mapping.entry_from_item(i) for i in items if isinstance(i, WaitingEntryItem)]

    def list_entries(self, business_id: str, slot_id: str) -> list[WaitingEntry]:
        items = BookingsItem.query(
            slot_partition(business_id, slot_id), BookingsItem.sk.startswith(keys.entry_key(""))
        )
        return sign_up_order(
            [mapping.entry_from_item(i) for i in items if isinstance(i, WaitingEntryItem)]
        )

    def list_window_entries(self, business_id: str, service_id: str) -> list[WaitingEntry]:
        items = BookingsItem.query(
            service_partition(business_id, service_id),
            BookingsItem.sk.startswith(keys.entry_key("")),
        )
        return sign_up_order(
            [mapping.entry_from_item(i) for i in items if isinstance(i, WaitingEntryItem)]
        )

    def _entry_in(self, partition: str, entry_id: str) -> WaitingEntry | None:
        try:
            item = WaitingEntryItem.get(partition, keys.entry_key(entry_id))
        except DoesNotExist:
            return None
        return mapping.entry_from_item(item)

    # --- staged writes -------------------------------------------------------------------

    def add(self, entry: WaitingEntry, *, seen_waiting: int | None, max_open_entries: int) -> None:
        if entry.window is None:
            assert seen_waiting is not None, "a slot's list is joined as long as it was read"
            self._writes.update(
                slot_keys(entry.business_id, entry.slot_id),
                [SlotItem.waiting.add(1)],
                SlotItem.pk.exists()
                & (SlotItem.taken >= SlotItem.capacity)
                & (SlotItem.waiting == seen_waiting)
                & holds_no_seat(entry.contact),
                SeatChanged("the slot is no longer full as read, or the customer holds a seat"),
            )
        limited = max_open_entries > 0
        self._writes.update(
            customer_keys(entry.business_id, customer_key(entry.contact)),
            [CustomerItem.open_entries.add(1), CustomerItem.business_id.set(entry.business_id)],
            CustomerItem.open_entries.does_not_exist()
            | (CustomerItem.open_entries < max_open_entries)
            if limited
            else None,
            OpenListLimit(f"at most {max_open_entries} open places") if limited else None,
        )
        on_list = list_key(entry)
        if on_list is not None:
            place = member_keys(entry.business_id, on_list, entry.contact)
            self._writes.put(
                ListMemberItem(
                    place.pk,
                    place.sk,
                    business_id=entry.business_id,
                    entry_id=entry.entry_id,
                    entry_partition=keys.entry_partition(entry),
                ),
                is_new(),
                AlreadyOnList("the customer has an open place on this list"),
            )
        if entry.window is not None:
            count_windows(self._writes, entry.business_id, 1)
        self._writes.put(
            mapping.entry_to_item(entry, queue_position(entry.signed_up_at, entry.entry_id)),
            is_new(),
            AlreadyOnList("this place exists already"),
        )

    def booked(self, entry: WaitingEntry, booking: Booking) -> None:
        if entry.window is None:
            # A slot counts only its own entries; window entries are counted per business.
            self._one_fewer_waiting(entry.business_id, entry.slot_id)
        self._writes.update(
            entry_keys(entry),
            [
                WaitingEntryItem.status.set(EntryStatus.BOOKED.value),
                WaitingEntryItem.booking_id.set(booking.booking_id),
                WaitingEntryItem.slot_id.set(booking.slot_id),
                WaitingEntryItem.updated_at.set(booking.updated_at or booking.created_at),
                WaitingEntryItem.queue_position.remove(),
                *_off_the_deadlines(),
            ],
            WaitingEntryItem.status == EntryStatus.WAITING.value,
            EntryNoLongerWaiting("the place is no longer waiting"),
        )
        if entry.window is not None:
            count_windows(self._writes, entry.business_id, -1)
        self._closed(entry.business_id, entry.contact, list_key(entry))

    def left(self, entry: WaitingEntry, now: datetime, status: EntryStatus) -> None:
        self._writes.update(
            entry_keys(entry),
            [
                WaitingEntryItem.status.set(status.value),
                WaitingEntryItem.updated_at.set(now),
                WaitingEntryItem.queue_position.remove(),
                *_off_the_deadlines(),
            ],
            WaitingEntryItem.status == EntryStatus.WAITING.value,
            EntryNoLongerWaiting("this place on the waiting list is no longer waiting"),
        )
        if entry.window is None:
            self._writes.update(
                slot_keys(entry.business_id, entry.slot_id),
                [SlotItem.waiting.add(-1)],
                SlotItem.pk.exists(),
                SeatChanged("the slot is gone"),
            )
        else:
            count_windows(self._writes, entry.business_id, -1)
        self._closed(entry.business_id, entry.contact, list_key(entry))

    def offered(self, offer: Offer) -> None:
        self._writes.update(
            offered_entry_keys(offer),
            [
                WaitingEntryItem.status.set(EntryStatus.OFFERED.value),
                WaitingEntryItem.queue_position.remove(),
            ],
            WaitingEntryItem.status == EntryStatus.WAITING.value,
            EntryNoLongerWaiting("the place is no longer waiting"),
        )

    def returned(self, offer: Offer) -> None:
        self._writes.update(
            offered_entry_keys(offer),
            [
                WaitingEntryItem.status.set(EntryStatus.WAITING.value),
                WaitingEntryItem.queue_position.set(
                    queue_position(offer.signed_up_at, offer.entry_id)
                ),
            ],
            WaitingEntryItem.status == EntryStatus.OFFERED.value,
            EntryNoLongerWaiting("the place is no longer offered"),
        )

    def accepted(self, offer: Offer, booking: Booking, now: datetime) -> None:
        if offer.window_service_id:
            count_windows(self._writes, offer.business_id, -1)
        else:
            self._one_fewer_waiting(offer.business_id, offer.slot_id)
        self._writes.update(
            offered_entry_keys(offer),
            [
                WaitingEntryItem.status.set(EntryStatus.BOOKED.value),
                WaitingEntryItem.booking_id.set(booking.booking_id),
                WaitingEntryItem.updated_at.set(now),
                *_off_the_deadlines(),
            ],
            WaitingEntryItem.status == EntryStatus.OFFERED.value,
            EntryNoLongerWaiting("the place is no longer offered"),
        )
        self._closed(offer.business_id, offer.contact, offer.list_key)

    def _one_fewer_waiting(self, business_id: str, slot_id: str) -> None:
        """Merges into the seat's write of the same slot (a seat taken from the list)."""
        self._writes.update(slot_keys(business_id, slot_id), [SlotItem.waiting.add(-1)])

    def _closed(self, business_id: str, contact: Contact, on_list: str | None) -> None:
        """One fewer list the customer is on, and their place on this one is free again."""
        self._writes.update(
            customer_keys(business_id, customer_key(contact)),
            [CustomerItem.open_entries.add(-1)],
        )
        if on_list is not None:
            self._writes.delete(member_keys(business_id, on_list, contact))


def _off_the_deadlines() -> list[Action]:
    """A closed entry leaves the index of open windows (a no-op for a slot's entry)."""
    return [WaitingEntryItem.open_partition.remove(), WaitingEntryItem.open_until.remove()]
