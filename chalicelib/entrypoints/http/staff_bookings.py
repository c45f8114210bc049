"""Staff API, bookings and waiting lists: who holds a seat and who waits, what the refill
decided, and what staff do to a booking or a held seat."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from chalice import BadRequestError, Blueprint, Response

import chalicelib.entrypoints.http as api
from chalicelib.bootstrap import services
from chalicelib.domain.lifecycle import Action
from chalicelib.domain.messages import MessageStatus
from chalicelib.domain.model import Actor, BookingStatus, EntryStatus, WaitingEntry
from chalicelib.entrypoints.http import views
from chalicelib.entrypoints.http.auth import business_id, created, staff_authorizer
from chalicelib.entrypoints.http.documented import documented
from chalicelib.entrypoints.http.errors import parse_body, refusals_as_http
from chalicelib.services.notifications import STAFF_LISTING_LIMIT

staff_bookings = Blueprint(__name__)
route = staff_bookings.route

STAFF_BOOKING = "/staff/slots/{slot_id}/bookings/{booking_id}"
RELEASE_PREVIEW_ACTIONS = (Action.CANCEL, Action.REJECT, Action.NO_SHOW, Action.DELETE, Action.MOVE)


def _business_id() -> str:
    return business_id(staff_bookings.current_request)


@route("/staff/bookings", methods=["GET"], authorizer=staff_authorizer)
@documented(
    "Requests waiting for confirmation (?status=pending, the default) or confirmed "
    "bookings (?status=confirmed) across all slots, soonest first",
    response="BookingsAnswer",
    refusals=(400,),
)
@refusals_as_http
def list_bookings_by_status() -> dict[str, Any]:
    query = staff_bookings.current_request.query_params or {}
    wanted = query.get("status", BookingStatus.PENDING.value)
    status = next((s for s in BookingStatus if s.value == wanted and s.holds_seat), None)
    if status is None:
        raise BadRequestError("status: pending or confirmed")
    found = services().bookings.with_status(_business_id(), status)
    return {"bookings": [views.booking_view(booking) for booking in found]}


@route("/staff/slots/{slot_id}/bookings", methods=["GET"], authorizer=staff_authorizer)
@documented("A slot's bookings, oldest first", response="BookingsAnswer", refusals=(404,))
@refusals_as_http
def list_slot_bookings(slot_id: str) -> dict[str, Any]:
    found = services().bookings.list_for_slot(_business_id(), slot_id)
    return {"bookings": [views.booking_view(booking) for booking in found]}


@route("/staff/slots/{slot_id}/allocations", methods=["GET"], authorizer=staff_authorizer)
@documented(
    "The refill's decisions for the slot, newest first: who got each freed seat, who was "
    "passed over and why",
    response="AllocationsAnswer",
    refusals=(404,),
)
@refusals_as_http
def list_slot_allocations(slot_id: str) -> dict[str, Any]:
    decisions = services().waiting_list.allocations(_business_id(), slot_id)
    return {"allocations": [views.decision_view(decision) for decision in decisions]}


def _with_positions(entries: Sequence[WaitingEntry]) -> dict[str, Any]:
    waiting = [entry for entry in entries if entry.status is EntryStatus.WAITING]
    positions = {entry.entry_id: index for index, entry in enumerate(waiting, start=1)}
    return {"entries": [views.entry_view(e, positions.get(e.entry_id)) for e in entries]}


@route("/staff/slots/{slot_id}/waiting-list", methods=["GET"], authorizer=staff_authorizer)
@documented(
    "A slot's waiting list in sign-up order, with each waiting customer's position",
    response="EntriesAnswer",
    refusals=(404,),
)
@refusals_as_http
def list_slot_waiting_list(slot_id: str) -> dict[str, Any]:
    return _with_positions(services().waiting_list.list_for_slot(_business_id(), slot_id))


@route("/staff/services/{service_id}/waiting-list", methods=["GET"], authorizer=staff_authorizer)
@documented(
    "A service's window entries and earlier-slot requests, in sign-up order",
    response="EntriesAnswer",
    refusals=(404,),
)
@refusals_as_http
def list_service_waiting_list(service_id: str) -> dict[str, Any]:
    return _with_positions(services().waiting_list.list_for_service(_business_id(), service_id))


@route(
    "/staff/slots/{slot_id}/waiting-list/{entry_id}/book",
    methods=["POST"],
    authorizer=staff_authorizer,
)
@documented(
    "Give a free seat straight to a customer on the waiting list (409 when full)",
    response="BookingAnswer",
    created=True,
    refusals=(404, 409),
)
@refusals_as_http
def staff_book_from_list(slot_id: str, entry_id: str) -> Response:
    booking = services().bookings.book_from_list(_business_id(), slot_id, entry_id, by=Actor.STAFF)
    return created({"booking": views.booking_view(booking)})


@route("/staff/slots/{slot_id}/offers", methods=["POST"], authorizer=staff_authorizer)
@documented(
    "Offer a free seat to chosen waiting customers at once; the first to accept gets it "
    "if it is still free (manual mode)",
    body="ChosenEntriesBody",
    response="OffersAnswer",
    created=True,
    refusals=(400, 404, 409),
)
@refusals_as_http
def staff_offer_free_seat(slot_id: str) -> Response:
    body = parse_body(api.schemas.ChosenEntriesBody, staff_bookings.current_request)
    offers = services().offers.offer_chosen(_business_id(), slot_id, body.entry_ids)
    return created({"offers": [views.offer_view(offer) for offer in offers]})


@route("/staff/stuck", methods=["GET"], authorizer=staff_authorizer)
@documented(
    "What is stuck: seats held for the waiting list awaiting the refill's decision (and "
    "whether past their deadline), and messages that failed",
    response="StuckAnswer",
)
@refusals_as_http
def list_stuck_work() -> dict[str, Any]:
    business_id = _business_id()
    holds = services().refill.holds(business_id)
    failed = services().notifications.recent(
        business_id, MessageStatus.FAILED, limit=STAFF_LISTING_LIMIT, before=None
    )
    return {
        "holds": [views.hold_view(held.hold, overdue=held.overdue) for held in holds],
        "failed_messages": [views.message_view(message) for message in failed.messages],
    }


@route(
    "/staff/slots/{slot_id}/holds/{cause}/release", methods=["POST"], authorizer=staff_authorizer
)
@documented(
    "Resolve a held seat now, through the refill (the waiting list keeps first claim; "
    "back on sale when no one can take it)",
    response="HoldReleasedAnswer",
    refusals=(404,),
)
@refusals_as_http
def staff_release_hold(slot_id: str, cause: str) -> dict[str, Any]:
    outcome = services().refill.resolve_hold(_business_id(), slot_id, cause)
    return {"outcome": outcome.outcome, "booking_id": outcome.booking_id}


def _optional_reason() -> str | None:
    request = staff_bookings.current_request
    if not request.raw_body:
        return None
    return parse_body(api.schemas.ReasonBody, request).reason


def _staff_act(slot_id: str, booking_id: str, action: Action, reason: str | None) -> dict[str, Any]:
    changed = services().bookings.act(
        _business_id(), slot_id, booking_id, action, by=Actor.STAFF, reason=reason
    )
    return {"booking": views.booking_view(changed)}


@route(f"{STAFF_BOOKING}/confirm", methods=["POST"], authorizer=staff_authorizer)
@documented(
    "Confirm a pending booking; the customer is told",
    response="BookingAnswer",
    refusals=(404, 409),
)
@refusals_as_http
def staff_confirm_booking(slot_id: str, booking_id: str) -> dict[str, Any]:
    return _staff_act(slot_id, booking_id, Action.CONFIRM, None)


@route(f"{STAFF_BOOKING}/reject", methods=["POST"], authorizer=staff_authorizer)
@documented(
    "Reject a pending booking with a reason sent to the customer; its seat goes to the "
    "waiting list",
    body="RequiredReasonBody",
    response="BookingAnswer",
    refusals=(400, 404, 409),
)
@refusals_as_http
def staff_reject_booking(slot_id: str, booking_id: str) -> dict[str, Any]:
    body = parse_body(api.schemas.RequiredReasonBody, staff_bookings.current_request)
    return _staff_act(slot_id, booking_id, Action.REJECT, body.reason)


@route(f"{STAFF_BOOKING}/cancel", methods=["POST"], authorizer=staff_authorizer)
@documented(
    "Cancel a booking (optional reason); its seat goes to the waiting list",
    body="ReasonBody",
    response="BookingAnswer",
    refusals=(400, 404, 409),
)
@refusals_as_http
def staff_cancel_booking(slot_id: str, booking_id: str) -> dict[str, Any]:
    return _staff_act(slot_id, booking_id, Action.CANCEL, _optional_reason())


@route(f"{STAFF_BOOKING}/no-show", methods=["POST"], authorizer=staff_authorizer)
@documented(
    "Mark a confirmed booking as not taken; its seat goes to the waiting list",
    response="BookingAnswer",
    refusals=(404, 409),
)
@refusals_as_http
def staff_mark_no_show(slot_id: str, booking_id: str) -> dict[str, Any]:
    return _staff_act(slot_id, booking_id, Action.NO_SHOW, None)


@route(STAFF_BOOKING, methods=["DELETE"], authorizer=staff_authorizer)
@documented(
    "Delete a booking; a seat it held goes to the waiting list",
    response="BookingAnswer",
    refusals=(404, 409),
)
@refusals_as_http
def staff_delete_booking(slot_id: str, booking_id: str) -> dict[str, Any]:
    return _staff_act(slot_id, booking_id, Action.DELETE, None)


@route(f"{STAFF_BOOKING}/move", methods=["POST"], authorizer=staff_authorizer)
@documented(
    "Move a booking to another slot: the new seat is taken and the old one freed, or "
    "nothing changes (409 when the new slot is full)",
    body="MoveBody",
    response="BookingAnswer",
    refusals=(400, 404, 409),
)
@refusals_as_http
def staff_move_booking(slot_id: str, booking_id: str) -> dict[str, Any]:
    body = parse_body(api.schemas.MoveBody, staff_bookings.current_request)
    moved = services().bookings.move(
        _business_id(), slot_id, booking_id, body.slot_id, by=Actor.STAFF
    )
    return {"booking": views.booking_view(moved)}


@route(f"{STAFF_BOOKING}/status", methods=["POST"], authorizer=staff_authorizer)
@documented(
    "Move a booking to a pipeline status: a confirmation status confirms it (and copies "
    "the staff member's or location's address); a cancellation status needs a reason, "
    "frees the seat and sends the rejection",
    body="StepBody",
    response="BookingAnswer",
    refusals=(400, 404, 409),
)
@refusals_as_http
def staff_move_along_pipeline(slot_id: str, booking_id: str) -> dict[str, Any]:
    body = parse_body(api.schemas.StepBody, staff_bookings.current_request)
    changed = services().bookings.enter_step(
        _business_id(), slot_id, booking_id, body.status_id, by=Actor.STAFF, reason=body.reason
    )
    return {"booking": views.booking_view(changed)}


@route(f"{STAFF_BOOKING}/history", methods=["GET"], authorizer=staff_authorizer)
@documented(
    "Every change of the booking (who, when, from, to, reason), newest first",
    response="HistoryAnswer",
    refusals=(404,),
)
@refusals_as_http
def staff_booking_history(slot_id: str, booking_id: str) -> dict[str, Any]:
    changes = services().bookings.history(_business_id(), slot_id, booking_id)
    return {"history": [views.change_view(change) for change in changes]}


@route(f"{STAFF_BOOKING}/release-preview", methods=["GET"], authorizer=staff_authorizer)
@documented(
    "What ?action=cancel|reject|no_show|delete|move would do to the seat, and which "
    "waiting customer would get it — without doing it",
    response="ReleasePreviewView",
    refusals=(400, 404, 409),
)
@refusals_as_http
def staff_release_preview(slot_id: str, booking_id: str) -> dict[str, Any]:
    query = staff_bookings.current_request.query_params or {}
    wanted = query.get("action", Action.CANCEL.value)
    action = next((a for a in RELEASE_PREVIEW_ACTIONS if a.value == wanted), None)
    if action is None:
        raise BadRequestError(
            "action: one of " + ", ".join(a.value for a in RELEASE_PREVIEW_ACTIONS)
        )
    preview = services().bookings.preview(
        _business_id(), slot_id, booking_id, action, by=Actor.STAFF
    )
    return views.preview_view(preview)
