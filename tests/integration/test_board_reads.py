"""The staff board's day reads the same whatever the business's history: the profile, one
Query for the day's slots, one Query per slot of that day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from chalice.test import Client

from chalicelib.bootstrap import services
from chalicelib.domain.model import Slot
from tests.integration.conftest import Business
from tests.support.calls import aws_call_log

DAY = "2030-03-01"


def _history(salon: Business, count: int) -> None:
    """`count` slots that have come and gone, written as the catalogue writes them."""
    now = datetime.now(UTC)
    made = [
        Slot(
            salon.business_id,
            f"past-{n}",
            salon.service_id,
            "Haircut",
            now - timedelta(days=n + 1),
            now - timedelta(days=n + 1) + timedelta(minutes=30),
            1,
        )
        for n in range(count)
    ]
    for start in range(0, count, 100):
        with services().uow() as work:
            for slot in made[start : start + 100]:
                work.catalogue.add_slot(slot)
            work.commit()


def _the_day(salon: Business) -> list[str]:
    """Two slots on DAY, one booked full with a customer waiting, and one the day after."""
    answer = salon.staff(
        "POST",
        "/staff/slots",
        {
            "slots": [
                {"service_id": salon.service_id, "starts_at": f"{DAY}T{t}", "capacity": 1}
                for t in ("09:00", "11:00")
            ]
            + [{"service_id": salon.service_id, "starts_at": "2030-03-02T09:00", "capacity": 1}]
        },
    )
    assert answer.status == 201, answer.body
    nine, eleven, _ = (slot["slot_id"] for slot in answer.body["slots"])
    salon.book(nine, "Ada", email="ada@example.com")
    salon.join(nine, "Bo", email="bo@example.com")
    salon.book(eleven, "Cy", email="cy@example.com")
    return [nine, eleven]


@pytest.mark.parametrize("history", [10, 250])
def test_the_board_reads_its_day_and_nothing_of_the_past(
    client: Client, salon: Business, history: int
) -> None:
    _history(salon, history)
    _the_day(salon)

    with aws_call_log() as log:
        response = client.http.get(
            f"/board?day={DAY}", headers={"Cookie": f"standby_staff={salon.token}"}
        )

    page = response.body.decode()
    assert response.status_code == 200
    assert all(name in page for name in ("Ada", "Bo", "Cy"))
    assert [(call.name, call.items_read) for call in log] == [
        ("dynamodb.BatchGetItem", 1),  # the business
        ("dynamodb.Query", 2),  # the day's two slots, on the index by start
        ("dynamodb.Query", 2),  # 09:00: Ada's booking, Bo's entry
        ("dynamodb.Query", 1),  # 11:00: Cy's booking
    ]
