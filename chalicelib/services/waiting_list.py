"""Use cases of the waiting list: join a full slot's list, see one's place, leave."""

from __future__ import annotations

from chalicelib.adapters.dynamodb.store import (
    DynamoStore,
    RetryableConflict,
    TransactionCancelled,
)
from chalicelib.adapters.observability import logger
from chalicelib.domain.errors import Conflict, MissingSetup, NotFound, SlotHasFreeSeats
from chalicelib.domain.model import Contact, EntryStatus, RefillDecision, WaitingEntry
from chalicelib.services.bookings import MAX_ATTEMPTS
from chalicelib.services.catalogue import slot_and_business
from chalicelib.services.ids import new_id
from chalicelib.services.links import Links
from chalicelib.services.ports import Clock
from chalicelib.services.waiting_list_messages import joined_messages, left_messages


class WaitingListClosed(MissingSetup):
    pass


class TooManyEntries(Conflict):
    pass


class WaitingList:
    def __init__(self, store: DynamoStore, clock: Clock, links: Links) -> None:
        self._store = store
        self._clock = clock
        self._links = links

    def join(self, business_id: str, slot_id: str, contact: Contact) -> tuple[WaitingEntry, int]:
        """Join a full slot's waiting list; returns the entry and its exact position."""
        for _ in range(MAX_ATTEMPTS):
            slot, business = slot_and_business(self._store, business_id, slot_id)
            if not business.waiting_list_open:
                raise WaitingListClosed("this business does not keep a waiting list")
            if not slot.is_full:
                raise SlotHasFreeSeats("the slot has a free seat: book it instead")
            entry = WaitingEntry(
                business_id=business_id,
                slot_id=slot_id,
                entry_id=new_id(),
                status=EntryStatus.WAITING,
                contact=contact,
                slot=slot.summary(business),
                signed_up_at=self._clock.now(),
            )
            try:
                self._store.join(
                    entry,
                    seen_waiting=slot.waiting,
                    max_open_entries=business.max_open_entries,
                    messages=joined_messages(entry, slot.waiting + 1, self._links, business),
                )
            except TransactionCancelled as error:
                if "limit" in error.failed:
                    raise TooManyEntries(
                        f"you are already on {business.max_open_entries} waiting lists here, "
                        "the most this business allows: leave one to join another"
                    ) from error
                continue
            except RetryableConflict:
                # The slot changed since we read it (a seat freed, someone else joined):
                # read again so the answer and the position are right.
                continue
            logger.info("joined the waiting list", extra=_ids(entry))
            return entry, slot.waiting + 1
        raise RetryableConflict("the waiting list is busy; try again")

    def view(
        self, business_id: str, slot_id: str, entry_id: str
    ) -> tuple[WaitingEntry, int | None]:
        """The entry, and its position while it still waits."""
        entry = self._entry(business_id, slot_id, entry_id)
        if entry.status is not EntryStatus.WAITING:
            return entry, None
        return entry, self._store.position_of(entry)

    def leave(self, business_id: str, slot_id: str, entry_id: str) -> WaitingEntry:
        """Leave the list; the customer is told, in the same write."""
        entry, business = self._store.get_entry_and_business(business_id, slot_id, entry_id)
        if entry is None:
            raise NotFound("no such place on the waiting list")
        now = self._clock.now()
        messages = left_messages(entry, business, now) if business else []
        left = self._store.leave(entry, now, messages)
        logger.info("left the waiting list", extra=_ids(left))
        return left

    def allocations(self, business_id: str, slot_id: str) -> list[RefillDecision]:
        """The refill's decisions for the slot, newest first: who got each freed seat, who
        was passed over and why, or why the seat went back on sale."""
        if self._store.get_slot(business_id, slot_id) is None:
            raise NotFound(f"no slot {slot_id!r}")
        return self._store.refills(business_id, slot_id)

    def list_for_slot(self, business_id: str, slot_id: str) -> list[WaitingEntry]:
        if self._store.get_slot(business_id, slot_id) is None:
            raise NotFound(f"no slot {slot_id!r}")
        return self._store.list_entries(business_id, slot_id)

    def _entry(self, business_id: str, slot_id: str, entry_id: str) -> WaitingEntry:
        entry = self._store.get_entry(business_id, slot_id, entry_id)
        if entry is None:
            raise NotFound("no such place on the waiting list")
        return entry


def _ids(entry: WaitingEntry) -> dict[str, str]:
    return {"business_id": entry.business_id, "slot_id": entry.slot_id, "entry_id": entry.entry_id}
