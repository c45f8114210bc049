"""Answers to offers: accept (the seat is booked, or the earlier-slot booking moves into
it), decline (the next customer is asked), and the others of a round told once it is
taken."""

from __future__ import annotations

from dataclasses import replace
from datetime import datetime
from typing import NoReturn

from chalicelib.adapters.observability import logger
from chalicelib.domain.errors import NotActive, NotFound
from chalicelib.domain.messages import MessageType
from chalicelib.domain.model import Actor, Booking, Business, RefillDecision, Slot, WaitingListMode
from chalicelib.domain.offers import REFUSALS, Offer, OfferStatus, mode_for, refusal
from chalicelib.domain.refill import RefillOutcome
from chalicelib.domain.refusals import Refused, RetryableConflict, SeatChanged
from chalicelib.domain.seats import FreedSeat
from chalicelib.ports.runtime import Clock, Scheduler
from chalicelib.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from chalicelib.services.booking_messages import message_about, moved_message
from chalicelib.services.links import OFFER, LinkClaims, Links
from chalicelib.services.offers.messages import offer_closed
from chalicelib.services.offers.rounds import OfferRounds, schedule_name
from chalicelib.services.refill.moves import chain_step_note, earlier_move, stage_move
from chalicelib.services.refill.seat_booking import booking_id_for, waiting_list_booking

MADE_A_BOOKING = (RefillOutcome.BOOKED, RefillOutcome.MOVED_EARLIER)


class OfferAnswers:
    def __init__(
        self,
        uow: UnitOfWorkFactory,
        clock: Clock,
        links: Links,
        scheduler: Scheduler,
        rounds: OfferRounds,
    ) -> None:
        self._uow = uow
        self._clock = clock
        self._links = links
        self._scheduler = scheduler
        self._rounds = rounds

    def view(self, token: str) -> Offer:
        link = self._links.read(token, OFFER)
        with self._uow() as uow:
            offer = uow.offers.get_offer(link.business_id, link.slot_id, link.item_id)
        if offer is None:
            raise NotFound("this link is not valid")
        return offer

    def booking_made(self, offer: Offer) -> str:
        """The id of the booking an accepted offer made, as the seat's record names it: a
        new booking's, or the customer's own when the offer moved it from a later slot."""
        with self._uow() as uow:
            record = uow.refills.get_refill(offer.business_id, offer.slot_id, offer.cause)
        if record is not None and record.outcome in MADE_A_BOOKING and record.booking_id:
            return record.booking_id
        return booking_id_for(offer.cause)

    def accept(self, token: str) -> Booking:
        """Take the offered seat: refused, saying why, once the offer has expired, been
        declined, or gone to someone else. One read (the offer, the seat's record, the
        business) and one write; the others asked in the round are told afterwards, from
        this offer's stream record (`tell_the_others`)."""
        link = self._links.read(token, OFFER)
        with self._uow() as uow:
            offer, record, business, _, now = self._still_open(uow, link)
            if (
                record is None
                or record.outcome != RefillOutcome.OFFERING
                or record.round != offer.round
                or record.closed_round >= offer.round
            ):
                raise NotActive(REFUSALS[OfferStatus.TAKEN])
            if business is None:
                raise NotFound("no such business")
            moving = None
            if offer.earlier_than:
                moving = earlier_move(
                    uow,
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
                moving.moving.arrived
                if moving
                else waiting_list_booking(
                    business_id=offer.business_id,
                    slot_id=offer.slot_id,
                    slot=offer.slot,
                    contact=offer.contact,
                    entry_id=offer.entry_id,
                    at=now,
                    cause=offer.cause,
                )
            )
            booked = replace(
                record,
                outcome=RefillOutcome.MOVED_EARLIER if moving else RefillOutcome.BOOKED,
                decided_at=now,
                booking_id=booking.booking_id,
                entry_id=offer.entry_id,
                reason=chain_step_note(moving.booking.slot_id, offer.chain_step + 1)
                if moving
                else None,
            )
            freed = FreedSeat(
                offer.business_id, offer.slot_id, offer.cause, record.holds_seat, offer.slot
            )
            uow.offers.accept(offer, now)
            uow.refills.decide(freed, booked, record)
            if record.holds_seat:
                uow.seats.take_held(offer.business_id, offer.slot_id, booking.contact)
            else:
                # Offered by staff while the seat stayed on sale: it must still be free.
                uow.seats.take_free(offer.business_id, offer.slot_id, booking.contact)
            uow.waiting_list.accepted(offer, booking, now)
            if moving is None:
                uow.bookings.add(booking)
            else:
                stage_move(uow, moving)
            uow.outbox.add(
                moved_message(moving.booking, booking, self._links, business)
                if moving
                else message_about(booking, MessageType.SEAT_ASSIGNED, self._links, business)
            )
            try:
                uow.commit()
            except (Refused, RetryableConflict) as error:
                self._refused(offer, record, now, error)
        self._scheduler.cancel(schedule_name(offer.cause, offer.round))
        logger.info(
            "offer accepted", extra={"cause": offer.cause, "booking_id": booking.booking_id}
        )
        return booking

    def _refused(
        self, offer: Offer, record: RefillDecision, now: datetime, error: Exception
    ) -> NoReturn:
        """Why accepting failed, in the customer's words."""
        with self._uow() as uow:
            if isinstance(error, SeatChanged):
                slot = uow.catalogue.get_slot(offer.business_id, offer.slot_id)
                if slot is not None and slot.is_held_by(offer.contact):
                    raise NotActive("you already have a booking for this time") from error
                if not record.holds_seat:
                    raise NotActive(
                        "sorry, the seat was booked by someone else meanwhile"
                    ) from error
            latest = uow.offers.get_offer(offer.business_id, offer.slot_id, offer.offer_id)
        why = refusal(latest, now) if latest else None
        raise NotActive(why or REFUSALS[OfferStatus.TAKEN]) from error

    def tell_the_others(self, accepted: Offer) -> int:
        """Once an offer is accepted, the round's other open offers close as taken: their
        customers are told, and keep their place on the list. Delivered twice, it closes
        and tells once. Returns how many were told."""
        with self._uow() as uow:
            others = [
                replace(other, status=OfferStatus.TAKEN)
                for other in uow.offers.offers_of_round(
                    accepted.business_id, accepted.slot_id, accepted.cause, accepted.round
                )
                if other.entry_id != accepted.entry_id and other.status is OfferStatus.OPEN
            ]
            if not others:
                return 0
            business = uow.catalogue.get_business(accepted.business_id)
            if business is None:
                return 0
            now = self._clock.now()
            for other in others:
                uow.offers.close(other)
                uow.waiting_list.returned(other)
            uow.outbox.add(
                [
                    m
                    for other in others
                    for m in offer_closed(other, business, OfferStatus.TAKEN, now)
                ]
            )
            # Should one of them decline meanwhile, this fails and the stream record is retried.
            uow.commit()
        logger.info("others told the seat is taken", extra={"cause": accepted.cause})
        return len(others)

    def _still_open(
        self, uow: UnitOfWork, link: LinkClaims
    ) -> tuple[Offer, RefillDecision | None, Business | None, Slot | None, datetime]:
        """The offer a link names, with its seat's record, business and slot (one read),
        while it can still be answered; NotFound or NotActive, saying why, otherwise."""
        offer, record, business, slot = uow.offers.offer_to_answer(
            link.business_id, link.slot_id, link.item_id
        )
        if offer is None:
            raise NotFound("this link is not valid")
        now = self._clock.now()
        why = refusal(offer, now)
        if why:
            raise NotActive(why)
        return offer, record, business, slot, now

    def decline(self, token: str) -> Offer:
        """Say no: one at a time, the next customer is asked at once; offered to many, the
        others keep their chance. One read, as for accepting (the offer, the seat's record,
        the business), and one write before the next round."""
        link = self._links.read(token, OFFER)
        with self._uow() as uow:
            offer, record, business, slot, now = self._still_open(uow, link)
            declined = replace(offer, status=OfferStatus.DECLINED)
            if business is None or record is None:
                raise NotFound("no such offer")
            freed = FreedSeat(offer.business_id, offer.slot_id, offer.cause, True, offer.slot)
            one_at_a_time = mode_for(business, offer.slot) is WaitingListMode.ONE_AT_A_TIME
            closed = replace(record, closed_round=offer.round, decided_at=now)
            if one_at_a_time:
                uow.refills.decide(freed, closed, record)
            uow.offers.close(declined)
            uow.waiting_list.returned(declined)
            try:
                uow.commit()
            except (Refused, RetryableConflict) as error:
                raise NotActive(REFUSALS[OfferStatus.TAKEN]) from error
        if one_at_a_time:
            self._rounds.next_round(
                freed, business, closed, holders=slot.holders if slot else frozenset()
            )
        return declined
