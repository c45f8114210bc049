from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from chalicelib.settings import (
    DEPLOYED_MARKER,
    REQUIRED_WHEN_DEPLOYED,
    ConfigurationError,
    Settings,
)
from tests.support.env import LOCAL_ACCOUNT

ROOT = Path(__file__).resolve().parents[2]

DEPLOYED = {
    DEPLOYED_MARKER: "standby-prod-api_handler",
    "AWS_REGION": "eu-north-1",
    "CATALOGUE_TABLE": "prod-catalogue",
    "BOOKINGS_TABLE": "prod-bookings",
    "OUTBOX_TABLE": "prod-outbox",
    "EMAIL_SENDER": "bookings@salon.example",
    "PUBLIC_BASE_URL": "https://book.salon.example/",
    "LINK_SIGNING_KEY": "prod-link-signing-key-0123456789abcdef",
    "STAFF_TOKEN_JWKS_URL": "https://idp.example/.well-known/jwks.json",
    "STAFF_TOKEN_ISSUER": "https://idp.example",
    "STAFF_TOKEN_AUDIENCE": "standby-staff",
    "SCHEDULE_GROUP_NAME": "standby-prod",
    "SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/standby-prod-scheduler",
    "SCHEDULED_TASK_FUNCTION_ARN": (
        "arn:aws:lambda:eu-north-1:123456789012:function:standby-prod-scheduled-task"
    ),
    "DEAD_LETTER_QUEUE_ARN": "arn:aws:sqs:eu-north-1:123456789012:standby-prod-dlq",
}


def without(*names: str) -> dict[str, str]:
    return {name: value for name, value in DEPLOYED.items() if name not in names}


def test_a_deployed_function_reads_every_setting_from_its_environment() -> None:
    settings = Settings.from_env(DEPLOYED)

    assert settings.region == "eu-north-1"
    assert settings.bookings_table == "prod-bookings"
    assert settings.public_base_url == "https://book.salon.example"
    assert settings.scheduler_role_arn == DEPLOYED["SCHEDULER_ROLE_ARN"]
    assert settings.scheduled_task_function_arn == DEPLOYED["SCHEDULED_TASK_FUNCTION_ARN"]
    assert settings.dead_letter_queue_arn == DEPLOYED["DEAD_LETTER_QUEUE_ARN"]
    assert settings.staff_token_secret is None


def test_a_deployed_function_missing_settings_names_every_one_of_them() -> None:
    with pytest.raises(ConfigurationError) as refused:
        Settings.from_env(without("SCHEDULER_ROLE_ARN", "BOOKINGS_TABLE", "LINK_SIGNING_KEY"))

    message = str(refused.value)
    assert "standby-prod-api_handler" in message
    for name in ("SCHEDULER_ROLE_ARN", "BOOKINGS_TABLE", "LINK_SIGNING_KEY"):
        assert name in message
    assert "OUTBOX_TABLE" not in message


def test_a_deployed_function_with_nothing_set_names_all_it_needs() -> None:
    with pytest.raises(ConfigurationError) as refused:
        Settings.from_env({DEPLOYED_MARKER: "standby-prod-api_handler"})

    assert all(name in str(refused.value) for name in REQUIRED_WHEN_DEPLOYED)


def test_an_empty_value_counts_as_missing_in_a_deployed_function() -> None:
    with pytest.raises(ConfigurationError, match="SCHEDULED_TASK_FUNCTION_ARN"):
        Settings.from_env({**DEPLOYED, "SCHEDULED_TASK_FUNCTION_ARN": ""})


def test_a_deployed_function_does_not_take_a_local_staff_token_key() -> None:
    with pytest.raises(ConfigurationError, match="not both"):
        Settings.from_env({**DEPLOYED, "STAFF_TOKEN_SECRET": "local-secret"})


def test_the_tests_local_account_needs_no_deployed_settings() -> None:
    settings = Settings.from_env(LOCAL_ACCOUNT)

    assert settings.bookings_table == "standby-test-bookings"
    assert settings.public_base_url == "http://127.0.0.1:8000"
    assert settings.staff_token_secret == LOCAL_ACCOUNT["STAFF_TOKEN_SECRET"]
    assert settings.scheduled_task_function_arn.startswith("arn:aws:lambda:")


def test_a_local_run_with_nothing_set_falls_back_to_local_values() -> None:
    settings = Settings.from_env({})

    assert settings.region == "eu-west-1"
    assert settings.catalogue_table == "standby-catalogue"
    assert settings.link_signing_key is None
    assert settings.dead_letter_queue_arn is None


def test_the_stack_template_gives_every_function_what_it_needs() -> None:
    template = json.loads((ROOT / "infra" / "template.json").read_text())
    given = set(template["Globals"]["Function"]["Environment"]["Variables"])

    # Lambda sets the region itself.
    assert set(REQUIRED_WHEN_DEPLOYED) - given == {"AWS_REGION"}


def test_a_cold_start_without_its_settings_fails_naming_them() -> None:
    env = {
        "PATH": os.environ.get("PATH", ""),
        **{name: LOCAL_ACCOUNT[name] for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY")},
        **without("DEAD_LETTER_QUEUE_ARN", "EMAIL_SENDER"),
    }
    started = subprocess.run(
        [sys.executable, "-c", "import app"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )

    assert started.returncode != 0
    assert "ConfigurationError" in started.stderr
    assert "EMAIL_SENDER, DEAD_LETTER_QUEUE_ARN are not set" in started.stderr
