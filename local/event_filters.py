"""The event source mappings' `FilterCriteria`, read from the deployment template and
applied to stream records as Lambda applies them, so that locally, as in AWS, a record
that cannot lead to work never wakes a function.

The patterns live in one place, `infra/template.json` (each stream function's event
source, merged into Chalice's template by `make package`); this module reads them from
there. It implements the part of Lambda's filter-pattern syntax they use:

- a pattern is an object; every key it names must match (AND), nested objects descend;
- a leaf is a list of matchers, any of which may match (OR);
- a matcher is an exact value (string, number, boolean, null), ``{"exists": true}`` /
  ``{"exists": false}`` (a leaf present or absent: absent when any step of its path is),
  ``{"prefix": "..."}`` on strings, or ``{"anything-but": value or [values]}`` (present,
  and none of them);
- a record passes a mapping's filters when any one pattern matches it (OR).

Anything else in a pattern is refused with ValueError, rather than matched differently
from Lambda.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from pathlib import Path
from typing import Any

TEMPLATE = Path(__file__).resolve().parents[1] / "infra" / "template.json"

Pattern = dict[str, Any]
_MISSING = object()


def matches(pattern: Mapping[str, Any], record: Mapping[str, Any]) -> bool:
    """Whether one filter pattern matches one record, as Lambda's event filtering decides."""
    for key, wanted in pattern.items():
        value = record.get(key, _MISSING) if isinstance(record, Mapping) else _MISSING
        if isinstance(wanted, Mapping):
            if not matches(wanted, value if isinstance(value, Mapping) else {}):
                return False
        elif isinstance(wanted, list):
            if not any(_leaf_matches(matcher, value) for matcher in wanted):
                return False
        else:
            raise ValueError(f"a filter pattern's leaf must be a list, not {wanted!r}")
    return True


def passes(patterns: Sequence[Mapping[str, Any]] | None, record: Mapping[str, Any]) -> bool:
    """Whether a record passes a mapping's filters (none: every record passes)."""
    return not patterns or any(matches(pattern, record) for pattern in patterns)


def _leaf_matches(matcher: Any, value: Any) -> bool:
    if isinstance(matcher, Mapping):
        if len(matcher) != 1:
            raise ValueError(f"one operator per matcher: {matcher!r}")
        ((operator, operand),) = matcher.items()
        if operator not in ("exists", "prefix", "anything-but"):
            raise ValueError(f"filter operator {operator!r} is not supported locally")
        if operator == "anything-but" and any(
            isinstance(item, Mapping | list)
            for item in (operand if isinstance(operand, list) else [operand])
        ):
            raise ValueError(f"anything-but takes values only here: {matcher!r}")
        if operator == "exists":
            present = value is not _MISSING and not isinstance(value, Mapping | list)
            return present if operand else value is _MISSING
        if value is _MISSING:
            return False
        if operator == "prefix":
            return isinstance(value, str) and value.startswith(str(operand))
        refused = operand if isinstance(operand, list) else [operand]
        return not isinstance(value, Mapping | list) and value not in refused
    if isinstance(matcher, list):
        raise ValueError(f"a matcher cannot be a list: {matcher!r}")
    if value is _MISSING:
        return False
    return bool(value == matcher and type(value) is type(matcher))


def logical_id(handler_name: str) -> str:
    """The logical id Chalice gives a function in its template (``on_booking_change`` →
    ``OnBookingChange``), under which infra/ merges the event source's settings."""
    from chalice.utils import to_cfn_resource_name

    return str(to_cfn_resource_name(handler_name))


def event_source_properties(
    handler_name: str, template: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """What infra/ sets on a stream function's event source (empty when nothing)."""
    if template is None:
        template = _template()
    name = logical_id(handler_name)
    events = template.get("Resources", {}).get(name, {}).get("Properties", {}).get("Events", {})
    source = events.get(f"{name}DynamodbEventSource", {})
    return dict(source.get("Properties", {}))


def filter_patterns(
    handler_name: str, template: Mapping[str, Any] | None = None
) -> list[Pattern] | None:
    """The filter patterns of a stream function's event source, parsed; None: no filters."""
    criteria = event_source_properties(handler_name, template).get("FilterCriteria")
    if not criteria:
        return None
    patterns = [json.loads(entry["Pattern"]) for entry in criteria.get("Filters", [])]
    for pattern in patterns:
        _check(pattern)
    return patterns


def _check(pattern: Mapping[str, Any]) -> None:
    """Refuses a pattern using syntax this module does not implement (by matching it
    against an empty record, which visits every matcher's operator)."""
    for wanted in pattern.values():
        if isinstance(wanted, Mapping):
            _check(wanted)
        elif isinstance(wanted, list):
            for matcher in wanted:
                _leaf_matches(matcher, "")
        else:
            raise ValueError(f"a filter pattern's leaf must be a list, not {wanted!r}")


@cache
def _template() -> dict[str, Any]:
    loaded: dict[str, Any] = json.loads(TEMPLATE.read_text())
    return loaded
