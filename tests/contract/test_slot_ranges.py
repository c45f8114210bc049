"""A business's slots by time range, a page at a time, on both implementations."""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

from chalicelib.domain.model import Slot
from chalicelib.domain.seats import SeatRelease
from chalicelib.ports.catalogue import SlotPage, cursor_start, slot_cursor
from chalicelib.ports.unit_of_work import UnitOfWork, UnitOfWorkFactory
from tests.contract.builders import BIZ, NOW, SHOP, START, book, commit, open_shop, slot


def _ids(page: SlotPage) -> list[str]:
    return [s.slot_id for s in page.slots]


def _between(
    uow: UnitOfWorkFactory, hours_from: int, hours_before: int, *, limit: int = 50, **extra: str
) -> SlotPage:
    with uow() as work:
        return work.catalogue.slots_between(
            BIZ,
            START + timedelta(hours=hours_from),
            START + timedelta(hours=hours_before),
            limit=limit,
            after=extra.get("after"),
        )


def test_a_range_holds_the_slots_starting_at_its_start_and_before_its_end_in_start_order(
    uow: UnitOfWorkFactory,
) -> None:
    open_shop(uow, *(slot(f"h{hours}", hours=hours) for hours in (3, 0, 2, 1, 4)))

    page = _between(uow, 1, 3)

    assert _ids(page) == ["h1", "h2"]
    assert page.next is None
    assert _ids(_between(uow, 0, 5)) == ["h0", "h1", "h2", "h3", "h4"]
    assert _ids(_between(uow, 5, 9)) == []


def test_slots_starting_together_come_in_id_order(uow: UnitOfWorkFactory) -> None:
    open_shop(uow, slot("b", hours=1), slot("c", hours=1), slot("a", hours=1))

    assert _ids(_between(uow, 1, 2)) == ["a", "b", "c"]


def test_pages_follow_one_another_by_their_cursor_until_the_last_says_so(
    uow: UnitOfWorkFactory,
) -> None:
    open_shop(uow, *(slot(f"s{n}", hours=n // 2) for n in range(7)))

    first = _between(uow, 0, 10, limit=3)
    assert _ids(first) == ["s0", "s1", "s2"]
    assert first.next == slot_cursor(first.slots[-1])
    second = _between(uow, 0, 10, limit=3, after=first.next or "")
    assert _ids(second) == ["s3", "s4", "s5"]
    last = _between(uow, 0, 10, limit=3, after=second.next or "")
    assert (_ids(last), last.next) == (["s6"], None)
    # A page that ends with the range's last slot is the last page.
    exact = _between(uow, 0, 10, limit=7)
    assert (len(exact.slots), exact.next) == (7, None)


def test_a_cursor_names_the_start_of_its_slot(uow: UnitOfWorkFactory) -> None:
    one = slot("s1", hours=2)
    assert cursor_start(slot_cursor(one)) == one.starts_at
    for text in ("", "s1", "2030-03-01#s1", "nonsense#s1", f"{slot_cursor(one)[:-3]}"):
        assert cursor_start(text) is None, text


def test_another_businesses_slots_are_never_in_the_range(uow: UnitOfWorkFactory) -> None:
    open_shop(uow, slot("mine", hours=1))
    theirs = replace(SHOP, business_id="other")

    def stage(work: UnitOfWork) -> None:
        work.catalogue.save_business(theirs)
        work.catalogue.add_slot(_of(theirs.business_id, slot("theirs", hours=1)))

    commit(uow, stage)

    assert _ids(_between(uow, 0, 5)) == ["mine"]
    with uow() as work:
        page = work.catalogue.slots_between("other", START, START + timedelta(hours=5), limit=10)
    assert _ids(page) == ["theirs"]


def test_a_slot_changed_or_booked_is_listed_as_it_is_now(uow: UnitOfWorkFactory) -> None:
    one = slot("s1", hours=1, capacity=2)
    open_shop(uow, one)
    book(uow, one, "Ada")
    with uow() as work:
        before = work.catalogue.get_slot(BIZ, "s1")
        assert before is not None
        raised = replace(before, capacity=3, staff="Kim")
        release = SeatRelease(BIZ, "s1", "r1", 1, raised.summary(SHOP))
        work.catalogue.change_slot(before, raised, release, NOW)
        work.commit()

    [listed] = _between(uow, 0, 5).slots

    assert (listed.capacity, listed.staff, listed.taken, listed.held) == (3, "Kim", 2, 1)


def _of(business_id: str, one: Slot) -> Slot:
    return replace(one, business_id=business_id)
