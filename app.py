"""Standby's entry points: HTTP routes, the staff authorizer and the stream handlers.

Each parses its input, calls one use case and shapes the answer; the work is in
chalicelib/services.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any
from uuid import uuid4

from chalice import (
    AuthResponse,
    BadRequestError,
    Chalice,
    Rate,
    Response,
)
from chalice.app import AuthRequest, CloudWatchEvent, DynamoDBEvent, Request

from chalicelib import api
from chalicelib.adapters.bookings_stream import on_bookings_change
from chalicelib.adapters.dynamodb.streams import BOOKINGS, OUTBOX, placeholder_stream_arn
from chalicelib.adapters.observability import logger
from chalicelib.adapters.stream_events import process_changes, queued_messages
from chalicelib.adapters.tokens import InvalidToken
from chalicelib.api import message_views, views
from chalicelib.api.errors import parse_body, refusals_as_http
from chalicelib.bootstrap import services
from chalicelib.domain.lifecycle import Action
from chalicelib.domain.messages import MessageStatus
from chalicelib.domain.model import (
    Actor,
    BookingStatus,
    Business,
    Contact,
    EntryStatus,
    EntryWindow,
    WaitingEntry,
)
from chalicelib.domain.time_rules import ActiveHours, parse_clock
from chalicelib.services.bookings import AlreadyBooked
from chalicelib.services.catalogue import (
    UNCHANGED,
    NewPipelineStatus,
    NewService,
    NewSlot,
    SlotChanges,
)
from chalicelib.services.links import BOOKING
from chalicelib.services.notifications import SEND_MESSAGE, STAFF_LISTING_LIMIT
from chalicelib.services.waiting_list import AlreadyWaiting
from chalicelib.settings import get_settings

get_settings()  # validate the environment at cold start

app = Chalice(app_name="standby")


@app.middleware("http")
def correlation_id(event: Request, get_response: Any) -> Response:
    correlation = (
        event.headers.get("x-correlation-id") or event.context.get("requestId") or uuid4().hex
    )
    logger.set_correlation_id(correlation)
    response: Response = get_response(event)
    response.headers["X-Correlation-Id"] = correlation
    return response


@app.authorizer()
def staff_authorizer(auth_request: AuthRequest) -> AuthResponse:
    scheme, _, token = (auth_request.token or "").partition(" ")
    try:
        if scheme.lower() != "bearer" or not token:
            raise InvalidToken("expected 'Authorization: Bearer <token>'")
        identity = services().staff_tokens.verify(token)
    except InvalidToken as error:
        logger.info("staff token refused", extra={"reason": str(error)})
        return AuthResponse(routes=[], principal_id="anonymous")
    return AuthResponse(
        routes=["*"], principal_id=identity.subject, context={"business_id": identity.business_id}
    )


def _business_id() -> str:
    """The tenant comes from the verified token, never from the request."""
    return str(app.current_request.context["authorizer"]["business_id"])


def _created(body: dict[str, Any]) -> Response:
    return Response(body=body, status_code=201)


# --- staff: catalogue ------------------------------------------------------------------------


@app.route("/staff/business", methods=["GET"], authorizer=staff_authorizer)
@refusals_as_http
def get_business() -> dict[str, Any]:
    return views.business_view(services().catalogue.business(_business_id()))


@app.route("/staff/business", methods=["PUT"], authorizer=staff_authorizer)
@refusals_as_http
def put_business() -> dict[str, Any]:
    body = parse_body(api.schemas.BusinessProfile, app.current_request)
    business = Business(
        business_id=_business_id(),
        name=body.name,
        time_zone=body.time_zone,
        language=body.language,
        waiting_list_open=body.waiting_list_open,
        refill_cutoff_minutes=body.refill_cutoff_minutes,
        waiting_list_mode=body.waiting_list_mode,
        offer_window_seconds=body.offer_window_seconds,
        offer_to_many_count=body.offer_to_many_count,
        message_channels=body.message_channels,
        staff_email=body.staff_email,
        max_open_entries=body.max_open_entries,
        max_offers_per_day=body.max_offers_per_day,
        active_hours=ActiveHours(
            parse_clock(body.active_hours.opens), parse_clock(body.active_hours.closes)
        )
        if body.active_hours
        else None,
        addresses=dict(body.addresses),
        reminder_lead_times=tuple(body.reminder_lead_times),
    )
    return views.business_view(services().catalogue.set_up_business(business))


@app.route("/staff/services", methods=["GET"], authorizer=staff_authorizer)
@refusals_as_http
def list_services() -> dict[str, Any]:
    found = services().catalogue.list_services(_business_id())
    return {"services": [views.service_view(service) for service in found]}


@app.route("/staff/services", methods=["POST"], authorizer=staff_authorizer)
@refusals_as_http
def add_services() -> Response:
    body = parse_body(
        api.schemas.NewServicesBody,
        app.current_request,
        prepare=lambda raw: api.schemas.one_or_many(raw, "services"),
    )
    created = services().catalogue.add_services(
        _business_id(),
        [
            NewService(
                s.name,
                s.duration_minutes,
                s.requires_confirmation,
                s.uses_status_pipeline,
                s.waiting_list_mode,
            )
            for s in body.services
        ],
    )
    return _created({"services": [views.service_view(service) for service in created]})


@app.route("/staff/statuses", methods=["GET"], authorizer=staff_authorizer)
@refusals_as_http
def list_pipeline_statuses() -> dict[str, Any]:
    found = services().catalogue.pipeline(_business_id())
    return {"statuses": [views.pipeline_status_view(status) for status in found]}


def _new_status(body: api.schemas.PipelineStatusBody) -> NewPipelineStatus:
    return NewPipelineStatus(body.name, body.position, body.colour, body.kind, body.description)


@app.route("/staff/statuses", methods=["POST"], authorizer=staff_authorizer)
@refusals_as_http
def add_pipeline_statuses() -> Response:
    body = parse_body(
        api.schemas.PipelineStatusesBody,
        app.current_request,
        prepare=lambda raw: api.schemas.one_or_many(raw, "statuses"),
    )
    added = services().catalogue.add_pipeline_statuses(
        _business_id(), [_new_status(status) for status in body.statuses]
    )
    return _created({"statuses": [views.pipeline_status_view(status) for status in added]})


@app.route("/staff/statuses/{status_id}", methods=["PUT"], authorizer=staff_authorizer)
@refusals_as_http
def change_pipeline_status(status_id: str) -> dict[str, Any]:
    body = parse_body(api.schemas.PipelineStatusBody, app.current_request)
    changed = services().catalogue.change_pipeline_status(
        _business_id(), status_id, _new_status(body)
    )
    return views.pipeline_status_view(changed)


# --- staff: messages (workflows and the business's own texts) --------------------------------


@app.route("/staff/workflows", methods=["GET"], authorizer=staff_authorizer)
@refusals_as_http
def list_workflows() -> dict[str, Any]:
    rules = services().workflows.rules(_business_id())
    return {"workflows": [message_views.workflow_view(rule) for rule in rules]}


@app.route("/staff/workflows", methods=["POST"], authorizer=staff_authorizer)
@refusals_as_http
def add_workflow() -> Response:
    body = parse_body(api.schemas.WorkflowBody, app.current_request)
    rule = services().workflows.add(_business_id(), message_views.workflow_from_body(body))
    return _created({"workflow": message_views.workflow_view(rule)})


@app.route("/staff/workflows/{workflow_id}", methods=["PUT"], authorizer=staff_authorizer)
@refusals_as_http
def change_workflow(workflow_id: str) -> dict[str, Any]:
    body = parse_body(api.schemas.WorkflowBody, app.current_request)
    rule = services().workflows.change(
        _business_id(), workflow_id, message_views.workflow_from_body(body)
    )
    return {"workflow": message_views.workflow_view(rule)}


@app.route("/staff/workflows/{workflow_id}", methods=["PATCH"], authorizer=staff_authorizer)
@refusals_as_http
def switch_workflow(workflow_id: str) -> dict[str, Any]:
    body = parse_body(api.schemas.WorkflowSwitchBody, app.current_request)
    rule = services().workflows.switch(_business_id(), workflow_id, enabled=body.enabled)
    return {"workflow": message_views.workflow_view(rule)}


@app.route("/staff/workflows/{workflow_id}", methods=["DELETE"], authorizer=staff_authorizer)
@refusals_as_http
def remove_workflow(workflow_id: str) -> dict[str, Any]:
    restored = services().workflows.remove(_business_id(), workflow_id)
    return {
        "removed": workflow_id,
        "restored": message_views.workflow_view(restored) if restored else None,
    }


@app.route("/staff/templates", methods=["GET"], authorizer=staff_authorizer)
@refusals_as_http
def list_message_texts() -> dict[str, Any]:
    saved = services().message_texts.saved(_business_id())
    return {
        "templates": [message_views.template_view(template) for template in saved],
        "variables": message_views.variables_view(),
    }


STAFF_TEXT = "/staff/templates/{message_type}/{channel}/{language}"


@app.route(STAFF_TEXT, methods=["PUT"], authorizer=staff_authorizer)
@refusals_as_http
def save_message_text(message_type: str, channel: str, language: str) -> dict[str, Any]:
    key = message_views.text_key(message_type, channel, language)
    body = parse_body(api.schemas.MessageTextBody, app.current_request)
    saved = services().message_texts.save(_business_id(), key, message_views.text_parts(body))
    return {"template": message_views.template_view(saved)}


@app.route(STAFF_TEXT, methods=["DELETE"], authorizer=staff_authorizer)
@refusals_as_http
def reset_message_text(message_type: str, channel: str, language: str) -> dict[str, Any]:
    key = message_views.text_key(message_type, channel, language)
    services().message_texts.reset(_business_id(), key)
    return {"reset": f"{message_type}/{channel}/{language}"}


@app.route("/staff/templates/preview", methods=["POST"], authorizer=staff_authorizer)
@refusals_as_http
def preview_message_text() -> dict[str, Any]:
    body = parse_body(api.schemas.PreviewBody, app.current_request)
    key = message_views.text_key(body.message_type.value, body.channel.value, body.language)
    parts = message_views.text_parts(body.template) if body.template else None
    rendered = services().message_texts.preview(_business_id(), key, parts)
    return {"preview": message_views.rendered_view(rendered)}


@app.route("/staff/slots", methods=["GET"], authorizer=staff_authorizer)
@refusals_as_http
def list_slots() -> dict[str, Any]:
    found = services().catalogue.list_slots(_business_id())
    return {"slots": [views.slot_view(slot, for_staff=True) for slot in found]}


@app.route("/staff/slots", methods=["POST"], authorizer=staff_authorizer)
@refusals_as_http
def add_slots() -> Response:
    body = parse_body(
        api.schemas.NewSlotsBody,
        app.current_request,
        prepare=lambda raw: api.schemas.one_or_many(raw, "slots"),
    )
    created = services().catalogue.add_slots(
        _business_id(),
        [
            NewSlot(
                service_id=s.service_id,
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                capacity=s.capacity,
                staff=s.staff,
                location=s.location,
            )
            for s in body.slots
        ],
    )
    return _created({"slots": [views.slot_view(slot, for_staff=True) for slot in created]})


@app.route("/staff/slots/{slot_id}", methods=["PATCH"], authorizer=staff_authorizer)
@refusals_as_http
def change_slot(slot_id: str) -> dict[str, Any]:
    body = parse_body(api.schemas.SlotChangesBody, app.current_request)
    given = body.model_fields_set
    changes = SlotChanges(
        capacity=body.capacity,
        staff=body.staff if "staff" in given else UNCHANGED,
        location=body.location if "location" in given else UNCHANGED,
    )
    slot = services().catalogue.change_slot(_business_id(), slot_id, changes)
    return {"slot": views.slot_view(slot, for_staff=True)}


# --- staff: bookings and waiting lists ---------------------------------------------------------


@app.route("/staff/bookings", methods=["GET"], authorizer=staff_authorizer)
@refusals_as_http
def list_bookings_by_status() -> dict[str, Any]:
    wanted = (app.current_request.query_params or {}).get("status", BookingStatus.PENDING.value)
    status = next((s for s in BookingStatus if s.value == wanted and s.holds_seat), None)
    if status is None:
        raise BadRequestError("status: pending or confirmed")
    found = services().bookings.with_status(_business_id(), status)
    return {"bookings": [views.booking_view(booking) for booking in found]}


@app.route("/staff/messages", methods=["GET"], authorizer=staff_authorizer)
@refusals_as_http
def list_messages() -> dict[str, Any]:
    query = app.current_request.query_params or {}
    wanted = query.get("status")
    status = next((s for s in MessageStatus if s.value == wanted), None)
    if wanted is not None and status is None:
        raise BadRequestError("status: " + ", ".join(s.value for s in MessageStatus))
    page = services().notifications.recent(
        _business_id(),
        status,
        limit=views.page_limit(query.get("limit"), STAFF_LISTING_LIMIT),
        before=views.page_cursor(query.get("before")),
    )
    return {"messages": [views.message_view(m) for m in page.messages], "next": page.next}


@app.route("/staff/slots/{slot_id}/bookings", methods=["GET"], authorizer=staff_authorizer)
@refusals_as_http
def list_slot_bookings(slot_id: str) -> dict[str, Any]:
    found = services().bookings.list_for_slot(_business_id(), slot_id)
    return {"bookings": [views.booking_view(booking) for booking in found]}


@app.route("/staff/slots/{slot_id}/allocations", methods=["GET"], authorizer=staff_authorizer)
@refusals_as_http
def list_slot_allocations(slot_id: str) -> dict[str, Any]:
    decisions = services().waiting_list.allocations(_business_id(), slot_id)
    return {"allocations": [views.decision_view(decision) for decision in decisions]}


@app.route("/staff/slots/{slot_id}/waiting-list", methods=["GET"], authorizer=staff_authorizer)
@refusals_as_http
def list_slot_waiting_list(slot_id: str) -> dict[str, Any]:
    entries = services().waiting_list.list_for_slot(_business_id(), slot_id)
    waiting = [entry for entry in entries if entry.status is EntryStatus.WAITING]
    positions = {entry.entry_id: index for index, entry in enumerate(waiting, start=1)}
    return {"entries": [views.entry_view(e, positions.get(e.entry_id)) for e in entries]}


@app.route(
    "/staff/services/{service_id}/waiting-list", methods=["GET"], authorizer=staff_authorizer
)
@refusals_as_http
def list_service_waiting_list(service_id: str) -> dict[str, Any]:
    entries = services().waiting_list.list_for_service(_business_id(), service_id)
    waiting = [entry for entry in entries if entry.status is EntryStatus.WAITING]
    positions = {entry.entry_id: index for index, entry in enumerate(waiting, start=1)}
    return {"entries": [views.entry_view(e, positions.get(e.entry_id)) for e in entries]}


@app.route(
    "/staff/slots/{slot_id}/waiting-list/{entry_id}/book",
    methods=["POST"],
    authorizer=staff_authorizer,
)
@refusals_as_http
def staff_book_from_list(slot_id: str, entry_id: str) -> Response:
    booking = services().bookings.book_from_list(_business_id(), slot_id, entry_id, by=Actor.STAFF)
    return _created({"booking": views.booking_view(booking)})


@app.route("/staff/slots/{slot_id}/offers", methods=["POST"], authorizer=staff_authorizer)
@refusals_as_http
def staff_offer_free_seat(slot_id: str) -> Response:
    body = parse_body(api.schemas.ChosenEntriesBody, app.current_request)
    offers = services().offers.offer_chosen(_business_id(), slot_id, body.entry_ids)
    return _created({"offers": [views.offer_view(offer) for offer in offers]})


@app.route("/staff/stuck", methods=["GET"], authorizer=staff_authorizer)
@refusals_as_http
def list_stuck_work() -> dict[str, Any]:
    """What is waiting on something that went wrong: seats held for the waiting list
    whose refill has not decided, and messages that failed."""
    business_id = _business_id()
    holds = services().refill.holds(business_id)
    failed = services().notifications.recent(
        business_id, MessageStatus.FAILED, limit=STAFF_LISTING_LIMIT, before=None
    )
    return {
        "holds": [views.hold_view(held.hold, overdue=held.overdue) for held in holds],
        "failed_messages": [views.message_view(message) for message in failed.messages],
    }


@app.route(
    "/staff/slots/{slot_id}/holds/{cause}/release", methods=["POST"], authorizer=staff_authorizer
)
@refusals_as_http
def staff_release_hold(slot_id: str, cause: str) -> dict[str, Any]:
    outcome = services().refill.resolve_hold(_business_id(), slot_id, cause)
    return {"outcome": outcome.outcome, "booking_id": outcome.booking_id}


STAFF_BOOKING = "/staff/slots/{slot_id}/bookings/{booking_id}"
RELEASE_PREVIEW_ACTIONS = (Action.CANCEL, Action.REJECT, Action.NO_SHOW, Action.DELETE, Action.MOVE)


def _optional_reason() -> str | None:
    if not app.current_request.raw_body:
        return None
    return parse_body(api.schemas.ReasonBody, app.current_request).reason


def _staff_act(slot_id: str, booking_id: str, action: Action, reason: str | None) -> dict[str, Any]:
    changed = services().bookings.act(
        _business_id(), slot_id, booking_id, action, by=Actor.STAFF, reason=reason
    )
    return {"booking": views.booking_view(changed)}


@app.route(f"{STAFF_BOOKING}/confirm", methods=["POST"], authorizer=staff_authorizer)
@refusals_as_http
def staff_confirm_booking(slot_id: str, booking_id: str) -> dict[str, Any]:
    return _staff_act(slot_id, booking_id, Action.CONFIRM, None)


@app.route(f"{STAFF_BOOKING}/reject", methods=["POST"], authorizer=staff_authorizer)
@refusals_as_http
def staff_reject_booking(slot_id: str, booking_id: str) -> dict[str, Any]:
    body = parse_body(api.schemas.RequiredReasonBody, app.current_request)
    return _staff_act(slot_id, booking_id, Action.REJECT, body.reason)


@app.route(f"{STAFF_BOOKING}/cancel", methods=["POST"], authorizer=staff_authorizer)
@refusals_as_http
def staff_cancel_booking(slot_id: str, booking_id: str) -> dict[str, Any]:
    return _staff_act(slot_id, booking_id, Action.CANCEL, _optional_reason())


@app.route(f"{STAFF_BOOKING}/no-show", methods=["POST"], authorizer=staff_authorizer)
@refusals_as_http
def staff_mark_no_show(slot_id: str, booking_id: str) -> dict[str, Any]:
    return _staff_act(slot_id, booking_id, Action.NO_SHOW, None)


@app.route(STAFF_BOOKING, methods=["DELETE"], authorizer=staff_authorizer)
@refusals_as_http
def staff_delete_booking(slot_id: str, booking_id: str) -> dict[str, Any]:
    return _staff_act(slot_id, booking_id, Action.DELETE, None)


@app.route(f"{STAFF_BOOKING}/move", methods=["POST"], authorizer=staff_authorizer)
@refusals_as_http
def staff_move_booking(slot_id: str, booking_id: str) -> dict[str, Any]:
    body = parse_body(api.schemas.MoveBody, app.current_request)
    moved = services().bookings.move(
        _business_id(), slot_id, booking_id, body.slot_id, by=Actor.STAFF
    )
    return {"booking": views.booking_view(moved)}


@app.route(f"{STAFF_BOOKING}/status", methods=["POST"], authorizer=staff_authorizer)
@refusals_as_http
def staff_move_along_pipeline(slot_id: str, booking_id: str) -> dict[str, Any]:
    body = parse_body(api.schemas.StepBody, app.current_request)
    changed = services().bookings.enter_step(
        _business_id(), slot_id, booking_id, body.status_id, by=Actor.STAFF, reason=body.reason
    )
    return {"booking": views.booking_view(changed)}


@app.route(f"{STAFF_BOOKING}/history", methods=["GET"], authorizer=staff_authorizer)
@refusals_as_http
def staff_booking_history(slot_id: str, booking_id: str) -> dict[str, Any]:
    changes = services().bookings.history(_business_id(), slot_id, booking_id)
    return {"history": [views.change_view(change) for change in changes]}


@app.route(f"{STAFF_BOOKING}/release-preview", methods=["GET"], authorizer=staff_authorizer)
@refusals_as_http
def staff_release_preview(slot_id: str, booking_id: str) -> dict[str, Any]:
    query = app.current_request.query_params or {}
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


# --- customers -------------------------------------------------------------------------------


def _contact(body: api.schemas.ContactBody) -> Contact:
    return Contact(name=body.name, email=body.email, phone=body.phone, language=body.language)


@app.route("/businesses/{business_id}/slots", methods=["GET"])
@refusals_as_http
def public_slots(business_id: str) -> dict[str, Any]:
    found = services().catalogue.upcoming_slots(business_id)
    return {"slots": [views.slot_view(slot, for_staff=False) for slot in found]}


@app.route("/businesses/{business_id}/slots/{slot_id}/bookings", methods=["POST"])
@refusals_as_http
def book(business_id: str, slot_id: str) -> Response:
    body = parse_body(api.schemas.ContactBody, app.current_request)
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
    return _created(
        {
            "booking": views.booking_view(booking),
            "manage_token": token,
            "manage_url": links.booking_url(token),
        }
    )


@app.route("/businesses/{business_id}/slots/{slot_id}/waiting-list", methods=["POST"])
@refusals_as_http
def join_waiting_list(business_id: str, slot_id: str) -> Response:
    body = parse_body(api.schemas.ContactBody, app.current_request)
    try:
        entry, position = services().waiting_list.join(business_id, slot_id, _contact(body))
    except AlreadyWaiting as repeat:
        return _already_waiting(repeat)
    links = services().links
    token = links.entry_token(business_id, slot_id, entry.entry_id)
    return _created(
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
    return _created(
        {
            "entry": views.entry_view(entry, position),
            "position": position,
            "token": token,
            "leave_url": links.entry_url(token),
        }
    )


@app.route("/businesses/{business_id}/services/{service_id}/waiting-list", methods=["POST"])
@refusals_as_http
def join_window_waiting_list(business_id: str, service_id: str) -> Response:
    body = parse_body(api.schemas.WindowEntryBody, app.current_request)
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


@app.route("/bookings/{token}/earlier", methods=["POST"])
@refusals_as_http
def ask_for_earlier_slot(token: str) -> Response:
    link = services().links.read(token, BOOKING)
    body = parse_body(api.schemas.EarlierSlotBody, app.current_request)
    entry, position = services().waiting_list.ask_for_earlier(
        link.business_id, link.slot_id, link.item_id, starts_from=body.starts_from
    )
    return _entry_created(entry, position)


@app.route("/bookings/{token}", methods=["GET"])
@refusals_as_http
def view_booking(token: str) -> dict[str, Any]:
    link = services().links.read(token, BOOKING)
    booking = services().bookings.get(link.business_id, link.slot_id, link.item_id)
    return {"booking": views.booking_view(booking)}


@app.route("/bookings/{token}/cancel", methods=["POST"])
@refusals_as_http
def cancel_booking(token: str) -> dict[str, Any]:
    link = services().links.read(token, BOOKING)
    cancelled = services().bookings.cancel(
        link.business_id, link.slot_id, link.item_id, by=Actor.CUSTOMER
    )
    return {"booking": views.booking_view(cancelled)}


@app.route("/bookings/{token}/move", methods=["POST"])
@refusals_as_http
def move_booking(token: str) -> dict[str, Any]:
    link = services().links.read(token, BOOKING)
    body = parse_body(api.schemas.MoveBody, app.current_request)
    moved = services().bookings.move(
        link.business_id, link.slot_id, link.item_id, body.slot_id, by=Actor.CUSTOMER
    )
    return {"booking": views.booking_view(moved)}


@app.route("/waiting-list/{token}", methods=["GET"])
@refusals_as_http
def view_waiting_entry(token: str) -> dict[str, Any]:
    link = services().links.read_entry(token)
    entry, position = services().waiting_list.view_place(link)
    return {"entry": views.entry_view(entry, position)}


@app.route("/waiting-list/{token}", methods=["DELETE"])
@refusals_as_http
def leave_waiting_list(token: str) -> dict[str, Any]:
    link = services().links.read_entry(token)
    entry = services().waiting_list.leave_place(link)
    return {"entry": views.entry_view(entry, None)}


@app.route("/offers/{token}", methods=["GET"])
@refusals_as_http
def view_offer(token: str) -> dict[str, Any]:
    return {"offer": views.offer_view(services().offers.view(token))}


@app.route("/offers/{token}/accept", methods=["POST"])
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


@app.route("/offers/{token}/decline", methods=["POST"])
@refusals_as_http
def decline_offer(token: str) -> dict[str, Any]:
    return {"offer": views.offer_view(services().offers.decline(token))}


@app.route("/openapi.json", methods=["GET"])
def openapi() -> dict[str, Any]:
    from chalicelib.api.openapi import openapi_document  # pydantic: only this route needs it

    return openapi_document(app.routes)


# --- pages: what customers and staff click -----------------------------------------------------
# Server-rendered HTML for the links in messages (/o offer, /b booking, /w waiting-list place)
# and the staff board. The logic is in chalicelib/api/pages.py; each route only hands over
# the request.

if TYPE_CHECKING:
    from chalicelib.api.pages import Page, PageRequest, Pages

FORM = ["application/x-www-form-urlencoded"]


def _page(view: Callable[[Pages, PageRequest], Page]) -> Response:
    # Imported on the first page, not with app.py: the stream and schedule functions
    # import app.py too, and never render a page.
    from chalicelib.api.pages import pages, read_request

    request = app.current_request
    page_request = read_request(
        request.method, request.headers, request.query_params, request.raw_body
    )
    built = pages()
    page = built.guarded(lambda: view(built, page_request), page_request)
    return Response(body=page.body, status_code=page.status, headers=page.headers)


@app.route("/o/{token}", methods=["GET"])
def offer_page(token: str) -> Response:
    return _page(lambda pages, request: pages.offer(token, request))


@app.route("/o/{token}/accept", methods=["POST"], content_types=FORM)
def offer_page_accept(token: str) -> Response:
    return _page(lambda pages, request: pages.answer_offer(token, request, "accept"))


@app.route("/o/{token}/decline", methods=["POST"], content_types=FORM)
def offer_page_decline(token: str) -> Response:
    return _page(lambda pages, request: pages.answer_offer(token, request, "decline"))


@app.route("/b/{token}", methods=["GET"])
def booking_page(token: str) -> Response:
    return _page(lambda pages, request: pages.booking(token, request))


@app.route("/b/{token}/cancel", methods=["GET"])
def booking_page_confirm_cancel(token: str) -> Response:
    return _page(lambda pages, request: pages.confirm_cancel(token))


@app.route("/b/{token}/cancel", methods=["POST"], content_types=FORM)
def booking_page_cancel(token: str) -> Response:
    return _page(lambda pages, request: pages.cancel_booking(token, request))


@app.route("/b/{token}/move", methods=["POST"], content_types=FORM)
def booking_page_move(token: str) -> Response:
    return _page(lambda pages, request: pages.move_booking(token, request))


@app.route("/b/{token}/calendar.ics", methods=["GET"])
def booking_page_calendar(token: str) -> Response:
    return _page(lambda pages, request: pages.booking_calendar(token))


@app.route("/w/{token}", methods=["GET"])
def waiting_entry_page(token: str) -> Response:
    return _page(lambda pages, request: pages.entry(token, request))


@app.route("/w/{token}/leave", methods=["POST"], content_types=FORM)
def waiting_entry_page_leave(token: str) -> Response:
    return _page(lambda pages, request: pages.leave_list(token, request))


@app.route("/board/login", methods=["GET"])
def board_login_page() -> Response:
    return _page(lambda pages, request: pages.login_page(request))


@app.route("/board/login", methods=["POST"], content_types=FORM)
def board_log_in() -> Response:
    return _page(lambda pages, request: pages.log_in(request))


@app.route("/board/logout", methods=["POST"], content_types=FORM)
def board_log_out() -> Response:
    return _page(lambda pages, request: pages.log_out(request))


@app.route("/board", methods=["GET"])
def board_page() -> Response:
    return _page(lambda pages, request: pages.board(request))


BOARD_RELEASE = "/board/slots/{slot_id}/bookings/{booking_id}/release"


@app.route(BOARD_RELEASE, methods=["GET"])
def board_release_preview(slot_id: str, booking_id: str) -> Response:
    return _page(lambda pages, request: pages.release_preview(request, slot_id, booking_id))


@app.route(BOARD_RELEASE, methods=["POST"], content_types=FORM)
def board_release(slot_id: str, booking_id: str) -> Response:
    return _page(lambda pages, request: pages.release(request, slot_id, booking_id))


# --- streams -----------------------------------------------------------------------------------


@app.on_dynamodb_record(
    stream_arn=placeholder_stream_arn(BOOKINGS), batch_size=10, starting_position="TRIM_HORIZON"
)
def on_booking_change(event: DynamoDBEvent) -> dict[str, Any]:
    """A seat held for the waiting list is refilled from it; when an offer is accepted, the
    others asked with it are told the seat is taken."""
    refill, offers = services().refill, services().offers
    return process_changes(
        event.to_dict(),
        event.context,
        lambda old, new: on_bookings_change(refill, offers, old, new),
    )


@app.on_dynamodb_record(
    stream_arn=placeholder_stream_arn(OUTBOX), batch_size=10, starting_position="TRIM_HORIZON"
)
def on_outbox_message(event: DynamoDBEvent) -> dict[str, Any]:
    """A queued message is sent."""
    if event.context is not None:
        services().message_delivery.register_invocation(event.context)
    return process_changes(
        event.to_dict(), event.context, queued_messages(services().notifications.deliver)
    )


# --- schedules -----------------------------------------------------------------------------------


@app.lambda_function(name="run_scheduled_task")
def run_scheduled_task(event: dict[str, Any], context: Any) -> dict[str, Any]:
    """A one-time schedule fired: an offer round's time is up, or a message held for the
    business's active hours may go out."""
    if event.get("task") == SEND_MESSAGE:
        sent = services().notifications.deliver_held(
            str(event["business_id"]), str(event["message_id"])
        )
        return {"sent": sent}
    done = services().offers.expire(
        str(event["business_id"]), str(event["slot_id"]), str(event["cause"]), int(event["round"])
    )
    return {"expired": done}


@app.schedule(Rate(1, unit=Rate.HOURS))
def close_ended_windows(event: CloudWatchEvent) -> dict[str, Any]:
    return {"closed": services().waiting_list.close_ended_windows()}


@app.schedule(Rate(5, unit=Rate.MINUTES))
def send_due_reminders(event: CloudWatchEvent) -> dict[str, Any]:
    """Reminders whose lead time has come."""
    return {"reminded": services().reminders.send_due()}


@app.schedule(Rate(1, unit=Rate.MINUTES))
def heal_held_seats(event: CloudWatchEvent) -> dict[str, Any]:
    """The sweep for seats held for the waiting list past their deadline without a
    decision: each is refilled through the same code, or put back on sale."""
    return {"resolved": services().refill.heal_overdue_holds()}


@app.schedule(Rate(5, unit=Rate.MINUTES))
def expire_overdue_offers(event: CloudWatchEvent) -> dict[str, Any]:
    """The backstop for offers whose schedule never fired."""
    return {"expired": services().offers.expire_overdue()}
