"""Listing slots by range on the fakes: the range is read on the business's calendar, pages
continue from their cursor, and customers never see a slot that has started."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

from chalicelib.domain.errors import InvalidRequest
from chalicelib.domain.listing import SlotRange
from tests.unit.use_cases.shop import BIZ, START, Shop


def _ids(shop: Shop, wanted: SlotRange, *, started_too: bool = False) -> list[str]:
    page = shop.services.catalogue.listing(BIZ, wanted, started_too=started_too)
    return [slot.slot_id for slot in page.slots]


def test_a_date_range_is_whole_days_in_the_business_s_time_zone() -> None:
    shop = Shop(book_ada=False)
    # 09:00 UTC is 10:00 in Oslo; 23:00 UTC on the 1st is already the 2nd there.
    late = shop.add_slot(hours=14)
    day = date(2030, 3, 1)

    assert _ids(shop, SlotRange(day, day)) == [shop.slot_id]
    assert _ids(shop, SlotRange(day, day + timedelta(days=1))) == [shop.slot_id, late]


def test_a_cursor_before_the_range_reads_from_its_start_and_one_past_it_reads_nothing() -> None:
    shop = Shop(book_ada=False)
    second = shop.add_slot(hours=2)
    catalogue = shop.services.catalogue
    whole = catalogue.slots_between(BIZ, START, START + timedelta(days=1), limit=1)
    assert whole.next is not None

    later = catalogue.slots_between(
        BIZ, START + timedelta(hours=1), START + timedelta(days=1), limit=5, after=whole.next
    )
    past = catalogue.slots_between(
        BIZ, START, START + timedelta(hours=1), limit=5, after=whole.next
    )

    assert [s.slot_id for s in later.slots] == [second]
    assert (past.slots, past.next) == ([], None)


def test_customers_see_from_now_on_and_staff_see_what_has_started() -> None:
    shop = Shop(book_ada=False)
    shop.clock.current = START + timedelta(minutes=1)
    ahead = shop.add_slot(hours=3)
    wanted = SlotRange(datetime(2030, 3, 1, tzinfo=UTC), date(2030, 3, 2))

    assert _ids(shop, wanted) == [ahead]
    assert _ids(shop, wanted, started_too=True) == [shop.slot_id, ahead]


@pytest.mark.parametrize(
    ("wanted", "message"),
    [
        (SlotRange(date(2030, 3, 2), date(2030, 3, 1)), "to: must be after from"),
        (SlotRange(date(2030, 1, 1), date(2030, 4, 3)), "to: at most 92 days after from"),
        (SlotRange(date(2100, 1, 1)), "from: must fall in the years 2000 to 2099"),
        (SlotRange(after="nonsense"), "after: not the `next` of an earlier page"),
    ],
)
def test_a_range_that_cannot_be_listed_is_refused(wanted: SlotRange, message: str) -> None:
    with pytest.raises(InvalidRequest, match="^" + message.replace("`", ".") + "$"):
        Shop(book_ada=False).services.catalogue.listing(BIZ, wanted, started_too=True)
