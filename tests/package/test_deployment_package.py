"""What `make package` hands to CloudFormation and Lambda.

`chalice package` runs once for the whole module, with the merge template from infra/, and
`ops.slim_package` after it, exactly as the Makefile runs them; every test reads their
sam.json or deployment.zip.
"""

from __future__ import annotations

import ast
import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from importlib.util import MAGIC_NUMBER
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint
from chalice.app import DynamoDBEventConfig
from chalice.utils import to_cfn_resource_name
from packaging.requirements import Requirement
from pynamodb.models import Model

from bench.cold_start import LAMBDA_ENVIRONMENT
from chalicelib.adapters.dynamodb.models import (
    ALL_TABLE_MODELS,
    BookingsItem,
    CatalogueItem,
    OutboxMessageItem,
)
from chalicelib.adapters.dynamodb.streams import (
    BOOKINGS,
    OUTBOX,
    PLACEHOLDER_SUFFIX,
    table_of_placeholder,
)
from chalicelib.adapters.dynamodb.tables import table_definition, time_to_live_attribute
from ops.slim_package import SERVICES

pytestmark = pytest.mark.package

REPO = Path(__file__).resolve().parents[2]
REGION = "eu-west-1"

TABLE_RESOURCES: dict[type[Model], str] = {
    CatalogueItem: "CatalogueTable",
    BookingsItem: "BookingsTable",
    OutboxMessageItem: "OutboxTable",
}
TABLE_NAME_SETTINGS = {
    "CATALOGUE_TABLE": "CatalogueTable",
    "BOOKINGS_TABLE": "BookingsTable",
    "OUTBOX_TABLE": "OutboxTable",
}
STREAM_TABLES = {BOOKINGS: "BookingsTable", OUTBOX: "OutboxTable"}
DATA_TABLES = ("CatalogueTable", "BookingsTable", "OutboxTable")

DEPLOY_SETTINGS = {
    "EMAIL_SENDER": "EmailSender",
    "PUBLIC_BASE_URL": "PublicBaseUrl",
    "LINK_SIGNING_KEY": "LinkSigningKey",
    "STAFF_TOKEN_JWKS_URL": "StaffTokenJwksUrl",
    "STAFF_TOKEN_ISSUER": "StaffTokenIssuer",
    "STAFF_TOKEN_AUDIENCE": "StaffTokenAudience",
    "STAFF_BUSINESS_CLAIM": "StaffBusinessClaim",
    "POWERTOOLS_LOG_LEVEL": "LogLevel",
}
"""Environment variable -> the CloudFormation parameter it is set from."""


@dataclass(frozen=True)
class Package:
    text: str
    template: dict[str, Any]
    zip_names: frozenset[str]
    zip_path: Path

    @property
    def resources(self) -> dict[str, Any]:
        resources: dict[str, Any] = self.template["Resources"]
        return resources

    def of_type(self, resource_type: str) -> dict[str, Any]:
        return {
            name: resource
            for name, resource in self.resources.items()
            if resource.get("Type") == resource_type
        }

    @property
    def functions(self) -> dict[str, Any]:
        return self.of_type("AWS::Serverless::Function")

    @property
    def global_variables(self) -> dict[str, Any]:
        variables: dict[str, Any] = self.template["Globals"]["Function"]["Environment"]["Variables"]
        return variables

    def statements(self, role: str) -> list[dict[str, Any]]:
        policies = self.resources[role]["Properties"]["Policies"]
        return [
            statement for policy in policies for statement in policy["PolicyDocument"]["Statement"]
        ]


@pytest.fixture(scope="session")
def package(tmp_path_factory: pytest.TempPathFactory) -> Package:
    out = tmp_path_factory.mktemp("package") / "out"
    chalice = Path(sys.executable).with_name("chalice")
    completed = subprocess.run(
        [
            str(chalice),
            "package",
            "--stage",
            "prod",
            "--merge-template",
            "infra/template.json",
            str(out),
        ],
        cwd=REPO,
        env={**os.environ, "AWS_DEFAULT_REGION": REGION},
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert completed.returncode == 0, completed.stdout + completed.stderr
    slimmed = subprocess.run(
        [sys.executable, "-m", "ops.slim_package", str(out)],
        cwd=REPO,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert slimmed.returncode == 0, slimmed.stdout + slimmed.stderr
    text = (out / "sam.json").read_text()
    with zipfile.ZipFile(out / "deployment.zip") as deployment:
        names = frozenset(deployment.namelist())
    return Package(
        text=text, template=json.loads(text), zip_names=names, zip_path=out / "deployment.zip"
    )


def ref(name: str) -> dict[str, str]:
    return {"Ref": name}


def get_att(name: str, attribute: str) -> dict[str, list[str]]:
    return {"Fn::GetAtt": [name, attribute]}


def as_list(value: Any) -> list[Any]:
    return value if isinstance(value, list) else [value]


# --- the template as a whole -------------------------------------------------------------


def test_cfn_lint_finds_nothing_wrong_with_the_template(package: Package) -> None:
    matches = lint(package.text, regions=[REGION])
    assert not matches, "\n".join(str(match) for match in matches)


def test_no_placeholder_stream_arn_is_left_for_cloudformation(package: Package) -> None:
    assert PLACEHOLDER_SUFFIX not in package.text


# --- the zip -----------------------------------------------------------------------------


def test_the_zip_holds_every_message_template_under_templates(package: Package) -> None:
    templates = REPO / "templates"
    expected = {
        f"templates/{path.relative_to(templates).as_posix()}"
        for path in templates.rglob("*")
        if path.is_file()
    }
    assert expected, "templates/ holds no files to package"
    assert expected - package.zip_names == set()


def test_the_zip_holds_the_app_and_all_of_chalicelib(package: Package) -> None:
    expected = {"app.py"} | {
        path.relative_to(REPO).as_posix()
        for path in (REPO / "chalicelib").rglob("*.py")
        if "__pycache__" not in path.parts
    }
    assert expected - package.zip_names == set()


def test_the_zip_holds_none_of_what_runs_beside_the_functions(package: Package) -> None:
    beside = ("local/", "ops/", "bench/", "tests/")
    assert {name for name in package.zip_names if name.startswith(beside)} == set()


# --- a small, precompiled zip -------------------------------------------------------------

MAX_ZIP_BYTES = 15_000_000
RUNTIME_LOCALES = {"en", "fr", "de", "da", "nb", "no", "root"}
"""The five languages Standby writes, Norwegian Bokmål's parent `no` and Babel's `root`."""
OURS = ("app.py", "chalicelib/")
LIBRARIES = (
    "annotated_types",
    "aws_lambda_powertools",
    "babel",
    "boto3",
    "botocore",
    "chalice",
    "cryptography",
    "dateutil",
    "jinja2",
    "jmespath",
    "jwt",
    "markupsafe",
    "phonenumbers",
    "pydantic",
    "pydantic_core",
    "pynamodb",
    "s3transfer",
    "six",
    "typing_extensions",
    "typing_inspection",
    "tzdata",
    "urllib3",
)
"""What the functions import, by import name: chalice's runtime half and requirements.txt."""
BESIDE_THE_FUNCTIONS = (
    "moto",
    "pytest",
    "_pytest",
    "playwright",
    "greenlet",
    "mypy",
    "ruff",
    "cfnlint",
    "flask",
    "werkzeug",
    "waitress",
    "responses",
    "requests",
    "docker",
    "yaml",
    "sympy",
    "networkx",
    "mypy_boto3_dynamodb",
    "boto3_stubs",
    "botocore_stubs",
    "openapi_spec_validator",
    "pycparser",
)


def _top_level(name: str) -> str:
    top = name.split("/", 1)[0]
    for suffix in (".pyc", ".py"):
        top = top.removesuffix(suffix)
    return top.split(".cpython-", 1)[0]


def test_the_zip_is_at_most_15_mb(package: Package) -> None:
    size = package.zip_path.stat().st_size
    assert size <= MAX_ZIP_BYTES, f"{size / 1e6:.1f} MB"


def test_the_zip_holds_what_the_functions_import_and_nothing_beside(package: Package) -> None:
    tops = {_top_level(name) for name in package.zip_names}
    distributions = {top for top in tops if top.endswith(".dist-info")}
    modules = tops - distributions - {"templates", "__pycache__", "app"}

    assert modules - {"chalicelib", "_cffi_backend"} == set(LIBRARIES)
    assert modules & set(BESIDE_THE_FUNCTIONS) == set()
    assert not any(
        dist.lower().startswith(tuple(f"{name}-" for name in BESIDE_THE_FUNCTIONS))
        for dist in distributions
    )


def test_babel_ships_only_the_languages_standby_writes(package: Package) -> None:
    locale_data = {
        name.removeprefix("babel/locale-data/").removesuffix(".dat")
        for name in package.zip_names
        if name.startswith("babel/locale-data/") and name.endswith(".dat")
    }
    assert locale_data == RUNTIME_LOCALES
    assert "babel/global.dat" in package.zip_names


def test_phonenumbers_ships_without_its_geocoding_carrier_and_time_zone_data(
    package: Package,
) -> None:
    left_out = ("phonenumbers/geodata/", "phonenumbers/carrierdata/", "phonenumbers/tzdata/")
    assert {name for name in package.zip_names if name.startswith(left_out)} == set()
    assert any(name.startswith("phonenumbers/data/region_NO") for name in package.zip_names)

    sources = [REPO / "app.py", *(REPO / "chalicelib").rglob("*.py")]
    needing_the_data = {
        f"{source.relative_to(REPO)}: {module}"
        for source in sources
        for module in _imported_modules(source)
        if module.startswith(("phonenumbers.geocoder", "phonenumbers.carrier"))
        or module.startswith("phonenumbers.timezone")
    }
    assert needing_the_data == set()


def _imported_modules(source: Path) -> set[str]:
    modules: set[str] = set()
    for node in ast.walk(ast.parse(source.read_text())):
        if isinstance(node, ast.Import):
            modules.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom) and node.module:
            modules.add(node.module)
            modules.update(f"{node.module}.{alias.name}" for alias in node.names)
    return modules


def test_every_module_is_compiled_for_the_runtimes_python(package: Package) -> None:
    runtimes = {function["Properties"]["Runtime"] for function in package.functions.values()}
    this_python = f"python{sys.version_info.major}.{sys.version_info.minor}"
    assert runtimes == {this_python}, "the tests compare bytecode with this interpreter's"
    tag = sys.implementation.cache_tag

    sources = {name for name in package.zip_names if name.endswith(".py")}
    assert {name for name in sources if not name.startswith(OURS)} == set(), (
        "the libraries ship bytecode in place of their sources"
    )
    uncompiled = {
        source
        for source in sources
        if f"{os.path.dirname(source)}/__pycache__/{Path(source).stem}.{tag}.pyc".lstrip("/")
        not in package.zip_names
    }
    assert uncompiled == set()
    for library in LIBRARIES:
        assert f"{library}/__init__.pyc" in package.zip_names or f"{library}.pyc" in (
            package.zip_names
        ), library

    with zipfile.ZipFile(package.zip_path) as deployment:
        headers = {
            name: deployment.read(name)[:8] for name in package.zip_names if name.endswith(".pyc")
        }
    # PEP 552: the runtime's magic number, then flags 0b01, an unchecked hash-based pyc,
    # which Python loads without comparing it with the source's time stamp.
    wrong = {name for name, header in headers.items() if header[:4] != MAGIC_NUMBER}
    assert wrong == set()
    checked = {name for name, header in headers.items() if header[4:8] != b"\x01\x00\x00\x00"}
    assert checked == set()


def test_boto3_ships_with_the_botocore_it_was_released_with(package: Package) -> None:
    versions = {
        dist.split("-")[0].lower(): dist.removesuffix(".dist-info").split("-")[1]
        for dist in {name.split("/", 1)[0] for name in package.zip_names}
        if dist.endswith(".dist-info")
    }
    pinned = dict(
        line.split("==")
        for line in (REPO / "requirements.txt").read_text().splitlines()
        if "==" in line
    )
    assert versions["boto3"] == pinned["boto3"]
    assert versions["botocore"] == pinned["botocore"]
    with zipfile.ZipFile(package.zip_path) as deployment:
        metadata = deployment.read(f"boto3-{versions['boto3']}.dist-info/METADATA").decode()
    wanted = [
        Requirement(line.removeprefix("Requires-Dist:").strip())
        for line in metadata.splitlines()
        if line.startswith("Requires-Dist: botocore")
    ]
    assert wanted, "boto3 names the botocore it needs"
    assert all(versions["botocore"] in requirement.specifier for requirement in wanted)


def test_botocore_ships_the_models_of_the_services_the_functions_call(package: Package) -> None:
    shipped = {
        name.split("/")[2]
        for name in package.zip_names
        if name.startswith("botocore/data/") and name.count("/") > 2
    }
    called = {"dynamodb"}  # pynamodb's and Powertools' idempotency records
    for source in (REPO / "chalicelib").rglob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            if (
                isinstance(node, ast.Call)
                and isinstance(node.func, ast.Attribute)
                and node.func.attr == "client"
                and node.args
                and isinstance(node.args[0], ast.Constant)
            ):
                called.add(str(node.args[0].value))
    assert called <= shipped
    assert shipped == set(SERVICES)


READ_ONLY_PROBE = """
import json, sys
sys.path.insert(0, PACKAGE)
import app
from datetime import datetime, timezone

from babel import Locale
from babel.dates import format_date, format_time
from chalicelib.domain.languages import LANGUAGES
from chalicelib.entrypoints.http.schemas.fields import e164
moment = datetime(2026, 12, 3, 14, 30, tzinfo=timezone.utc)
written = {
    language: [
        Locale.parse(language).display_name,
        format_date(moment, format="full", locale=language),
        format_time(moment, format="short", locale=language),
    ]
    for language in LANGUAGES
}

import boto3, jwt
from cryptography.hazmat.primitives.asymmetric import rsa
from aws_lambda_powertools.utilities.batch import BatchProcessor, EventType
from aws_lambda_powertools.utilities.idempotency import DynamoDBPersistenceLayer
session = boto3.session.Session(region_name="eu-west-1")
clients = sorted(session.client(service).meta.service_model.service_name for service in SERVICES)
key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
claims = jwt.decode(jwt.encode({"sub": "x"}, key, algorithm="RS256"), key.public_key(), ["RS256"])

from_elsewhere = sorted(
    name
    for name, module in list(sys.modules.items())
    if getattr(module, "__file__", None)
    and not module.__file__.startswith((PACKAGE, sys.base_prefix, sys.base_exec_prefix))
)
compiled_on_import = sorted(
    name
    for name, module in list(sys.modules.items())
    if getattr(module, "__file__", "").startswith(PACKAGE)
    and module.__file__.endswith(".py")
    and not __import__("os").path.exists(module.__cached__)
)
print(json.dumps({
    "written": written,
    "phone": e164("+47 912 34 567"),
    "clients": clients,
    "claims": claims,
    "from_elsewhere": from_elsewhere,
    "compiled_on_import": compiled_on_import,
    "geocoder": "phonenumbers.geocoder" in sys.modules,
}))
"""


def test_the_unpacked_zip_serves_from_a_read_only_directory_with_nothing_else_on_its_path(
    package: Package, tmp_path: Path
) -> None:
    task = tmp_path / "task"
    with zipfile.ZipFile(package.zip_path) as deployment:
        deployment.extractall(task)
    for path in [task, *task.rglob("*")]:
        path.chmod(path.stat().st_mode & ~0o222)
    try:
        code = f"PACKAGE = {str(task) + '/'!r}\nSERVICES = {sorted(SERVICES)!r}\n"
        done = subprocess.run(
            # -I -S: no site-packages, no PYTHON* variables; -B: write no bytecode.
            [sys.executable, "-I", "-S", "-B", "-c", code + READ_ONLY_PROBE],
            cwd=task,
            env={**LAMBDA_ENVIRONMENT, "PATH": os.environ.get("PATH", "/usr/bin:/bin")},
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    finally:
        for path in [task, *task.rglob("*")]:
            path.chmod(path.stat().st_mode | 0o200)
    assert done.returncode == 0, done.stderr[-3000:]
    found = json.loads(done.stdout)

    assert found["from_elsewhere"] == []
    assert found["compiled_on_import"] == []
    assert found["phone"] == "+4791234567"
    assert found["geocoder"] is False
    assert found["clients"] == sorted(SERVICES)
    assert found["claims"] == {"sub": "x"}
    written = found["written"]
    assert list(written) == ["en", "fr", "de", "da", "nb"]
    assert written["en"] == ["English", "Thursday, December 3, 2026", "2:30\u202fPM"]
    assert written["fr"][0] == "français"
    assert written["de"][1].startswith("Donnerstag")
    assert written["da"][1].startswith("torsdag")
    assert written["nb"][0] == "norsk bokmål"
    assert written["nb"][1].startswith("torsdag")


# --- tables ------------------------------------------------------------------------------


def test_every_model_has_a_table_in_the_template(package: Package) -> None:
    assert set(TABLE_RESOURCES) == set(ALL_TABLE_MODELS)
    assert set(package.of_type("AWS::DynamoDB::Table")) == set(TABLE_RESOURCES.values())


def _key_schema(schema: list[dict[str, str]]) -> list[tuple[str, str]]:
    return [(key["AttributeName"], key["KeyType"]) for key in schema]


def _attributes(definitions: list[dict[str, str]]) -> set[tuple[str, str]]:
    return {(item["AttributeName"], item["AttributeType"]) for item in definitions}


def _indexes(indexes: list[dict[str, Any]]) -> dict[str, Any]:
    return {
        index["IndexName"]: (_key_schema(index["KeySchema"]), index["Projection"])
        for index in indexes
    }


@pytest.mark.parametrize("model", ALL_TABLE_MODELS, ids=lambda model: model.__name__)
def test_each_table_matches_its_models_definition(package: Package, model: type[Model]) -> None:
    definition = table_definition(model)
    table = package.resources[TABLE_RESOURCES[model]]["Properties"]

    assert table["BillingMode"] == definition["BillingMode"]
    assert _key_schema(table["KeySchema"]) == _key_schema(definition["KeySchema"])
    assert _attributes(table["AttributeDefinitions"]) == _attributes(
        definition["AttributeDefinitions"]
    )
    for indexes in ("LocalSecondaryIndexes", "GlobalSecondaryIndexes"):
        assert _indexes(table.get(indexes, [])) == _indexes(definition.get(indexes, []))
    assert table.get("StreamSpecification", {}).get("StreamViewType") == definition.get(
        "StreamSpecification", {}
    ).get("StreamViewType")
    ttl = table.get("TimeToLiveSpecification", {})
    assert (ttl.get("AttributeName") if ttl.get("Enabled") else None) == time_to_live_attribute(
        model
    )


def test_tables_are_named_after_the_stack_and_their_names_reach_the_functions(
    package: Package,
) -> None:
    for setting, resource in TABLE_NAME_SETTINGS.items():
        table_name = package.resources[resource]["Properties"]["TableName"]
        assert table_name["Fn::Sub"].startswith("${AWS::StackName}-")
        assert package.global_variables[setting] == ref(resource)


def test_data_tables_keep_point_in_time_backups_and_outlive_the_stack(package: Package) -> None:
    for resource in DATA_TABLES:
        table = package.resources[resource]
        recovery = table["Properties"]["PointInTimeRecoverySpecification"]
        assert recovery == {"PointInTimeRecoveryEnabled": True}
        assert table["DeletionPolicy"] == table["UpdateReplacePolicy"] == "Retain"


# --- functions -----------------------------------------------------------------------------


def test_every_function_gets_every_deploy_setting_from_globals(package: Package) -> None:
    expected = {setting: ref(parameter) for setting, parameter in DEPLOY_SETTINGS.items()}
    assert {key: package.global_variables.get(key) for key in expected} == expected
    assert package.template["Parameters"]["LinkSigningKey"]["NoEcho"] is True
    assert package.global_variables["POWERTOOLS_SERVICE_NAME"] == "standby"

    for name, function in package.functions.items():
        assert "IgnoreGlobals" not in function, name
        local = function["Properties"].get("Environment", {}).get("Variables", {})
        overridden = {
            key for key, value in local.items() if package.global_variables.get(key, value) != value
        }
        assert overridden == set(), f"{name} overrides {overridden}"


def test_each_stream_handler_reads_its_tables_stream_and_parks_what_keeps_failing(
    package: Package,
) -> None:
    import app as standby

    consumed = set()
    for source in standby.app.event_sources:
        if not isinstance(source, DynamoDBEventConfig):
            continue
        table = STREAM_TABLES[table_of_placeholder(source.stream_arn)]
        function = to_cfn_resource_name(source.name)
        events = package.resources[function]["Properties"]["Events"]
        mapping = events[f"{function}DynamodbEventSource"]["Properties"]

        assert mapping["Stream"] == get_att(table, "StreamArn")
        assert mapping["FunctionResponseTypes"] == ["ReportBatchItemFailures"]
        assert mapping["BisectBatchOnFunctionError"] is True
        assert 0 < mapping["MaximumRetryAttempts"] <= 10
        assert 0 < mapping["MaximumRecordAgeInSeconds"] <= 24 * 3600
        assert mapping["DestinationConfig"]["OnFailure"]["Destination"] == get_att(
            "DeadLetterQueue", "Arn"
        )
        consumed.add(table)

    assert consumed == set(STREAM_TABLES.values())


def test_each_stream_handler_is_woken_only_by_what_its_filters_pass_and_the_pump_reads_them(
    package: Package,
) -> None:
    """The generated event sources carry infra/'s FilterCriteria, and the local stack's
    pump reads exactly those patterns (from the same template) for the same functions."""
    import app as standby
    from local.event_filters import filter_patterns

    filtered = set()
    for source in standby.app.event_sources:
        if not isinstance(source, DynamoDBEventConfig):
            continue
        function = to_cfn_resource_name(source.name)
        events = package.resources[function]["Properties"]["Events"]
        criteria = events[f"{function}DynamodbEventSource"]["Properties"]["FilterCriteria"]
        patterns = [json.loads(entry["Pattern"]) for entry in criteria["Filters"]]
        # Lambda's default quota: five filters per event source mapping.
        assert 0 < len(patterns) <= 5
        assert all(set(pattern) == {"dynamodb"} for pattern in patterns)
        assert patterns == filter_patterns(source.name)
        filtered.add(source.name)

    assert filtered == {"on_booking_change", "on_outbox_message"}


def test_a_scheduled_task_that_keeps_failing_is_parked_in_the_dead_letter_queue(
    package: Package,
) -> None:
    # The scheduler invokes the function asynchronously: once it has handed the event
    # over, only the function's own invoke settings can keep a failure from being dropped.
    config = package.resources["RunScheduledTask"]["Properties"]["EventInvokeConfig"]

    assert 0 < config["MaximumRetryAttempts"] <= 2
    assert config["DestinationConfig"]["OnFailure"] == {
        "Type": "SQS",
        "Destination": get_att("DeadLetterQueue", "Arn"),
    }


# --- permissions ---------------------------------------------------------------------------


def test_every_function_runs_with_the_one_role_the_template_defines(package: Package) -> None:
    for name, function in package.functions.items():
        assert function["Properties"]["Role"] == get_att("DefaultRole", "Arn"), name
    assert set(package.of_type("AWS::IAM::Role")) == {"DefaultRole", "SchedulerRole"}


def test_the_function_role_grants_named_actions_and_no_scan(package: Package) -> None:
    statements = package.statements("DefaultRole")
    actions = {action for statement in statements for action in as_list(statement["Action"])}

    assert not any("*" in action for action in actions)
    assert "dynamodb:Scan" not in actions
    unscoped = {
        action
        for statement in statements
        if "*" in as_list(statement["Resource"])
        for action in as_list(statement["Action"])
    }
    assert unscoped == {"sns:Publish"}, "only SMS, which has no resource ARN, is unscoped"


def test_the_function_role_may_park_failed_records_in_the_dead_letter_queue(
    package: Package,
) -> None:
    grants = [
        statement
        for statement in package.statements("DefaultRole")
        if "sqs:SendMessage" in as_list(statement["Action"])
    ]
    assert [as_list(grant["Resource"]) for grant in grants] == [[get_att("DeadLetterQueue", "Arn")]]


def test_the_scheduler_may_invoke_only_functions_tagged_with_this_stack(package: Package) -> None:
    tag = package.template["Globals"]["Function"]["Tags"]
    assert tag == {"standby:stack": ref("AWS::StackName")}
    invoke = [
        statement
        for statement in package.statements("SchedulerRole")
        if "lambda:InvokeFunction" in as_list(statement["Action"])
    ]
    assert [grant["Condition"] for grant in invoke] == [
        {"StringEquals": {"aws:ResourceTag/standby:stack": ref("AWS::StackName")}}
    ]


# --- alarms --------------------------------------------------------------------------------


def test_alarms_watch_the_dead_letter_queue_and_every_functions_errors(package: Package) -> None:
    alarms = [alarm["Properties"] for alarm in package.of_type("AWS::CloudWatch::Alarm").values()]
    watched_errors = {
        dimension["Value"]["Ref"]
        for alarm in alarms
        if alarm["MetricName"] == "Errors"
        for dimension in alarm["Dimensions"]
    }
    queue_alarms = [
        alarm
        for alarm in alarms
        if alarm["Namespace"] == "AWS/SQS"
        and alarm["Dimensions"]
        == [{"Name": "QueueName", "Value": get_att("DeadLetterQueue", "QueueName")}]
    ]

    assert watched_errors == set(package.functions)
    assert len(queue_alarms) == 1
