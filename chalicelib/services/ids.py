"""Identifiers: random where a new thing is created, derived where a cause must map to one."""

from __future__ import annotations

import hashlib
import secrets


def new_id() -> str:
    return secrets.token_hex(8)


def id_for_cause(cause: str) -> str:
    """The same cause always yields the same id, so a repeated effect collides with the first."""
    return hashlib.sha256(cause.encode()).hexdigest()[:16]
