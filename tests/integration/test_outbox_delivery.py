"""The outbox on a bad day: SES or SNS throttled or refusing. Nothing is lost (each failure
is recorded and tried again later, then on the customer's other channel, else the message
is marked failed with the reason) and nothing is sent twice."""

from __future__ import annotations

import json
import threading
from datetime import UTC, datetime, time
from typing import Any

import boto3

from chalicelib.adapters.stream_events import process_changes
from chalicelib.adapters.templates import TemplateRenderer
from chalicelib.bootstrap import build_services
from chalicelib.domain.delivery import MAX_ATTEMPTS
from chalicelib.domain.messages import Channel, MessageStatus, MessageType, OutboxMessage
from chalicelib.domain.model import Business
from chalicelib.domain.time_rules import ActiveHours
from chalicelib.entrypoints.events.streams import on_outbox_images
from chalicelib.settings import get_settings
from local.event_filters import filter_patterns
from tests.support.aws import REGION, StreamFeed, sent_messages
from tests.support.fakes import FakeClock, FlakyDelivery

NOW = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)
DAYTIME = ActiveHours(time(8, 0), time(21, 0))


class PostOffice:
    """The outbox's sender on moto, with a clock the test turns and a flaky SES/SNS."""

    def __init__(self) -> None:
        settings = get_settings()
        self.clock = FakeClock(NOW)
        self.delivery = FlakyDelivery()
        services = build_services(
            settings, clock=self.clock, delivery=self.delivery, renderer=TemplateRenderer()
        )
        self.uow = services.uow
        self.notifications = services.notifications
        self.feed = StreamFeed(
            settings.outbox_table, self._on_message, filter_patterns("on_outbox_message")
        )

    def _on_message(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        return process_changes(event, context, lambda old, new: on_outbox_images(self, old, new))

    def queue(
        self, email: str | None, phone: str | None, number: int = 1, language: str = "en"
    ) -> OutboxMessage:
        channel, recipient = (Channel.EMAIL, email) if email else (Channel.SMS, phone)
        assert recipient
        message = OutboxMessage(
            business_id="post",
            message_id=f"booking_confirmed:b{number}.v1.{channel.value}",
            message_type=MessageType.BOOKING_CONFIRMED,
            channel=channel,
            recipient=recipient,
            language=language,
            time_zone="Europe/Oslo",
            context={
                "customer_name": "Ada",
                "business_name": "Salon Lys",
                "service_name": "Haircut",
                "starts_at": "2030-03-02T09:00:00+00:00",
                "ends_at": "2030-03-02T09:30:00+00:00",
                "manage_url": "https://book.example.com/bookings/b1",
                "booking_id": f"b{number}",
            },
            created_at=self.clock.now(),
            fallback_recipient=phone if channel is Channel.EMAIL else email,
        )
        with self.uow() as uow:
            uow.outbox.add([message])
            uow.commit()
        return message

    def save_business(self, business: Business) -> None:
        with self.uow() as uow:
            uow.catalogue.save_business(business)
            uow.commit()

    def run(self, copies: int = 2) -> None:
        """Deliver the outbox stream (each record twice, as streams may) and fire the
        schedules that are due, as EventBridge would (each once, then deleted), until
        nothing is left to do now."""
        for _ in range(20):
            delivered = self.feed.deliver(copies)
            if not delivered and not self._fire_due_schedules():
                return
        raise AssertionError("the outbox did not settle")

    def _fire_due_schedules(self) -> int:
        client: Any = boto3.client("scheduler", region_name=REGION)
        fired = 0
        for listed in client.list_schedules()["Schedules"]:
            schedule = client.get_schedule(Name=listed["Name"])
            when = datetime.fromisoformat(schedule["ScheduleExpression"][3:-1])
            if when.replace(tzinfo=UTC) > self.clock.now():
                continue
            client.delete_schedule(Name=listed["Name"])
            payload = json.loads(schedule["Target"]["Input"])
            self.notifications.deliver_held(payload["business_id"], payload["message_id"])
            fired += 1
        return fired

    def wait(self, minutes: int) -> None:
        for _ in range(minutes):
            self.clock.advance(minutes=1)
            self.run()

    def state(self, message: OutboxMessage) -> OutboxMessage:
        found = self.uow().outbox.get_message("post", message.message_id)
        assert found is not None
        return found


def test_a_throttled_email_is_tried_again_later_and_sent_once(aws: None) -> None:
    office = PostOffice()
    office.delivery.fail("email", "Throttling", times=2)
    message = office.queue("ada@example.com", None)

    office.run()
    first = office.state(message)
    assert (first.status, first.attempts) == (MessageStatus.QUEUED, 1)
    assert first.last_error and first.last_error.startswith("Throttling")
    assert first.next_attempt_at is not None and first.next_attempt_at > NOW
    assert sent_messages() == []

    office.wait(minutes=60)
    sent = office.state(message)
    # A duplicate stream record may try (and fail) alongside the recorded attempt.
    assert sent.status is MessageStatus.SENT and sent.attempts >= 2
    assert [m.to for m in sent_messages()] == ["ada@example.com"]


def test_an_email_that_keeps_failing_goes_by_text_instead_once(aws: None) -> None:
    office = PostOffice()
    office.delivery.fail("email", "ServiceUnavailable", times=MAX_ATTEMPTS + 3)
    message = office.queue("ada@example.com", "+4791234567")

    office.wait(minutes=120)

    given_up = office.state(message)
    assert given_up.status is MessageStatus.FAILED
    assert given_up.attempts == MAX_ATTEMPTS
    assert given_up.failure and "ServiceUnavailable" in given_up.failure
    assert given_up.fallback_message_id
    fallback = office.uow().outbox.get_message("post", given_up.fallback_message_id)
    assert fallback is not None and fallback.status is MessageStatus.SENT
    assert [(m.channel, m.to) for m in sent_messages()] == [("sms", "+4791234567")]
    assert "Haircut" in sent_messages()[0].body


def test_a_refused_address_is_given_up_at_once_for_the_other_channel(aws: None) -> None:
    office = PostOffice()
    office.delivery.fail("sms", "InvalidParameter", times=1)
    message = office.queue(None, "+4791234567")
    assert message.fallback_recipient is None  # only a phone: nothing else to try

    office.run()

    failed = office.state(message)
    assert failed.status is MessageStatus.FAILED
    assert failed.attempts == 1
    assert failed.failure and failed.failure.startswith("InvalidParameter")
    assert failed.fallback_message_id is None
    assert sent_messages() == []
    assert [
        m.message_id
        for m in office.uow().outbox.recent_messages("post", MessageStatus.FAILED, 10).messages
    ] == [message.message_id]


def test_a_permanent_email_error_with_a_phone_falls_back_to_a_text(aws: None) -> None:
    office = PostOffice()
    office.delivery.fail("email", "MessageRejected", times=1)
    message = office.queue("ada@example.com", "+4791234567")

    office.run()

    assert office.state(message).status is MessageStatus.FAILED
    assert [(m.channel, m.to) for m in sent_messages()] == [("sms", "+4791234567")]


def test_both_channels_failing_leave_both_messages_failed_with_their_reasons(aws: None) -> None:
    office = PostOffice()
    office.delivery.fail("email", "MessageRejected", times=1)
    office.delivery.fail("sms", "OptedOut", times=1)
    message = office.queue("ada@example.com", "+4791234567")

    office.run()

    failed = office.uow().outbox.recent_messages("post", MessageStatus.FAILED, 10).messages
    assert {m.channel for m in failed} == {Channel.EMAIL, Channel.SMS}
    assert all(m.failure for m in failed)
    assert office.state(message).fallback_message_id in {m.message_id for m in failed}
    assert sent_messages() == []


def test_staff_see_the_newest_messages_first_and_can_filter_by_status(aws: None) -> None:
    office = PostOffice()
    office.delivery.fail("email", "MessageRejected", times=1)
    first = office.queue("bad@example.com", None, number=1)
    office.clock.advance(minutes=1)
    second = office.queue("ada@example.com", None, number=2)

    office.run()

    assert [
        m.message_id for m in office.uow().outbox.recent_messages("post", None, 10).messages
    ] == [
        second.message_id,
        first.message_id,
    ]
    assert [
        m.message_id
        for m in office.uow().outbox.recent_messages("post", MessageStatus.SENT, 10).messages
    ] == [second.message_id]


def test_many_throttled_messages_are_all_sent_exactly_once(aws: None) -> None:
    office = PostOffice()
    office.delivery.fail("email", "Throttling", times=12)
    messages = [office.queue(f"c{n}@example.com", None, number=n) for n in range(8)]

    office.wait(minutes=60)

    assert all(office.state(m).status is MessageStatus.SENT for m in messages)
    assert sorted(m.to for m in sent_messages()) == sorted(f"c{n}@example.com" for n in range(8))


def test_a_retry_that_would_fall_at_night_waits_for_the_business_to_open(aws: None) -> None:
    office = PostOffice()
    office.save_business(Business("post", "Salon Lys", "Europe/Oslo", "en", active_hours=DAYTIME))
    office.clock.current = datetime(2030, 3, 1, 19, 59, 50, tzinfo=UTC)  # 20:59:50 in Oslo
    office.delivery.fail("email", "Throttling", times=1)
    message = office.queue("ada@example.com", None)

    office.run()

    # 08:00 the next morning in Oslo.
    assert office.state(message).next_attempt_at == datetime(2030, 3, 2, 7, 0, tzinfo=UTC)
    office.clock.current = datetime(2030, 3, 2, 7, 0, tzinfo=UTC)
    office.run()
    assert office.state(message).status is MessageStatus.SENT
    assert [m.to for m in sent_messages()] == ["ada@example.com"]


def test_a_message_queued_in_a_language_standby_does_not_write_goes_out_in_the_business_s(
    aws: None,
) -> None:
    """Languages were not checked at the door before: such a message must still go."""
    office = PostOffice()
    office.save_business(Business("post", "Salon Lys", "Europe/Oslo", "de"))
    message = office.queue("ada@example.com", None, language="zz-ZZ")

    office.run()

    assert office.state(message).status is MessageStatus.SENT
    [sent] = sent_messages()
    assert sent.subject == "Bestätigt: Haircut am Samstag, 2. März 2030"


def test_each_message_of_a_business_is_a_stream_partition_of_its_own(aws: None) -> None:
    """A stream delivers one partition key's records one after another: messages keyed by
    their business would be sent one at a time however many were queued at once."""
    office = PostOffice()
    for number in range(3):
        office.queue(f"c{number}@example.com", None, number=number)

    streams = boto3.client("dynamodbstreams", region_name=REGION)
    table = boto3.client("dynamodb", region_name=REGION).describe_table(
        TableName=get_settings().outbox_table
    )["Table"]
    shard = streams.describe_stream(StreamArn=table["LatestStreamArn"])["StreamDescription"][
        "Shards"
    ][0]
    iterator = streams.get_shard_iterator(
        StreamArn=table["LatestStreamArn"],
        ShardId=shard["ShardId"],
        ShardIteratorType="TRIM_HORIZON",
    )["ShardIterator"]
    records = streams.get_records(ShardIterator=iterator)["Records"]

    partition_keys = [record["dynamodb"]["Keys"]["pk"]["S"] for record in records]
    assert len(partition_keys) == 3
    assert len(set(partition_keys)) == 3


class SlowDelivery(FlakyDelivery):
    """SES that takes its time over the first hand-over: long enough for a duplicate of
    the record, delivered concurrently, to try the same message meanwhile."""

    def __init__(self) -> None:
        super().__init__()
        self.sending = threading.Event()
        self.go_on = threading.Event()

    def _call_provider(self, send: dict[str, Any]) -> str:
        if not self.sending.is_set():
            self.sending.set()
            assert self.go_on.wait(10)
        return super()._call_provider(send)


def test_two_deliveries_of_one_message_racing_hand_it_over_once(aws: None) -> None:
    office = PostOffice()
    office.delivery = slow = SlowDelivery()
    office.notifications = build_services(
        get_settings(), clock=office.clock, delivery=slow, renderer=TemplateRenderer()
    ).notifications
    message = office.queue("ada@example.com", None)
    results: dict[str, bool] = {}

    first = threading.Thread(
        target=lambda: results.setdefault("first", office.notifications.deliver(message))
    )
    first.start()
    assert slow.sending.wait(10)
    # The duplicate arrives while the first is still handing the message over.
    results["second"] = office.notifications.deliver(message)
    slow.go_on.set()
    first.join(10)

    assert results == {"second": False, "first": True}
    assert [m.to for m in sent_messages()] == ["ada@example.com"]
    assert office.state(message).status is MessageStatus.SENT
    # It scheduled a look for when the first one's claim lapses; by then it is sent.
    office.clock.advance(minutes=10)
    office.run()
    assert [m.to for m in sent_messages()] == ["ada@example.com"]
    assert slow.attempts == [message.message_id]
