"""Staff API, the catalogue: the business's profile, services, pipeline statuses and slots."""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from chalice import Blueprint, Response

import chalicelib.entrypoints.http as api
from chalicelib.bootstrap import services
from chalicelib.domain.model import Business
from chalicelib.domain.time_rules import ActiveHours, parse_clock
from chalicelib.entrypoints.http import views
from chalicelib.entrypoints.http.auth import business_id, created, staff_authorizer
from chalicelib.entrypoints.http.documented import documented
from chalicelib.entrypoints.http.errors import parse_body, refusals_as_http
from chalicelib.entrypoints.http.ranges import RANGE_QUERY, page_answer, slot_range
from chalicelib.services.catalogue import (
    UNCHANGED,
    NewPipelineStatus,
    NewService,
    NewSlot,
    SlotChanges,
)

if TYPE_CHECKING:
    from chalicelib.entrypoints.http.schemas import MessagingBody, WaitingListPolicyBody

staff_catalogue = Blueprint(__name__)
route = staff_catalogue.route


def _business_id() -> str:
    return business_id(staff_catalogue.current_request)


@route("/staff/business", methods=["GET"], authorizer=staff_authorizer)
@documented("The business's profile", response="BusinessView", refusals=(409,))
@refusals_as_http
def get_business() -> dict[str, Any]:
    return views.business_view(services().catalogue.business(_business_id()))


@route("/staff/business", methods=["PUT"], authorizer=staff_authorizer)
@documented(
    "Set up or change the business's profile (name, time zone, language)",
    body="BusinessProfile",
    response="BusinessView",
    refusals=(400,),
)
@refusals_as_http
def put_business() -> dict[str, Any]:
    body = parse_body(api.schemas.BusinessProfile, staff_catalogue.current_request)
    business = Business(
        business_id=_business_id(),
        name=body.name,
        time_zone=body.time_zone,
        language=body.language,
        staff_email=body.staff_email,
        addresses=dict(body.addresses),
        embed_origins=tuple(body.embed_origins),
    )
    business = _with_policy(_with_messaging(business, body), body)
    return views.business_view(services().catalogue.set_up_business(business))


def _with_policy(business: Business, body: WaitingListPolicyBody) -> Business:
    return replace(
        business,
        waiting_list_open=body.waiting_list_open,
        refill_cutoff_minutes=body.refill_cutoff_minutes,
        waiting_list_mode=body.waiting_list_mode,
        offer_window_seconds=body.offer_window_seconds,
        offer_to_many_count=body.offer_to_many_count,
        max_open_entries=body.max_open_entries,
        max_offers_per_day=body.max_offers_per_day,
    )


def _with_messaging(business: Business, body: MessagingBody) -> Business:
    hours = body.active_hours
    return replace(
        business,
        message_channels=body.message_channels,
        active_hours=ActiveHours(parse_clock(hours.opens), parse_clock(hours.closes))
        if hours
        else None,
        reminder_lead_times=tuple(body.reminder_lead_times),
    )


@route("/staff/services", methods=["GET"], authorizer=staff_authorizer)
@documented("The business's services", response="ServicesAnswer")
@refusals_as_http
def list_services() -> dict[str, Any]:
    found = services().catalogue.list_services(_business_id())
    return {"services": [views.service_view(service) for service in found]}


@route("/staff/services", methods=["POST"], authorizer=staff_authorizer)
@documented(
    "Add one or many services (an object, a list, or {services: [...]})",
    body="NewServicesBody",
    response="ServicesAnswer",
    created=True,
    refusals=(400, 409),
)
@refusals_as_http
def add_services() -> Response:
    body = parse_body(
        api.schemas.NewServicesBody,
        staff_catalogue.current_request,
        prepare=lambda raw: api.schemas.one_or_many(raw, "services"),
    )
    added = services().catalogue.add_services(
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
    return created({"services": [views.service_view(service) for service in added]})


@route("/staff/statuses", methods=["GET"], authorizer=staff_authorizer)
@documented("The business's status pipeline, in order", response="StatusesAnswer")
@refusals_as_http
def list_pipeline_statuses() -> dict[str, Any]:
    found = services().catalogue.pipeline(_business_id())
    return {"statuses": [views.pipeline_status_view(status) for status in found]}


def _new_status(body: api.schemas.PipelineStatusBody) -> NewPipelineStatus:
    return NewPipelineStatus(body.name, body.position, body.colour, body.kind, body.description)


@route("/staff/statuses", methods=["POST"], authorizer=staff_authorizer)
@documented(
    "Add one or many pipeline statuses (an object, a list, or {statuses: [...]})",
    body="PipelineStatusesBody",
    response="StatusesAnswer",
    created=True,
    refusals=(400, 409),
)
@refusals_as_http
def add_pipeline_statuses() -> Response:
    body = parse_body(
        api.schemas.PipelineStatusesBody,
        staff_catalogue.current_request,
        prepare=lambda raw: api.schemas.one_or_many(raw, "statuses"),
    )
    added = services().catalogue.add_pipeline_statuses(
        _business_id(), [_new_status(status) for status in body.statuses]
    )
    return created({"statuses": [views.pipeline_status_view(status) for status in added]})


@route("/staff/statuses/{status_id}", methods=["PUT"], authorizer=staff_authorizer)
@documented(
    "Change a pipeline status",
    body="PipelineStatusBody",
    response="PipelineStatusView",
    refusals=(400, 404),
)
@refusals_as_http
def change_pipeline_status(status_id: str) -> dict[str, Any]:
    body = parse_body(api.schemas.PipelineStatusBody, staff_catalogue.current_request)
    changed = services().catalogue.change_pipeline_status(
        _business_id(), status_id, _new_status(body)
    )
    return views.pipeline_status_view(changed)


@route("/staff/slots", methods=["GET"], authorizer=staff_authorizer)
@documented(
    "Slots with free seats and waiting-list length, started ones too, in start order, "
    "a range (four weeks from now unless asked) and a page at a time",
    response="StaffSlotsPage",
    refusals=(400,),
    query=RANGE_QUERY,
)
@refusals_as_http
def list_slots() -> dict[str, Any]:
    wanted = slot_range(staff_catalogue.current_request.query_params)
    page = services().catalogue.listing(_business_id(), wanted, started_too=True)
    return page_answer(page, for_staff=True)


@route("/staff/slots", methods=["POST"], authorizer=staff_authorizer)
@documented(
    "Add one or many slots, all or none (an object, a list, or {slots: [...]})",
    body="NewSlotsBody",
    response="StaffSlotsAnswer",
    created=True,
    refusals=(400, 404, 409),
)
@refusals_as_http
def add_slots() -> Response:
    body = parse_body(
        api.schemas.NewSlotsBody,
        staff_catalogue.current_request,
        prepare=lambda raw: api.schemas.one_or_many(raw, "slots"),
    )
    added = services().catalogue.add_slots(
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
    return created({"slots": [views.slot_view(slot, for_staff=True) for slot in added]})


@route("/staff/slots/{slot_id}", methods=["PATCH"], authorizer=staff_authorizer)
@documented(
    "Change a slot's capacity, staff member or location; seats a raise adds go to the "
    "waiting list first",
    body="SlotChangesBody",
    response="StaffSlotAnswer",
    refusals=(400, 404, 409),
)
@refusals_as_http
def change_slot(slot_id: str) -> dict[str, Any]:
    body = parse_body(api.schemas.SlotChangesBody, staff_catalogue.current_request)
    given = body.model_fields_set
    changes = SlotChanges(
        capacity=body.capacity,
        staff=body.staff if "staff" in given else UNCHANGED,
        location=body.location if "location" in given else UNCHANGED,
    )
    slot = services().catalogue.change_slot(_business_id(), slot_id, changes)
    return {"slot": views.slot_view(slot, for_staff=True)}
