"""Signed tokens: staff bearer tokens and customers' manage and leave links (PyJWT).

Staff tokens are verified one way whatever signed them: with a shared key generated for
the local stack, or with the identity provider's published keys (JWKS, e.g. Cognito) in
AWS. Either way the business claim names the tenant, and nothing else does.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import cached_property
from typing import TYPE_CHECKING, Any

from chalicelib.settings import ConfigurationError, Settings

# PyJWT (and with it cryptography, ~60 ms) is imported when a token is first signed or
# read, not with app.py, which every function imports: the outbox function never needs it.
if TYPE_CHECKING:
    import jwt

LINK_AUDIENCE = "standby:customer-link"
LOCAL_STAFF_ISSUER = "standby-local"


class InvalidToken(Exception):
    pass


@dataclass(frozen=True)
class StaffIdentity:
    business_id: str
    subject: str


class StaffTokenVerifier:
    def __init__(self, settings: Settings) -> None:
        self._settings = settings

    @cached_property
    def _jwks(self) -> jwt.PyJWKClient | None:
        import jwt

        if self._settings.staff_token_jwks_url:
            return jwt.PyJWKClient(self._settings.staff_token_jwks_url, cache_keys=True)
        return None

    def _key_and_algorithms(self, token: str) -> tuple[Any, list[str]]:
        if self._jwks is not None:
            return self._jwks.get_signing_key_from_jwt(token).key, ["RS256"]
        if self._settings.staff_token_secret:
            return self._settings.staff_token_secret, ["HS256"]
        raise ConfigurationError("set STAFF_TOKEN_JWKS_URL or STAFF_TOKEN_SECRET")

    def verify(self, token: str) -> StaffIdentity:
        import jwt

        try:
            key, algorithms = self._key_and_algorithms(token)
            claims = jwt.decode(
                token,
                key=key,
                algorithms=algorithms,
                audience=self._settings.staff_token_audience,
                issuer=self._settings.staff_token_issuer,
                options={
                    "require": ["exp", "sub"],
                    "verify_aud": self._settings.staff_token_audience is not None,
                },
            )
        except (jwt.PyJWTError, jwt.PyJWKClientError) as error:
            raise InvalidToken(str(error)) from error
        business_id = claims.get(self._settings.staff_business_claim)
        if not isinstance(business_id, str) or not business_id:
            raise InvalidToken(f"token has no {self._settings.staff_business_claim} claim")
        return StaffIdentity(business_id=business_id, subject=str(claims["sub"]))


def issue_local_staff_token(
    secret: str, business_id: str, *, now: datetime, claim: str, lifetime: timedelta
) -> str:
    """A staff token for the local stack, signed with its generated key."""
    import jwt

    return jwt.encode(
        {
            "sub": f"staff@{business_id}",
            claim: business_id,
            "iss": LOCAL_STAFF_ISSUER,
            "iat": int(now.timestamp()),
            "exp": int((now + lifetime).timestamp()),
        },
        secret,
        algorithm="HS256",
    )


@dataclass(frozen=True)
class LinkClaims:
    kind: str
    business_id: str
    slot_id: str
    item_id: str


class LinkSigner:
    """Customers have no accounts: a signed link is what lets them manage a booking."""

    def __init__(self, key: str) -> None:
        self._key = key

    def sign(self, claims: LinkClaims) -> str:
        import jwt

        return jwt.encode(
            {
                "aud": LINK_AUDIENCE,
                "k": claims.kind,
                "b": claims.business_id,
                "s": claims.slot_id,
                "i": claims.item_id,
            },
            self._key,
            algorithm="HS256",
        )

    def read(self, token: str, kind: str) -> LinkClaims:
        import jwt

        try:
            payload = jwt.decode(token, self._key, algorithms=["HS256"], audience=LINK_AUDIENCE)
        except jwt.PyJWTError as error:
            raise InvalidToken(str(error)) from error
        if payload.get("k") != kind:
            raise InvalidToken(f"not a {kind} link")
        try:
            return LinkClaims(kind, str(payload["b"]), str(payload["s"]), str(payload["i"]))
        except KeyError as error:
            raise InvalidToken(f"link lacks {error}") from error
