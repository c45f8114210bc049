"""Fires what EventBridge would: due one-time schedules, and the app's rate functions.

The emulator stores EventBridge Scheduler schedules but never fires them. This pump reads
them back through the scheduler API, and when an ``at(...)`` schedule is due calls the
function its target names with the target's input, as Lambda would, then deletes the
schedule if it asked for that (``ActionAfterCompletion: DELETE``). It also runs each
``@app.schedule(Rate(...))`` function at its rate with a scheduled event.

Delivery is at least once: a failed call is retried after ``retry_delay``, and after
``max_attempts`` the event is parked as a dead letter. Time comes from ``clock`` so tests
can drive it.
"""

from __future__ import annotations

import json
import logging
import re
import threading
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import TYPE_CHECKING, Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from botocore.exceptions import BotoCoreError, ClientError

from local.dead_letters import DeadLetter, DeadLetters
from local.lambda_runtime import (
    Handler,
    function_name,
    handler_for_function,
    handler_of,
    lambda_context,
)
from local.repeating import Repeating

if TYPE_CHECKING:
    from mypy_boto3_scheduler import EventBridgeSchedulerClient

logger = logging.getLogger("local.scheduler_pump")

Clock = Callable[[], datetime]
LOCAL_ACCOUNT_ID = "123456789012"

_AT = re.compile(r"^at\((\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2})\)$")
_RATE = re.compile(r"^rate\((\d+)\s+(minute|minutes|hour|hours|day|days)\)$")
_UNITS = {"minute": 60, "hour": 3600, "day": 86400}


def utc_now() -> datetime:
    return datetime.now(UTC)


def at_time(expression: str, time_zone: str | None) -> datetime | None:
    """When an ``at(yyyy-mm-ddThh:mm:ss)`` expression fires, or None for other expressions."""
    match = _AT.match(expression.strip())
    if not match:
        return None
    zone = ZoneInfo(time_zone or "UTC")
    return datetime.fromisoformat(match.group(1)).replace(tzinfo=zone).astimezone(UTC)


def rate_period(expression: Any) -> timedelta | None:
    """The period of a ``rate(...)`` expression (string or Chalice ``Rate``), else None."""
    text = expression if isinstance(expression, str) else expression.to_string()
    match = _RATE.match(text.strip().lower())
    if not match:
        return None
    unit = match.group(2).rstrip("s")
    return timedelta(seconds=int(match.group(1)) * _UNITS[unit])


@dataclass(frozen=True)
class RateFunction:
    name: str
    handler: Handler
    period: timedelta
    function_name: str = ""


def rate_functions_from_app(app: Any) -> list[RateFunction]:
    from chalice.app import ScheduledEventConfig

    functions = []
    for source in app.event_sources:
        if not isinstance(source, ScheduledEventConfig):
            continue
        period = rate_period(source.schedule_expression)
        if period is None:
            logger.warning(
                "%s runs on %s, which the local stack does not fire; call it by hand",
                source.name,
                _expression_text(source.schedule_expression),
            )
            continue
        functions.append(
            RateFunction(
                name=source.name,
                handler=handler_of(app, source.name),
                period=period,
                function_name=function_name(app, source.name),
            )
        )
    return functions


def _expression_text(expression: Any) -> str:
    return expression if isinstance(expression, str) else str(expression.to_string())


def lambda_function_name(arn: str) -> str | None:
    """``arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`` -> name."""
    parts = arn.split(":")
    if len(parts) >= 7 and parts[2] == "lambda" and parts[5] == "function":
        return parts[6]
    return None


@dataclass
class _Retry:
    attempts: int
    retry_at: datetime


@dataclass
class _RateState:
    function: RateFunction
    next_run: datetime
    retry: tuple[dict[str, Any], _Retry] | None = None


@dataclass
class _Stats:
    fired: int = 0
    failed: int = 0
    warned: set[str] = field(default_factory=set)


class SchedulerPump:
    def __init__(
        self,
        *,
        scheduler: EventBridgeSchedulerClient,
        app: Any,
        dead_letters: DeadLetters,
        region: str,
        account_id: str = LOCAL_ACCOUNT_ID,
        clock: Clock = utc_now,
        poll_interval: float = 0.5,
        max_attempts: int = 3,
        retry_delay: timedelta = timedelta(seconds=1),
        rate_functions: list[RateFunction] | None = None,
        after_call: Callable[[], None] | None = None,
    ) -> None:
        """``after_call`` is told whenever a function has run (it may have written)."""
        self._scheduler = scheduler
        self._app = app
        self._dead_letters = dead_letters
        self._region = region
        self._account_id = account_id
        self._clock = clock
        self._poll_interval = poll_interval
        self._max_attempts = max_attempts
        self._retry_delay = retry_delay
        self._after_call = after_call
        start = clock()
        functions = rate_functions_from_app(app) if rate_functions is None else rate_functions
        # Like a new EventBridge rule, the first run comes one period after it is created.
        self._rates = [_RateState(function, start + function.period) for function in functions]
        self._finished: set[tuple[str, str]] = set()
        self._retries: dict[tuple[str, str], _Retry] = {}
        self._stats = _Stats()
        self._lock = threading.Lock()
        self._loop = Repeating("scheduler-pump", self.tick, poll_interval)

    @property
    def rate_functions(self) -> list[RateFunction]:
        return [state.function for state in self._rates]

    def start(self) -> None:
        self._loop.start()

    def stop(self, timeout: float = 5.0) -> None:
        self._loop.stop(timeout)

    def tick(self) -> int:
        """Fire whatever is due now; returns how many calls were made."""
        with self._lock:
            now = self._clock()
            return self._fire_due_schedules(now) + self._run_due_rates(now)

    def redeliver(self, letter: DeadLetter) -> str | None:
        """Call a parked event's function again with it: None once it ran, else why not."""
        handler_name = handler_for_function(self._app, letter.function)
        if handler_name is None:
            return f"no local function for {letter.function}"
        return self._call(handler_name, letter.function, letter.payload, letter.details)

    # --- one-time schedules -------------------------------------------------------------

    def _fire_due_schedules(self, now: datetime) -> int:
        calls = 0
        try:
            summaries = list(self._list_schedules())
        except (ClientError, BotoCoreError) as error:
            self._warn_once(f"cannot list schedules: {error}")
            return 0
        for summary in summaries:
            try:
                schedule: dict[str, Any] = dict(
                    self._scheduler.get_schedule(
                        Name=summary["Name"], GroupName=summary.get("GroupName", "default")
                    )
                )
            except ClientError as error:
                if _error_code(error) != "ResourceNotFoundException":
                    self._warn_once(f"cannot read schedule {summary['Name']}: {error}")
                continue
            key = (str(schedule["Arn"]), str(schedule.get("LastModificationDate", "")))
            if key in self._finished:
                continue
            due = self._due_time(schedule)
            if due is None or due > now:
                continue
            retry = self._retries.get(key)
            if retry is not None and retry.retry_at > now:
                continue
            calls += 1
            self._fire(schedule, key, now)
        return calls

    def _list_schedules(self) -> Iterator[dict[str, Any]]:
        token: str | None = None
        while True:
            if token:
                page = self._scheduler.list_schedules(State="ENABLED", NextToken=token)
            else:
                page = self._scheduler.list_schedules(State="ENABLED")
            for summary in page.get("Schedules", []):
                yield dict(summary)
            token = page.get("NextToken")
            if not token:
                return

    def _due_time(self, schedule: dict[str, Any]) -> datetime | None:
        expression = str(schedule.get("ScheduleExpression", ""))
        try:
            due = at_time(expression, schedule.get("ScheduleExpressionTimezone"))
        except (ValueError, ZoneInfoNotFoundError) as error:
            self._warn_once(f"schedule {schedule['Name']} has a bad expression: {error}")
            return None
        if due is None:
            self._warn_once(
                f"schedule {schedule['Name']} uses {expression}; "
                "the local stack fires only at(...) schedules"
            )
        return due

    def _fire(self, schedule: dict[str, Any], key: tuple[str, str], now: datetime) -> None:
        target = schedule.get("Target", {})
        name = lambda_function_name(str(target.get("Arn", "")))
        handler_name = handler_for_function(self._app, name) if name else None
        payload_text = target.get("Input")
        details = {"schedule": f"{schedule.get('GroupName', 'default')}/{schedule['Name']}"}
        if name is None or handler_name is None:
            self._give_up(
                schedule, key, {"Target": target}, f"no local function for {target.get('Arn')}"
            )
            return
        try:
            payload = json.loads(payload_text) if payload_text else {}
        except json.JSONDecodeError as error:
            self._give_up(schedule, key, {"Input": payload_text}, f"Input is not JSON: {error}")
            return
        error_text = self._call(handler_name, name, payload, details)
        if error_text is None:
            self._complete(schedule, key)
            return
        retry = self._retries.get(key) or _Retry(attempts=0, retry_at=now)
        retry.attempts += 1
        retry.retry_at = now + self._retry_delay
        self._retries[key] = retry
        if retry.attempts >= self._max_attempts:
            self._give_up(schedule, key, payload, error_text, attempts=retry.attempts)

    def _call(
        self, handler_name: str, deployed_name: str, payload: Any, details: dict[str, str]
    ) -> str | None:
        handler = handler_of(self._app, handler_name)
        logger.info("firing %s -> %s", details, handler_name)
        try:
            handler(payload, lambda_context(deployed_name))
        except Exception as error:
            self._stats.failed += 1
            logger.exception("%s failed on %s", handler_name, details)
            return f"{type(error).__name__}: {error}"
        finally:
            if self._after_call is not None:
                self._after_call()
        self._stats.fired += 1
        return None

    def _give_up(
        self,
        schedule: dict[str, Any],
        key: tuple[str, str],
        payload: Any,
        reason: str,
        attempts: int = 0,
    ) -> None:
        target_arn = str(schedule.get("Target", {}).get("Arn", ""))
        self._dead_letters.park(
            DeadLetter(
                source="scheduler",
                function=lambda_function_name(target_arn) or target_arn,
                reason=reason,
                attempts=attempts,
                payload=payload if isinstance(payload, dict) else {"payload": payload},
                details={
                    "schedule": f"{schedule.get('GroupName', 'default')}/{schedule['Name']}",
                    "expression": str(schedule.get("ScheduleExpression", "")),
                },
            )
        )
        self._complete(schedule, key)

    def _complete(self, schedule: dict[str, Any], key: tuple[str, str]) -> None:
        self._retries.pop(key, None)
        self._finished.add(key)
        if schedule.get("ActionAfterCompletion") != "DELETE":
            return
        try:
            self._scheduler.delete_schedule(
                Name=schedule["Name"], GroupName=schedule.get("GroupName", "default")
            )
        except ClientError as error:
            if _error_code(error) != "ResourceNotFoundException":
                logger.warning("could not delete schedule %s: %s", schedule["Name"], error)

    # --- rate functions -----------------------------------------------------------------

    def _run_due_rates(self, now: datetime) -> int:
        calls = 0
        for state in self._rates:
            function = state.function
            if state.retry is not None:
                event, retry = state.retry
                if retry.retry_at <= now:
                    calls += 1
                    self._run_rate(state, event, retry, now)
            if state.next_run > now:
                continue
            # EventBridge does not catch up on runs missed while nothing was listening.
            while state.next_run <= now:
                state.next_run += function.period
            calls += 1
            self._run_rate(state, self._scheduled_event(function, now), _Retry(0, now), now)
        return calls

    def _run_rate(
        self, state: _RateState, event: dict[str, Any], retry: _Retry, now: datetime
    ) -> None:
        function = state.function
        details = {"rate": str(function.period)}
        error = self._call(function.name, function.function_name or function.name, event, details)
        retry.attempts += 1
        if error is None:
            state.retry = None
            return
        if retry.attempts >= self._max_attempts:
            state.retry = None
            self._dead_letters.park(
                DeadLetter(
                    source="scheduler",
                    function=function.name,
                    reason=error,
                    attempts=retry.attempts,
                    payload=event,
                    details=details,
                )
            )
            return
        retry.retry_at = now + self._retry_delay
        state.retry = (event, retry)

    def _scheduled_event(self, function: RateFunction, now: datetime) -> dict[str, Any]:
        rule = function.function_name or function.name
        return {
            "version": "0",
            "id": str(uuid.uuid4()),
            "detail-type": "Scheduled Event",
            "source": "aws.events",
            "account": self._account_id,
            "time": now.astimezone(UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "region": self._region,
            "resources": [f"arn:aws:events:{self._region}:{self._account_id}:rule/{rule}"],
            "detail": {},
        }

    def _warn_once(self, message: str) -> None:
        if message not in self._stats.warned:
            self._stats.warned.add(message)
            logger.warning("%s", message)


def _error_code(error: ClientError) -> str:
    return str(error.response.get("Error", {}).get("Code", ""))
