"""A slot's seat counts and holders, on the slot's catalogue item."""

from __future__ import annotations

from chalicelib.adapters.dynamodb.mapping import hold_item
from chalicelib.adapters.dynamodb.models import SlotItem
from chalicelib.adapters.dynamodb.repositories.items import (
    gives_up_seat,
    holds_no_seat,
    holds_seat,
    slot_keys,
)
from chalicelib.adapters.dynamodb.writes import PendingWrites
from chalicelib.domain.model import Booking, Contact, SeatAfterRelease
from chalicelib.domain.refusals import Refused, SeatChanged
from chalicelib.domain.seats import hold_for


class DynamoSeatsRepository:
    def __init__(self, writes: PendingWrites) -> None:
        self._writes = writes

    def take_free(self, business_id: str, slot_id: str, contact: Contact) -> None:
        self._writes.update(
            slot_keys(business_id, slot_id),
            [SlotItem.taken.add(1), holds_seat(contact)],
            SlotItem.pk.exists() & (SlotItem.taken < SlotItem.capacity) & holds_no_seat(contact),
            SeatChanged("the slot is full, gone, or the customer holds a seat of it"),
        )

    def take_held(self, business_id: str, slot_id: str, contact: Contact) -> None:
        self._writes.update(
            slot_keys(business_id, slot_id),
            [SlotItem.held.add(-1), holds_seat(contact)],
            (SlotItem.held > 0) & holds_no_seat(contact),
            SeatChanged("no seat is held any more, or the customer holds one"),
        )

    def give_up(
        self, after: Booking, *, list_open: bool, refusal: type[Refused] = SeatChanged
    ) -> None:
        slot = slot_keys(after.business_id, after.slot_id)
        gives_up = gives_up_seat(after.contact)
        if after.seat_after_release is SeatAfterRelease.HELD_FOR_WAITING_LIST:
            self._writes.update(
                slot,
                [SlotItem.held.add(1), gives_up],
                SlotItem.pk.exists(),
                refusal("the slot is gone"),
            )
            # The hold carries its cause and a deadline from the same write that makes it.
            self._writes.put(hold_item(hold_for(after, after.updated_at or after.created_at)))
        elif list_open:
            # Nobody waited when we looked: free the seat only if that is still true.
            self._writes.update(
                slot,
                [SlotItem.taken.add(-1), gives_up],
                SlotItem.pk.exists() & (SlotItem.waiting == 0),
                refusal("someone joined the waiting list meanwhile"),
            )
        else:
            self._writes.update(
                slot,
                [SlotItem.taken.add(-1), gives_up],
                SlotItem.pk.exists(),
                refusal("the slot is gone"),
            )

    def release_held(self, business_id: str, slot_id: str) -> None:
        self._writes.update(
            slot_keys(business_id, slot_id),
            [SlotItem.held.add(-1), SlotItem.taken.add(-1)],
            SlotItem.held > 0,
            SeatChanged("no seat is held any more"),
        )
