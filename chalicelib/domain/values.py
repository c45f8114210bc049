"""Small values the rest of the domain shares: who a customer is, how a business reaches
them, and what is said about a slot wherever it is copied.

A leaf: it imports nothing from the domain but the constants it needs, so any domain
module (the model, messages, workflows) can use it without importing the others.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from chalicelib.domain.reminders import DEFAULT_LEAD_MINUTES


@dataclass(frozen=True)
class Contact:
    name: str
    email: str | None = None
    phone: str | None = None
    language: str | None = None


def customer_key(contact: Contact) -> str:
    """One customer across bookings and lists: their email address, else their phone."""
    return (contact.email or "").strip().lower() or (contact.phone or "")


class ChannelPreference(StrEnum):
    """How a business reaches its customers; a missing channel falls back to the other."""

    EMAIL_FIRST = "email_first"
    SMS_FIRST = "sms_first"
    BOTH = "both"


class WaitingListMode(StrEnum):
    AUTOMATIC = "automatic"
    """The earliest-signed-up customer is booked and told."""
    ONE_AT_A_TIME = "one_at_a_time"
    """One customer at a time gets an offer with a response window, then the next."""
    OFFER_TO_MANY = "offer_to_many"
    """Several customers get the offer at once; the first to accept gets the seat."""
    MANUAL = "manual"
    """Staff are told who waits and choose; the freed seat stays on sale meanwhile."""


@dataclass(frozen=True)
class SlotSummary:
    """What a message or a listing needs to say about a slot, copied onto bookings and entries."""

    business_name: str
    time_zone: str
    language: str
    service_name: str
    starts_at: datetime
    ends_at: datetime
    staff: str | None = None
    location: str | None = None
    waiting_list_mode: WaitingListMode | None = None
    """The service's own mode, when it overrides the business's."""
    service_id: str | None = None
    """What workflows scoped to services match; None on items written before it was kept."""
    reminder_lead_minutes: tuple[int, ...] = DEFAULT_LEAD_MINUTES
    """The business's reminder lead times when the booking (or entry) was made."""


MAX_EMBED_ORIGINS = 10
"""How many websites of its own a business may show its booking site on."""
_ORIGIN = re.compile(
    r"https://(?P<host>[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?(?:\.[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?)*)"
    r"(?::(?P<port>[0-9]{1,5}))?/?"
)


def web_origin(text: str) -> str | None:
    """`text` as the origin a Content Security Policy names ("https://Salon.example/" →
    "https://salon.example"), or None when it is not an https origin alone (a path, a
    query, a wildcard, another scheme)."""
    match = _ORIGIN.fullmatch(text.strip().lower()) if len(text) <= 300 else None
    if match is None:
        return None
    port = match.group("port")
    if port is not None and not 0 < int(port) < 65536:
        return None
    suffix = f":{port}" if port and port != "443" else ""
    return f"https://{match.group('host')}{suffix}"
