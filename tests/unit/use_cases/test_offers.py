"""Offers on the fakes: one customer at a time or many at once, accept, decline, expiry,
the daily limit, and staff's own offers — outcomes read from offers, places, seats and the
messages queued."""

from __future__ import annotations

from datetime import timedelta

import pytest

from chalicelib.domain.errors import NotActive
from chalicelib.domain.messages import MessageType
from chalicelib.domain.model import EntryStatus, WaitingListMode
from chalicelib.domain.offers import OfferStatus
from chalicelib.services.offers import schedule_name
from tests.unit.use_cases.shop import BIZ, Shop

WINDOW = 600


def offering(mode: WaitingListMode, **settings: object) -> Shop:
    """Ada holds the seat, Bo, Cy and Di wait; Ada cancels and the first round goes out."""
    shop = Shop(waiting_list_mode=mode, offer_window_seconds=WINDOW, **settings)  # type: ignore[arg-type]
    shop.wait("Bo", "Cy", "Di")
    shop.cancel()
    return shop


def statuses(shop: Shop, round_number: int) -> dict[str, OfferStatus]:
    return {o.contact.name: o.status for o in shop.offers_in(round_number)}


def test_one_at_a_time_asks_the_first_in_line_and_schedules_the_end_of_their_window() -> None:
    shop = offering(WaitingListMode.ONE_AT_A_TIME)
    assert statuses(shop, 1) == {"Bo": OfferStatus.OPEN}
    assert shop.entries() == {
        "Bo": EntryStatus.OFFERED,
        "Cy": EntryStatus.WAITING,
        "Di": EntryStatus.WAITING,
    }
    assert shop.told(MessageType.OFFER_MADE) == ["bo@example.com"]
    schedule = shop.scheduler.schedules[schedule_name(shop.cause, 1)]
    assert schedule.when == shop.clock.now() + timedelta(seconds=WINDOW)
    assert (shop.record().outcome, shop.record().round) == ("offering", 1)
    assert shop.slot().held == 1  # the seat stays held while they decide


def test_accepting_in_time_gives_the_seat_and_closes_the_place() -> None:
    shop = offering(WaitingListMode.ONE_AT_A_TIME)
    [to_bo] = shop.offers_in(1)
    booking = shop.offers.accept(shop.token(to_bo))
    shop.settle()
    assert booking.contact.name == "Bo"
    assert shop.seat_holders() == ["Bo"]
    assert shop.entries()["Bo"] is EntryStatus.BOOKED
    assert shop.record().outcome == "booked"
    assert (shop.slot().held, shop.slot().waiting) == (0, 2)
    with pytest.raises(NotActive):
        shop.offers.accept(shop.token(to_bo))


def test_when_the_window_ends_the_next_customer_is_asked_and_the_first_cannot_claim() -> None:
    shop = offering(WaitingListMode.ONE_AT_A_TIME)
    [to_bo] = shop.offers_in(1)
    shop.clock.advance(seconds=WINDOW)
    shop.fire_due_schedules()
    assert statuses(shop, 1) == {"Bo": OfferStatus.EXPIRED}
    assert statuses(shop, 2) == {"Cy": OfferStatus.OPEN}
    assert shop.entries()["Bo"] is EntryStatus.WAITING  # back at their place
    assert shop.told(MessageType.OFFER_EXPIRED) == ["bo@example.com"]
    with pytest.raises(NotActive, match="expired"):
        shop.offers.accept(shop.token(to_bo))


def test_an_expiry_delivered_twice_or_by_the_backstop_too_takes_effect_once() -> None:
    shop = offering(WaitingListMode.ONE_AT_A_TIME)
    shop.clock.advance(seconds=WINDOW + 1)
    assert shop.offers.expire(BIZ, shop.slot_id, shop.cause, 1)
    assert not shop.offers.expire(BIZ, shop.slot_id, shop.cause, 1)
    assert shop.offers.expire_overdue() == 0
    shop.settle()
    assert statuses(shop, 2) == {"Cy": OfferStatus.OPEN}
    assert shop.offers_in(3) == []


def test_the_backstop_expires_an_offer_whose_schedule_never_fired() -> None:
    shop = offering(WaitingListMode.ONE_AT_A_TIME)
    shop.scheduler.schedules.clear()
    shop.clock.advance(seconds=WINDOW + 1)
    assert shop.offers.expire_overdue() == 1
    shop.settle()
    assert statuses(shop, 1) == {"Bo": OfferStatus.EXPIRED}
    assert statuses(shop, 2) == {"Cy": OfferStatus.OPEN}


def test_declining_asks_the_next_customer_at_once() -> None:
    shop = offering(WaitingListMode.ONE_AT_A_TIME)
    [to_bo] = shop.offers_in(1)
    shop.offers.decline(shop.token(to_bo))
    shop.settle()
    assert statuses(shop, 1) == {"Bo": OfferStatus.DECLINED}
    assert statuses(shop, 2) == {"Cy": OfferStatus.OPEN}
    assert shop.entries()["Bo"] is EntryStatus.WAITING


def test_when_everyone_has_been_asked_the_seat_goes_back_on_sale() -> None:
    shop = offering(WaitingListMode.ONE_AT_A_TIME)
    for round_number in (1, 2, 3):
        [offer] = shop.offers_in(round_number)
        shop.offers.decline(shop.token(offer))
        shop.settle()
    assert shop.offers_in(4) == []
    assert shop.record().outcome == "released"
    assert (shop.slot().taken, shop.slot().held) == (0, 0)


def test_an_offer_to_many_asks_everyone_and_the_first_to_accept_wins() -> None:
    shop = offering(WaitingListMode.OFFER_TO_MANY)
    assert statuses(shop, 1) == {n: OfferStatus.OPEN for n in ("Bo", "Cy", "Di")}
    by_name = {o.contact.name: o for o in shop.offers_in(1)}
    shop.offers.accept(shop.token(by_name["Cy"]))
    shop.settle()
    assert statuses(shop, 1) == {
        "Bo": OfferStatus.TAKEN,
        "Cy": OfferStatus.ACCEPTED,
        "Di": OfferStatus.TAKEN,
    }
    assert shop.seat_holders() == ["Cy"]
    assert sorted(shop.told(MessageType.OFFER_TAKEN)) == ["bo@example.com", "di@example.com"]
    with pytest.raises(NotActive, match="another customer"):
        shop.offers.accept(shop.token(by_name["Bo"]))
    assert shop.entries() == {
        "Bo": EntryStatus.WAITING,
        "Cy": EntryStatus.BOOKED,
        "Di": EntryStatus.WAITING,
    }


def test_the_others_are_told_once_when_the_accepted_offer_is_delivered_twice() -> None:
    shop = offering(WaitingListMode.OFFER_TO_MANY)
    first = shop.offers_in(1)[0]
    shop.offers.accept(shop.token(first))
    shop.settle(copies=2)
    assert len(shop.told(MessageType.OFFER_TAKEN)) == 2


def test_an_offer_to_many_with_no_taker_by_the_deadline_puts_the_seat_back_on_sale() -> None:
    shop = offering(WaitingListMode.OFFER_TO_MANY)
    shop.clock.advance(seconds=WINDOW)
    shop.fire_due_schedules()
    assert set(statuses(shop, 1).values()) == {OfferStatus.EXPIRED}
    assert shop.record().outcome == "released"
    assert (shop.slot().taken, shop.slot().held) == (0, 0)
    assert set(shop.entries().values()) == {EntryStatus.WAITING}


def test_an_offer_to_a_few_asks_only_the_first_few() -> None:
    shop = offering(WaitingListMode.OFFER_TO_MANY, offer_to_many_count=2)
    assert statuses(shop, 1) == {"Bo": OfferStatus.OPEN, "Cy": OfferStatus.OPEN}


def test_a_customer_over_the_daily_offer_limit_is_passed_over_for_the_next() -> None:
    shop = Shop(
        waiting_list_mode=WaitingListMode.ONE_AT_A_TIME,
        offer_window_seconds=WINDOW,
        max_offers_per_day=1,
        capacity=2,
    )
    shop.book("Eve")
    shop.wait("Bo", "Cy")
    shop.cancel()  # Ada's seat: Bo is offered it (Bo's one offer today)
    [to_bo] = shop.offers_in(1)
    shop.offers.decline(shop.token(to_bo))
    shop.settle()
    assert statuses(shop, 2) == {"Cy": OfferStatus.OPEN}
    eve = shop.booking_of("Eve")
    assert eve is not None
    [cy_offer] = shop.offers_in(2)
    shop.offers.decline(shop.token(cy_offer))
    shop.settle()
    # Eve's seat frees: Bo and Cy have had their one offer today, so nobody is asked.
    shop.cancel(eve)
    eve_cause = f"{eve.booking_id}.v1"
    assert shop.offers_in(1, cause=eve_cause) == []
    assert shop.record(eve_cause).outcome == "released"


def test_staff_offers_in_manual_mode_leave_the_seat_on_sale_and_lapse_at_the_deadline() -> None:
    shop = Shop(waiting_list_mode=WaitingListMode.MANUAL, offer_window_seconds=WINDOW)
    bo, _ = shop.wait("Bo", "Cy")
    shop.cancel()
    [made] = shop.offers.offer_chosen(BIZ, shop.slot_id, [bo.entry_id])
    assert (shop.slot().taken, shop.slot().held) == (0, 0)
    assert shop.entries()["Bo"] is EntryStatus.OFFERED
    shop.clock.advance(seconds=WINDOW)
    shop.fire_due_schedules()
    lapsed = shop.record(made.cause)
    assert lapsed.outcome == "lapsed"
    assert shop.entries()["Bo"] is EntryStatus.WAITING
    assert shop.seat_holders() == []


def test_a_staff_offer_accepted_takes_the_free_seat() -> None:
    shop = Shop(waiting_list_mode=WaitingListMode.MANUAL, offer_window_seconds=WINDOW)
    bo, _ = shop.wait("Bo", "Cy")
    shop.cancel()
    [made] = shop.offers.offer_chosen(BIZ, shop.slot_id, [bo.entry_id])
    shop.offers.accept(shop.token(made))
    shop.settle()
    assert shop.seat_holders() == ["Bo"]
    assert (shop.slot().taken, shop.slot().waiting) == (1, 1)


def test_a_customer_asked_through_one_list_is_not_asked_again_through_another() -> None:
    from chalicelib.domain.model import EntryWindow
    from tests.unit.use_cases.shop import START, customer

    shop = Shop(waiting_list_mode=WaitingListMode.ONE_AT_A_TIME, offer_window_seconds=WINDOW)
    shop.wait("Bo")
    shop.clock.advance(seconds=1)
    shop.waiting_list.join_window(
        BIZ,
        shop.service_id,
        customer("Bo"),
        EntryWindow(shop.service_id, START - timedelta(hours=1), START + timedelta(days=1)),
    )
    shop.wait("Cy")
    shop.cancel()
    [to_bo] = shop.offers_in(1)
    shop.offers.decline(shop.token(to_bo))
    shop.settle()
    assert statuses(shop, 2) == {"Cy": OfferStatus.OPEN}
    record = shop.record()
    assert record.offered_customers == ("bo@example.com", "cy@example.com")
    assert len(record.offered) == 2  # Bo's window place was never offered the seat
