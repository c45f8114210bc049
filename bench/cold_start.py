"""Cold start: importing app.py against importing boto3 and creating one client, each in
fresh processes, run side by side (alternating) under the environment Lambda gives."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path

from bench.report import Figure, Section, verdict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RUNS = 15
BUDGET_RATIO = 1.2

# What a deployed function sees (infra/template.json), with made-up values: nothing here
# may reach AWS, and importing must not try.
LAMBDA_ENVIRONMENT = {
    "AWS_EXECUTION_ENV": "AWS_Lambda_python3.11",
    "AWS_LAMBDA_FUNCTION_NAME": "standby-prod-api_handler",
    "AWS_LAMBDA_FUNCTION_MEMORY_SIZE": "512",
    "AWS_LAMBDA_FUNCTION_VERSION": "$LATEST",
    "AWS_REGION": "eu-west-1",
    "AWS_DEFAULT_REGION": "eu-west-1",
    "AWS_ACCESS_KEY_ID": "testing",
    "AWS_SECRET_ACCESS_KEY": "testing",
    "AWS_SESSION_TOKEN": "testing",
    "CATALOGUE_TABLE": "standby-catalogue",
    "BOOKINGS_TABLE": "standby-bookings",
    "OUTBOX_TABLE": "standby-outbox",
    "EMAIL_SENDER": "bookings@example.com",
    "PUBLIC_BASE_URL": "https://book.example.com",
    "LINK_SIGNING_KEY": "bench-link-signing-key-0123456789abcdef",
    "STAFF_TOKEN_JWKS_URL": "https://cognito-idp.eu-west-1.amazonaws.com/pool/.well-known/jwks.json",
    "STAFF_TOKEN_ISSUER": "https://cognito-idp.eu-west-1.amazonaws.com/pool",
    "STAFF_TOKEN_AUDIENCE": "bench-client",
    "SCHEDULE_GROUP_NAME": "standby-bench",
    "SCHEDULER_ROLE_ARN": "arn:aws:iam::123456789012:role/standby-bench-scheduler",
    "SCHEDULED_TASK_FUNCTION_ARN": (
        "arn:aws:lambda:eu-west-1:123456789012:function:standby-bench-scheduled-task"
    ),
    "DEAD_LETTER_QUEUE_ARN": "arn:aws:sqs:eu-west-1:123456789012:standby-bench-dead-letters",
    "POWERTOOLS_SERVICE_NAME": "standby",
    "LANG": "en_US.UTF-8",
    "TZ": ":UTC",
}

BASELINE = """
import time
began = time.perf_counter()
import boto3
boto3.client("dynamodb")
print(time.perf_counter() - began)
"""

APP = """
import time
began = time.perf_counter()
import app
print(time.perf_counter() - began)
"""

# Counts calls and clients from the start; botocore's own import is then not measured.
NOTHING_AT_IMPORT = """
import json
import botocore.handlers
calls, clients = [], []
botocore.handlers.BUILTIN_HANDLERS += [
    ("before-call.*.*", lambda model, **_: calls.append(model.name)),
    ("creating-client-class.*", lambda **kwargs: clients.append(kwargs.get("class_name"))),
]
import app
print(json.dumps({"calls": calls, "clients": clients}))
"""

HEAVIEST = 12


@dataclass(frozen=True)
class ColdStart:
    baseline: list[float]
    app: list[float]
    at_import: dict[str, list[str]]
    imports: dict[str, float]
    """Seconds spent importing each top-level package while importing app.py."""

    @property
    def ratio(self) -> float:
        return statistics.median(self.app) / statistics.median(self.baseline)


def _environment() -> dict[str, str]:
    return {
        **LAMBDA_ENVIRONMENT,
        "PATH": os.environ.get("PATH", "/usr/bin:/bin"),
        "LAMBDA_TASK_ROOT": str(PROJECT_ROOT),
        "PYTHONPATH": str(PROJECT_ROOT),
    }


def _python(code: str, env: Mapping[str, str], *flags: str) -> subprocess.CompletedProcess[str]:
    done = subprocess.run(
        [sys.executable, *flags, "-c", code],
        cwd=PROJECT_ROOT,
        env=dict(env),
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"a fresh process failed:\n{done.stderr[-3000:]}")
    return done


def run(runs: int = RUNS) -> ColdStart:
    env = _environment()
    _python(APP, env)  # compiles what is not compiled yet, outside the measurement
    baseline: list[float] = []
    app: list[float] = []
    for _ in range(runs):
        baseline.append(float(_python(BASELINE, env).stdout))
        app.append(float(_python(APP, env).stdout))
    at_import = json.loads(_python(NOTHING_AT_IMPORT, env).stdout)
    return ColdStart(baseline, app, at_import, _import_times(env))


def _import_times(env: Mapping[str, str]) -> dict[str, float]:
    """Seconds spent importing each top-level package (its modules' own time, summed), from
    ``python -X importtime``."""
    report = _python("import app", env, "-X", "importtime").stderr
    found: dict[str, float] = {}
    for line in report.splitlines():
        if not line.startswith("import time:") or "|" not in line:
            continue
        own, _, name = (part.strip() for part in line[len("import time:") :].split("|"))
        if own.isdigit():
            package = name.split(".", 1)[0]
            found[package] = found.get(package, 0.0) + int(own) / 1e6
    return found


def measure(runs: int = RUNS) -> Section:
    return section(run(runs))


def section(result: ColdStart) -> Section:
    base = statistics.median(result.baseline)
    app = statistics.median(result.app)
    quiet = not result.at_import["calls"] and not result.at_import["clients"]
    ranked = sorted(result.imports.items(), key=lambda item: -item[1])
    heavy = ", ".join(f"{name} {seconds * 1000:.0f} ms" for name, seconds in ranked[:HEAVIEST])
    return Section(
        "Cold start",
        [
            Figure(
                "importing app.py ÷ importing boto3 and creating one client",
                f"{result.ratio:.2f}x ({app * 1000:.0f} ms ÷ {base * 1000:.0f} ms)",
                f"≤ {BUDGET_RATIO}x",
                verdict(result.ratio <= BUDGET_RATIO),
                f"medians of {len(result.app)} fresh processes each, alternating; "
                f"app.py {_spread(result.app)}; boto3 + client {_spread(result.baseline)}",
            ),
            Figure(
                "AWS calls and clients while importing app.py",
                f"{len(result.at_import['calls'])} calls, "
                f"{len(result.at_import['clients'])} clients",
                "none",
                verdict(quiet),
                ", ".join(result.at_import["calls"] + result.at_import["clients"]) or "",
            ),
        ],
        notes=[
            "Each figure is the time to import inside a fresh `python` process (the "
            "interpreter's own start-up is the same on both sides and left out), under a "
            "Lambda-like environment: the deployed function's variables with made-up "
            "values, `AWS_EXECUTION_ENV`, and staff tokens verified by JWKS as in AWS. Both "
            "sides import compiled bytecode: one unmeasured import compiles app.py first.",
            "Where app.py's import time goes, by top-level package (`python -X importtime`, "
            f"each module's own time summed; the tool adds its own overhead): {heavy}.",
        ],
    )


def _spread(values: list[float]) -> str:
    ordered = sorted(values)
    return f"{ordered[0] * 1000:.0f} to {ordered[-1] * 1000:.0f} ms"
