"""The one place that reads the environment. Validated once, at cold start."""

from __future__ import annotations

import os
from collections.abc import Mapping
from dataclasses import dataclass
from functools import lru_cache


class ConfigurationError(RuntimeError):
    pass


DEPLOYED_MARKER = "AWS_LAMBDA_FUNCTION_NAME"
"""Set by the Lambda runtime in every function it runs, and by nothing local (Chalice's
local server, the local stack, tests): a deployed function has no local value to fall
back to."""

REQUIRED_WHEN_DEPLOYED = (
    "AWS_REGION",
    "CATALOGUE_TABLE",
    "BOOKINGS_TABLE",
    "OUTBOX_TABLE",
    "EMAIL_SENDER",
    "PUBLIC_BASE_URL",
    "LINK_SIGNING_KEY",
    "STAFF_TOKEN_JWKS_URL",
    "STAFF_TOKEN_ISSUER",
    "STAFF_TOKEN_AUDIENCE",
    "SCHEDULE_GROUP_NAME",
    "SCHEDULER_ROLE_ARN",
    "SCHEDULED_TASK_FUNCTION_ARN",
    "DEAD_LETTER_QUEUE_ARN",
)
"""What a deployed function must be given (infra/template.json sets all but AWS_REGION,
which Lambda sets). Staff tokens are verified with the identity provider's keys there."""

DEFAULT_BUSINESS_CLAIM = "custom:business_id"


def is_deployed(env: Mapping[str, str]) -> bool:
    return bool(env.get(DEPLOYED_MARKER))


def local_defaults(table_prefix: str) -> dict[str, str]:
    """What the local stack and tests run with when they set nothing else: table names
    from a prefix, and made-up ARNs that only the local emulator accepts."""
    return {
        "AWS_REGION": "eu-west-1",
        "CATALOGUE_TABLE": f"{table_prefix}-catalogue",
        "BOOKINGS_TABLE": f"{table_prefix}-bookings",
        "OUTBOX_TABLE": f"{table_prefix}-outbox",
        "EMAIL_SENDER": "bookings@standby.example",
        "PUBLIC_BASE_URL": "http://127.0.0.1:8000",
        "SCHEDULE_GROUP_NAME": "default",
        "SCHEDULER_ROLE_ARN": "arn:aws:iam::000000000000:role/standby-scheduler",
        "SCHEDULED_TASK_FUNCTION_ARN": (
            "arn:aws:lambda:eu-west-1:000000000000:function:standby-dev-run_scheduled_task"
        ),
    }


@dataclass(frozen=True)
class Settings:
    region: str
    catalogue_table: str
    bookings_table: str
    outbox_table: str
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
        """The settings `env` (by default the process's environment) gives.

        In a deployed function every setting must be set: a missing one fails the cold
        start, naming all that are missing. Elsewhere (the local stack, tests) what is not
        set falls back to local values.
        """
        env = os.environ if env is None else env
        if is_deployed(env):
            missing = [name for name in REQUIRED_WHEN_DEPLOYED if not env.get(name)]
            if missing:
                raise ConfigurationError(
                    f"function {env[DEPLOYED_MARKER]} cannot start: "
                    f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} not set"
                )
            defaults: Mapping[str, str] = {}
        else:
            defaults = local_defaults(env.get("STANDBY_TABLE_PREFIX") or "standby")

        def value(name: str) -> str:
            return env.get(name) or defaults[name]

        def optional(name: str) -> str | None:
            return env.get(name) or None

        settings = cls(
            region=env.get("AWS_REGION") or env.get("AWS_DEFAULT_REGION") or value("AWS_REGION"),
            catalogue_table=value("CATALOGUE_TABLE"),
            bookings_table=value("BOOKINGS_TABLE"),
            outbox_table=value("OUTBOX_TABLE"),
            email_sender=value("EMAIL_SENDER"),
            public_base_url=value("PUBLIC_BASE_URL").rstrip("/"),
            link_signing_key=optional("LINK_SIGNING_KEY"),
            staff_token_secret=optional("STAFF_TOKEN_SECRET"),
            staff_token_jwks_url=optional("STAFF_TOKEN_JWKS_URL"),
            staff_token_issuer=optional("STAFF_TOKEN_ISSUER"),
            staff_token_audience=optional("STAFF_TOKEN_AUDIENCE"),
            staff_business_claim=env.get("STAFF_BUSINESS_CLAIM") or DEFAULT_BUSINESS_CLAIM,
            schedule_group=value("SCHEDULE_GROUP_NAME"),
            scheduler_role_arn=value("SCHEDULER_ROLE_ARN"),
            scheduled_task_function_arn=value("SCHEDULED_TASK_FUNCTION_ARN"),
            dead_letter_queue_arn=optional("DEAD_LETTER_QUEUE_ARN"),
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
