"""Rounds of offers: ask waiting customers in turn (or several at once) to take a held
seat, and close a round whose time is up."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from chalicelib.adapters.observability import logger
from chalicelib.domain.errors import InvalidRequest, NotActive, NotFound, SlotFull
from chalicelib.domain.model import (
    Business,
    EntryStatus,
    RefillDecision,
    SkippedEntry,
    WaitingEntry,
    WaitingListMode,
    customer_key,
    list_key,
)
from chalicelib.domain.offers import Offer, OfferStatus, deadline, how_many, mode_for
from chalicelib.domain.refill import RefillOutcome
from chalicelib.domain.refusals import DailyOfferLimit, Refused, RetryableConflict
from chalicelib.domain.seats import FreedSeat
from chalicelib.domain.time_rules import in_zone
from chalicelib.ports.runtime import Clock, Scheduler
from chalicelib.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from chalicelib.services.catalogue import slot_and_business
from chalicelib.services.ids import id_for_cause, new_id
from chalicelib.services.links import Links
from chalicelib.services.offers.messages import offer_closed, offer_made
from chalicelib.services.refill.planning import plan
from chalicelib.services.retry import TryAgain, retry

NO_TAKER = "no one took the offer in time"
NO_ACTIVE_HOURS_LEFT = "no active hours left before the cutoff"
OFFER_LIMIT = "had as many offers today as the business allows"
OVERDUE_PER_SWEEP = 100
EXPIRE_OFFER = "expire_offer"
MAX_ITEMS_PER_COMMIT = 100
"""A unit of work commits at most this many items in its one transaction."""


def schedule_name(cause: str, round_number: int) -> str:
    """Named after the seat's cause and round: creating it twice is one schedule."""
    return f"offer-{id_for_cause(cause)}-{round_number}"


def offers_that_fit(messages_per_offer: Sequence[int]) -> int:
    """How many of a round's offers, in order, fit its one commit: the seat's record,
    then for each offer its daily count, the offer, its entry and its messages."""
    items, fitting = 1, 0
    for messages in messages_per_offer:
        items += 3 + messages
        if items > MAX_ITEMS_PER_COMMIT:
            break
        fitting += 1
    return fitting


class OfferRounds:
    def __init__(
        self, uow: UnitOfWorkFactory, clock: Clock, links: Links, scheduler: Scheduler
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._links = links
        self._scheduler = scheduler

    def next_round(
        self,
        freed: FreedSeat,
        business: Business,
        prior: RefillDecision | None,
        *,
        holders: frozenset[str] = frozenset(),
    ) -> RefillOutcome:
        """Offer the held seat to the next customer (one at a time) or to the first few
        (offer to many), passing over anyone who has had their offers for the day, who
        holds a seat of the slot already (`holders`) or was asked through another list.
        With no one left to ask — or after an offer to many found no taker — the seat goes
        back on sale."""
        capped: list[str] = []

        def attempt() -> RefillOutcome:
            try:
                return self._round(freed, business, prior, capped, holders)
            except DailyOfferLimit as refusal:
                capped.extend(refusal.entry_ids)
                raise TryAgain() from refusal

        return retry(attempt, on=(), gave_up=f"could not offer the seat freed by {freed.cause}")

    def _round(
        self,
        freed: FreedSeat,
        business: Business,
        prior: RefillDecision | None,
        capped: Sequence[str],
        holders: frozenset[str],
    ) -> RefillOutcome:
        mode = mode_for(business, freed.slot)
        now = self._clock.now()
        asked = prior.offered if prior else ()
        asked_customers = prior.offered_customers if prior else ()
        with self._uow() as uow:
            found = plan(
                uow.waiting_list,
                business,
                freed.slot_id,
                freed.slot,
                now,
                wanted=how_many(mode, business),
                already_asked=(*asked, *capped),
                chain_step=freed.chain_step,
                holders=holders,
                asked_customers=frozenset(asked_customers),
            )
            skipped = (
                *found.skipped,
                *(SkippedEntry(entry_id, OFFER_LIMIT) for entry_id in capped),
            )
            chosen = found.in_order[: how_many(mode, business)]
            one_round_only = mode is WaitingListMode.OFFER_TO_MANY and prior is not None
            # Offers wait for the business's active hours, if those begin before the cutoff.
            opens = business.sendable_from(now)
            cutoff = freed.slot.starts_at - timedelta(minutes=business.refill_cutoff_minutes)
            if not chosen or one_round_only or opens >= cutoff:
                decision = RefillDecision(
                    cause=freed.cause,
                    outcome=RefillOutcome.RELEASED,
                    decided_at=now,
                    skipped=skipped,
                    reason=NO_TAKER
                    if one_round_only
                    else found.reason_if_none
                    if not chosen
                    else NO_ACTIVE_HOURS_LEFT,
                    round=prior.round if prior else 0,
                    closed_round=prior.closed_round if prior else 0,
                    offered=asked,
                    offered_customers=asked_customers,
                )
                uow.refills.decide(freed, decision, prior)
                uow.seats.release_held(freed.business_id, freed.slot_id)
                uow.commit()
                logger.info("held seat back on sale", extra={"cause": freed.cause})
                return RefillOutcome.RELEASED
            round_number = (prior.round if prior else 0) + 1
            record = RefillDecision(
                cause=freed.cause,
                outcome=RefillOutcome.OFFERING,
                decided_at=now,
                skipped=skipped,
                round=round_number,
                closed_round=prior.closed_round if prior else 0,
                offered=(*asked, *(entry.entry_id for entry in chosen)),
                offered_customers=(
                    *asked_customers,
                    *(customer_key(entry.contact) for entry in chosen),
                ),
            )
            self._ask(
                uow, freed, business, chosen, record, prior, opens, business.max_offers_per_day
            )
        return RefillOutcome.OFFERED

    def _ask(
        self,
        uow: UnitOfWork,
        freed: FreedSeat,
        business: Business,
        entries: Sequence[WaitingEntry],
        record: RefillDecision,
        prior: RefillDecision | None,
        opens: datetime,
        max_per_day: int,
    ) -> list[Offer]:
        """Make one round of offers: committed with the seat's record, messages held for
        the business's hours, and a schedule to end the round."""
        now = self._clock.now()
        expires_at = deadline(business, freed.slot, opens)
        offers = [
            Offer(
                business_id=freed.business_id,
                slot_id=freed.slot_id,
                cause=freed.cause,
                round=record.round,
                entry_id=entry.entry_id,
                contact=entry.contact,
                slot=freed.slot,
                status=OfferStatus.OPEN,
                offered_at=now,
                expires_at=expires_at,
                signed_up_at=entry.signed_up_at,
                window_service_id=entry.window.service_id if entry.window else None,
                earlier_than=entry.earlier_than,
                chain_step=freed.chain_step,
                list_key=list_key(entry),
            )
            for entry in entries
        ]
        made = [offer_made(offer, business, self._links) for offer in offers]
        fitting = offers_that_fit([len(messages) for messages in made])
        if fitting < len(offers):
            # The rest keep their place for a later round, unasked and uncounted.
            dropped = offers[fitting:]
            offers, made = offers[:fitting], made[:fitting]
            record = replace(
                record,
                offered=record.offered[: len(record.offered) - len(dropped)],
                offered_customers=record.offered_customers[
                    : len(record.offered_customers) - len(dropped)
                ],
            )
        day = in_zone(now, business.time_zone).date().isoformat()
        uow.refills.decide(freed, record, prior)
        for offer in offers:
            uow.offers.add(offer, day=day, max_per_day=max_per_day)
            uow.waiting_list.offered(offer)
        uow.outbox.add([m for messages in made for m in messages])
        uow.commit()
        self._scheduler.at(
            schedule_name(freed.cause, record.round),
            expires_at,
            {
                "task": EXPIRE_OFFER,
                "business_id": freed.business_id,
                "slot_id": freed.slot_id,
                "cause": freed.cause,
                "round": record.round,
            },
        )
        logger.info(
            "seat offered",
            extra={"cause": freed.cause, "round": record.round, "offers": len(offers)},
        )
        return offers

    def offer_chosen(self, business_id: str, slot_id: str, entry_ids: Sequence[str]) -> list[Offer]:
        """Manual mode: staff offer a free seat to the customers they chose, at once; the
        first to accept gets it if it is still free (the seat stays on sale meanwhile)."""
        with self._uow() as uow:
            slot, business = slot_and_business(uow.catalogue, business_id, slot_id)
            if slot.is_full:
                raise SlotFull("the slot has no free seat to offer")
            now = self._clock.now()
            entries: dict[str, WaitingEntry] = {}
            for entry_id in dict.fromkeys(entry_ids):
                entry = uow.waiting_list.get_entry(business_id, slot_id, entry_id)
                if entry is None:
                    raise NotFound(f"entry_ids: no waiting-list entry {entry_id!r}")
                if entry.status is not EntryStatus.WAITING:
                    raise NotActive(f"entry_ids: {entry.contact.name} is no longer waiting")
                if slot.is_held_by(entry.contact):
                    raise InvalidRequest(
                        "entry_ids", f"{entry.contact.name} already holds a seat of this slot"
                    )
                # One customer on the list twice is asked once.
                entries.setdefault(customer_key(entry.contact), entry)
            freed = FreedSeat(
                business_id, slot_id, f"manual-{new_id()}", False, slot.summary(business)
            )
            record = RefillDecision(
                cause=freed.cause,
                outcome=RefillOutcome.OFFERING,
                decided_at=now,
                skipped=(),
                round=1,
                offered=tuple(entry.entry_id for entry in entries.values()),
                offered_customers=tuple(entries),
                holds_seat=False,
            )
            # Staff chose these customers themselves: no daily limit stands in their way.
            return self._ask(
                uow,
                freed,
                business,
                list(entries.values()),
                record,
                None,
                business.sendable_from(now),
                0,
            )

    # --- running out -------------------------------------------------------------------------

    def expire(self, business_id: str, slot_id: str, cause: str, round_number: int) -> bool:
        """Close a round whose time is up and move on. However often it is called — by the
        round's schedule, by the backstop, or both — a round is closed once. Returns
        whether anything was done."""
        with self._uow() as uow:
            record = uow.refills.get_refill(business_id, slot_id, cause)
            if (
                record is None
                or record.outcome != RefillOutcome.OFFERING
                or record.round != round_number
            ):
                return False  # taken, released, or a later round is already under way
            offers = uow.offers.offers_of_round(business_id, slot_id, cause, round_number)
            slot, business = uow.catalogue.get_slot_and_business(business_id, slot_id)
            if not offers or business is None:
                return False
            now = self._clock.now()
            freed = FreedSeat(business_id, slot_id, cause, record.holds_seat, offers[0].slot)
            if record.closed_round < round_number:
                still_open = [offer for offer in offers if offer.status is OfferStatus.OPEN]
                if any(now < offer.expires_at for offer in still_open):
                    return False  # called early: the round's own schedule will come
                closed = replace(
                    record,
                    closed_round=round_number,
                    decided_at=now,
                    # Staff's own offers hold no seat: when they run out, that is all.
                    outcome=RefillOutcome.OFFERING if record.holds_seat else RefillOutcome.LAPSED,
                )
                expired = [replace(offer, status=OfferStatus.EXPIRED) for offer in still_open]
                uow.refills.decide(freed, closed, record)
                for offer in expired:
                    uow.offers.close(offer)
                    uow.waiting_list.returned(offer)
                uow.outbox.add(
                    [
                        m
                        for offer in expired
                        for m in offer_closed(offer, business, OfferStatus.EXPIRED, now)
                    ]
                )
                try:
                    uow.commit()
                except (Refused, RetryableConflict):
                    return False  # accepted or closed by someone else meanwhile
                record = closed
        if record.holds_seat:
            self.next_round(freed, business, record, holders=slot.holders if slot else frozenset())
        return True

    def expire_overdue(self) -> int:
        """The backstop: close every round whose schedule should have fired by now."""
        with self._uow() as uow:
            overdue = uow.offers.overdue_offers(self._clock.now(), OVERDUE_PER_SWEEP)
        rounds = {(offer.business_id, offer.slot_id, offer.cause, offer.round) for offer in overdue}
        return sum(self.expire(*key) for key in sorted(rounds))
