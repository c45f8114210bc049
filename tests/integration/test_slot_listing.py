"""Slots are listed by a range of start times, on the business's calendar, a page at a time:
customers see those still to start, staff see all of them; a listing costs the same reads
however many slots the business had before."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

import chalicelib.services.catalogue as catalogue_module
from chalicelib.bootstrap import services
from chalicelib.domain.model import Slot
from tests.integration.conftest import Business
from tests.support.calls import aws_call_log


def _add(salon: Business, *starts: str) -> list[str]:
    """Slots at these wall-clock times in Oslo, where the salon is; their ids in order."""
    answer = salon.staff(
        "POST",
        "/staff/slots",
        {
            "slots": [
                {"service_id": salon.service_id, "starts_at": s, "capacity": 1} for s in starts
            ]
        },
    )
    assert answer.status == 201, answer.body
    return [slot["slot_id"] for slot in answer.body["slots"]]


def _public(salon: Business, query: str = "") -> Any:
    answer = salon.api.call("GET", f"/businesses/{salon.business_id}/slots{query}")
    assert answer.status == 200, answer.body
    return answer.body


def _ids(body: Any) -> list[str]:
    return [slot["slot_id"] for slot in body["slots"]]


def test_by_default_customers_see_the_next_four_weeks(salon: Business) -> None:
    soon, within = salon.add_slot(days_ahead=1), salon.add_slot(days_ahead=27)
    salon.add_slot(days_ahead=29)

    body = _public(salon)

    assert (_ids(body), body["next"]) == ([soon, within], None)


def test_a_range_is_read_on_the_business_calendar_from_its_start_to_before_its_end(
    salon: Business,
) -> None:
    early, nine, noon, next_day, later = _add(
        salon,
        "2030-03-01T00:00",
        "2030-03-01T09:00",
        "2030-03-01T12:00",
        "2030-03-02T08:00",
        "2030-03-03T00:00",
    )

    assert _ids(_public(salon, "?from=2030-03-01&to=2030-03-01")) == [early, nine, noon]
    assert _ids(_public(salon, "?from=2030-03-01&to=2030-03-02")) == [
        early,
        nine,
        noon,
        next_day,
    ]
    assert _ids(_public(salon, "?from=2030-03-01T09:00&to=2030-03-01T12:00")) == [nine]
    # With an offset, a time is that moment: 08:00 UTC is 09:00 in Oslo.
    assert _ids(_public(salon, "?from=2030-03-01T08:00:00Z&to=2030-03-02")) == [
        nine,
        noon,
        next_day,
    ]
    # Without `to`, four weeks from `from`.
    assert _ids(_public(salon, "?from=2030-03-02")) == [next_day, later]


def test_pages_follow_one_another_until_next_is_null(
    salon: Business, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(catalogue_module, "SLOTS_PER_PAGE", 2)
    made = _add(salon, *(f"2030-03-0{day}T10:00" for day in range(1, 6)))
    seen: list[str] = []
    query = "?from=2030-03-01&to=2030-03-31"
    first = _public(salon, query)
    body = first
    while True:
        seen += _ids(body)
        assert len(body["slots"]) <= 2
        if body["next"] is None:
            break
        body = _public(salon, f"{query}&after={body['next']}")

    assert seen == made
    assert first["next"] is not None


def test_staff_see_started_slots_in_the_range_and_customers_do_not(salon: Business) -> None:
    started = _past_slot(salon, hours_ago=1)
    ahead = salon.add_slot(days_ahead=1)
    yesterday = (datetime.now(UTC) - timedelta(days=1)).date().isoformat()

    staff = salon.staff("GET", f"/staff/slots?from={yesterday}")

    assert (staff.status, _ids(staff.body), staff.body["next"]) == (200, [started, ahead], None)
    assert _ids(_public(salon, f"?from={yesterday}")) == [ahead]
    assert _ids(salon.staff("GET", "/staff/slots").body) == [ahead]


@pytest.mark.parametrize(
    ("query", "message"),
    [
        ("?from=tomorrow", "from: a date (YYYY-MM-DD) or an ISO 8601 date-time"),
        ("?to=2030-02-30", "to: a date (YYYY-MM-DD) or an ISO 8601 date-time"),
        ("?from=2030-03-02&to=2030-03-01", "to: must be after from"),
        ("?from=2030-03-01&to=2030-06-01", "to: at most 92 days after from"),
        ("?from=1999-12-31", "from: must fall in the years 2000 to 2099"),
        ("?from=2030-03-01&after=nonsense", "after: not the `next` of an earlier page"),
    ],
)
def test_a_range_that_cannot_be_listed_is_refused_naming_the_problem(
    salon: Business, query: str, message: str
) -> None:
    public = salon.api.call("GET", f"/businesses/{salon.business_id}/slots{query}")
    staff = salon.staff("GET", f"/staff/slots{query}")

    assert (public.status, public.body["Message"]) == (400, message)
    assert (staff.status, staff.body["Message"]) == (400, message)


def test_the_longest_range_is_92_days(salon: Business) -> None:
    assert salon.staff("GET", "/staff/slots?from=2030-01-01&to=2030-04-02").status == 200


def test_an_unknown_business_has_no_slots_to_list(salon: Business) -> None:
    answer = salon.api.call("GET", "/businesses/nowhere/slots")
    assert answer.status == 404


@pytest.mark.parametrize("history", [10, 300])
def test_a_listing_reads_the_same_however_many_slots_came_before(
    salon: Business, history: int
) -> None:
    for hours_ago in range(1, history + 1):
        _past_slot(salon, hours_ago=hours_ago * 24)
    ahead = [salon.add_slot(days_ahead=days) for days in (1, 2, 3)]

    with aws_call_log() as log:
        body = _public(salon, "")

    assert _ids(body) == ahead
    assert [(call.name, call.items_read) for call in log] == [
        ("dynamodb.BatchGetItem", 1),
        ("dynamodb.Query", 3),
    ]


def _past_slot(salon: Business, *, hours_ago: int) -> str:
    """A slot whose start has passed (made while it was ahead, or as old history)."""
    now = datetime.now(UTC)
    starts = now - timedelta(hours=hours_ago)
    slot_id = f"past-{hours_ago}"
    slot = Slot(
        salon.business_id,
        slot_id,
        salon.service_id,
        "Haircut",
        starts,
        starts + timedelta(minutes=30),
        1,
    )
    with services().uow() as work:
        work.catalogue.add_slot(slot)
        work.commit()
    return slot_id
