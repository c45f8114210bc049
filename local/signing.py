"""The local stack's AWS clients send a request's credential scope and no signature.

The emulator checks no signature; it reads the region and the service from the scope of
the ``Authorization`` header, as moto does. Signature version 4 costs about a third of a
millisecond of Python for each call (hashing the canonical request, deriving the signing
key): at eleven calls a cancellation, more than anything else the stack's own
process does per call but send it. Here every client created in the stack's process after
``sign_scope_only()`` (pynamodb's, boto3's) keeps everything else botocore does to a
request, and only its signature is left out.
"""

from __future__ import annotations

from typing import Any

import botocore.auth
import botocore.handlers
from botocore.auth import SigV4Auth
from botocore.awsrequest import AWSRequest
from botocore.exceptions import NoCredentialsError

SCOPE_ONLY = "standby-local-scope-only"
SCOPE_DATE = "20260101"
"""The scope's date: nothing reads it."""


class ScopeOnlyAuth(SigV4Auth):
    """The ``Authorization`` header of a signature version 4 request, without signing."""

    def __init__(self, credentials: Any, service_name: str, region_name: str) -> None:
        super().__init__(credentials, service_name, region_name)
        self.service = service_name
        self.region = region_name

    def add_auth(self, request: AWSRequest) -> None:
        if self.credentials is None:
            raise NoCredentialsError()
        key = self.credentials.access_key
        scope = f"{key}/{SCOPE_DATE}/{self.region}/{self.service}"
        if "Authorization" in request.headers:
            del request.headers["Authorization"]
        request.headers["Authorization"] = (
            f"AWS4-HMAC-SHA256 Credential={scope}/aws4_request, "
            "SignedHeaders=host, Signature=unsigned"
        )


def _choose_scope_only(
    signature_version: Any = None, context: dict[str, Any] | None = None, **_: Any
) -> str | None:
    # Only where signature version 4 would sign; anything else (no signature, a token,
    # v4a) is left to botocore's own choice.
    auth_type = (context or {}).get("auth_type")
    if signature_version == "v4" and auth_type in (None, "v4"):
        return SCOPE_ONLY
    return None


_HANDLER = ("choose-signer", _choose_scope_only, botocore.handlers.REGISTER_FIRST)


def sign_scope_only() -> None:
    """Clients created from now on in this process send the scope only."""
    botocore.auth.AUTH_TYPE_MAPS[SCOPE_ONLY] = ScopeOnlyAuth
    if _HANDLER not in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.append(_HANDLER)


def sign_again() -> None:
    """Clients created from now on sign their requests again."""
    if _HANDLER in botocore.handlers.BUILTIN_HANDLERS:
        botocore.handlers.BUILTIN_HANDLERS.remove(_HANDLER)
