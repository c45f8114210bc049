from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

from chalicelib.adapters.tokens import (
    InvalidToken,
    LinkClaims,
    LinkSigner,
    StaffTokenVerifier,
    issue_local_staff_token,
)
from chalicelib.settings import ConfigurationError, Settings

CLAIM = "custom:business_id"
LOCAL = Settings.from_env({"STAFF_TOKEN_SECRET": "local-secret-0123456789abcdef0123456789"})


def local_token(
    business_id: str = "salon-a",
    secret: str = "local-secret-0123456789abcdef0123456789",
    hours: float = 1,
) -> str:
    return issue_local_staff_token(
        secret,
        business_id,
        now=datetime.now(UTC),
        claim=CLAIM,
        lifetime=timedelta(hours=hours),
    )


def test_a_local_staff_token_names_its_business() -> None:
    identity = StaffTokenVerifier(LOCAL).verify(local_token("salon-a"))
    assert identity.business_id == "salon-a"


@pytest.mark.parametrize(
    "token",
    [
        local_token(secret="another-secret-0123456789abcdef01234567"),
        local_token(hours=-1),
        "not-a-token",
    ],
    ids=["signed with another key", "expired", "garbage"],
)
def test_a_staff_token_that_does_not_verify_is_refused(token: str) -> None:
    with pytest.raises(InvalidToken):
        StaffTokenVerifier(LOCAL).verify(token)


def test_a_staff_token_without_the_business_claim_is_refused() -> None:
    token = jwt.encode(
        {"sub": "x", "exp": datetime.now(UTC) + timedelta(hours=1)},
        "local-secret-0123456789abcdef0123456789",
        algorithm="HS256",
    )
    with pytest.raises(InvalidToken, match=CLAIM):
        StaffTokenVerifier(LOCAL).verify(token)


@pytest.fixture
def published_keys(tmp_path: Path) -> Iterator[tuple[rsa.RSAPrivateKey, str]]:
    """An identity provider's key set, served over HTTP on loopback as Cognito serves it."""
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwk = json.loads(jwt.algorithms.RSAAlgorithm.to_jwk(key.public_key()))
    (tmp_path / "jwks.json").write_text(
        json.dumps({"keys": [{**jwk, "kid": "k1", "use": "sig", "alg": "RS256"}]})
    )
    handler = partial(SimpleHTTPRequestHandler, directory=str(tmp_path))
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield key, f"http://127.0.0.1:{server.server_address[1]}/jwks.json"
    server.shutdown()


def test_identity_provider_tokens_are_verified_with_its_published_keys(
    published_keys: tuple[rsa.RSAPrivateKey, str],
) -> None:
    key, jwks_url = published_keys
    settings = replace(
        LOCAL,
        staff_token_secret=None,
        staff_token_jwks_url=jwks_url,
        staff_token_issuer="https://issuer.example",
        staff_token_audience="standby-staff",
    )
    claims = {
        "sub": "user-1",
        CLAIM: "salon-b",
        "iss": "https://issuer.example",
        "aud": "standby-staff",
        "exp": datetime.now(UTC) + timedelta(hours=1),
    }
    token = jwt.encode(claims, key, algorithm="RS256", headers={"kid": "k1"})
    assert StaffTokenVerifier(settings).verify(token).business_id == "salon-b"
    # A token signed with the local key is worth nothing where the provider's keys rule.
    with pytest.raises(InvalidToken):
        StaffTokenVerifier(settings).verify(local_token())
    wrong_audience = jwt.encode(
        {**claims, "aud": "other"}, key, algorithm="RS256", headers={"kid": "k1"}
    )
    with pytest.raises(InvalidToken):
        StaffTokenVerifier(settings).verify(wrong_audience)


def test_both_ways_of_verifying_at_once_is_a_configuration_error() -> None:
    with pytest.raises(ConfigurationError):
        Settings.from_env({"STAFF_TOKEN_SECRET": "x", "STAFF_TOKEN_JWKS_URL": "https://x"})


def test_a_customer_link_reads_back_only_as_its_own_kind() -> None:
    signer = LinkSigner("link-key-0123456789abcdef0123456789ab")
    token = signer.sign(LinkClaims("booking", "b", "s", "k"))
    assert signer.read(token, "booking") == LinkClaims("booking", "b", "s", "k")
    with pytest.raises(InvalidToken):
        signer.read(token, "waiting_entry")
    with pytest.raises(InvalidToken):
        LinkSigner("another-key-0123456789abcdef012345678").read(token, "booking")
