"""Messages going out on the fakes: sent once, tried again after a passing failure, and
given up for the customer's other channel after a permanent one."""

from __future__ import annotations

import json
from pathlib import Path

from chalicelib.domain.delivery import CLAIM_LEASE, Claim
from chalicelib.domain.messages import Channel, MessageStatus, MessageType
from chalicelib.domain.model import Contact
from tests.unit.use_cases.shop import BIZ, Shop


def test_a_queued_message_delivered_twice_is_sent_once_and_marked_sent() -> None:
    shop = Shop()
    [queued] = shop.queued(MessageType.BOOKING_CONFIRMED)
    message_id = queued.message_id
    assert shop.services.notifications.deliver(queued)
    shop.services.notifications.deliver(queued)  # the stream delivers the record again
    with shop.uow() as uow:
        sent = uow.outbox.get_message(BIZ, message_id)
    assert sent is not None and (sent.status, sent.attempts) == (MessageStatus.SENT, 1)
    assert [s.message.message_id for s in shop.delivery.sent] == [message_id]


def test_a_passing_failure_is_tried_again_later() -> None:
    shop = Shop()
    [queued] = shop.queued(MessageType.BOOKING_CONFIRMED)
    shop.delivery.fail("Throttling")
    shop.services.notifications.deliver(queued)
    with shop.uow() as uow:
        tried = uow.outbox.get_message(BIZ, queued.message_id)
    assert tried is not None
    assert (tried.status, tried.attempts) == (MessageStatus.QUEUED, 1)
    assert tried.next_attempt_at is not None and tried.next_attempt_at > shop.clock.now()
    assert shop.delivery.sent == []


def test_a_permanent_failure_gives_the_channel_up_for_the_customers_other_one() -> None:
    shop = Shop(book_ada=False)
    shop.bookings.book(BIZ, shop.slot_id, Contact("Ada", "ada@example.com", "+4790000000"))
    [queued] = shop.queued(MessageType.BOOKING_CONFIRMED)
    shop.delivery.fail("MessageRejected")
    shop.services.notifications.deliver(queued)
    with shop.uow() as uow:
        failed = uow.outbox.get_message(BIZ, queued.message_id)
    assert failed is not None and failed.status is MessageStatus.FAILED
    [fallback] = [
        m for m in shop.queued(MessageType.BOOKING_CONFIRMED) if m.status is MessageStatus.QUEUED
    ]
    assert (fallback.channel, fallback.recipient) == (Channel.SMS, "+4790000000")
    assert failed.fallback_message_id == fallback.message_id


def test_a_stale_copy_of_a_failed_attempt_sends_nothing_and_the_retry_sends_once() -> None:
    shop = Shop()
    [queued] = shop.queued(MessageType.BOOKING_CONFIRMED)
    shop.delivery.fail("Throttling")
    shop.services.notifications.deliver(queued)

    # The stream hands the first attempt's record over again, as it may.
    assert not shop.services.notifications.deliver(queued)
    shop.clock.advance(minutes=5)
    shop.fire_due_schedules()
    shop.services.notifications.deliver(queued)

    with shop.uow() as uow:
        sent = uow.outbox.get_message(BIZ, queued.message_id)
    assert sent is not None and (sent.status, sent.attempts) == (MessageStatus.SENT, 2)
    assert [s.message.message_id for s in shop.delivery.sent] == [queued.message_id]
    assert shop.delivery.attempts == [queued.message_id, queued.message_id]


def test_a_claim_whose_sender_died_is_taken_over_once_its_lease_has_passed() -> None:
    shop = Shop()
    [queued] = shop.queued(MessageType.BOOKING_CONFIRMED)
    # An attempt claimed the message, then its function timed out before the send.
    with shop.uow() as uow:
        uow.outbox.claim(queued, Claim.of(queued, "dead", shop.clock.now()), shop.clock.now())
        uow.commit()

    # The record, retried meanwhile, finds the claim live: it sends nothing, and looks
    # again when the lease passes.
    assert not shop.services.notifications.deliver(queued)
    assert shop.delivery.attempts == []
    shop.clock.advance(seconds=CLAIM_LEASE.total_seconds() + 1)
    shop.fire_due_schedules()

    with shop.uow() as uow:
        sent = uow.outbox.get_message(BIZ, queued.message_id)
    assert sent is not None and (sent.status, sent.attempts) == (MessageStatus.SENT, 1)
    assert [s.message.message_id for s in shop.delivery.sent] == [queued.message_id]


def test_a_claim_outlasts_every_function_that_sends() -> None:
    """A live claim is never taken over: the lease is longer than the outbox function and
    the scheduled task (which sends held messages) may run."""
    config = json.loads((Path(__file__).resolve().parents[3] / ".chalice/config.json").read_text())
    timeouts = [config.get("lambda_timeout", 60)]
    for stage in config.get("stages", {}).values():
        timeouts.append(stage.get("lambda_timeout", timeouts[0]))
        for function in stage.get("lambda_functions", {}).values():
            timeouts.append(function.get("lambda_timeout", timeouts[0]))
    assert CLAIM_LEASE.total_seconds() > max(timeouts)
