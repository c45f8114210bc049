"""Refill records, offers and the outbox: reads and staged writes, on both implementations."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime, timedelta

import pytest

from chalicelib.domain.delivery import Claim
from chalicelib.domain.messages import MessageStatus, OutboxMessage
from chalicelib.domain.model import BookingStatus, SeatAfterRelease
from chalicelib.domain.offers import OfferStatus
from chalicelib.domain.refill import RefillOutcome
from chalicelib.domain.refusals import AlreadyDecided, AlreadyQueued, MessageSettled
from chalicelib.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests.contract.builders import (
    BIZ,
    NOW,
    book,
    commit,
    decision,
    entry,
    freed,
    message,
    offer,
    open_shop,
    slot,
)


def _held_seat(uow: UnitOfWorkFactory) -> str:
    """Ada's seat given up for the list five minutes after NOW; returns its cause."""
    open_shop(uow, slot("s1"))
    made = book(uow, slot("s1"), "Ada")
    gone = replace(
        made,
        status=BookingStatus.CANCELLED,
        version=2,
        updated_at=NOW + timedelta(minutes=5),
        seat_after_release=SeatAfterRelease.HELD_FOR_WAITING_LIST,
    )
    commit(uow, lambda work: work.seats.give_up(gone, list_open=False))
    return f"{made.booking_id}.v1"


def test_a_hold_is_overdue_after_its_deadline_until_decided(uow: UnitOfWorkFactory) -> None:
    cause = _held_seat(uow)
    with uow() as work:
        assert work.refills.overdue_holds(NOW + timedelta(minutes=6), 10) == []
        [late] = work.refills.overdue_holds(NOW + timedelta(minutes=8), 10)
        assert late.cause == cause and late.slot_id == "s1"
        assert [h.cause for h in work.refills.holds_of(BIZ, 10)] == [cause]
        work.refills.decide(freed(slot("s1"), cause), decision(cause, RefillOutcome.BOOKED), None)
        work.commit()
        assert work.refills.overdue_holds(NOW + timedelta(minutes=8), 10) == []
        assert work.refills.holds_of(BIZ, 10) == []
        assert work.refills.get_hold(BIZ, "s1", cause) is None
        record = work.refills.get_refill(BIZ, "s1", cause)
    assert record is not None and record.outcome == "booked"


def test_a_seat_is_decided_once_per_cause(uow: UnitOfWorkFactory) -> None:
    open_shop(uow, slot("s1"))
    seat = freed(slot("s1"))
    commit(uow, lambda work: work.refills.decide(seat, decision(), None))
    with uow() as work:
        work.refills.decide(seat, decision(outcome=RefillOutcome.RELEASED), None)
        with pytest.raises(AlreadyDecided):
            work.commit()


def test_the_next_round_is_decided_only_from_the_round_read(uow: UnitOfWorkFactory) -> None:
    open_shop(uow, slot("s1"))
    seat = freed(slot("s1"))
    first = decision(round=1)
    commit(uow, lambda work: work.refills.decide(seat, first, None))
    second = decision(round=2, closed_round=1)
    commit(uow, lambda work: work.refills.decide(seat, second, first))
    with uow() as work:
        work.refills.decide(seat, decision(round=2, closed_round=1), first)
        with pytest.raises(AlreadyDecided):
            work.commit()
        decisions = work.refills.refills(BIZ, "s1")
    assert [(d.round, d.closed_round) for d in decisions] == [(2, 1)]


def test_an_offer_is_read_with_its_seat_record_and_closed_once(uow: UnitOfWorkFactory) -> None:
    open_shop(uow, slot("s1"))
    bo = entry(slot("s1"), "Bo")
    made = offer(bo)
    seat = freed(slot("s1"))

    def stage(work: UnitOfWork) -> None:
        work.refills.decide(seat, decision(round=1), None)
        work.offers.add(made, day="2030-02-28", max_per_day=0)

    commit(uow, stage)
    with uow() as work:
        found, record, business, its_slot = work.offers.offer_to_answer(BIZ, "s1", made.offer_id)
        assert work.offers.offer_to_answer(BIZ, "s1", "nonsense") == (None, None, None, None)
        assert [o.entry_id for o in work.offers.offers_of_round(BIZ, "s1", made.cause, 1)] == [
            bo.entry_id
        ]
        assert work.offers.offers_of_round(BIZ, "s1", made.cause, 2) == []
        work.offers.add(made, day="2030-02-28", max_per_day=0)
        with pytest.raises(AlreadyDecided):
            work.commit()
        work.offers.close(replace(made, status=OfferStatus.DECLINED))
        work.commit()
        work.offers.close(replace(made, status=OfferStatus.EXPIRED))
        with pytest.raises(AlreadyDecided):
            work.commit()
        closed = work.offers.get_offer(BIZ, "s1", made.offer_id)
    assert found is not None and found.status is OfferStatus.OPEN
    assert record is not None and record.round == 1
    assert business is not None and its_slot is not None
    assert closed is not None and closed.status is OfferStatus.DECLINED


def test_an_offer_is_accepted_only_while_open_and_in_time(uow: UnitOfWorkFactory) -> None:
    open_shop(uow, slot("s1"))
    made = offer(entry(slot("s1"), "Bo"), minutes=30)
    commit(uow, lambda work: work.offers.add(made, day="2030-02-28", max_per_day=0))
    with uow() as work:
        work.offers.accept(made, NOW + timedelta(minutes=30))
        with pytest.raises(AlreadyDecided):
            work.commit()
        work.offers.accept(made, NOW + timedelta(minutes=29))
        work.commit()
        accepted = work.offers.get_offer(BIZ, "s1", made.offer_id)
        work.offers.accept(made, NOW + timedelta(minutes=29))
        with pytest.raises(AlreadyDecided):
            work.commit()
    assert accepted is not None and accepted.status is OfferStatus.ACCEPTED


def test_overdue_offers_are_the_open_ones_past_their_deadline(uow: UnitOfWorkFactory) -> None:
    open_shop(uow, slot("s1"))
    short = offer(entry(slot("s1"), "Bo"), minutes=10)
    long = offer(entry(slot("s1"), "Cy"), minutes=60)
    done = offer(entry(slot("s1"), "Di"), minutes=5)

    def stage(work: UnitOfWork) -> None:
        for each in (short, long, done):
            work.offers.add(each, day="2030-02-28", max_per_day=0)

    commit(uow, stage)
    commit(uow, lambda work: work.offers.close(replace(done, status=OfferStatus.DECLINED)))
    with uow() as work:
        overdue = work.offers.overdue_offers(NOW + timedelta(minutes=30), 10)
    assert [o.entry_id for o in overdue] == [short.entry_id]


def test_offers_a_day_are_counted_per_customer_whatever_the_seat(uow: UnitOfWorkFactory) -> None:
    open_shop(uow, slot("s1"), slot("s2"))
    bo = entry(slot("s1"), "Bo")
    commit(uow, lambda work: work.offers.add(offer(bo, cause="c1"), day="d1", max_per_day=2))
    commit(uow, lambda work: work.offers.add(offer(bo, cause="c2"), day="d1", max_per_day=2))
    commit(uow, lambda work: work.offers.add(offer(bo, cause="c3"), day="d2", max_per_day=2))
    with uow() as work:
        work.offers.add(offer(bo, cause="c4"), day="d1", max_per_day=2)
        with pytest.raises(Exception) as refused:
            work.commit()
    assert type(refused.value).__name__ == "DailyOfferLimit"


def test_a_message_is_queued_once(uow: UnitOfWorkFactory) -> None:
    open_shop(uow)
    commit(uow, lambda work: work.outbox.add([message("Ada")]))
    with uow() as work:
        work.outbox.add([message("Ada", minutes=1)])
        with pytest.raises(AlreadyQueued):
            work.commit()
        found = work.outbox.get_message(BIZ, "seat_assigned:ada")
    assert found is not None and found.status is MessageStatus.QUEUED


def claimed(uow: UnitOfWorkFactory, queued: OutboxMessage, holder: str, now: datetime) -> Claim:
    claim = Claim.of(queued, holder, now)
    commit(uow, lambda work: work.outbox.claim(queued, claim, now))
    return claim


def test_a_sent_message_records_when_and_by_whom(uow: UnitOfWorkFactory) -> None:
    open_shop(uow)
    queued = message("Ada")
    commit(uow, lambda work: work.outbox.add([queued]))
    claim = claimed(uow, queued, "first", NOW)
    at = NOW + timedelta(minutes=1)
    commit(
        uow,
        lambda work: work.outbox.mark_sent(queued, claim, at=at, provider_message_id="p1"),
    )
    with uow() as work:
        sent = work.outbox.get_message(BIZ, queued.message_id)
        work.outbox.mark_sent(message("Nobody"), claim, at=at, provider_message_id="p2")
        with pytest.raises(MessageSettled):
            work.commit()
    assert sent is not None
    assert (sent.status, sent.sent_at, sent.attempts, sent.provider_message_id) == (
        MessageStatus.SENT,
        at,
        1,
        "p1",
    )
    assert (sent.claimed_by, sent.claim_until) == (None, None)


def test_a_claim_holds_the_message_for_one_attempt_until_its_lease_passes(
    uow: UnitOfWorkFactory,
) -> None:
    open_shop(uow)
    queued = message("Ada")
    commit(uow, lambda work: work.outbox.add([queued]))
    first = claimed(uow, queued, "first", NOW)
    with uow() as work:
        held = work.outbox.get_message(BIZ, queued.message_id)
    assert held is not None
    assert (held.claimed_by, held.claimed_attempt, held.claim_until) == ("first", 1, first.until)

    # A duplicate of the record, while the claim is live: refused.
    with uow() as work:
        work.outbox.claim(queued, Claim.of(queued, "second", NOW), NOW + timedelta(seconds=1))
        with pytest.raises(MessageSettled):
            work.commit()
    # Once the lease has passed (its sender died), a later attempt takes it over...
    lapsed = first.until
    second = claimed(uow, queued, "second", lapsed)
    # ... and only the holder marks it sent.
    with uow() as work:
        work.outbox.mark_sent(queued, first, at=lapsed, provider_message_id="late")
        with pytest.raises(MessageSettled):
            work.commit()
    commit(
        uow, lambda work: work.outbox.mark_sent(queued, second, at=lapsed, provider_message_id="p")
    )
    with uow() as work:
        work.outbox.claim(queued, Claim.of(queued, "third", NOW), lapsed + timedelta(hours=1))
        with pytest.raises(MessageSettled):
            work.commit()
        sent = work.outbox.get_message(BIZ, queued.message_id)
    assert sent is not None and (sent.status, sent.provider_message_id) == (
        MessageStatus.SENT,
        "p",
    )


def test_a_failed_attempt_releases_its_claim_and_a_stale_copy_cannot_claim(
    uow: UnitOfWorkFactory,
) -> None:
    open_shop(uow)
    queued = message("Ada")
    commit(uow, lambda work: work.outbox.add([queued]))
    claimed(uow, queued, "first", NOW)
    retry_at = NOW + timedelta(minutes=2)
    commit(uow, lambda work: work.outbox.failed_attempt(queued, "Throttling", retry_at))
    with uow() as work:
        tried = work.outbox.get_message(BIZ, queued.message_id)
        # The stream's copy, read before the attempt: it no longer has the attempts.
        work.outbox.claim(queued, Claim.of(queued, "stale", NOW), NOW)
        with pytest.raises(MessageSettled):
            work.commit()
    assert tried is not None
    assert (tried.attempts, tried.claimed_by, tried.claim_until) == (1, None, None)
    retry = claimed(uow, tried, "retry", retry_at)
    assert retry.attempt == 2


def test_a_failed_attempt_is_counted_once_from_the_attempts_read(uow: UnitOfWorkFactory) -> None:
    open_shop(uow)
    queued = message("Ada")
    commit(uow, lambda work: work.outbox.add([queued]))
    retry_at = NOW + timedelta(minutes=2)
    commit(uow, lambda work: work.outbox.failed_attempt(queued, "Throttling" * 100, retry_at))
    with uow() as work:
        work.outbox.failed_attempt(queued, "again", retry_at)
        with pytest.raises(MessageSettled):
            work.commit()
        tried = work.outbox.get_message(BIZ, queued.message_id)
    assert tried is not None
    assert (tried.attempts, tried.next_attempt_at) == (1, retry_at)
    assert tried.last_error is not None and len(tried.last_error) == 500


def test_a_message_given_up_queues_its_fallback_once(uow: UnitOfWorkFactory) -> None:
    open_shop(uow)
    queued = message("Ada")
    fallback = message("Ada", message_id="seat_assigned:ada.instead.sms", minutes=1)
    commit(uow, lambda work: work.outbox.add([queued]))
    commit(uow, lambda work: work.outbox.give_up(queued, "MessageRejected", fallback))
    with uow() as work:
        work.outbox.give_up(queued, "MessageRejected", fallback)
        with pytest.raises(MessageSettled):
            work.commit()
        failed = work.outbox.get_message(BIZ, queued.message_id)
        other = work.outbox.get_message(BIZ, fallback.message_id)
    assert failed is not None
    assert (failed.status, failed.failure, failed.fallback_message_id) == (
        MessageStatus.FAILED,
        "MessageRejected",
        fallback.message_id,
    )
    assert other is not None and other.status is MessageStatus.QUEUED


def test_recent_messages_come_newest_first_a_page_at_a_time(uow: UnitOfWorkFactory) -> None:
    open_shop(uow)
    messages = [message(f"C{n}", minutes=n) for n in range(3)]
    commit(uow, lambda work: work.outbox.add(messages))
    claim = claimed(uow, messages[0], "first", NOW)
    commit(
        uow,
        lambda work: work.outbox.mark_sent(messages[0], claim, at=NOW, provider_message_id="p"),
    )
    with uow() as work:
        first = work.outbox.recent_messages(BIZ, None, 2)
        assert first.next is not None
        rest = work.outbox.recent_messages(BIZ, None, 2, before=first.next)
        queued = work.outbox.recent_messages(BIZ, MessageStatus.QUEUED, 10)
        sent = work.outbox.recent_messages(BIZ, MessageStatus.SENT, 10)
    assert [m.recipient for m in first.messages] == ["c2@example.com", "c1@example.com"]
    assert [m.recipient for m in rest.messages] == ["c0@example.com"]
    assert rest.next is None
    assert [m.recipient for m in queued.messages] == ["c2@example.com", "c1@example.com"]
    assert [m.recipient for m in sent.messages] == ["c0@example.com"]
