"""Staff API, messaging: workflow rules, the business's own texts, and the messages sent."""

from __future__ import annotations

from typing import Any

from chalice import BadRequestError, Blueprint, Response

import chalicelib.entrypoints.http as api
from chalicelib.bootstrap import services
from chalicelib.domain.messages import MessageStatus
from chalicelib.entrypoints.http import message_views, views
from chalicelib.entrypoints.http.auth import business_id, created, staff_authorizer
from chalicelib.entrypoints.http.documented import documented
from chalicelib.entrypoints.http.errors import parse_body, refusals_as_http
from chalicelib.services.notifications import STAFF_LISTING_LIMIT

staff_messages = Blueprint(__name__)
route = staff_messages.route


def _business_id() -> str:
    return business_id(staff_messages.current_request)


@route("/staff/workflows", methods=["GET"], authorizer=staff_authorizer)
@documented(
    "Every workflow rule in force: the default ones (as changed) and the business's own",
    response="WorkflowsAnswer",
    refusals=(409,),
)
@refusals_as_http
def list_workflows() -> dict[str, Any]:
    rules = services().workflows.rules(_business_id())
    return {"workflows": [message_views.workflow_view(rule) for rule in rules]}


@route("/staff/workflows", methods=["POST"], authorizer=staff_authorizer)
@documented(
    "Add a rule: trigger, scope (services, locations, staff), channel, recipients",
    body="WorkflowBody",
    response="WorkflowAnswer",
    created=True,
    refusals=(400, 409),
)
@refusals_as_http
def add_workflow() -> Response:
    body = parse_body(api.schemas.WorkflowBody, staff_messages.current_request)
    rule = services().workflows.add(_business_id(), message_views.workflow_from_body(body))
    return created({"workflow": message_views.workflow_view(rule)})


@route("/staff/workflows/{workflow_id}", methods=["PUT"], authorizer=staff_authorizer)
@documented(
    "Change a rule (a default rule keeps its trigger)",
    body="WorkflowBody",
    response="WorkflowAnswer",
    refusals=(400, 404, 409),
)
@refusals_as_http
def change_workflow(workflow_id: str) -> dict[str, Any]:
    body = parse_body(api.schemas.WorkflowBody, staff_messages.current_request)
    rule = services().workflows.change(
        _business_id(), workflow_id, message_views.workflow_from_body(body)
    )
    return {"workflow": message_views.workflow_view(rule)}


@route("/staff/workflows/{workflow_id}", methods=["PATCH"], authorizer=staff_authorizer)
@documented(
    "Switch a rule off or on",
    body="WorkflowSwitchBody",
    response="WorkflowAnswer",
    refusals=(400, 404),
)
@refusals_as_http
def switch_workflow(workflow_id: str) -> dict[str, Any]:
    body = parse_body(api.schemas.WorkflowSwitchBody, staff_messages.current_request)
    rule = services().workflows.switch(_business_id(), workflow_id, enabled=body.enabled)
    return {"workflow": message_views.workflow_view(rule)}


@route("/staff/workflows/{workflow_id}", methods=["DELETE"], authorizer=staff_authorizer)
@documented(
    "Remove a rule; a default rule goes back to its default",
    response="WorkflowRemovedAnswer",
    refusals=(404, 409),
)
@refusals_as_http
def remove_workflow(workflow_id: str) -> dict[str, Any]:
    restored = services().workflows.remove(_business_id(), workflow_id)
    return {
        "removed": workflow_id,
        "restored": message_views.workflow_view(restored) if restored else None,
    }


@route("/staff/templates", methods=["GET"], authorizer=staff_authorizer)
@documented(
    "The business's own message texts, and the variables each message type offers",
    response="TemplatesAnswer",
    refusals=(409,),
)
@refusals_as_http
def list_message_texts() -> dict[str, Any]:
    saved = services().message_texts.saved(_business_id())
    return {
        "templates": [message_views.template_view(template) for template in saved],
        "variables": message_views.variables_view(),
    }


STAFF_TEXT = "/staff/templates/{message_type}/{channel}/{language}"


@route(STAFF_TEXT, methods=["PUT"], authorizer=staff_authorizer)
@documented(
    "Save the business's own text for a message type, channel and language; checked "
    "first (syntax, unknown variables, what the sandbox forbids)",
    body="MessageTextBody",
    response="TemplateAnswer",
    refusals=(400, 409),
)
@refusals_as_http
def save_message_text(message_type: str, channel: str, language: str) -> dict[str, Any]:
    key = message_views.text_key(message_type, channel, language)
    body = parse_body(api.schemas.MessageTextBody, staff_messages.current_request)
    saved = services().message_texts.save(_business_id(), key, message_views.text_parts(body))
    return {"template": message_views.template_view(saved)}


@route(STAFF_TEXT, methods=["DELETE"], authorizer=staff_authorizer)
@documented("Go back to Standby's own text", response="TextResetAnswer", refusals=(400, 404, 409))
@refusals_as_http
def reset_message_text(message_type: str, channel: str, language: str) -> dict[str, Any]:
    key = message_views.text_key(message_type, channel, language)
    services().message_texts.reset(_business_id(), key)
    return {"reset": f"{message_type}/{channel}/{language}"}


@route("/staff/templates/preview", methods=["POST"], authorizer=staff_authorizer)
@documented(
    "Render a text (given, saved or standard) with sample values in a chosen language",
    body="PreviewBody",
    response="PreviewAnswer",
    refusals=(400, 409),
)
@refusals_as_http
def preview_message_text() -> dict[str, Any]:
    body = parse_body(api.schemas.PreviewBody, staff_messages.current_request)
    key = message_views.text_key(body.message_type.value, body.channel.value, body.language)
    parts = message_views.text_parts(body.template) if body.template else None
    rendered = services().message_texts.preview(_business_id(), key, parts)
    return {"preview": message_views.rendered_view(rendered)}


@route("/staff/messages", methods=["GET"], authorizer=staff_authorizer)
@documented(
    "Messages to customers and staff, newest first, with their state: queued, sent, or "
    "failed with the reason, and attempts so far (?status=queued|sent|failed); pages of "
    "?limit= (1 to 100, the default), the next one from ?before= the `next` given",
    response="MessagesAnswer",
    refusals=(400,),
)
@refusals_as_http
def list_messages() -> dict[str, Any]:
    query = staff_messages.current_request.query_params or {}
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
