"""A page's request and answer, and what guards its forms: a CSRF token bound to the
token a form acts for, and the browser's word on where a request comes from."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

STAFF_COOKIE = "standby_staff"
CSRF_FIELD = "csrf"


@dataclass(frozen=True)
class PageRequest:
    method: str
    headers: Mapping[str, str]
    """Case-insensitive, as Chalice gives them."""
    query: Mapping[str, str]
    form: Mapping[str, str]
    cookies: Mapping[str, str]


@dataclass(frozen=True)
class Page:
    status: int
    body: str
    headers: dict[str, str] = field(default_factory=dict)


def read_request(
    method: str,
    headers: Mapping[str, str],
    query: Mapping[str, str] | None,
    raw_body: bytes | None,
) -> PageRequest:
    form: dict[str, str] = {}
    if raw_body:
        parsed = parse_qs(raw_body.decode("utf-8", "replace"), keep_blank_values=True)
        form = {name: values[0] for name, values in parsed.items()}
    cookies: dict[str, str] = {}
    for part in (headers.get("cookie") or "").split(";"):
        name, _, value = part.strip().partition("=")
        if name:
            cookies[name] = value
    return PageRequest(method.upper(), headers, dict(query or {}), form, cookies)


def csrf_token(key: str, bound_to: str) -> str:
    """A form's CSRF token: an HMAC of the token the form acts for, so only a page opened
    with that token can produce it."""
    digest = hmac.new(key.encode("utf-8"), f"csrf:{bound_to}".encode(), hashlib.sha256)
    return digest.hexdigest()[:40]


def is_cross_site(headers: Mapping[str, str], public_base_url: str) -> bool:
    """Whether the browser says the request comes from another site: by Sec-Fetch-Site
    when it sends one, else by Origin."""
    site = headers.get("sec-fetch-site")
    if site:
        # Set by the browser alone (no page script can forge it): the best witness.
        return site not in ("same-origin", "none")
    origin = headers.get("origin")
    if not origin:
        return False
    if origin == "null":
        return True
    own = {headers.get("host") or "", urlsplit(public_base_url).netloc}
    return urlsplit(origin).netloc not in own


class Refused(Exception):
    """A form that failed its cross-site checks."""


def page_headers(nonce: str) -> dict[str, str]:
    return {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        # Links carry their token in the path: it must not leak to other sites. (With
        # no-referrer at all, browsers would send "Origin: null" on the page's own forms.)
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
        "X-Frame-Options": "DENY",
        "Content-Security-Policy": (
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
            f"script-src 'nonce-{nonce}'; form-action 'self'; frame-ancestors 'none'; "
            "base-uri 'none'"
        ),
    }


def first_language(accept_language: str | None) -> str | None:
    """The browser's first choice in an Accept-Language header ("nb-NO,nb;q=0.9,en" → "nb-NO")."""
    first = (accept_language or "").split(",")[0].split(";")[0].strip()
    return first or None
