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


class AlreadyExists(Refused):
    """Something of that id exists already."""


class ProfileChanged(Refused):
    """The business's profile changed since it was read."""


class AlreadyQueued(Refused):
    """A message for that cause is queued already."""


class MessageSettled(Refused):
    """The message went out, failed or had another attempt recorded meanwhile."""


class RetryableConflict(Conflict):
    """A concurrent write on the same items got there first; read again and retry."""


PRECEDENCE: tuple[type[Refused], ...] = (
    DailyOfferLimit,
    AlreadyDecided,
    AlreadyOnList,
    AlreadyQueued,
    MessageSettled,
    ProfileChanged,
    EntryNoLongerWaiting,
    BookingChanged,
    SeatChanged,
    OpenListLimit,
    AlreadyExists,
    WriteRejected,
)
"""When several conditions of one commit fail, the refusal told is the first of these:
what was decided elsewhere before what changed under it, and a customer's own place before
the seat's count."""


def refusal_of(failed: Sequence[Refused]) -> Refused:
    """The one refusal a commit tells for its failed conditions (each staged write names
    the refusal its condition means); every entry over the daily offer limit is named."""
    over_limit = [entry for r in failed if isinstance(r, DailyOfferLimit) for entry in r.entry_ids]
    if over_limit:
        return DailyOfferLimit(over_limit)

    def rank(refusal: Refused) -> int:
        kind = type(refusal)
        return PRECEDENCE.index(kind) if kind in PRECEDENCE else len(PRECEDENCE)

    return min(failed, key=rank)
