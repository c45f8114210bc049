"""Each freed seat's record, in memory: its hold while the refill has not decided, then
the decision, under the one key of its cause (the refill's once-only guard)."""

from __future__ import annotations

from datetime import UTC, datetime

from chalicelib.domain.model import RefillDecision
from chalicelib.domain.refill import RefillOutcome
from chalicelib.domain.refusals import AlreadyDecided
from chalicelib.domain.seats import FreedSeat, Hold
from tests.fakes.state import Check, InMemoryState, StagedWrites, refused


def as_decision(record: RefillDecision | Hold) -> RefillDecision:
    """A hold reads as a record whose outcome is `held`, as DynamoDB's item does."""
    if isinstance(record, RefillDecision):
        return record
    return RefillDecision(
        cause=record.cause, outcome=RefillOutcome.HELD, decided_at=record.held_at, skipped=[]
    )


def still_as_read(prior: RefillDecision | None) -> Check:
    """The record is as read: nothing decided yet (a hold counts as nothing), or still
    offering in the same round."""

    def holds(record: RefillDecision | Hold | None) -> bool:
        if prior is None:
            return record is None or isinstance(record, Hold)
        return (
            isinstance(record, RefillDecision)
            and record.outcome == RefillOutcome.OFFERING.value
            and record.round == prior.round
            and record.closed_round == prior.closed_round
        )

    return holds


def _utc(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat()


class InMemoryRefills:
    def __init__(self, state: InMemoryState, writes: StagedWrites) -> None:
        self._state = state
        self._writes = writes

    # --- reads ---------------------------------------------------------------------------
    def get_refill(self, business_id: str, slot_id: str, cause: str) -> RefillDecision | None:
        record = self._state.refills.get((business_id, slot_id, cause))
        return None if record is None else as_decision(record)

    def refills(self, business_id: str, slot_id: str) -> list[RefillDecision]:
        decisions = [
            as_decision(record)
            for (owner, slot, _), record in self._state.refills.items()
            if (owner, slot) == (business_id, slot_id)
        ]
        return sorted(decisions, key=lambda decision: decision.decided_at, reverse=True)

    def get_hold(self, business_id: str, slot_id: str, cause: str) -> Hold | None:
        record = self._state.refills.get((business_id, slot_id, cause))
        return record if isinstance(record, Hold) else None

    def holds_of(self, business_id: str, limit: int) -> list[Hold]:
        holds = [h for h in self._holds() if h.business_id == business_id]
        return sorted(holds, key=lambda hold: f"{_utc(hold.held_at)}#{hold.cause}")[:limit]

    def overdue_holds(self, now: datetime, limit: int) -> list[Hold]:
        # As DynamoDB's index of open deadlines compares them: as strings, strictly before.
        deadlines = [(f"{_utc(hold.decide_by)}#{hold.cause}", hold) for hold in self._holds()]
        overdue = sorted((d for d in deadlines if d[0] < _utc(now)), key=lambda d: d[0])
        return [hold for _, hold in overdue][:limit]

    def _holds(self) -> list[Hold]:
        return [record for record in self._state.refills.values() if isinstance(record, Hold)]

    # --- staged writes -------------------------------------------------------------------
    def decide(
        self, freed: FreedSeat, decision: RefillDecision, prior: RefillDecision | None
    ) -> None:
        self._writes.put(
            "refills",
            (freed.business_id, freed.slot_id, decision.cause),
            decision,
            still_as_read(prior),
            refused(AlreadyDecided, "the seat's refill was decided meanwhile"),
        )
