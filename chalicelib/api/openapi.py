"""The OpenAPI document of the HTTP API, served at /openapi.json. A test keeps its
operations and the app's routes in step."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

from pydantic import BaseModel

from chalicelib.api import schemas


@dataclass(frozen=True)
class Operation:
    summary: str
    staff: bool = False
    body: type[BaseModel] | None = None
    created: bool = False
    refusals: tuple[int, ...] = ()
    page: bool = False
    """An HTML page for people (chalicelib/api/pages.py); a POST takes a plain form."""
    repeat: str | None = None
    """What a repeated request answers with 200, when it finds what the first made."""


OPERATIONS: dict[tuple[str, str], Operation] = {
    ("/staff/business", "GET"): Operation("The business's profile", staff=True, refusals=(409,)),
    ("/staff/business", "PUT"): Operation(
        "Set up or change the business's profile (name, time zone, language)",
        staff=True,
        body=schemas.BusinessProfile,
        refusals=(400,),
    ),
    ("/staff/services", "GET"): Operation("The business's services", staff=True),
    ("/staff/services", "POST"): Operation(
        "Add one or many services (an object, a list, or {services: [...]})",
        staff=True,
        body=schemas.NewServicesBody,
        created=True,
        refusals=(400, 409),
    ),
    ("/staff/statuses", "GET"): Operation("The business's status pipeline, in order", staff=True),
    ("/staff/statuses", "POST"): Operation(
        "Add one or many pipeline statuses (an object, a list, or {statuses: [...]})",
        staff=True,
        body=schemas.PipelineStatusesBody,
        created=True,
        refusals=(400, 409),
    ),
    ("/staff/statuses/{status_id}", "PUT"): Operation(
        "Change a pipeline status", staff=True, body=schemas.PipelineStatusBody, refusals=(400, 404)
    ),
    ("/staff/workflows", "GET"): Operation(
        "Every workflow rule in force: the default ones (as changed) and the business's own",
        staff=True,
        refusals=(409,),
    ),
    ("/staff/workflows", "POST"): Operation(
        "Add a rule: trigger, scope (services, locations, staff), channel, recipients",
        staff=True,
        body=schemas.WorkflowBody,
        created=True,
        refusals=(400, 409),
    ),
    ("/staff/workflows/{workflow_id}", "PUT"): Operation(
        "Change a rule (a default rule keeps its trigger)",
        staff=True,
        body=schemas.WorkflowBody,
        refusals=(400, 404, 409),
    ),
    ("/staff/workflows/{workflow_id}", "PATCH"): Operation(
        "Switch a rule off or on", staff=True, body=schemas.WorkflowSwitchBody, refusals=(400, 404)
    ),
    ("/staff/workflows/{workflow_id}", "DELETE"): Operation(
        "Remove a rule; a default rule goes back to its default",
        staff=True,
        refusals=(404, 409),
    ),
    ("/staff/templates", "GET"): Operation(
        "The business's own message texts, and the variables each message type offers",
        staff=True,
        refusals=(409,),
    ),
    ("/staff/templates/{message_type}/{channel}/{language}", "PUT"): Operation(
        "Save the business's own text for a message type, channel and language; checked "
        "first (syntax, unknown variables, what the sandbox forbids)",
        staff=True,
        body=schemas.MessageTextBody,
        refusals=(400, 409),
    ),
    ("/staff/templates/{message_type}/{channel}/{language}", "DELETE"): Operation(
        "Go back to Standby's own text", staff=True, refusals=(400, 404, 409)
    ),
    ("/staff/templates/preview", "POST"): Operation(
        "Render a text (given, saved or standard) with sample values in a chosen language",
        staff=True,
        body=schemas.PreviewBody,
        refusals=(400, 409),
    ),
    ("/staff/slots", "GET"): Operation("Slots with free seats and waiting-list length", staff=True),
    ("/staff/slots", "POST"): Operation(
        "Add one or many slots, all or none (an object, a list, or {slots: [...]})",
        staff=True,
        body=schemas.NewSlotsBody,
        created=True,
        refusals=(400, 404, 409),
    ),
    ("/staff/bookings", "GET"): Operation(
        "Requests waiting for confirmation (?status=pending, the default) or confirmed "
        "bookings (?status=confirmed) across all slots, soonest first",
        staff=True,
        refusals=(400,),
    ),
    ("/staff/messages", "GET"): Operation(
        "Messages to customers and staff, newest first, with their state: queued, sent, or "
        "failed with the reason, and attempts so far (?status=queued|sent|failed); pages of "
        "?limit= (1 to 100, the default), the next one from ?before= the `next` given",
        staff=True,
        refusals=(400,),
    ),
    ("/staff/slots/{slot_id}", "PATCH"): Operation(
        "Change a slot's capacity, staff member or location; seats a raise adds go to the "
        "waiting list first",
        staff=True,
        body=schemas.SlotChangesBody,
        refusals=(400, 404, 409),
    ),
    ("/staff/slots/{slot_id}/bookings", "GET"): Operation(
        "A slot's bookings, oldest first", staff=True, refusals=(404,)
    ),
    ("/staff/slots/{slot_id}/waiting-list/{entry_id}/book", "POST"): Operation(
        "Give a free seat straight to a customer on the waiting list (409 when full)",
        staff=True,
        created=True,
        refusals=(404, 409),
    ),
    ("/staff/stuck", "GET"): Operation(
        "What is stuck: seats held for the waiting list awaiting the refill's decision (and "
        "whether past their deadline), and messages that failed",
        staff=True,
    ),
    ("/staff/slots/{slot_id}/holds/{cause}/release", "POST"): Operation(
        "Resolve a held seat now, through the refill (the waiting list keeps first claim; "
        "back on sale when no one can take it)",
        staff=True,
        refusals=(404,),
    ),
    ("/staff/slots/{slot_id}/offers", "POST"): Operation(
        "Offer a free seat to chosen waiting customers at once; the first to accept gets it "
        "if it is still free (manual mode)",
        staff=True,
        body=schemas.ChosenEntriesBody,
        created=True,
        refusals=(400, 404, 409),
    ),
    ("/staff/slots/{slot_id}/allocations", "GET"): Operation(
        "The refill's decisions for the slot, newest first: who got each freed seat, who was "
        "passed over and why",
        staff=True,
        refusals=(404,),
    ),
    ("/staff/slots/{slot_id}/waiting-list", "GET"): Operation(
        "A slot's waiting list in sign-up order, with each waiting customer's position",
        staff=True,
        refusals=(404,),
    ),
    ("/staff/services/{service_id}/waiting-list", "GET"): Operation(
        "A service's window entries and earlier-slot requests, in sign-up order",
        staff=True,
        refusals=(404,),
    ),
    ("/staff/slots/{slot_id}/bookings/{booking_id}/confirm", "POST"): Operation(
        "Confirm a pending booking; the customer is told", staff=True, refusals=(404, 409)
    ),
    ("/staff/slots/{slot_id}/bookings/{booking_id}/reject", "POST"): Operation(
        "Reject a pending booking with a reason sent to the customer; its seat goes to the "
        "waiting list",
        staff=True,
        body=schemas.RequiredReasonBody,
        refusals=(400, 404, 409),
    ),
    ("/staff/slots/{slot_id}/bookings/{booking_id}/cancel", "POST"): Operation(
        "Cancel a booking (optional reason); its seat goes to the waiting list",
        staff=True,
        body=schemas.ReasonBody,
        refusals=(400, 404, 409),
    ),
    ("/staff/slots/{slot_id}/bookings/{booking_id}/no-show", "POST"): Operation(
        "Mark a confirmed booking as not taken; its seat goes to the waiting list",
        staff=True,
        refusals=(404, 409),
    ),
    ("/staff/slots/{slot_id}/bookings/{booking_id}", "DELETE"): Operation(
        "Delete a booking; a seat it held goes to the waiting list", staff=True, refusals=(404, 409)
    ),
    ("/staff/slots/{slot_id}/bookings/{booking_id}/move", "POST"): Operation(
        "Move a booking to another slot: the new seat is taken and the old one freed, or "
        "nothing changes (409 when the new slot is full)",
        staff=True,
        body=schemas.MoveBody,
        refusals=(400, 404, 409),
    ),
    ("/staff/slots/{slot_id}/bookings/{booking_id}/status", "POST"): Operation(
        "Move a booking to a pipeline status: a confirmation status confirms it (and copies "
        "the staff member's or location's address); a cancellation status needs a reason, "
        "frees the seat and sends the rejection",
        staff=True,
        body=schemas.StepBody,
        refusals=(400, 404, 409),
    ),
    ("/staff/slots/{slot_id}/bookings/{booking_id}/history", "GET"): Operation(
        "Every change of the booking (who, when, from, to, reason), newest first",
        staff=True,
        refusals=(404,),
    ),
    ("/staff/slots/{slot_id}/bookings/{booking_id}/release-preview", "GET"): Operation(
        "What ?action=cancel|reject|no_show|delete|move would do to the seat, and which "
        "waiting customer would get it — without doing it",
        staff=True,
        refusals=(400, 404, 409),
    ),
    ("/businesses/{business_id}/slots", "GET"): Operation("A business's slots and free seats"),
    ("/businesses/{business_id}/slots/{slot_id}/bookings", "POST"): Operation(
        "Book a seat (409 when full: join the waiting list instead)",
        body=schemas.ContactBody,
        created=True,
        refusals=(400, 404, 409),
        repeat="The customer already holds a seat of the slot: that booking, without its link",
    ),
    ("/businesses/{business_id}/slots/{slot_id}/waiting-list", "POST"): Operation(
        "Join a full slot's waiting list; answers with the position and a link to leave",
        body=schemas.ContactBody,
        created=True,
        refusals=(400, 404, 409),
        repeat="The customer is on this list already: their place, without its link",
    ),
    ("/businesses/{business_id}/services/{service_id}/waiting-list", "POST"): Operation(
        "Wait for a seat in any slot of a service between two moments, optionally with one "
        "staff member or at one location",
        body=schemas.WindowEntryBody,
        created=True,
        refusals=(400, 404, 409),
        repeat="The customer waits for this window already: their place, without its link",
    ),
    ("/bookings/{token}/earlier", "POST"): Operation(
        "Ask to be moved to an earlier slot of the same service when a seat frees up",
        body=schemas.EarlierSlotBody,
        created=True,
        refusals=(400, 404, 409),
    ),
    ("/bookings/{token}", "GET"): Operation("A booking, through its manage link", refusals=(404,)),
    ("/bookings/{token}/cancel", "POST"): Operation(
        "Cancel a booking through its manage link", refusals=(404, 409)
    ),
    ("/bookings/{token}/move", "POST"): Operation(
        "Move the booking to another slot of the same service with a free seat",
        body=schemas.MoveBody,
        refusals=(400, 404, 409),
    ),
    ("/waiting-list/{token}", "GET"): Operation(
        "A place on a waiting list and its position", refusals=(404,)
    ),
    ("/waiting-list/{token}", "DELETE"): Operation("Leave the waiting list", refusals=(404, 409)),
    ("/offers/{token}", "GET"): Operation("An offer of a seat, through its link", refusals=(404,)),
    ("/offers/{token}/accept", "POST"): Operation(
        "Take the offered seat: 200 with the booking, or 409 saying why it is no longer "
        "possible (expired, declined, taken by someone else)",
        refusals=(404, 409),
    ),
    ("/offers/{token}/decline", "POST"): Operation(
        "Say no to the offer; the next customer is asked", refusals=(404, 409)
    ),
    ("/openapi.json", "GET"): Operation("This document"),
}

# Pages for people, server-rendered HTML; listed so that the document covers every route.
PAGE_OPERATIONS: dict[tuple[str, str], Operation] = {
    ("/o/{token}", "GET"): Operation("Page: an offer of a seat, with accept and decline"),
    ("/o/{token}/accept", "POST"): Operation(
        "Page form: accept the offer", refusals=(403, 404, 409)
    ),
    ("/o/{token}/decline", "POST"): Operation("Page form: decline the offer", refusals=(403, 404)),
    ("/b/{token}", "GET"): Operation("Page: a booking, to move, cancel or add to a calendar"),
    ("/b/{token}/cancel", "GET"): Operation("Page: confirm cancelling the booking"),
    ("/b/{token}/cancel", "POST"): Operation("Page form: cancel the booking", refusals=(403, 404)),
    ("/b/{token}/move", "POST"): Operation("Page form: move the booking", refusals=(403, 404, 409)),
    ("/b/{token}/calendar.ics", "GET"): Operation("The booking as an iCalendar event"),
    ("/w/{token}", "GET"): Operation("Page: a place on a waiting list, and how the list works"),
    ("/w/{token}/leave", "POST"): Operation("Page form: leave the list", refusals=(403, 404)),
    ("/board/login", "GET"): Operation("Page: staff sign-in with a staff token"),
    ("/board/login", "POST"): Operation("Page form: sign in (sets an HttpOnly cookie)"),
    ("/board/logout", "POST"): Operation("Page form: sign out"),
    ("/board", "GET"): Operation("Page: the staff board of a day (?day=YYYY-MM-DD)"),
    ("/board/slots/{slot_id}/bookings/{booking_id}/release", "GET"): Operation(
        "Page: the warning before releasing a seat, naming who will get it"
    ),
    ("/board/slots/{slot_id}/bookings/{booking_id}/release", "POST"): Operation(
        "Page form: release the seat (cancel the booking)", refusals=(403, 404)
    ),
}
PAGE_OPERATIONS = {key: replace(op, page=True) for key, op in PAGE_OPERATIONS.items()}
OPERATIONS.update(PAGE_OPERATIONS)

ERROR = {
    "type": "object",
    "properties": {"Code": {"type": "string"}, "Message": {"type": "string"}},
    "required": ["Code", "Message"],
}


def _operation_id(path: str, method: str) -> str:
    words = path.strip("/").replace("{", "").replace("}", "").replace(".", "_").split("/")
    return "_".join([method.lower(), *words])


def _parameters(path: str) -> list[dict[str, Any]]:
    names = [part[1:-1] for part in path.split("/") if part.startswith("{")]
    return [
        {"name": n, "in": "path", "required": True, "schema": {"type": "string"}} for n in names
    ]


def _operation(
    path: str, method: str, operation: Operation, components: dict[str, Any]
) -> dict[str, Any]:
    success = "201" if operation.created else "200"
    spec: dict[str, Any] = {
        "summary": operation.summary,
        "operationId": _operation_id(path, method),
        "parameters": _parameters(path),
        "responses": {success: {"description": "OK", "content": {"application/json": {}}}},
    }
    if operation.repeat:
        spec["responses"]["200"] = {
            "description": operation.repeat,
            "content": {"application/json": {}},
        }
    if operation.page:
        spec["responses"] = {
            "200": {"description": "The page", "content": {"text/html": {}}},
            "303": {"description": "Done: on to the page that shows the outcome"},
        }
        for status in operation.refusals:
            spec["responses"][str(status)] = {
                "description": "A page saying why",
                "content": {"text/html": {}},
            }
        if method == "POST":
            spec["requestBody"] = {
                "required": True,
                "content": {"application/x-www-form-urlencoded": {"schema": {"type": "object"}}},
            }
        return spec
    for status in operation.refusals:
        spec["responses"][str(status)] = {
            "description": "Refused; the message names the field or the reason",
            "content": {"application/json": {"schema": {"$ref": "#/components/schemas/Error"}}},
        }
    if operation.staff:
        spec["security"] = [{"staffToken": []}]
        spec["responses"]["401"] = {"description": "No staff token"}
        spec["responses"]["403"] = {"description": "The staff token is not valid"}
    if operation.body is not None:
        schema = operation.body.model_json_schema(ref_template="#/components/schemas/{model}")
        components.update(schema.pop("$defs", {}))
        components[operation.body.__name__] = schema
        spec["requestBody"] = {
            "required": True,
            "content": {
                "application/json": {
                    "schema": {"$ref": f"#/components/schemas/{operation.body.__name__}"}
                }
            },
        }
    return spec


def openapi_document(routes: dict[str, dict[str, Any]]) -> dict[str, Any]:
    """Describe the routes the app has; an operation the app lacks is left out."""
    components: dict[str, Any] = {"Error": ERROR}
    paths: dict[str, Any] = {}
    for (path, method), operation in OPERATIONS.items():
        if method in routes.get(path, {}):
            paths.setdefault(path, {})[method.lower()] = _operation(
                path, method, operation, components
            )
    return {
        "openapi": "3.1.0",
        "info": {
            "title": "Standby",
            "version": "1",
            "description": "Bookings with a waiting list that refills freed seats by itself.",
        },
        "paths": paths,
        "components": {
            "schemas": components,
            "securitySchemes": {
                "staffToken": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}
            },
        },
    }
