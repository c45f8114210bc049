"""A page's request and answer, and what guards its forms: a CSRF token bound to the
token a form acts for, and the browser's word on where a request comes from."""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from urllib.parse import parse_qs, urlsplit

STAFF_COOKIE = "standby_staff"
FORM_COOKIE = "standby_form"
"""The booking site's double-submit cookie: a random value whose HMAC its forms carry."""
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


def form_token(key: str, cookie_value: str) -> str:
    """The CSRF token of a public form (which acts for no link token): an HMAC of the
    browser's random form cookie, which another site can neither read nor set."""
    return csrf_token(key, f"form-cookie:{cookie_value}")


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


def page_headers(nonce: str, frame_ancestors: Sequence[str] = ()) -> dict[str, str]:
    """A page's headers. `frame_ancestors`: the sites that may show it in a frame (the
    booking site of a business that embeds it); none for every other page."""
    framing = {} if frame_ancestors else {"X-Frame-Options": "DENY"}
    ancestors = " ".join(frame_ancestors) or "'none'"
    return {
        "Content-Type": "text/html; charset=utf-8",
        "Cache-Control": "no-store",
        # Links carry their token in the path: it must not leak to other sites. (With
        # no-referrer at all, browsers would send "Origin: null" on the page's own forms.)
        "Referrer-Policy": "same-origin",
        "X-Content-Type-Options": "nosniff",
        **framing,
        "Content-Security-Policy": (
            "default-src 'none'; style-src 'unsafe-inline'; img-src 'self' data:; "
            f"script-src 'nonce-{nonce}'; form-action 'self'; "
            f"frame-ancestors {ancestors}; "
            "base-uri 'none'"
        ),
    }


def preferred_languages(accept_language: str | None) -> list[str]:
    """The browser's languages in an Accept-Language header, most wanted first
    ("da;q=0.5, fr-CH, fr;q=0.9" → ["fr-CH", "fr", "da"])."""
    ranked: list[tuple[float, int, str]] = []
    for index, part in enumerate((accept_language or "").split(",")[:20]):
        tag, _, params = part.strip().partition(";")
        weight = 1.0
        if params.strip().startswith("q="):
            try:
                weight = float(params.strip()[2:])
            except ValueError:
                continue
        if tag.strip() and tag.strip() != "*" and weight > 0:
            ranked.append((-weight, index, tag.strip()))
    return [tag for _, _, tag in sorted(ranked)]


def first_language(accept_language: str | None) -> str | None:
    """The browser's first choice in an Accept-Language header ("nb-NO,nb;q=0.9,en" → "nb-NO")."""
    first = (accept_language or "").split(",")[0].split(";")[0].strip()
    return first or None
