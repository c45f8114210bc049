"""What became of a freed seat's refill: the outcome its record keeps, and what one run of
the refill answers."""

from __future__ import annotations

from enum import StrEnum


class RefillOutcome(StrEnum):
    """Stored as its value in the seat's record, so the strings never change."""

    HELD = "held"
    """The seat is held for the list, awaiting the refill's decision."""
    OFFERING = "offering"
    """Offers are out (or their round closed and the next is due)."""
    BOOKED = "booked"
    MOVED_EARLIER = "moved_earlier"
    """A booking moved into the seat from a later slot (an earlier-slot request met)."""
    RELEASED = "released"
    """No one took it: the seat went back on sale."""
    LAPSED = "lapsed"
    """Staff's own offers ran out; the seat stayed on sale all along."""
    # What a run of the refill answers, never recorded:
    OFFERED = "offered"
    """A round of offers went out."""
    ALREADY_DECIDED = "already_decided"
    """Another delivery of the same cause decided first."""
