"""Why a write was refused: each a condition that no longer held when the write arrived.

The DynamoDB adapter turns a cancelled transaction into one of these where it commits it,
so a use case reads what happened, never which of a transaction's items failed."""

from __future__ import annotations

from collections.abc import Sequence

from chalicelib.domain.errors import Conflict


class Refused(Conflict):
    """A write whose condition no longer held; nothing of it was written."""


class AlreadyDecided(Refused):
    """The seat's refill (or this round of it) was decided by another delivery first."""


class SeatChanged(Refused):
    """The seat is no longer as read: full, no longer held, or its customer now holds one."""


class EntryNoLongerWaiting(Refused):
    """The place on the list was taken up, left or closed meanwhile."""


class BookingChanged(Refused):
    """The booking changed since it was read."""


class AlreadyOnList(Refused):
    """The customer already has an open place on this list."""


class OpenListLimit(Refused):
    """The customer is on as many lists as the business allows."""


class DailyOfferLimit(Refused):
    """These entries' customers have had as many offers today as the business allows."""

    def __init__(self, entry_ids: Sequence[str]) -> None:
        super().__init__(f"daily offer limit reached for {', '.join(sorted(entry_ids))}")
        self.entry_ids = tuple(entry_ids)


class WriteRejected(Refused):
    """The database rejected the write as malformed: trying again cannot help."""
