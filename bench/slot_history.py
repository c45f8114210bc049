"""Listing a week of slots (the API) and the staff board's day beside a short and a long
history: calls and items read must not change.

Each history gets a fresh account: the business, its past slots written straight into
moto's catalogue table in the slots' own item shape, index keys included
(``bench.seeding``), and the same week ahead made through the API: two slots a day, the
board's day with a booking and a customer waiting. Then one listing of that week and one
board of that day, through the app's HTTP routes, with every call counted.
"""

from __future__ import annotations

import time
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from bench.in_process import Api, Business, running_app, set_up_business
from bench.report import Figure, Section, verdict
from bench.seeding import write_straight
from chalicelib.adapters.dynamodb import mapping
from chalicelib.domain.model import Slot
from chalicelib.settings import get_settings
from tests.support.calls import Call, aws_call_log

HISTORIES = (10, 10_000)
ZONE = ZoneInfo("Europe/Oslo")
DAYS = 7
TIMES = ("10:00", "14:00")


@dataclass(frozen=True)
class Reads:
    listing: list[Call]
    board: list[Call]
    listed: int
    seed_seconds: float


def _shape(calls: list[Call]) -> tuple[tuple[str, int], ...]:
    return tuple((call.name, call.items_read) for call in calls)


def _detail(calls: list[Call]) -> str:
    names = ", ".join(call.name.removeprefix("dynamodb.") for call in calls)
    return f"{len(calls)} calls, {sum(c.items_read for c in calls)} items read ({names})"


def _past_slots(business: Business, count: int, now: datetime) -> Iterator[dict[str, Any]]:
    """One past slot every three hours back from now, as the catalogue writes them."""
    service_id = business.services["Haircut"]
    for number in range(count):
        starts = (now - timedelta(hours=3 * (number + 1))).replace(microsecond=0)
        slot = Slot(
            business.business_id,
            f"past-{number:05d}",
            service_id,
            "Haircut",
            starts,
            starts + timedelta(minutes=30),
            1,
            taken=1,
        )
        yield mapping.slot_to_item(slot).serialize()


def _week_ahead(business: Business, first: date) -> list[str]:
    service_id = business.services["Haircut"]
    wanted = [
        {
            "service_id": service_id,
            "starts_at": f"{(first + timedelta(days=day)).isoformat()}T{at}",
            "capacity": 1,
        }
        for day in range(DAYS)
        for at in TIMES
    ]
    made = business.staff("POST", "/staff/slots", {"slots": wanted}, expect=201)
    return [str(slot["slot_id"]) for slot in made["slots"]]


def _reads(api: Api, history: int) -> Reads:
    business = set_up_business(api, "bench")
    now = datetime.now(UTC)
    began = time.monotonic()
    write_straight(get_settings().catalogue_table, _past_slots(business, history, now))
    seeded = time.monotonic() - began
    first = (now.astimezone(ZONE) + timedelta(days=3)).date()
    slots = _week_ahead(business, first)
    business.book(slots[0], "Ada")
    business.join(slots[0], "Bo")
    business.book(slots[1], "Cy")
    last = first + timedelta(days=DAYS - 1)
    week = f"/businesses/{business.business_id}/slots?from={first}&to={last}"
    listed = api.call("GET", week)
    listing = api.last_calls
    with aws_call_log() as log:
        board = api.client.http.get(
            f"/board?day={first}", headers={"Cookie": f"standby_staff={business.token}"}
        )
    if board.status_code != 200 or b"Bo" not in board.body:
        raise RuntimeError(f"the board answered {board.status_code}")
    return Reads(listing, list(log), len(listed["slots"]), seeded)


def measure(histories: Sequence[int] = HISTORIES) -> Section:
    measured: dict[int, Reads] = {}
    for history in histories:
        with running_app() as api:
            measured[history] = _reads(api, history)
    least, most = measured[min(histories)], measured[max(histories)]
    budget = f"same calls and items at {min(histories):,} and {max(histories):,} past slots"
    figures = []
    for what, short, long in (
        (f"listing a week of slots ({least.listed} slots)", least.listing, most.listing),
        (f"the staff board's day ({len(TIMES)} slots)", least.board, most.board),
    ):
        for history, calls in ((min(histories), short), (max(histories), long)):
            figures.append(
                Figure(
                    f"{what}, beside {history:,} past slots",
                    f"{len(calls)} calls, {sum(c.items_read for c in calls)} items read",
                    budget,
                    verdict(_shape(short) == _shape(long) and least.listed == most.listed),
                    _detail(calls),
                )
            )
    return Section(
        "Slots beside their history",
        figures,
        notes=[
            f"{history:,} past slots written straight into moto's table in "
            f"{reads.seed_seconds:.1f} s"
            for history, reads in measured.items()
        ],
    )
