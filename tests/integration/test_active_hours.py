"""Active hours: nothing goes out at night in the business's time zone; offers wait for
the morning when it still comes before the cutoff."""

from __future__ import annotations

import json
from datetime import UTC, datetime, time, timedelta
from typing import Any

import boto3

from chalicelib.adapters.stream_events import process_changes
from chalicelib.adapters.templates import TemplateRenderer
from chalicelib.bootstrap import build_services
from chalicelib.domain.model import WaitingListMode
from chalicelib.domain.time_rules import ActiveHours
from chalicelib.entrypoints.events.streams import on_outbox_images
from chalicelib.settings import get_settings
from local.event_filters import filter_patterns
from tests.support.aws import REGION, StreamFeed, sent_about
from tests.support.shop import Shop

DAYTIME = ActiveHours(time(8, 0), time(21, 0))
# 23:30 in Oslo the evening before the slot (09:00 UTC = 10:00 in Oslo, on 1 March 2030).
LATE_EVENING = datetime(2030, 2, 28, 22, 30, tzinfo=UTC)
NEXT_MORNING = datetime(2030, 3, 1, 7, 0, tzinfo=UTC)  # 08:00 in Oslo


class NightShop(Shop):
    def __init__(self, **settings: Any) -> None:
        super().__init__(active_hours=DAYTIME, **settings)
        self.wait(2)
        self.notifications = build_services(
            get_settings(), clock=self.clock, renderer=TemplateRenderer()
        ).notifications
        self.outbox_feed = StreamFeed(
            get_settings().outbox_table, self._on_message, filter_patterns("on_outbox_message")
        )

    def _on_message(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        return process_changes(event, context, lambda old, new: on_outbox_images(self, old, new))

    def cancel_at_night(self) -> None:
        self.feed_changes()
        self.outbox_feed.deliver()  # Ada's confirmation, in the daytime
        self.clock.current = LATE_EVENING
        self.cancel_holder()
        self.feed_changes()
        self.outbox_feed.deliver()

    def fire_held_messages(self) -> None:
        client: Any = boto3.client("scheduler", region_name=REGION)
        for listed in client.list_schedules()["Schedules"]:
            schedule = client.get_schedule(Name=listed["Name"])
            payload = json.loads(schedule["Target"]["Input"])
            if payload.get("task") == "send_message":
                self.notifications.deliver_held(payload["business_id"], payload["message_id"])


def test_a_seat_given_at_night_is_told_when_the_business_opens(aws: None) -> None:
    shop = NightShop()
    shop.cancel_at_night()

    assert shop.refill_record().outcome == "booked"  # the seat is given at once
    assert sent_about("seat opened up") == []  # but nobody is woken
    shop.clock.current = NEXT_MORNING
    shop.fire_held_messages()
    assert [m.to for m in sent_about("seat opened up")] == ["c0@example.com"]
    shop.fire_held_messages()  # a schedule firing twice sends nothing more
    assert len(sent_about("seat opened up")) == 1


def test_an_offer_made_at_night_runs_from_the_morning(aws: None) -> None:
    shop = NightShop(waiting_list_mode=WaitingListMode.ONE_AT_A_TIME, offer_window_seconds=900)
    shop.cancel_at_night()

    [offer] = shop.uow().offers.offers_of_round(
        "shop", shop.slot_id, f"{shop.holder.booking_id}.v1", 1
    )
    assert offer.expires_at == NEXT_MORNING + timedelta(minutes=15)
    assert sent_about("answer by") == []
    shop.clock.current = NEXT_MORNING
    shop.fire_held_messages()
    assert [m.to for m in sent_about("answer by")] == ["c0@example.com"]


def test_with_no_active_hours_left_before_the_cutoff_the_seat_goes_back_on_sale(
    aws: None,
) -> None:
    # The slot starts at 10:00 in Oslo; a two-hour cutoff leaves nothing after 08:00.
    shop = NightShop(waiting_list_mode=WaitingListMode.ONE_AT_A_TIME, refill_cutoff_minutes=120)
    shop.cancel_at_night()
    record = shop.refill_record()
    assert (record.outcome, record.reason) == ("released", "no active hours left before the cutoff")
