"""The use cases wired to in-process moto with a clock the test turns, and the bookings
stream fed to their own refill."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

from chalicelib.adapters.stream_events import process_changes
from chalicelib.bootstrap import build_services
from chalicelib.domain.model import Actor, Business, Contact
from chalicelib.entrypoints.events.streams import on_bookings_images
from chalicelib.services.catalogue import NewService, NewSlot
from chalicelib.settings import get_settings
from local.event_filters import filter_patterns
from tests.support.aws import StreamFeed
from tests.support.fakes import FakeClock

START = datetime(2030, 3, 1, 9, 0, tzinfo=UTC)


class Shop:
    """The use cases wired to DynamoDB with a clock the test turns."""

    def __init__(self, **business_settings: Any) -> None:
        settings = get_settings()
        self.clock = FakeClock(START - timedelta(days=1))
        self.services = services = build_services(settings, clock=self.clock)
        self.uow = services.uow
        """Reads for setting up and inspecting, as the use cases read."""
        self.links = services.links
        self.catalogue = services.catalogue
        self.offers = services.offers
        self.refill = services.refill
        self.bookings = services.bookings
        self.waiting_list = services.waiting_list
        self.business = replace(Business("shop", "Shop", "Europe/Oslo", "en"), **business_settings)
        self.catalogue.set_up_business(self.business)
        service = self.catalogue.add_services("shop", [NewService("Cut", 30)])[0]
        self.slot_id = self.catalogue.add_slots(
            "shop", [NewSlot(service.service_id, START, capacity=1)]
        )[0].slot_id
        self.holder = self.bookings.book("shop", self.slot_id, Contact("Ada", "ada@example.com"))
        self.bookings_feed = StreamFeed(
            settings.bookings_table, self._on_change, filter_patterns("on_booking_change")
        )

    def _on_change(self, event: dict[str, Any], context: Any) -> dict[str, Any]:
        return process_changes(event, context, lambda old, new: on_bookings_images(self, old, new))

    def wait(self, count: int) -> None:
        for number in range(count):
            self.clock.advance(seconds=1)
            self.waiting_list.join(
                "shop", self.slot_id, Contact(f"C{number}", f"c{number}@example.com")
            )

    def cancel_holder(self) -> None:
        self.feed_changes()  # what came before the cancellation
        self.bookings.cancel("shop", self.slot_id, self.holder.booking_id, by=Actor.STAFF)

    def feed_changes(self) -> None:
        self.bookings_feed.deliver()

    def refill_record(self) -> Any:
        return self.uow().refills.get_refill("shop", self.slot_id, f"{self.holder.booking_id}.v1")
