"""A slot's seats: taken, held for the waiting list, and who holds them.

The rules of a freed seat (held for the list or back on sale) are the domain's
(`chalicelib.domain.seats`): the booking that gives up its seat carries the decision in
`seat_after_release`, and the repository applies it. Every write that gives a customer a
seat is refused (SeatChanged) when that customer already holds one of the slot."""

from __future__ import annotations

from typing import Protocol

from chalicelib.domain.model import Booking, Contact
from chalicelib.domain.refusals import Refused, SeatChanged


class SeatsRepository(Protocol):
    def take_free(self, business_id: str, slot_id: str, contact: Contact) -> None:
        """Stage: take a seat on sale. Refused (SeatChanged) when the slot is gone or
        full, or the customer holds a seat of it."""
        ...

    def take_held(self, business_id: str, slot_id: str, contact: Contact) -> None:
        """Stage: turn a seat held for the waiting list into this customer's. Refused
        (SeatChanged) when no seat is held any more, or the customer holds one."""
        ...

    def give_up(
        self, after: Booking, *, list_open: bool, refusal: type[Refused] = SeatChanged
    ) -> None:
        """Stage: the seat `after` (a booking that no longer holds one) gave up, as its
        `seat_after_release` says: held for the waiting list, with the hold's record and
        deadline written by the same commit; or back on sale. With `list_open` (nobody
        waited when it was decided), putting it back on sale is refused when someone
        joined the list meanwhile."""
        ...

    def release_held(self, business_id: str, slot_id: str) -> None:
        """Stage: no one takes the held seat; it goes back on sale. Refused (SeatChanged)
        when no seat is held."""
        ...
