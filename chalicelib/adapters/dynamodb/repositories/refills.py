"""A freed seat's record: held for the waiting list until the refill decides, once."""

from __future__ import annotations

from datetime import datetime

from pynamodb.exceptions import DoesNotExist
from pynamodb.expressions.condition import Condition

from chalicelib.adapters.dynamodb import keys, mapping
from chalicelib.adapters.dynamodb.connection import past_deadline
from chalicelib.adapters.dynamodb.keys import slot_partition
from chalicelib.adapters.dynamodb.mapping import HELD, OFFERING
from chalicelib.adapters.dynamodb.models import BookingsItem, RefillItem
from chalicelib.adapters.dynamodb.writes import PendingWrites
from chalicelib.domain.model import RefillDecision
from chalicelib.domain.refusals import AlreadyDecided
from chalicelib.domain.seats import FreedSeat, Hold


class DynamoRefillsRepository:
    def __init__(self, writes: PendingWrites) -> None:
        self._writes = writes

    # --- reads ---------------------------------------------------------------------------

    def get_refill(self, business_id: str, slot_id: str, cause: str) -> RefillDecision | None:
        try:
            item = RefillItem.get(slot_partition(business_id, slot_id), keys.refill_key(cause))
        except DoesNotExist:
            return None
        return mapping.decision_from_item(item)

    def refills(self, business_id: str, slot_id: str) -> list[RefillDecision]:
        items = BookingsItem.query(
            slot_partition(business_id, slot_id), BookingsItem.sk.startswith(keys.refill_key(""))
        )
        decisions = [mapping.decision_from_item(i) for i in items if isinstance(i, RefillItem)]
        return sorted(decisions, key=lambda decision: decision.decided_at, reverse=True)

    def get_hold(self, business_id: str, slot_id: str, cause: str) -> Hold | None:
        try:
            item = RefillItem.get(
                slot_partition(business_id, slot_id),
                keys.refill_key(cause),
                consistent_read=True,
            )
        except DoesNotExist:
            return None
        if not isinstance(item, RefillItem) or item.outcome != HELD:
            return None
        return mapping.hold_from_item(item)

    def holds_of(self, business_id: str, limit: int) -> list[Hold]:
        """One Query."""
        items = BookingsItem.by_status.query(keys.holds_key(business_id), limit=limit)
        return [mapping.hold_from_item(i) for i in items if isinstance(i, RefillItem)]

    def overdue_holds(self, now: datetime, limit: int) -> list[Hold]:
        """One Query on the index of open deadlines, which holds only what is still open."""
        items = past_deadline(keys.OPEN_HOLDS, now, limit)
        return [mapping.hold_from_item(i) for i in items if isinstance(i, RefillItem)]

    # --- staged writes -------------------------------------------------------------------

    def decide(
        self, freed: FreedSeat, decision: RefillDecision, prior: RefillDecision | None
    ) -> None:
        self._writes.put(
            mapping.refill_item(freed, decision),
            _refill_state(prior),
            AlreadyDecided("the seat's refill was decided by another delivery first"),
        )


def _refill_state(prior: RefillDecision | None) -> Condition:
    """The seat's record is as it was read: not there yet, or still offering in the same
    round. A redelivered cause, or a round already moved on, fails here."""
    condition: Condition = (
        RefillItem.pk.does_not_exist() | (RefillItem.outcome == HELD)
        if prior is None
        else (RefillItem.outcome == OFFERING)
        & (RefillItem.round == prior.round)
        & (RefillItem.closed_round == prior.closed_round)
    )
    return condition
