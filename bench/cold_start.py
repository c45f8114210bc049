"""Cold start: importing app.py against importing boto3 and creating one client, each in
fresh processes, run side by side (alternating) under the environment Lambda gives; then the
deployment zip that ``make package`` builds: its size, importing app.py from it unpacked in
a read-only directory, and a cold start through the first request with a JSON body."""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import zipfile
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from bench.report import Figure, Section, verdict

PROJECT_ROOT = Path(__file__).resolve().parent.parent
RUNS = 15
BUDGET_RATIO = 1.2
FIRST_REQUEST_BUDGET_RATIO = 1.5
ZIP_BUDGET_BYTES = 15_000_000

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

# From the unpacked zip, with nothing but the standard library beside it (`-I -S`), writing
# no bytecode (`-B`) into a directory that could not take it anyway.
PACKAGE_IMPORT = """
import sys, time
sys.path.insert(0, TASK)
began = time.perf_counter()
import app
print(time.perf_counter() - began)
"""

# A booking whose body names a field the API does not know: the body is parsed in full (the
# request schemas, the phone number) and refused with 400, before any AWS call.
FIRST_REQUEST = """
import json, sys, time
sys.path.insert(0, TASK)
began = time.perf_counter()
import app
path = "/businesses/b-1/slots/s-1/bookings"
body = {"name": "Ada", "phone": "+47 912 34 567", "language": "nb", "seats": 2}
event = {
    "resource": "/businesses/{business_id}/slots/{slot_id}/bookings",
    "path": path,
    "httpMethod": "POST",
    "headers": {"Content-Type": "application/json", "Host": "book.example.com"},
    "multiValueHeaders": {"Content-Type": ["application/json"], "Host": ["book.example.com"]},
    "queryStringParameters": None,
    "multiValueQueryStringParameters": None,
    "pathParameters": {"business_id": "b-1", "slot_id": "s-1"},
    "stageVariables": None,
    "requestContext": {
        "resourcePath": "/businesses/{business_id}/slots/{slot_id}/bookings",
        "httpMethod": "POST",
        "path": "/api" + path,
        "stage": "api",
        "requestId": "bench-request",
        "identity": {"sourceIp": "192.0.2.1"},
    },
    "body": json.dumps(body),
    "isBase64Encoded": False,
}
class Context:
    function_name = "standby-prod-api_handler"
    function_version = "$LATEST"
    memory_limit_in_mb = 512
    invoked_function_arn = "arn:aws:lambda:eu-west-1:123456789012:function:standby-prod"
    aws_request_id = "bench-request"
    log_group_name = log_stream_name = "bench"
    def get_remaining_time_in_millis(self):
        return 30000
response = app.app(event, Context())
elapsed = time.perf_counter() - began
assert response["statusCode"] == 400, response
print(elapsed)
"""


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


@dataclass(frozen=True)
class PackageColdStart:
    zip_bytes: int
    baseline: list[float]
    imports: list[float]
    first_requests: list[float]

    @property
    def import_ratio(self) -> float:
        return statistics.median(self.imports) / statistics.median(self.baseline)

    @property
    def first_request_ratio(self) -> float:
        return statistics.median(self.first_requests) / statistics.median(self.baseline)


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


def build_package(out: Path) -> Path:
    """``make package`` into ``out``: ``chalice package``, then ``ops.slim_package``."""
    chalice = Path(sys.executable).with_name("chalice")
    steps = [
        [str(chalice), "package", "--stage", "prod", "--merge-template", "infra/template.json"],
        [sys.executable, "-m", "ops.slim_package"],
    ]
    for step in steps:
        done = subprocess.run(
            [*step, str(out)],
            cwd=PROJECT_ROOT,
            env={**os.environ, "AWS_DEFAULT_REGION": LAMBDA_ENVIRONMENT["AWS_DEFAULT_REGION"]},
            capture_output=True,
            text=True,
            timeout=600,
            check=False,
        )
        if done.returncode != 0:
            raise RuntimeError(f"building the package failed:\n{done.stdout}{done.stderr}")
    return out / "deployment.zip"


@contextmanager
def read_only_unpacked(archive: Path) -> Iterator[Path]:
    """``archive`` unpacked into a directory no one may write to, as Lambda's /var/task."""
    with tempfile.TemporaryDirectory(prefix="standby-task-") as scratch:
        task = Path(scratch) / "task"
        with zipfile.ZipFile(archive) as deployment:
            deployment.extractall(task)
        paths = [task, *task.rglob("*")]
        for path in paths:
            path.chmod(path.stat().st_mode & ~0o222)
        try:
            yield task
        finally:
            for path in paths:
                path.chmod(path.stat().st_mode | 0o200)


def _from_package(code: str, task: Path) -> float:
    done = subprocess.run(
        [sys.executable, "-I", "-S", "-B", "-c", f"TASK = {str(task)!r}\n{code}"],
        cwd=task,
        env={**_environment(), "LAMBDA_TASK_ROOT": str(task), "PYTHONPATH": ""},
        capture_output=True,
        text=True,
        timeout=120,
    )
    if done.returncode != 0:
        raise RuntimeError(f"a fresh process failed:\n{done.stderr[-3000:]}")
    return float(done.stdout)


def run_package(archive: Path, runs: int = RUNS) -> PackageColdStart:
    env = _environment()
    baseline: list[float] = []
    imports: list[float] = []
    first_requests: list[float] = []
    with read_only_unpacked(archive) as task:
        _from_package(FIRST_REQUEST, task)  # the page cache warm, as for the baseline
        for _ in range(runs):
            baseline.append(float(_python(BASELINE, env).stdout))
            imports.append(_from_package(PACKAGE_IMPORT, task))
            first_requests.append(_from_package(FIRST_REQUEST, task))
    return PackageColdStart(archive.stat().st_size, baseline, imports, first_requests)


def measure(runs: int = RUNS) -> Section:
    result = run(runs)
    with tempfile.TemporaryDirectory(prefix="standby-package-") as scratch:
        package = run_package(build_package(Path(scratch) / "package"), runs)
    return section(result, package)


def section(result: ColdStart, package: PackageColdStart | None = None) -> Section:
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
            *_package_figures(package),
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
            "The package figures are `make package`'s zip, built by the run, unpacked into "
            "a directory made read-only, imported with nothing but the standard library "
            "beside it (`python -I -S -B`, as Lambda's `/var/task` beside the runtime); "
            "the first request books a seat with a body the API refuses once it is parsed "
            "in full (request schemas, phone number), before any AWS call.",
            "Where app.py's import time goes, by top-level package (`python -X importtime`, "
            f"each module's own time summed; the tool adds its own overhead): {heavy}.",
        ],
    )


def _package_figures(package: PackageColdStart | None) -> list[Figure]:
    if package is None:
        return []
    base = statistics.median(package.baseline)
    imports = statistics.median(package.imports)
    first = statistics.median(package.first_requests)
    return [
        Figure(
            "deployment zip",
            f"{package.zip_bytes / 1e6:.1f} MB",
            f"≤ {ZIP_BUDGET_BYTES / 1e6:.0f} MB",
            verdict(package.zip_bytes <= ZIP_BUDGET_BYTES),
            "`make package`: `chalice package`, then `ops.slim_package`",
        ),
        Figure(
            "importing app.py from the unpacked zip in a read-only directory ÷ importing "
            "boto3 and creating one client",
            f"{package.import_ratio:.2f}x ({imports * 1000:.0f} ms ÷ {base * 1000:.0f} ms)",
            f"≤ {BUDGET_RATIO}x",
            verdict(package.import_ratio <= BUDGET_RATIO),
            f"medians of {len(package.imports)} fresh processes each, alternating; "
            f"from the zip {_spread(package.imports)}; boto3 + client {_spread(package.baseline)}",
        ),
        Figure(
            "cold start through the first request with a JSON body, from the zip ÷ the same "
            "baseline",
            f"{package.first_request_ratio:.2f}x ({first * 1000:.0f} ms ÷ {base * 1000:.0f} ms)",
            f"≤ {FIRST_REQUEST_BUDGET_RATIO}x",
            verdict(package.first_request_ratio <= FIRST_REQUEST_BUDGET_RATIO),
            f"import and first request {_spread(package.first_requests)}",
        ),
    ]


def _spread(values: list[float]) -> str:
    ordered = sorted(values)
    return f"{ordered[0] * 1000:.0f} to {ordered[-1] * 1000:.0f} ms"
