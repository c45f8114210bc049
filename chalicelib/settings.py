"""The one place that reads the environment. Validated once, at cold start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache


class ConfigurationError(RuntimeError):
    pass


@dataclass(frozen=True)
class Settings:
    region: str
    catalogue_table: str
    bookings_table: str
    outbox_table: str
    idempotency_table: str
    email_sender: str
    public_base_url: str
    link_signing_key: str | None
    """Signs customers' manage and leave links."""
    staff_token_secret: str | None
    """HS256 key for staff tokens issued by the local stack."""
    staff_token_jwks_url: str | None
    """Where the identity provider (e.g. Cognito) publishes its signing keys."""
    staff_token_issuer: str | None
    staff_token_audience: str | None
    staff_business_claim: str
    schedule_group: str
    scheduler_role_arn: str
    scheduled_task_function_arn: str
    """The function one-time schedules invoke (to expire an offer, to send a held message)."""
    dead_letter_queue_arn: str | None = None
    """Where a schedule that cannot invoke its function is parked (none locally: the
    local stack parks its own)."""

    @classmethod
    def from_env(cls, env: Mapping[str, str] | None = None) -> Settings:
        env = os.environ if env is None else env
        prefix = env.get("STANDBY_TABLE_PREFIX", "standby")
        settings = cls(
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or "eu-west-1",
            catalogue_table=env.get("CATALOGUE_TABLE", f"{prefix}-catalogue"),
            bookings_table=env.get("BOOKINGS_TABLE", f"{prefix}-bookings"),
            outbox_table=env.get("OUTBOX_TABLE", f"{prefix}-outbox"),
            idempotency_table=env.get("IDEMPOTENCY_TABLE", f"{prefix}-idempotency"),
            email_sender=env.get("EMAIL_SENDER", "bookings@standby.example"),
            public_base_url=env.get("PUBLIC_BASE_URL", "http://127.0.0.1:8000").rstrip("/"),
            link_signing_key=env.get("LINK_SIGNING_KEY") or None,
            staff_token_secret=env.get("STAFF_TOKEN_SECRET") or None,
            staff_token_jwks_url=env.get("STAFF_TOKEN_JWKS_URL") or None,
            staff_token_issuer=env.get("STAFF_TOKEN_ISSUER") or None,
            staff_token_audience=env.get("STAFF_TOKEN_AUDIENCE") or None,
            staff_business_claim=env.get("STAFF_BUSINESS_CLAIM", "custom:business_id"),
            schedule_group=env.get("SCHEDULE_GROUP_NAME", "default"),
            scheduler_role_arn=env.get(
                "SCHEDULER_ROLE_ARN", "arn:aws:iam::000000000000:role/standby-scheduler"
            ),
            scheduled_task_function_arn=env.get(
                "SCHEDULED_TASK_FUNCTION_ARN",
                "arn:aws:lambda:eu-west-1:000000000000:function:standby-dev-run_scheduled_task",
            ),
            dead_letter_queue_arn=env.get("DEAD_LETTER_QUEUE_ARN") or None,
        )
        settings.validate()
        return settings

    def validate(self) -> None:
        if self.staff_token_secret and self.staff_token_jwks_url:
            raise ConfigurationError(
                "set either STAFF_TOKEN_SECRET or STAFF_TOKEN_JWKS_URL, not both"
            )
        if not self.public_base_url.startswith(("http://", "https://")):
            raise ConfigurationError("PUBLIC_BASE_URL must start with http:// or https://")

    def require_link_signing_key(self) -> str:
        if not self.link_signing_key:
            raise ConfigurationError("LINK_SIGNING_KEY is not set")
        return self.link_signing_key


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings.from_env()
