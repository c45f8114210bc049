"""A local account: fake credentials, fixed table names, local keys.

Tests and benchmarks set it before anything imports chalicelib, since the settings are
read once at cold start.
"""

from __future__ import annotations

import os
from collections.abc import MutableMapping

LOCAL_ACCOUNT = {
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_REGION": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "AWS_ACCOUNT_ID_ENDPOINT_MODE": "disabled",
    "STANDBY_TABLE_PREFIX": "standby-test",
    "LINK_SIGNING_KEY": "test-link-signing-key-0123456789abcdef",
    "STAFF_TOKEN_SECRET": "test-staff-token-secret-0123456789abcdef",
    "EMAIL_SENDER": "bookings@standby.example",
    "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
    "POWERTOOLS_SERVICE_NAME": "standby",
    "POWERTOOLS_METRICS_NAMESPACE": "Standby",
}
"""What is set."""

NOT_LOCAL = ("AWS_ENDPOINT_URL", "AWS_PROFILE", "STAFF_TOKEN_JWKS_URL", "AWS_LAMBDA_FUNCTION_NAME")
"""What is unset: each would send calls elsewhere, verify tokens another way or (the
Lambda runtime's marker) demand the settings of a deployed function."""


def use_local_account(environ: MutableMapping[str, str] = os.environ) -> None:
    environ.update(LOCAL_ACCOUNT)
    for name in NOT_LOCAL:
        environ.pop(name, None)
