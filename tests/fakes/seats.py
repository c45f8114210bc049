"""A slot's seats, in memory: its counts and who holds them are one item, the slot's, as in
DynamoDB, so every staged write on them merges into one."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace

from chalicelib.domain.model import Booking, Contact, SeatAfterRelease, Slot, customer_key
from chalicelib.domain.refusals import Refused, SeatChanged
from chalicelib.domain.seats import hold_for
from tests.fakes.state import InMemoryState, StagedWrites, refused


def seat_for(contact: Contact) -> Callable[[Slot], Slot]:
    key = customer_key(contact)
    return lambda slot: replace(slot, holders=slot.holders | {key})


class InMemorySeats:
    def __init__(self, state: InMemoryState, writes: StagedWrites) -> None:
        self._state = state
        self._writes = writes

    def take_free(self, business_id: str, slot_id: str, contact: Contact) -> None:
        key = customer_key(contact)

        def free(slot: Slot | None) -> bool:
            return slot is not None and slot.taken < slot.capacity and key not in slot.holders

        self._writes.update(
            "slots",
            (business_id, slot_id),
            lambda slot: seat_for(contact)(replace(slot, taken=slot.taken + 1)),
            free,
            refused(SeatChanged, "the slot is gone or full, or the customer holds a seat"),
            paths=("taken", "holders"),
        )

    def take_held(self, business_id: str, slot_id: str, contact: Contact) -> None:
        key = customer_key(contact)

        def held(slot: Slot | None) -> bool:
            return slot is not None and slot.held > 0 and key not in slot.holders

        self._writes.update(
            "slots",
            (business_id, slot_id),
            lambda slot: seat_for(contact)(replace(slot, held=slot.held - 1)),
            held,
            refused(SeatChanged, "no seat is held any more, or the customer holds one"),
            paths=("held", "holders"),
        )

    def give_up(
        self, after: Booking, *, list_open: bool, refusal: type[Refused] = SeatChanged
    ) -> None:
        key = customer_key(after.contact)
        slot_key = (after.business_id, after.slot_id)
        if after.seat_after_release is SeatAfterRelease.HELD_FOR_WAITING_LIST:
            self._writes.update(
                "slots",
                slot_key,
                lambda slot: replace(slot, held=slot.held + 1, holders=slot.holders - {key}),
                lambda slot: slot is not None,
                refused(refusal, "the slot is gone"),
                paths=("held", "holders"),
            )
            # The hold carries its cause and deadline from the write that makes it.
            hold = hold_for(after, after.updated_at or after.created_at)
            self._writes.put("refills", (hold.business_id, hold.slot_id, hold.cause), hold)
            return

        def on_sale(slot: Slot) -> Slot:
            return replace(slot, taken=slot.taken - 1, holders=slot.holders - {key})

        if list_open:
            # Nobody waited when it was decided: back on sale only if that is still true.
            self._writes.update(
                "slots",
                slot_key,
                on_sale,
                lambda slot: slot is not None and slot.waiting == 0,
                refused(refusal, "someone joined the list meanwhile"),
                paths=("taken", "holders"),
            )
        else:
            self._writes.update(
                "slots",
                slot_key,
                on_sale,
                lambda slot: slot is not None,
                refused(refusal, "the slot is gone"),
                paths=("taken", "holders"),
            )

    def release_held(self, business_id: str, slot_id: str) -> None:
        self._writes.update(
            "slots",
            (business_id, slot_id),
            lambda slot: replace(slot, held=slot.held - 1, taken=slot.taken - 1),
            lambda slot: slot is not None and slot.held > 0,
            refused(SeatChanged, "no seat is held"),
            paths=("held", "taken"),
        )
