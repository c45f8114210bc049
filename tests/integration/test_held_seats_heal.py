"""No hold without an owner and a deadline: a seat held for the waiting list whose refill
never decided — a lost or parked stream record, a write refused for good — is found by a
sweep that reads only holds, and resolved through the refill's own code."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from chalicelib.adapters.dynamodb.unit_of_work import DynamoUnitOfWorkFactory
from chalicelib.bootstrap import build_services
from chalicelib.domain.model import RefillDecision
from chalicelib.domain.refill import RefillOutcome
from chalicelib.domain.refusals import WriteRejected
from chalicelib.domain.seats import HOLD_DECISION_BOUND, FreedSeat
from chalicelib.ports.unit_of_work import UnitOfWork
from chalicelib.services.refill.held_seats import Refill, UnresolvedHolds
from chalicelib.settings import get_settings
from tests.integration.conftest import Business
from tests.support.aws import Streams, sent_about
from tests.support.fakes import FakeClock
from tests.support.faults import PassThroughUnitOfWork, Patched


def _cancelled_with_bo_waiting(salon: Business, streams: Streams) -> str:
    """A one-seat slot whose holder cancelled while Bo waits; the cancellation's stream
    record is lost, so the seat stays held."""
    slot = salon.add_slot(capacity=1)
    holder = salon.book(slot, "Ada", email="ada@example.com").body["manage_token"]
    salon.join(slot, "Bo", email="bo@example.com")
    streams.settle()
    salon.api.call("POST", f"/bookings/{holder}/cancel")
    assert streams.feeds[0].take()
    return slot


def _later(minutes: float) -> FakeClock:
    return FakeClock(datetime.now(UTC) + timedelta(minutes=minutes))


def _holding(salon: Business, slot: str) -> list[str]:
    bookings = salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"]
    return [b["customer"]["name"] for b in bookings if b["status"] == "confirmed"]


def test_a_held_seat_is_listed_as_awaiting_its_decision_with_a_deadline(
    salon: Business, streams: Streams
) -> None:
    slot = _cancelled_with_bo_waiting(salon, streams)

    [hold] = salon.staff("GET", "/staff/stuck").body["holds"]

    assert hold["slot_id"] == slot
    held_at = datetime.fromisoformat(hold["held_at"])
    assert datetime.fromisoformat(hold["decide_by"]) - held_at == HOLD_DECISION_BOUND
    assert hold["overdue"] is False


def test_the_sweep_refills_a_seat_whose_stream_record_was_lost(
    salon: Business, streams: Streams
) -> None:
    slot = _cancelled_with_bo_waiting(salon, streams)
    assert build_services(get_settings(), clock=_later(1)).refill.heal_overdue_holds() == 0

    resolved = build_services(get_settings(), clock=_later(3)).refill.heal_overdue_holds()
    streams.settle()

    assert resolved == 1
    assert _holding(salon, slot) == ["Bo"]
    assert [m.to for m in sent_about("seat opened up")] == ["bo@example.com"]
    assert salon.staff("GET", "/staff/stuck").body["holds"] == []
    listed = salon.staff("GET", "/staff/slots").body["slots"][0]
    assert listed["held_for_waiting_list"] == 0


def test_the_record_arriving_after_the_sweep_changes_nothing(
    salon: Business, streams: Streams
) -> None:
    slot = salon.add_slot(capacity=1)
    holder = salon.book(slot, "Ada", email="ada@example.com").body["manage_token"]
    salon.join(slot, "Bo", email="bo@example.com")
    salon.join(slot, "Cy", email="cy@example.com")
    streams.settle()
    salon.api.call("POST", f"/bookings/{holder}/cancel")
    late = streams.feeds[0].take()
    services = build_services(get_settings(), clock=_later(3))
    services.refill.heal_overdue_holds()
    streams.settle()
    before = salon.staff("GET", f"/staff/slots/{slot}/allocations").body["allocations"]

    streams.feeds[0].deliver_late(late)
    streams.settle()

    assert services.refill.heal_overdue_holds() == 0
    assert _holding(salon, slot) == ["Bo"]
    assert salon.staff("GET", f"/staff/slots/{slot}/allocations").body["allocations"] == before


def test_staff_release_a_held_seat_by_hand_and_the_list_keeps_first_claim(
    salon: Business, streams: Streams
) -> None:
    slot = _cancelled_with_bo_waiting(salon, streams)
    [hold] = salon.staff("GET", "/staff/stuck").body["holds"]

    answer = salon.staff("POST", f"/staff/slots/{slot}/holds/{hold['cause']}/release")
    streams.settle()

    assert answer.status == 200, answer.body
    assert answer.body["outcome"] == "booked"
    assert _holding(salon, slot) == ["Bo"]
    again = salon.staff("POST", f"/staff/slots/{slot}/holds/{hold['cause']}/release")
    assert again.status == 404


class _RefusingUnitOfWork(PassThroughUnitOfWork):
    """DynamoDB refusing the refill's write as malformed, as it did when one customer was
    chosen twice for one transaction: a seat given or offered is refused, a release is
    not."""

    def __init__(self) -> None:
        super().__init__(DynamoUnitOfWorkFactory(get_settings())())
        self.refused = False
        self.refills = Patched(self.inner.refills, decide=self._decide)

    def _decide(
        self, freed: FreedSeat, decision: RefillDecision, prior: RefillDecision | None
    ) -> None:
        self.refused |= decision.outcome in (RefillOutcome.BOOKED, RefillOutcome.OFFERING)
        self.inner.refills.decide(freed, decision, prior)

    def commit(self) -> None:
        if self.refused:
            raise WriteRejected(
                "Transaction request cannot include multiple operations on one item"
            )
        super().commit()


def _refusing_refill(clock: FakeClock) -> Refill:
    return build_services(
        get_settings(), clock=clock, uow=_RefusingUnitOfWork, scheduler=_NoSchedules()
    ).refill


class _NoSchedules:
    def at(self, name: str, when: datetime, payload: dict[str, Any]) -> None:
        raise AssertionError("no offer is made")

    def cancel(self, name: str) -> None:
        raise AssertionError("no offer is made")


def test_a_refill_refused_for_good_puts_the_seat_back_on_sale_with_the_reason(
    salon: Business, streams: Streams
) -> None:
    slot = _cancelled_with_bo_waiting(salon, streams)

    resolved = _refusing_refill(_later(3)).heal_overdue_holds()

    assert resolved == 1
    listed = salon.staff("GET", "/staff/slots").body["slots"][0]
    assert (listed["free_seats"], listed["held_for_waiting_list"]) == (1, 0)
    [decision] = salon.staff("GET", f"/staff/slots/{slot}/allocations").body["allocations"]
    assert decision["outcome"] == "released"
    assert "WriteRejected" in decision["reason"]
    assert salon.staff("GET", "/staff/stuck").body["holds"] == []


def test_the_stream_refill_does_not_retry_for_ever_a_write_refused_for_good(
    salon: Business, streams: Streams
) -> None:
    slot = _cancelled_with_bo_waiting(salon, streams)
    [hold] = salon.staff("GET", "/staff/stuck").body["holds"]
    listed = salon.staff("GET", "/staff/slots").body["slots"][0]
    freed = FreedSeat(
        salon.business_id,
        slot,
        hold["cause"],
        True,
        _slot_summary(salon, slot),
    )

    outcome = _refusing_refill(_later(0)).refill(freed)

    assert outcome.outcome == "released"
    assert listed["held_for_waiting_list"] == 1
    after = salon.staff("GET", "/staff/slots").body["slots"][0]
    assert after["held_for_waiting_list"] == 0


def _slot_summary(salon: Business, slot: str) -> Any:
    uow = DynamoUnitOfWorkFactory(get_settings())()
    found, business = uow.catalogue.get_slot_and_business(salon.business_id, slot)
    assert found is not None and business is not None
    return found.summary(business)


def test_a_seat_held_by_a_capacity_raise_is_swept_too(salon: Business, streams: Streams) -> None:
    slot = salon.add_slot(capacity=1)
    salon.book(slot, "Ada", email="ada@example.com")
    salon.join(slot, "Bo", email="bo@example.com")
    streams.settle()
    assert salon.staff("PATCH", f"/staff/slots/{slot}", {"capacity": 2}).status == 200
    assert streams.feeds[0].take()
    assert len(salon.staff("GET", "/staff/stuck").body["holds"]) == 1

    build_services(get_settings(), clock=_later(3)).refill.heal_overdue_holds()

    assert sorted(_holding(salon, slot)) == ["Ada", "Bo"]


def _broken_slot(broken_slot: str) -> UnitOfWork:
    """One slot whose reads fail, as when its data is damaged."""
    uow = PassThroughUnitOfWork(DynamoUnitOfWorkFactory(get_settings())())

    def get_slot_and_business(business_id: str, slot_id: str) -> Any:
        if slot_id == broken_slot:
            raise RuntimeError("this slot cannot be read")
        return uow.inner.catalogue.get_slot_and_business(business_id, slot_id)

    uow.catalogue = Patched(uow.inner.catalogue, get_slot_and_business=get_slot_and_business)
    return uow


def test_one_hold_that_cannot_be_resolved_does_not_keep_the_others_held(
    salon: Business, streams: Streams
) -> None:
    broken = _cancelled_with_bo_waiting(salon, streams)
    healthy = salon.add_slot(capacity=1, days_ahead=3)
    holder = salon.book(healthy, "Eve", email="eve@example.com").body["manage_token"]
    salon.join(healthy, "Cy", email="cy@example.com")
    streams.settle()
    salon.api.call("POST", f"/bookings/{holder}/cancel")
    assert streams.feeds[0].take()
    refill = build_services(
        get_settings(),
        clock=_later(3),
        uow=lambda: _broken_slot(broken),
        scheduler=_NoSchedules(),
    ).refill

    with pytest.raises(UnresolvedHolds) as unresolved:
        refill.heal_overdue_holds()

    assert len(unresolved.value.causes) == 1
    assert _holding(salon, healthy) == ["Cy"]
    [still] = salon.staff("GET", "/staff/stuck").body["holds"]
    assert still["slot_id"] == broken
