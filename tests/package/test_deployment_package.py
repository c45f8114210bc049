"""What `make package` hands to CloudFormation and Lambda.

`chalice package` runs once for the whole module, with the merge template from infra/,
exactly as the Makefile runs it; every test reads its sam.json or deployment.zip.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import zipfile
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from cfnlint.api import lint
from chalice.app import DynamoDBEventConfig
from chalice.utils import to_cfn_resource_name
from pynamodb.models import Model

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
    text = (out / "sam.json").read_text()
    with zipfile.ZipFile(out / "deployment.zip") as deployment:
        names = frozenset(deployment.namelist())
    return Package(text=text, template=json.loads(text), zip_names=names)


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
