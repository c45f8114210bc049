"""Wires use cases to adapters, once per Lambda container, on first use (not at import:
cold start and tests both depend on creating no AWS client before it is needed)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from chalicelib.adapters.clock import SystemClock
from chalicelib.adapters.dynamodb.store import DynamoStore
from chalicelib.adapters.messaging import AwsMessageDelivery
from chalicelib.adapters.scheduler import EventBridgeScheduler
from chalicelib.adapters.templates import TemplateRenderer
from chalicelib.adapters.tokens import LinkSigner, StaffTokenVerifier
from chalicelib.services.bookings import Bookings
from chalicelib.services.catalogue import Catalogue
from chalicelib.services.links import Links
from chalicelib.services.notifications import Notifications
from chalicelib.services.offers import Offers
from chalicelib.services.ports import Clock
from chalicelib.services.refill import Refill
from chalicelib.services.reminders import Reminders
from chalicelib.services.waiting_list import WaitingList
from chalicelib.settings import Settings, get_settings


@dataclass(frozen=True)
class Services:
    catalogue: Catalogue
    bookings: Bookings
    waiting_list: WaitingList
    refill: Refill
    offers: Offers
    notifications: Notifications
    reminders: Reminders
    message_delivery: AwsMessageDelivery
    links: Links
    staff_tokens: StaffTokenVerifier


def build_services(settings: Settings, clock: Clock) -> Services:
    store = DynamoStore(settings)
    links = Links(LinkSigner(settings.require_link_signing_key()), settings.public_base_url)
    delivery = AwsMessageDelivery(settings)
    scheduler = EventBridgeScheduler(settings)
    offers = Offers(store, clock, links, scheduler)
    refill = Refill(store, clock, links, offers)
    return Services(
        catalogue=Catalogue(store, clock),
        bookings=Bookings(store, clock, links, refill),
        waiting_list=WaitingList(store, clock),
        refill=refill,
        offers=offers,
        notifications=Notifications(store, TemplateRenderer(), delivery, clock, scheduler),
        reminders=Reminders(store, clock, links),
        message_delivery=delivery,
        links=links,
        staff_tokens=StaffTokenVerifier(settings),
    )


@lru_cache(maxsize=1)
def services() -> Services:
    return build_services(get_settings(), SystemClock())
