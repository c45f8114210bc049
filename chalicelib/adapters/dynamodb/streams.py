"""Which table's stream feeds which function.

Chalice wants a stream ARN when the app is imported, long before a table exists. The app
passes these placeholders; the deployment template replaces each with the real table's
stream (infra/), and the local stack reads the table's name back out of them.
"""

from __future__ import annotations

PLACEHOLDER_PREFIX = "arn:aws:dynamodb:us-east-1:000000000000:table/"
PLACEHOLDER_SUFFIX = "/stream/bound-at-deploy"

BOOKINGS = "bookings"
OUTBOX = "outbox"


def placeholder_stream_arn(table: str) -> str:
    return f"{PLACEHOLDER_PREFIX}{table}{PLACEHOLDER_SUFFIX}"


def table_of_placeholder(stream_arn: str) -> str:
    if not (stream_arn.startswith(PLACEHOLDER_PREFIX) and stream_arn.endswith(PLACEHOLDER_SUFFIX)):
        raise ValueError(f"not a placeholder stream ARN: {stream_arn}")
    return stream_arn[len(PLACEHOLDER_PREFIX) : -len(PLACEHOLDER_SUFFIX)]
