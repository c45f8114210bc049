"""Wires use cases to adapters, once per Lambda container, on first use (not at import:
cold start and tests both depend on creating no AWS client before it is needed).

`build_services` is the composition root: every adapter is a keyword argument with its
production default, so tests and harnesses swap in what they need and build the rest the
same way production does."""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

from chalicelib.adapters.clock import SystemClock
from chalicelib.adapters.custom_templates import BusinessTextsRenderer
from chalicelib.adapters.dynamodb.message_settings import MessageSettingsStore
from chalicelib.adapters.dynamodb.unit_of_work import DynamoUnitOfWorkFactory
from chalicelib.adapters.messaging import AwsMessageDelivery
from chalicelib.adapters.scheduler import EventBridgeScheduler
from chalicelib.adapters.templates import TemplateRenderer
from chalicelib.adapters.tokens import LinkSigner, StaffTokenVerifier
from chalicelib.ports.message_settings import MessageSettings
from chalicelib.ports.runtime import Clock, MessageDelivery, MessageRenderer, Scheduler
from chalicelib.ports.unit_of_work import UnitOfWorkFactory
from chalicelib.services.board import StaffBoard
from chalicelib.services.bookings import Bookings
from chalicelib.services.catalogue import Catalogue
from chalicelib.services.links import Links
from chalicelib.services.message_texts import MessageTexts
from chalicelib.services.notifications import Notifications
from chalicelib.services.offers import Offers
from chalicelib.services.refill.held_seats import Refill
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
    message_delivery: MessageDelivery
    links: Links
    staff_tokens: StaffTokenVerifier
    workflows: Workflows
    message_texts: MessageTexts
    board: StaffBoard
    uow: UnitOfWorkFactory
    """For harnesses that set up or inspect data the way the use cases read it."""
    clock: Clock


def build_services(
    settings: Settings,
    *,
    clock: Clock | None = None,
    uow: UnitOfWorkFactory | None = None,
    delivery: MessageDelivery | None = None,
    scheduler: Scheduler | None = None,
    message_settings: MessageSettings | None = None,
    renderer: MessageRenderer | None = None,
) -> Services:
    """Every use case, wired to the adapters given and to production's for the rest
    (DynamoDB, SES/SNS, EventBridge Scheduler, the system clock)."""
    clock = clock or SystemClock()
    uow = uow or DynamoUnitOfWorkFactory(settings)
    delivery = delivery or AwsMessageDelivery(settings)
    scheduler = scheduler or EventBridgeScheduler(settings)
    message_settings = message_settings or MessageSettingsStore(settings)
    standard_texts = TemplateRenderer()
    renderer = renderer or BusinessTextsRenderer(standard_texts, message_settings)
    links = Links(LinkSigner(settings.require_link_signing_key()), settings.public_base_url)
    offers = Offers(uow, clock, links, scheduler)
    return Services(
        catalogue=Catalogue(uow, clock),
        bookings=Bookings(uow, clock, links),
        waiting_list=WaitingList(uow, clock, links),
        refill=Refill(uow, clock, links, offers),
        offers=offers,
        notifications=Notifications(uow, renderer, delivery, clock, scheduler),
        reminders=Reminders(uow, clock, links),
        message_delivery=delivery,
        links=links,
        staff_tokens=StaffTokenVerifier(settings),
        workflows=Workflows(uow, message_settings),
        message_texts=MessageTexts(uow, message_settings, standard_texts, clock),
        board=StaffBoard(uow),
        uow=uow,
        clock=clock,
    )


@lru_cache(maxsize=1)
def services() -> Services:
    return build_services(get_settings())
