"""Use cases of offers: ask waiting customers in turn (or several at once) to take a held
seat, and settle what happens when they accept, decline or let the offer run out."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta

from chalicelib.adapters.dynamodb.store import (
    OFFERING,
    DynamoStore,
    RetryableConflict,
    offers_that_fit,
)
from chalicelib.adapters.observability import logger
from chalicelib.domain.allocation import MAX_CHAIN_STEPS, WAITING_LIST_OFF, eligible
from chalicelib.domain.errors import InvalidRequest, NotActive, NotFound, SlotFull
from chalicelib.domain.lifecycle import Move, move
from chalicelib.domain.messages import MessageType, OutboxMessage
from chalicelib.domain.model import (
    Actor,
    Allocation,
    Booking,
    BookingSource,
    BookingStatus,
    Business,
    EarlierThan,
    EntryStatus,
    PaymentStatus,
    RefillDecision,
    SkippedEntry,
    SlotSummary,
    WaitingEntry,
    WaitingListMode,
    customer_key,
    list_key,
)
from chalicelib.domain.offers import (
    REFUSALS,
    Offer,
    OfferStatus,
    deadline,
    how_many,
    mode_for,
    refusal,
)
from chalicelib.domain.refusals import (
    DailyOfferLimit,
    Refused,
    SeatChanged,
)
from chalicelib.domain.seats import FreedSeat, seat_after_release_for
from chalicelib.domain.time_rules import in_zone
from chalicelib.ports.runtime import Clock, Scheduler
from chalicelib.services.booking_messages import (
    message_about,
    messages_to,
    moved_message,
    slot_context,
)
from chalicelib.services.catalogue import slot_and_business
from chalicelib.services.ids import id_for_cause, new_id
from chalicelib.services.links import OFFER, Links

CANDIDATES_PER_QUERY = 10
OFFERED = "offered"
BOOKED = "booked"
MOVED_EARLIER = "moved_earlier"
RELEASED = "released"
NO_TAKER = "no one took the offer in time"
NO_ACTIVE_HOURS_LEFT = "no active hours left before the cutoff"
OFFER_LIMIT = "had as many offers today as the business allows"
MAX_ATTEMPTS = 5
OVERDUE_PER_SWEEP = 100
EXPIRE_OFFER = "expire_offer"
LAPSED = "lapsed"


def chain_step_note(from_slot_id: str, step: int) -> str:
    return f"moved from slot {from_slot_id} (step {step} of at most {MAX_CHAIN_STEPS} in a row)"


def schedule_name(cause: str, round_number: int) -> str:
    """Named after the seat's cause and round: creating it twice is one schedule."""
    return f"offer-{id_for_cause(cause)}-{round_number}"


class Offers:
    def __init__(
        self, store: DynamoStore, clock: Clock, links: Links, scheduler: Scheduler
    ) -> None:
        self._store = store
        self._clock = clock
        self._links = links
        self._scheduler = scheduler

    # --- asking ------------------------------------------------------------------------------

    def plan(
        self,
        business: Business | None,
        slot_id: str,
        slot: SlotSummary,
        now: datetime,
        *,
        wanted: int = 1,
        already_asked: Sequence[str] = (),
        chain_step: int = 0,
        holders: frozenset[str] = frozenset(),
        asked_customers: frozenset[str] = frozenset(),
    ) -> Allocation:
        """Who could take a seat of this slot now, in sign-up order: one Query on the
        slot's list sorted by sign-up time, whatever its length, and — while window
        entries are open — one on its service's list, merged by sign-up time."""
        if business is None or not business.waiting_list_open:
            return Allocation(chosen=None, reason_if_none=WAITING_LIST_OFF)
        limit = max(wanted, CANDIDATES_PER_QUERY) + len(already_asked)
        candidates = self._store.waiting_candidates(business.business_id, slot_id, limit)
        if business.open_windows > 0:
            candidates += self._store.window_candidates(business.business_id, slot, limit)
        asked = set(already_asked)
        return eligible(
            [entry for entry in candidates if entry.entry_id not in asked],
            slot_starts_at=slot.starts_at,
            now=now,
            cutoff=timedelta(minutes=business.refill_cutoff_minutes),
            chain_step=chain_step,
            holders=holders,
            asked_customers=asked_customers,
        )

    def next_round(
        self,
        freed: FreedSeat,
        business: Business,
        prior: RefillDecision | None,
        *,
        holders: frozenset[str] = frozenset(),
    ) -> str:
        """Offer the held seat to the next customer (one at a time) or to the first few
        (offer to many), passing over anyone who has had their offers for the day, who
        holds a seat of the slot already (`holders`) or was asked through another list.
        With no one left to ask — or after an offer to many found no taker — the seat goes
        back on sale."""
        capped: list[str] = []
        for _ in range(MAX_ATTEMPTS):
            try:
                return self._round(freed, business, prior, capped, holders)
            except DailyOfferLimit as refusal:
                capped.extend(refusal.entry_ids)
        raise RetryableConflict(f"could not offer the seat freed by {freed.cause}")

    def _round(
        self,
        freed: FreedSeat,
        business: Business,
        prior: RefillDecision | None,
        capped: Sequence[str],
        holders: frozenset[str],
    ) -> str:
        mode = mode_for(business, freed.slot)
        now = self._clock.now()
        asked = prior.offered if prior else ()
        asked_customers = prior.offered_customers if prior else ()
        found = self.plan(
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
        skipped = (*found.skipped, *(SkippedEntry(entry_id, OFFER_LIMIT) for entry_id in capped))
        chosen = found.in_order[: how_many(mode, business)]
        one_round_only = mode is WaitingListMode.OFFER_TO_MANY and prior is not None
        # Offers wait for the business's active hours, if those begin before the cutoff.
        opens = business.sendable_from(now)
        too_late = opens >= freed.slot.starts_at - timedelta(minutes=business.refill_cutoff_minutes)
        if not chosen or one_round_only or too_late:
            decision = RefillDecision(
                cause=freed.cause,
                outcome=RELEASED,
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
            self._store.release_held_seat(freed, decision, prior)
            logger.info("held seat back on sale", extra={"cause": freed.cause})
            return RELEASED
        round_number = (prior.round if prior else 0) + 1
        record = RefillDecision(
            cause=freed.cause,
            outcome=OFFERING,
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
        self._ask(freed, business, chosen, record, prior, opens, business.max_offers_per_day)
        return OFFERED

    def _ask(
        self,
        freed: FreedSeat,
        business: Business,
        entries: Sequence[WaitingEntry],
        record: RefillDecision,
        prior: RefillDecision | None,
        opens: datetime,
        max_per_day: int,
    ) -> list[Offer]:
        """Make one round of offers: written with the seat's record, messages held for the
        business's hours, and a schedule to end the round."""
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
        made = [self._offer_made(offer, business) for offer in offers]
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
        messages = [m for messages in made for m in messages]
        self._store.offer_round(
            freed,
            record,
            prior,
            offers,
            messages,
            day=in_zone(now, business.time_zone).date().isoformat(),
            max_per_day=max_per_day,
        )
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
        slot, business = slot_and_business(self._store, business_id, slot_id)
        if slot.is_full:
            raise SlotFull("the slot has no free seat to offer")
        now = self._clock.now()
        entries: dict[str, WaitingEntry] = {}
        for entry_id in dict.fromkeys(entry_ids):
            entry = self._store.get_entry(business_id, slot_id, entry_id)
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
        freed = FreedSeat(business_id, slot_id, f"manual-{new_id()}", False, slot.summary(business))
        record = RefillDecision(
            cause=freed.cause,
            outcome=OFFERING,
            decided_at=now,
            skipped=(),
            round=1,
            offered=tuple(entry.entry_id for entry in entries.values()),
            offered_customers=tuple(entries),
            holds_seat=False,
        )
        # Staff chose these customers themselves: no daily limit stands in their way.
        return self._ask(
            freed, business, list(entries.values()), record, None, business.sendable_from(now), 0
        )

    # --- running out -------------------------------------------------------------------------

    def expire(self, business_id: str, slot_id: str, cause: str, round_number: int) -> bool:
        """Close a round whose time is up and move on. However often it is called — by the
        round's schedule, by the backstop, or both — a round is closed once. Returns
        whether anything was done."""
        record = self._store.get_refill(business_id, slot_id, cause)
        if record is None or record.outcome != OFFERING or record.round != round_number:
            return False  # taken, released, or a later round is already under way
        offers = self._store.offers_of_round(business_id, slot_id, cause, round_number)
        slot, business = self._store.get_slot_and_business(business_id, slot_id)
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
                outcome=OFFERING if record.holds_seat else LAPSED,
            )
            expired = [replace(offer, status=OfferStatus.EXPIRED) for offer in still_open]
            messages = [
                m for offer in expired for m in self._told(offer, business, OfferStatus.EXPIRED)
            ]
            try:
                self._store.close_offers(expired, messages, (freed, record, closed))
            except (Refused, RetryableConflict):
                return False  # accepted or closed by someone else meanwhile
            record = closed
        if record.holds_seat:
            self.next_round(freed, business, record, holders=slot.holders if slot else frozenset())
        return True

    def expire_overdue(self) -> int:
        """The backstop: close every round whose schedule should have fired by now."""
        rounds = {
            (offer.business_id, offer.slot_id, offer.cause, offer.round)
            for offer in self._store.overdue_offers(self._clock.now(), OVERDUE_PER_SWEEP)
        }
        return sum(self.expire(*key) for key in sorted(rounds))

    # --- answering ---------------------------------------------------------------------------

    def view(self, token: str) -> Offer:
        return self._offer(token)

    def in_flight(self, business_id: str, slot_id: str) -> list[Offer]:
        """The slot's open offers awaiting an answer, soonest deadline first: one Query per
        round still running (a seat rarely has more than one)."""
        running = [
            decision
            for decision in self._store.refills(business_id, slot_id)
            if decision.outcome == OFFERING and decision.closed_round < decision.round
        ]
        offers = [
            offer
            for decision in running
            for offer in self._store.offers_of_round(
                business_id, slot_id, decision.cause, decision.round
            )
            if offer.status is OfferStatus.OPEN
        ]
        return sorted(offers, key=lambda offer: (offer.expires_at, offer.signed_up_at))

    def accept(self, token: str) -> Booking:
        """Take the offered seat: refused, saying why, once the offer has expired, been
        declined, or gone to someone else. One read (the offer, the seat's record, the
        business) and one write; the others asked in the round are told afterwards, from
        this offer's stream record (`tell_the_others`)."""
        link = self._links.read(token, OFFER)
        offer, record, business, _ = self._store.offer_to_answer(
            link.business_id, link.slot_id, link.item_id
        )
        if offer is None:
            raise NotFound("this link is not valid")
        now = self._clock.now()
        why = refusal(offer, now)
        if why:
            raise NotActive(why)
        if (
            record is None
            or record.outcome != OFFERING
            or record.round != offer.round
            or record.closed_round >= offer.round
        ):
            raise NotActive(REFUSALS[OfferStatus.TAKEN])
        if business is None:
            raise NotFound("no such business")
        moving = None
        if offer.earlier_than:
            moving = self.earlier_move(
                business,
                offer.earlier_than,
                to_slot_id=offer.slot_id,
                to_slot=offer.slot,
                by=Actor.CUSTOMER,
                at=now,
                step=offer.chain_step + 1,
            )
            if moving is None:
                raise NotActive("your booking is no longer active, so it cannot be moved")
        booking = (
            moving[0].arrived
            if moving
            else Booking(
                business_id=offer.business_id,
                slot_id=offer.slot_id,
                booking_id=id_for_cause(offer.cause),
                status=BookingStatus.CONFIRMED,
                source=BookingSource.WAITING_LIST,
                contact=offer.contact,
                slot=offer.slot,
                created_at=now,
                waiting_entry_id=offer.entry_id,
                payment_status=PaymentStatus.UNPAID,
            )
        )
        booked = replace(
            record,
            outcome=MOVED_EARLIER if moving else BOOKED,
            decided_at=now,
            booking_id=booking.booking_id,
            entry_id=offer.entry_id,
            reason=chain_step_note(moving[1].slot_id, offer.chain_step + 1) if moving else None,
        )
        messages = (
            moved_message(moving[1], booking, self._links, business)
            if moving
            else message_about(booking, MessageType.SEAT_ASSIGNED, self._links, business)
        )
        freed = FreedSeat(
            offer.business_id, offer.slot_id, offer.cause, record.holds_seat, offer.slot
        )
        try:
            self._store.accept_offer(
                offer,
                freed,
                record,
                booked,
                booking,
                messages,
                now,
                moving=(moving[0], moving[2]) if moving else None,
            )
        except (Refused, RetryableConflict) as error:
            if isinstance(error, SeatChanged):
                slot = self._store.get_slot(offer.business_id, offer.slot_id)
                if slot is not None and slot.is_held_by(offer.contact):
                    raise NotActive("you already have a booking for this time") from error
                if not record.holds_seat:
                    raise NotActive(
                        "sorry, the seat was booked by someone else meanwhile"
                    ) from error
            latest = self._store.get_offer(offer.business_id, offer.slot_id, offer.offer_id)
            why = refusal(latest, now) if latest else None
            raise NotActive(why or REFUSALS[OfferStatus.TAKEN]) from error
        self._scheduler.cancel(schedule_name(offer.cause, offer.round))
        logger.info(
            "offer accepted", extra={"cause": offer.cause, "booking_id": booking.booking_id}
        )
        return booking

    def earlier_move(
        self,
        business: Business,
        earlier_than: EarlierThan,
        *,
        to_slot_id: str,
        to_slot: SlotSummary,
        by: Actor,
        at: datetime,
        step: int,
    ) -> tuple[Move, Booking, bool] | None:
        """An earlier-slot request met: its booking moves into the seat. The move, the
        booking as it was, and whether its later seat goes to that slot's list; None when
        the booking no longer holds a seat."""
        booking, later, _ = self._store.get_booking_context(
            business.business_id, earlier_than.slot_id, earlier_than.booking_id
        )
        if booking is None or later is None or not booking.status.holds_seat:
            return None
        moving = move(
            booking,
            to_slot_id=to_slot_id,
            to_slot=to_slot,
            by=by,
            at=at,
            seat_after_release=seat_after_release_for(later, business),
            chain_step=step,
        )
        return moving, booking, business.list_claims_freed_seats(later.summary(business))

    def tell_the_others(self, accepted: Offer) -> int:
        """Once an offer is accepted, the round's other open offers close as taken: their
        customers are told, and keep their place on the list. Delivered twice, it closes
        and tells once. Returns how many were told."""
        others = [
            replace(other, status=OfferStatus.TAKEN)
            for other in self._store.offers_of_round(
                accepted.business_id, accepted.slot_id, accepted.cause, accepted.round
            )
            if other.entry_id != accepted.entry_id and other.status is OfferStatus.OPEN
        ]
        if not others:
            return 0
        business = self._store.get_business(accepted.business_id)
        if business is None:
            return 0
        messages = [m for other in others for m in self._told(other, business, OfferStatus.TAKEN)]
        # Should one of them decline meanwhile, this fails and the stream record is retried.
        self._store.close_offers(others, messages)
        logger.info("others told the seat is taken", extra={"cause": accepted.cause})
        return len(others)

    def decline(self, token: str) -> Offer:
        """Say no: one at a time, the next customer is asked at once; offered to many, the
        others keep their chance. One read, as for accepting (the offer, the seat's record,
        the business), and one write before the next round."""
        link = self._links.read(token, OFFER)
        offer, record, business, slot = self._store.offer_to_answer(
            link.business_id, link.slot_id, link.item_id
        )
        if offer is None:
            raise NotFound("this link is not valid")
        now = self._clock.now()
        why = refusal(offer, now)
        if why:
            raise NotActive(why)
        declined = replace(offer, status=OfferStatus.DECLINED)
        if business is None or record is None:
            raise NotFound("no such offer")
        freed = FreedSeat(offer.business_id, offer.slot_id, offer.cause, True, offer.slot)
        one_at_a_time = mode_for(business, offer.slot) is WaitingListMode.ONE_AT_A_TIME
        closing = (
            (freed, record, replace(record, closed_round=offer.round, decided_at=now))
            if one_at_a_time
            else None
        )
        try:
            self._store.close_offers([declined], [], closing)
        except (Refused, RetryableConflict) as error:
            raise NotActive(REFUSALS[OfferStatus.TAKEN]) from error
        if closing is not None:
            self.next_round(
                freed, business, closing[2], holders=slot.holders if slot else frozenset()
            )
        return declined

    def _offer(self, token: str) -> Offer:
        link = self._links.read(token, OFFER)
        offer = self._store.get_offer(link.business_id, link.slot_id, link.item_id)
        if offer is None:
            raise NotFound("this link is not valid")
        return offer

    # --- messages ----------------------------------------------------------------------------

    def _offer_made(self, offer: Offer, business: Business) -> list[OutboxMessage]:
        token = self._links.offer_token(offer.business_id, offer.slot_id, offer.offer_id)
        context = {
            **slot_context(offer.contact.name, offer.slot),
            **self._links.offer_urls(token),
            "expires_at": offer.expires_at.isoformat(),
        }
        return messages_to(
            offer.business_id,
            offer.contact,
            offer.slot,
            MessageType.OFFER_MADE,
            cause_id=offer.offer_id,
            context=context,
            business=business,
            created_at=offer.offered_at,
        )

    def _told(self, offer: Offer, business: Business, why: OfferStatus) -> list[OutboxMessage]:
        message_type = (
            MessageType.OFFER_EXPIRED if why is OfferStatus.EXPIRED else MessageType.OFFER_TAKEN
        )
        return messages_to(
            offer.business_id,
            offer.contact,
            offer.slot,
            message_type,
            cause_id=offer.offer_id,
            context=slot_context(offer.contact.name, offer.slot),
            business=business,
            created_at=self._clock.now(),
        )
