"""Outcomes a use case refuses with, each with a message a customer or staff member can read."""

from __future__ import annotations


class DomainError(Exception):
    """A request that cannot be carried out as asked."""


class InvalidRequest(DomainError):
    def __init__(self, field: str, problem: str) -> None:
        super().__init__(f"{field}: {problem}")
        self.field = field


class NotFound(DomainError):
    pass


class Conflict(DomainError):
    pass


class SlotFull(Conflict):
    pass


class SlotHasFreeSeats(Conflict):
    pass


class SlotStarted(Conflict):
    """The slot's start has passed: it can no longer be booked, waited for or moved into."""


class NotActive(Conflict):
    """The booking or entry has already left the state the request needs."""


class MissingSetup(Conflict):
    """Something the request depends on has not been set up yet."""
