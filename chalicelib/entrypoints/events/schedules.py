"""The scheduled functions: one-time schedules (an offer round's deadline, a held message)
through the scheduled-task function, one handler per task; and the sweeps that run at a
rate."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from chalice import Blueprint, Rate
from chalice.app import CloudWatchEvent

from chalicelib.adapters.observability import logger
from chalicelib.bootstrap import services
from chalicelib.services.notifications import SEND_MESSAGE
from chalicelib.services.offers import EXPIRE_OFFER

schedules = Blueprint(__name__)


def expire_offer_round(event: Any) -> dict[str, Any]:
    """An offer round's time is up: close it and move on to the next customer."""
    from chalicelib.entrypoints.events.payloads import OfferDeadline, read_payload

    due = read_payload(OfferDeadline, EXPIRE_OFFER, event)
    done = services().offers.expire(due.business_id, due.slot_id, due.cause, due.round)
    return {"expired": done}


def send_held_message(event: Any) -> dict[str, Any]:
    """A message held for the business's active hours (or its next attempt) may go out."""
    from chalicelib.entrypoints.events.payloads import HeldMessage, read_payload

    held = read_payload(HeldMessage, SEND_MESSAGE, event)
    return {"sent": services().notifications.deliver_held(held.business_id, held.message_id)}


SCHEDULED_TASKS: dict[str, Callable[[Any], dict[str, Any]]] = {
    EXPIRE_OFFER: expire_offer_round,
    SEND_MESSAGE: send_held_message,
}
"""Which handler each one-time schedule's `task` goes to."""


@schedules.lambda_function(name="run_scheduled_task")
def run_scheduled_task(event: Any, context: Any) -> dict[str, Any]:
    """A one-time schedule fired: its payload's `task` says which handler it is for (a
    payload without one is an offer deadline, the only task before tasks were named). A
    payload that cannot be acted on is refused by name; the invocation fails, and after
    its retries is parked in the dead-letter queue with its input."""
    from chalicelib.entrypoints.events.payloads import ScheduledTaskRefused

    task = event.get("task", EXPIRE_OFFER) if isinstance(event, dict) else None
    handler = SCHEDULED_TASKS.get(task) if isinstance(task, str) else None
    try:
        if not isinstance(event, dict):
            raise ScheduledTaskRefused("?", {"payload": "must be a JSON object"})
        if handler is None:
            known = ", ".join(SCHEDULED_TASKS)
            raise ScheduledTaskRefused(str(task), {"task": f"unknown; one of {known}"})
        return handler(event)
    except ScheduledTaskRefused as refusal:
        logger.error(
            "scheduled task refused",
            extra={"task": refusal.task, "problems": refusal.problems},
        )
        raise


@schedules.schedule(Rate(1, unit=Rate.HOURS))
def close_ended_windows(event: CloudWatchEvent) -> dict[str, Any]:
    """Window entries whose window has ended are closed."""
    return {"closed": services().waiting_list.close_ended_windows()}


@schedules.schedule(Rate(5, unit=Rate.MINUTES))
def send_due_reminders(event: CloudWatchEvent) -> dict[str, Any]:
    """Reminders whose lead time has come."""
    return {"reminded": services().reminders.send_due()}


@schedules.schedule(Rate(1, unit=Rate.MINUTES))
def heal_held_seats(event: CloudWatchEvent) -> dict[str, Any]:
    """The sweep for seats held for the waiting list past their deadline without a
    decision: each is refilled through the same code, or put back on sale."""
    return {"resolved": services().refill.heal_overdue_holds()}


@schedules.schedule(Rate(5, unit=Rate.MINUTES))
def expire_overdue_offers(event: CloudWatchEvent) -> dict[str, Any]:
    """The backstop for offers whose schedule never fired."""
    return {"expired": services().offers.expire_overdue()}
