"""Manual mode: a freed seat stays on sale and staff are told who waits for it, in order."""

from __future__ import annotations

from contextlib import suppress

from chalicelib.domain.messages import MessageType
from chalicelib.domain.model import WaitingListMode
from chalicelib.domain.offers import mode_for
from chalicelib.domain.refusals import AlreadyQueued
from chalicelib.domain.seats import FreedSeat
from chalicelib.ports.runtime import Clock
from chalicelib.ports.unit_of_work import UnitOfWorkFactory
from chalicelib.services.booking_messages import slot_context
from chalicelib.services.message_rules import outbox_messages, owes_messages
from chalicelib.services.refill.planning import plan

MAX_LISTED = 25


def tell_staff_if_manual(uow_factory: UnitOfWorkFactory, clock: Clock, freed: FreedSeat) -> None:
    """In manual mode staff are told the seat is free and who waits for it, in order; each
    message once per cause, however often the change is delivered."""
    with uow_factory() as uow:
        slot, business = uow.catalogue.get_slot_and_business(freed.business_id, freed.slot_id)
        if business is None or not business.waiting_list_open:
            return
        if mode_for(business, freed.slot) is not WaitingListMode.MANUAL:
            return
        now = clock.now()
        if not owes_messages(business, MessageType.SLOT_AVAILABLE, freed.slot):
            return
        found = plan(
            uow.waiting_list,
            business,
            freed.slot_id,
            freed.slot,
            now,
            wanted=MAX_LISTED,
            holders=slot.holders if slot else frozenset(),
        )
    if not found.in_order:
        return
    waiting = "\n".join(
        f"{number}. {entry.contact.name}"
        + "".join(f", {way}" for way in (entry.contact.email, entry.contact.phone) if way)
        for number, entry in enumerate(found.in_order[:MAX_LISTED], start=1)
    )
    for message in outbox_messages(
        business,
        MessageType.SLOT_AVAILABLE,
        freed.slot,
        contact=None,
        cause_id=freed.cause,
        context={**slot_context("", freed.slot), "slot_id": freed.slot_id, "waiting_list": waiting},
        created_at=now,
        business_id=freed.business_id,
    ):
        # One write each, as each was queued before; one queued already is left as it is.
        with uow_factory() as uow:
            uow.outbox.add([message])
            with suppress(AlreadyQueued):
                uow.commit()
