"""Table definitions in DynamoDB's CreateTable shape, derived from the models.

Tests, the local stack and the infra check all use these, so the tables cannot drift.
"""

from __future__ import annotations

from typing import Any

from pynamodb.models import Model

from chalicelib.adapters.dynamodb.models import ALL_TABLE_MODELS

TTL_ATTRIBUTES: dict[type[Model], str] = {}
"""Tables whose items expire, by the attribute that says when (none at present)."""


_INDEX_KEYS = ("index_name", "key_schema", "projection")


def _camel(schema_key: str) -> str:
    return "".join(part.capitalize() for part in schema_key.split("_"))


def _hash_first(index: Any) -> dict[str, Any]:
    """DynamoDB wants an index's partition key first; pynamodb lists its keys as the
    attributes were declared."""
    key_schema = sorted(index["key_schema"], key=lambda key: key["KeyType"] != "HASH")
    return {**index, "key_schema": key_schema}


def table_definition(model: type[Model]) -> dict[str, Any]:
    """CreateTable arguments for one model's table."""
    schema = model._get_schema()
    attribute_definitions = {
        item["AttributeName"]: item["AttributeType"] for item in schema["attribute_definitions"]
    }
    definition: dict[str, Any] = {
        "TableName": model.Meta.table_name,
        "BillingMode": "PAY_PER_REQUEST",
        "KeySchema": list(schema["key_schema"]),
        "AttributeDefinitions": [
            {"AttributeName": name, "AttributeType": kind}
            for name, kind in sorted(attribute_definitions.items())
        ],
    }
    local_indexes = [
        {_camel(key): value for key, value in index.items() if key in _INDEX_KEYS}
        for index in map(_hash_first, schema["local_secondary_indexes"])
    ]
    if local_indexes:
        definition["LocalSecondaryIndexes"] = local_indexes
    global_indexes = [
        {_camel(key): value for key, value in index.items() if key in _INDEX_KEYS}
        for index in map(_hash_first, schema["global_secondary_indexes"])
    ]
    if global_indexes:
        definition["GlobalSecondaryIndexes"] = global_indexes
    stream_view_type = getattr(model.Meta, "stream_view_type", None)
    if stream_view_type:
        definition["StreamSpecification"] = {
            "StreamEnabled": True,
            "StreamViewType": stream_view_type,
        }
    return definition


def all_table_definitions() -> list[dict[str, Any]]:
    return [table_definition(model) for model in ALL_TABLE_MODELS]


def time_to_live_attribute(model: type[Model]) -> str | None:
    return TTL_ATTRIBUTES.get(model)


def create_all_tables(client: Any) -> None:
    """Create every table (and its time-to-live setting) with a boto3 DynamoDB client."""
    for model in ALL_TABLE_MODELS:
        client.create_table(**table_definition(model))
        ttl = time_to_live_attribute(model)
        if ttl:
            client.update_time_to_live(
                TableName=model.Meta.table_name,
                TimeToLiveSpecification={"Enabled": True, "AttributeName": ttl},
            )
