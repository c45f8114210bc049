"""Customer API: a business's slots; booking a seat and joining a waiting list; and what the
links in a customer's messages lead to (a booking, a place on a list, an offer)."""

from __future__ import annotations

from typing import Any

from chalice import Blueprint, Response

import chalicelib.entrypoints.http as api
from chalicelib.bootstrap import services
from chalicelib.domain.customer_refusals import AlreadyBooked, AlreadyWaiting
from chalicelib.domain.model import Actor, Contact, EntryWindow, WaitingEntry
from chalicelib.entrypoints.http import views
from chalicelib.entrypoints.http.auth import created
from chalicelib.entrypoints.http.documented import Repeat, documented
from chalicelib.entrypoints.http.errors import parse_body, refusals_as_http
from chalicelib.entrypoints.http.ranges import RANGE_QUERY, page_answer, slot_range
from chalicelib.services.links import BOOKING

customer = Blueprint(__name__)
route = customer.route


def _contact(body: api.schemas.ContactBody) -> Contact:
    return Contact(name=body.name, email=body.email, phone=body.phone, language=body.language)


@route("/businesses/{business_id}/slots", methods=["GET"])
@documented(
    "A business's slots still to start, with their free seats, in start order, "
    "a range (four weeks from now unless asked) and a page at a time",
    response="SlotsAnswer",
    refusals=(400, 404),
    query=RANGE_QUERY,
)
@refusals_as_http
def public_slots(business_id: str) -> dict[str, Any]:
    wanted = slot_range(customer.current_request.query_params)
    page = services().catalogue.listing(business_id, wanted, started_too=False)
    return page_answer(page, for_staff=False)


@route("/businesses/{business_id}/slots/{slot_id}/bookings", methods=["POST"])
@documented(
    "Book a seat (409 when full: join the waiting list instead)",
    body="ContactBody",
    response="BookedAnswer",
    created=True,
    refusals=(400, 404, 409),
    repeat=Repeat(
        "The customer already holds a seat of the slot: that booking, without its link",
        "AlreadyBookedAnswer",
    ),
)
@refusals_as_http
def book(business_id: str, slot_id: str) -> Response:
    body = parse_body(api.schemas.ContactBody, customer.current_request)
    try:
        booking = services().bookings.book(business_id, slot_id, _contact(body))
    except AlreadyBooked as repeat:
        # The manage link is not handed to whoever repeats a customer's email: it went to
        # the customer with the first answer and their message.
        return Response(
            body={
                "booking": views.booking_view(repeat.booking),
                "already_booked": True,
                "message": f"{repeat}; the link to manage it was sent to you",
            },
            status_code=200,
        )
    links = services().links
    token = links.booking_token(business_id, slot_id, booking.booking_id)
    return created(
        {
            "booking": views.booking_view(booking),
            "manage_token": token,
            "manage_url": links.booking_url(token),
        }
    )


ALREADY_WAITING = "AlreadyWaitingAnswer"


@route("/businesses/{business_id}/slots/{slot_id}/waiting-list", methods=["POST"])
@documented(
    "Join a full slot's waiting list; answers with the position and a link to leave",
    body="ContactBody",
    response="JoinedAnswer",
    created=True,
    refusals=(400, 404, 409),
    repeat=Repeat(
        "The customer is on this list already: their place, without its link", ALREADY_WAITING
    ),
)
@refusals_as_http
def join_waiting_list(business_id: str, slot_id: str) -> Response:
    body = parse_body(api.schemas.ContactBody, customer.current_request)
    try:
        entry, position = services().waiting_list.join(business_id, slot_id, _contact(body))
    except AlreadyWaiting as repeat:
        return _already_waiting(repeat)
    links = services().links
    token = links.entry_token(business_id, slot_id, entry.entry_id)
    return created(
        {
            "entry": views.entry_view(entry, position),
            "position": position,
            "token": token,
            "leave_url": links.entry_url(token),
        }
    )


def _already_waiting(repeat: AlreadyWaiting) -> Response:
    """A repeated join answers with the place the customer has; its leave link went to
    them with the first answer and their message, and is not handed to whoever repeats
    their email."""
    return Response(
        body={
            "entry": views.entry_view(repeat.entry, repeat.position),
            "position": repeat.position,
            "already_waiting": True,
            "message": f"{repeat}; the link to see your place or leave was sent to you",
        },
        status_code=200,
    )


def _entry_created(entry: WaitingEntry, position: int) -> Response:
    links = services().links
    token = links.token_for_entry(entry)
    return created(
        {
            "entry": views.entry_view(entry, position),
            "position": position,
            "token": token,
            "leave_url": links.entry_url(token),
        }
    )


@route("/businesses/{business_id}/services/{service_id}/waiting-list", methods=["POST"])
@documented(
    "Wait for a seat in any slot of a service between two moments, optionally with one "
    "staff member or at one location",
    body="WindowEntryBody",
    response="JoinedAnswer",
    created=True,
    refusals=(400, 404, 409),
    repeat=Repeat(
        "The customer waits for this window already: their place, without its link",
        ALREADY_WAITING,
    ),
)
@refusals_as_http
def join_window_waiting_list(business_id: str, service_id: str) -> Response:
    body = parse_body(api.schemas.WindowEntryBody, customer.current_request)
    window = EntryWindow(
        service_id=service_id,
        starts_from=body.starts_from,
        ends_by=body.ends_by,
        staff=body.staff,
        location=body.location,
    )
    try:
        entry, position = services().waiting_list.join_window(
            business_id, service_id, _contact(body), window
        )
    except AlreadyWaiting as repeat:
        return _already_waiting(repeat)
    return _entry_created(entry, position)


@route("/bookings/{token}/earlier", methods=["POST"])
@documented(
    "Ask to be moved to an earlier slot of the same service when a seat frees up",
    body="EarlierSlotBody",
    response="JoinedAnswer",
    created=True,
    refusals=(400, 404, 409),
)
@refusals_as_http
def ask_for_earlier_slot(token: str) -> Response:
    link = services().links.read(token, BOOKING)
    body = parse_body(api.schemas.EarlierSlotBody, customer.current_request)
    entry, position = services().waiting_list.ask_for_earlier(
        link.business_id, link.slot_id, link.item_id, starts_from=body.starts_from
    )
    return _entry_created(entry, position)


@route("/bookings/{token}", methods=["GET"])
@documented("A booking, through its manage link", response="BookingAnswer", refusals=(404,))
@refusals_as_http
def view_booking(token: str) -> dict[str, Any]:
    link = services().links.read(token, BOOKING)
    booking = services().bookings.get(link.business_id, link.slot_id, link.item_id)
    return {"booking": views.booking_view(booking)}


@route("/bookings/{token}/cancel", methods=["POST"])
@documented(
    "Cancel a booking through its manage link", response="BookingAnswer", refusals=(404, 409)
)
@refusals_as_http
def cancel_booking(token: str) -> dict[str, Any]:
    link = services().links.read(token, BOOKING)
    cancelled = services().bookings.cancel(
        link.business_id, link.slot_id, link.item_id, by=Actor.CUSTOMER
    )
    return {"booking": views.booking_view(cancelled)}


@route("/bookings/{token}/move", methods=["POST"])
@documented(
    "Move the booking to another slot of the same service with a free seat",
    body="MoveBody",
    response="BookingAnswer",
    refusals=(400, 404, 409),
)
@refusals_as_http
def move_booking(token: str) -> dict[str, Any]:
    link = services().links.read(token, BOOKING)
    body = parse_body(api.schemas.MoveBody, customer.current_request)
    moved = services().bookings.move(
        link.business_id, link.slot_id, link.item_id, body.slot_id, by=Actor.CUSTOMER
    )
    return {"booking": views.booking_view(moved)}


@route("/waiting-list/{token}", methods=["GET"])
@documented("A place on a waiting list and its position", response="EntryAnswer", refusals=(404,))
@refusals_as_http
def view_waiting_entry(token: str) -> dict[str, Any]:
    link = services().links.read_entry(token)
    entry, position = services().waiting_list.view_place(link)
    return {"entry": views.entry_view(entry, position)}


@route("/waiting-list/{token}", methods=["DELETE"])
@documented("Leave the waiting list", response="EntryAnswer", refusals=(404, 409))
@refusals_as_http
def leave_waiting_list(token: str) -> dict[str, Any]:
    link = services().links.read_entry(token)
    entry = services().waiting_list.leave_place(link)
    return {"entry": views.entry_view(entry, None)}


@route("/offers/{token}", methods=["GET"])
@documented("An offer of a seat, through its link", response="OfferAnswer", refusals=(404,))
@refusals_as_http
def view_offer(token: str) -> dict[str, Any]:
    return {"offer": views.offer_view(services().offers.view(token))}


@route("/offers/{token}/accept", methods=["POST"])
@documented(
    "Take the offered seat: 200 with the booking, or 409 saying why it is no longer "
    "possible (expired, declined, taken by someone else)",
    response="BookedAnswer",
    refusals=(404, 409),
)
@refusals_as_http
def accept_offer(token: str) -> dict[str, Any]:
    booking = services().offers.accept(token)
    links = services().links
    manage = links.booking_token(booking.business_id, booking.slot_id, booking.booking_id)
    return {
        "booking": views.booking_view(booking),
        "manage_token": manage,
        "manage_url": links.booking_url(manage),
    }


@route("/offers/{token}/decline", methods=["POST"])
@documented(
    "Say no to the offer; the next customer is asked", response="OfferAnswer", refusals=(404, 409)
)
@refusals_as_http
def decline_offer(token: str) -> dict[str, Any]:
    return {"offer": views.offer_view(services().offers.decline(token))}
