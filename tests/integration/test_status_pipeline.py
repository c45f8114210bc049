"""A business's own status pipeline: steps with a kind, switched on per service."""

from __future__ import annotations

from typing import Any

from tests.integration.conftest import Business
from tests.support.aws import Streams, sent_about

STEPS = [
    {"name": "Received", "position": 1, "colour": "#9E9E9E", "kind": "start"},
    {"name": "Checking insurance", "position": 2, "colour": "#FFB300", "kind": "none"},
    {"name": "Approved", "position": 3, "colour": "#2E7D32", "kind": "confirmation"},
    {
        "name": "Declined",
        "position": 4,
        "colour": "#C62828",
        "kind": "cancellation",
        "description": "We cannot take this booking",
    },
]


def _pipeline(salon: Business) -> dict[str, str]:
    created = salon.staff("POST", "/staff/statuses", STEPS)
    assert created.status == 201, created.body
    return {s["name"]: s["status_id"] for s in created.body["statuses"]}


def _pipeline_service(salon: Business) -> str:
    answer = salon.staff(
        "POST",
        "/staff/services",
        {"name": "Treatment", "duration_minutes": 60, "uses_status_pipeline": True},
    )
    return str(answer.body["services"][0]["service_id"])


def _step(salon: Business, slot: str, booking: str, status_id: str, **body: Any) -> Any:
    return salon.staff(
        "POST", f"/staff/slots/{slot}/bookings/{booking}/status", {"status_id": status_id, **body}
    )


def test_statuses_are_listed_in_position_order_and_can_be_changed(salon: Business) -> None:
    steps = _pipeline(salon)
    listed = salon.staff("GET", "/staff/statuses").body["statuses"]
    assert [(s["name"], s["kind"]) for s in listed] == [
        ("Received", "start"),
        ("Checking insurance", "none"),
        ("Approved", "confirmation"),
        ("Declined", "cancellation"),
    ]
    changed = salon.staff(
        "PUT",
        f"/staff/statuses/{steps['Checking insurance']}",
        {"name": "Checking papers", "position": 5, "colour": "#000000", "kind": "none"},
    )
    assert changed.status == 200
    assert salon.staff("GET", "/staff/statuses").body["statuses"][-1]["name"] == "Checking papers"
    bad = salon.staff("POST", "/staff/statuses", {**STEPS[0], "colour": "green"})
    assert bad.status == 400 and bad.body["Message"].startswith(
        "statuses[0].colour: must be a colour"
    )


def test_a_booking_walks_the_pipeline_and_a_confirmation_step_confirms_and_copies_the_staff(
    salon: Business, streams: Streams
) -> None:
    profile = salon.staff("GET", "/staff/business").body
    salon.staff(
        "PUT",
        "/staff/business",
        {k: profile[k] for k in ("name", "time_zone", "language")}
        | {"addresses": {"Kari": "kari@salon.example"}},
    )
    steps = _pipeline(salon)
    slot = salon.add_slot(capacity=1, service_id=_pipeline_service(salon), staff="Kari")
    booked = salon.book(slot, "Ada", email="ada@example.com").body["booking"]
    assert booked["status"] == "pending"
    assert booked["pipeline_status"]["name"] == "Received"
    booking = booked["booking_id"]

    checking = _step(salon, slot, booking, steps["Checking insurance"])
    assert (
        checking.body["booking"]["status"],
        checking.body["booking"]["pipeline_status"]["name"],
    ) == (
        "pending",
        "Checking insurance",
    )
    approved = _step(salon, slot, booking, steps["Approved"])
    assert approved.body["booking"]["status"] == "confirmed"
    streams.settle()
    assert [m.to for m in sent_about("Confirmed")] == ["ada@example.com", "kari@salon.example"]

    history = salon.staff("GET", f"/staff/slots/{slot}/bookings/{booking}/history").body["history"]
    assert [(h["from_step"], h["to_step"], h["to"]) for h in history] == [
        ("Checking insurance", "Approved", "confirmed"),
        ("Received", "Checking insurance", "pending"),
        (None, None, "pending"),
    ]


def test_a_cancellation_step_needs_a_reason_frees_the_seat_and_sends_the_rejection(
    salon: Business, streams: Streams
) -> None:
    steps = _pipeline(salon)
    slot = salon.add_slot(capacity=1, service_id=_pipeline_service(salon))
    booking = salon.book(slot, "Ada", email="ada@example.com").body["booking"]["booking_id"]
    salon.join(slot, "Bo", email="bo@example.com")

    missing = _step(salon, slot, booking, steps["Declined"])
    assert missing.status == 400 and missing.body["Message"].startswith("reason:")
    declined = _step(salon, slot, booking, steps["Declined"], reason="No referral")
    assert declined.body["booking"]["status"] == "rejected"
    streams.settle()
    [rejection] = sent_about("could not accept")
    assert rejection.to == "ada@example.com" and "No referral" in rejection.body
    names = [
        (b["customer"]["name"], b["status"])
        for b in salon.staff("GET", f"/staff/slots/{slot}/bookings").body["bookings"]
    ]
    assert ("Bo", "confirmed") in names


def test_steps_are_refused_for_services_without_a_pipeline_and_repeats(salon: Business) -> None:
    steps = _pipeline(salon)
    plain = salon.add_slot(capacity=1)
    booking = salon.book(plain, "Ada", email="ada@example.com").body["booking"]["booking_id"]
    refused = _step(salon, plain, booking, steps["Approved"])
    assert refused.status == 409 and "does not use the status pipeline" in refused.body["Message"]
    assert _step(salon, plain, booking, "nope").status == 404

    slot = salon.add_slot(capacity=1, service_id=_pipeline_service(salon))
    piped = salon.book(slot, "Bo", email="bo@example.com").body["booking"]["booking_id"]
    again = _step(salon, slot, piped, steps["Received"])
    assert again.status == 409 and "already in 'Received'" in again.body["Message"]
