"""What a customer is told when what they ask for cannot be, or is there already: one
seat per customer per slot, one place per customer per list, the business's limits."""

from __future__ import annotations

from chalicelib.domain.errors import Conflict, MissingSetup
from chalicelib.domain.model import Booking, WaitingEntry


class AlreadyBooked(Conflict):
    """The customer already holds a seat of this slot: one seat per customer per slot."""

    def __init__(self, booking: Booking) -> None:
        super().__init__("you already have a booking for this time")
        self.booking = booking


class WaitingListClosed(MissingSetup):
    pass


class TooManyEntries(Conflict):
    pass


class AlreadyAsked(Conflict):
    pass


class AlreadyWaiting(Conflict):
    """The customer already has an open place on this list: one place per customer per
    list. Carries that place, so a repeated join answers with it."""

    def __init__(self, entry: WaitingEntry, position: int | None) -> None:
        super().__init__("you are already on this waiting list")
        self.entry = entry
        self.position = position


class HoldsASeat(Conflict):
    pass


def limit_message(limit: int) -> str:
    return (
        f"you are already on {limit} waiting lists here, "
        "the most this business allows: leave one to join another"
    )


def full_message(waiting_list_open: bool) -> str:
    if waiting_list_open:
        return "the slot is full; its waiting list is open: join it to get the next free seat"
    return "the slot is full"
