"""The range a slot listing asks for, read from its query string, and the page it answers."""

from __future__ import annotations

import base64
import binascii
from collections.abc import Mapping
from typing import Any

from chalicelib.domain.errors import InvalidRequest
from chalicelib.domain.listing import DEFAULT_SPAN, LONGEST_SPAN, SlotRange, parse_moment
from chalicelib.entrypoints.http import views
from chalicelib.entrypoints.http.documented import Query
from chalicelib.ports.catalogue import SlotPage

_MOMENT = {"type": "string", "examples": ["2030-03-01", "2030-03-01T09:00"]}
RANGE_QUERY = (
    Query(
        "from",
        "The first start time to list: a date (YYYY-MM-DD, from the start of that day) or an "
        "ISO 8601 date-time, in the business's time zone unless it has an offset. "
        "Default: now.",
        _MOMENT,
    ),
    Query(
        "to",
        "List slots starting before this: a date (up to the end of that day) or a date-time. "
        f"Default: {DEFAULT_SPAN.days // 7} weeks after `from`; at most "
        f"{LONGEST_SPAN.days} days after it.",
        _MOMENT,
    ),
    Query(
        "after",
        "The `next` of the page before: the listing goes on from there.",
        {"type": "string"},
    ),
)


def slot_range(query: Mapping[str, str] | None) -> SlotRange:
    """`?from=&to=&after=`; a bad date is refused, naming the parameter."""
    query = query or {}
    return SlotRange(
        parse_moment("from", query.get("from")),
        parse_moment("to", query.get("to")),
        _cursor(query.get("after") or None),
    )


def _cursor(text: str | None) -> str | None:
    """The API hands cursors out as URL-safe base64, so they go in a query string as they
    are."""
    if text is None:
        return None
    try:
        return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4)).decode("utf-8")
    except (binascii.Error, UnicodeDecodeError, ValueError) as error:
        raise InvalidRequest("after", "not the `next` of an earlier page") from error


def page_answer(page: SlotPage, *, for_staff: bool) -> dict[str, Any]:
    return {
        "slots": [views.slot_view(slot, for_staff=for_staff) for slot in page.slots],
        "next": (
            base64.urlsafe_b64encode(page.next.encode("utf-8")).decode("ascii").rstrip("=")
            if page.next is not None
            else None
        ),
    }
