"""Wires use cases to adapters, once per Lambda container, on first use (not at import:
cold start and tests both depend on creating no AWS client before it is needed)."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from chalicelib.adapters.clock import SystemClock
from chalicelib.adapters.custom_templates import BusinessTextsRenderer
from chalicelib.adapters.dynamodb.message_settings import MessageSettingsStore
from chalicelib.adapters.dynamodb.store import DynamoStore
from chalicelib.adapters.messaging import AwsMessageDelivery
from chalicelib.adapters.scheduler import EventBridgeScheduler
from chalicelib.adapters.templates import TemplateRenderer
from chalicelib.adapters.tokens import LinkSigner, StaffTokenVerifier
from chalicelib.ports.runtime import Clock
from chalicelib.services.bookings import Bookings
from chalicelib.services.catalogue import Catalogue
from chalicelib.services.links import Links
from chalicelib.services.message_texts import MessageTexts
from chalicelib.services.notifications import Notifications
from chalicelib.services.offers import Offers
from chalicelib.services.refill import Refill
from chalicelib.services.reminders import Reminders
from chalicelib.services.waiting_list import WaitingList
from chalicelib.services.workflows import Workflows
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
    workflows: Workflows
    message_texts: MessageTexts


def build_services(settings: Settings, clock: Clock) -> Services:
    store = DynamoStore(settings)
    links = Links(LinkSigner(settings.require_link_signing_key()), settings.public_base_url)
    delivery = AwsMessageDelivery(settings)
    scheduler = EventBridgeScheduler(settings)
    offers = Offers(store, clock, links, scheduler)
    refill = Refill(store, clock, links, offers)
    message_settings = MessageSettingsStore(settings)
    standard_texts = TemplateRenderer()
    return Services(
        catalogue=Catalogue(store, clock),
        bookings=Bookings(store, clock, links, refill),
        waiting_list=WaitingList(store, clock, links),
        refill=refill,
        offers=offers,
        notifications=Notifications(
            store,
            BusinessTextsRenderer(standard_texts, message_settings),
            delivery,
            clock,
            scheduler,
        ),
        reminders=Reminders(store, clock, links),
        message_delivery=delivery,
        links=links,
        staff_tokens=StaffTokenVerifier(settings),
        workflows=Workflows(store, message_settings),
        message_texts=MessageTexts(store, message_settings, standard_texts, clock),
    )


@lru_cache(maxsize=1)
def services() -> Services:
    return build_services(get_settings(), SystemClock())
