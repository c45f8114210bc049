"""The local stack's emulator keeps DynamoDB's promises the product relies on."""

from __future__ import annotations

import http.client
import json
import urllib.parse
from collections.abc import Iterator
from dataclasses import dataclass
from types import SimpleNamespace
from typing import Any
from uuid import uuid4

import boto3
import pytest
from botocore.exceptions import ClientError
from moto.dynamodb.parsing.validators import UpdateExpressionValidator

from local.emulator_updates import STATIC_CHECKS
from tests.support.aws import create_streamed_table

REGION = "eu-west-1"


@dataclass
class Table:
    """A table with a stream on the emulator, and a reader positioned at its start."""

    dynamodb: Any
    streams: Any
    name: str
    iterator: str

    def items(self) -> dict[str, dict[str, Any]]:
        keys = ("kept", "changed", "removed", "written")
        found = {
            key: self.dynamodb.get_item(TableName=self.name, Key={"pk": {"S": key}}).get("Item")
            for key in keys
        }
        return {key: item for key, item in found.items() if item}

    def new_records(self) -> list[tuple[str, str]]:
        """Each record's event and key, from where the reader last stopped."""
        response = self.streams.get_records(ShardIterator=self.iterator)
        self.iterator = response["NextShardIterator"]
        return [(r["eventName"], r["dynamodb"]["Keys"]["pk"]["S"]) for r in response["Records"]]


@pytest.fixture
def table(emulator: str) -> Table:
    dynamodb: Any = boto3.client("dynamodb", region_name=REGION, endpoint_url=emulator)
    streams: Any = boto3.client("dynamodbstreams", region_name=REGION, endpoint_url=emulator)
    name, arn, shard = create_streamed_table(dynamodb, streams)
    for key in ("kept", "changed", "removed"):
        dynamodb.put_item(TableName=name, Item={"pk": {"S": key}, "n": {"N": "1"}})
    iterator = streams.get_shard_iterator(StreamArn=arn, ShardId=shard, ShardIteratorType="LATEST")[
        "ShardIterator"
    ]
    return Table(dynamodb, streams, name, iterator)


def _writes(name: str, *, then: dict[str, Any] | None = None) -> list[dict[str, Any]]:
    """A put of a new item, an update and a delete of existing ones, and optionally more."""
    writes: list[dict[str, Any]] = [
        {"Put": {"TableName": name, "Item": {"pk": {"S": "written"}, "n": {"N": "1"}}}},
        {
            "Update": {
                "TableName": name,
                "Key": {"pk": {"S": "changed"}},
                "UpdateExpression": "SET n = n + :one, extra = :one",
                "ExpressionAttributeValues": {":one": {"N": "1"}},
            }
        },
        {"Delete": {"TableName": name, "Key": {"pk": {"S": "removed"}}}},
    ]
    return writes + ([then] if then else [])


def test_a_failed_transaction_leaves_every_item_and_the_stream_as_they_were(
    table: Table,
) -> None:
    before = table.items()
    refused = {
        "ConditionCheck": {
            "TableName": table.name,
            "Key": {"pk": {"S": "kept"}},
            "ConditionExpression": "n = :two",
            "ExpressionAttributeValues": {":two": {"N": "2"}},
        }
    }

    with pytest.raises(ClientError, match="TransactionCanceled") as refusal:
        table.dynamodb.transact_write_items(TransactItems=_writes(table.name, then=refused))

    reasons = refusal.value.response["CancellationReasons"]
    assert [r["Code"] for r in reasons] == ["None", "None", "None", "ConditionalCheckFailed"]
    assert table.items() == before
    assert table.new_records() == []


def test_a_transaction_refused_by_a_malformed_write_is_rolled_back_too(table: Table) -> None:
    before = table.items()
    malformed = {
        "Update": {
            "TableName": table.name,
            "Key": {"pk": {"S": "kept"}},
            "UpdateExpression": "SET n = n + :word",
            "ExpressionAttributeValues": {":word": {"S": "one"}},
        }
    }

    with pytest.raises(ClientError):
        table.dynamodb.transact_write_items(TransactItems=_writes(table.name, then=malformed))

    assert table.items() == before
    assert table.new_records() == []


def test_a_successful_transaction_writes_its_items_and_one_record_for_each(
    table: Table,
) -> None:
    table.dynamodb.transact_write_items(TransactItems=_writes(table.name))

    items = table.items()
    assert set(items) == {"kept", "changed", "written"}
    assert items["changed"]["n"] == {"N": "2"}
    assert items["changed"]["extra"] == {"N": "1"}
    assert table.new_records() == [
        ("INSERT", "written"),
        ("MODIFY", "changed"),
        ("REMOVE", "removed"),
    ]


def test_a_failed_transaction_leaves_no_record_in_a_stream_already_being_read(
    emulator: str,
) -> None:
    dynamodb: Any = boto3.client("dynamodb", region_name=REGION, endpoint_url=emulator)
    streams: Any = boto3.client("dynamodbstreams", region_name=REGION, endpoint_url=emulator)
    table = dynamodb.create_table(
        TableName="things",
        KeySchema=[{"AttributeName": "pk", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "pk", "AttributeType": "S"}],
        BillingMode="PAY_PER_REQUEST",
        StreamSpecification={"StreamEnabled": True, "StreamViewType": "NEW_AND_OLD_IMAGES"},
    )["TableDescription"]
    arn = table["LatestStreamArn"]
    shard = streams.describe_stream(StreamArn=arn)["StreamDescription"]["Shards"][0]["ShardId"]
    iterator = streams.get_shard_iterator(
        StreamArn=arn, ShardId=shard, ShardIteratorType="TRIM_HORIZON"
    )["ShardIterator"]

    with pytest.raises(ClientError, match="TransactionCanceled"):
        dynamodb.transact_write_items(
            TransactItems=[
                {"Put": {"TableName": "things", "Item": {"pk": {"S": "written"}}}},
                {
                    "Update": {
                        "TableName": "things",
                        "Key": {"pk": {"S": "missing"}},
                        "UpdateExpression": "SET n = :one",
                        "ConditionExpression": "attribute_exists(pk)",
                        "ExpressionAttributeValues": {":one": {"N": "1"}},
                    }
                },
            ]
        )
    dynamodb.put_item(TableName="things", Item={"pk": {"S": "kept"}})

    records = streams.get_records(ShardIterator=iterator)["Records"]
    assert [r["dynamodb"]["Keys"]["pk"]["S"] for r in records] == ["kept"]
    assert "Item" not in dynamodb.get_item(TableName="things", Key={"pk": {"S": "written"}})


def test_a_query_on_a_local_index_finds_the_partitions_items_in_the_indexs_order(
    emulator: str,
) -> None:
    dynamodb: Any = boto3.client("dynamodb", region_name=REGION, endpoint_url=emulator)
    name = f"lists-{uuid4().hex}"
    dynamodb.create_table(
        TableName=name,
        KeySchema=[
            {"AttributeName": "pk", "KeyType": "HASH"},
            {"AttributeName": "sk", "KeyType": "RANGE"},
        ],
        AttributeDefinitions=[
            {"AttributeName": "pk", "AttributeType": "S"},
            {"AttributeName": "sk", "AttributeType": "S"},
            {"AttributeName": "joined", "AttributeType": "S"},
        ],
        LocalSecondaryIndexes=[
            {
                "IndexName": "queue",
                "KeySchema": [
                    {"AttributeName": "pk", "KeyType": "HASH"},
                    {"AttributeName": "joined", "KeyType": "RANGE"},
                ],
                "Projection": {"ProjectionType": "ALL"},
            }
        ],
        BillingMode="PAY_PER_REQUEST",
    )
    entries = [("slot-1", "c", "09:02"), ("slot-1", "a", "09:03"), ("slot-2", "b", "09:00")]
    entries += [("slot-1", "b", "09:01"), ("slot-1", "no-queue", "")]
    for pk, sk, joined in entries:
        item = {"pk": {"S": pk}, "sk": {"S": sk}}
        if joined:
            item["joined"] = {"S": joined}
        dynamodb.put_item(TableName=name, Item=item)

    def queue(forward: bool) -> list[str]:
        found = dynamodb.query(
            TableName=name,
            IndexName="queue",
            KeyConditionExpression="pk = :slot",
            ExpressionAttributeValues={":slot": {"S": "slot-1"}},
            ScanIndexForward=forward,
        )
        return [item["sk"]["S"] for item in found["Items"]]

    assert queue(forward=True) == ["b", "c", "a"]
    assert queue(forward=False) == ["a", "c", "b"]


def test_the_emulator_answers_many_requests_over_one_connection(emulator: str) -> None:
    connection = http.client.HTTPConnection(urllib.parse.urlsplit(emulator).netloc, timeout=5)
    try:
        for _ in range(3):
            connection.request("GET", "/_local/sent?after=0")
            response = connection.getresponse()
            assert response.status == 200
            assert isinstance(json.loads(response.read())["messages"], list)
            assert response.getheader("Connection", "").lower() != "close"
    finally:
        connection.close()


def test_an_update_expression_used_again_takes_each_requests_own_values(table: Table) -> None:
    expression = "SET n = n + :step, tags = list_append(if_not_exists(tags, :none), :tag)"
    for step, tag in ((1, "first"), (10, "second")):
        table.dynamodb.update_item(
            TableName=table.name,
            Key={"pk": {"S": "changed"}},
            UpdateExpression=expression,
            ExpressionAttributeValues={
                ":step": {"N": str(step)},
                ":none": {"L": []},
                ":tag": {"L": [{"S": tag}]},
            },
        )

    changed = table.items()["changed"]
    assert changed["n"] == {"N": "12"}
    assert changed["tags"] == {"L": [{"S": "first"}, {"S": "second"}]}


def test_an_update_dynamodb_refuses_is_still_refused(table: Table) -> None:
    with pytest.raises(ClientError, match="key"):
        table.dynamodb.update_item(
            TableName=table.name,
            Key={"pk": {"S": "kept"}},
            UpdateExpression="SET pk = :other",
            ExpressionAttributeValues={":other": {"S": "moved"}},
        )
    with pytest.raises(ClientError, match="ValidationException"):
        table.dynamodb.update_item(
            TableName=table.name,
            Key={"pk": {"S": "kept"}},
            UpdateExpression="SET n = :one, n = :one",
            ExpressionAttributeValues={":one": {"N": "1"}},
        )

    assert table.items()["kept"] == {"pk": {"S": "kept"}, "n": {"N": "1"}}


def test_an_item_over_400_kb_is_still_refused_and_one_under_it_kept_whole(table: Table) -> None:
    half = "x" * 203_000
    with pytest.raises(ClientError, match="ValidationException"):
        table.dynamodb.put_item(
            TableName=table.name,
            Item={"pk": {"S": "written"}, "a": {"S": half}, "b": {"S": half}, "c": {"S": "y"}},
        )
    assert "written" not in table.items()

    item = {
        "pk": {"S": "written"},
        "a": {"S": half},
        "m": {"M": {"n": {"N": "2"}, "l": {"L": [{"S": "z"}, {"BOOL": True}]}}},
        "s": {"SS": ["p", "q"]},
    }
    table.dynamodb.put_item(TableName=table.name, Item=item)

    assert table.items()["written"] == item


def test_an_expression_tree_is_copied_as_deepcopy_copies_it() -> None:
    import copy

    from moto.dynamodb.parsing.ast_nodes import Node
    from moto.dynamodb.parsing.expressions import UpdateExpressionParser

    from local.emulator import copy_tree

    tree = UpdateExpressionParser.make(
        "SET #s = :s, n = if_not_exists(n, :zero) + :one, l = list_append(l, :x) REMOVE r"
    )

    def shape(value: Any) -> Any:
        if isinstance(value, Node):
            fields = {k: shape(v) for k, v in vars(value).items() if k != "parent"}
            return type(value).__name__, fields, type(value.parent).__name__
        if isinstance(value, list):
            return [shape(item) for item in value]
        return value

    def nodes(value: Any) -> Iterator[Any]:
        yield value
        for child in value.children or []:
            if isinstance(child, Node):
                assert child.parent is value
                yield from nodes(child)

    copied = copy_tree(tree)

    assert shape(copied) == shape(copy.deepcopy(tree)) == shape(tree)
    originals = {id(node) for node in nodes(tree)}
    assert not originals & {id(node) for node in nodes(copied)}


def test_updates_with_functions_take_each_requests_own_values(table: Table) -> None:
    for tag in ("a", "b"):
        table.dynamodb.update_item(
            TableName=table.name,
            Key={"pk": {"S": "changed"}},
            UpdateExpression="SET n = if_not_exists(n, :zero) + :one, "
            "tags = list_append(if_not_exists(tags, :none), :tag) REMOVE gone",
            ExpressionAttributeValues={
                ":zero": {"N": "0"},
                ":one": {"N": "1"},
                ":none": {"L": []},
                ":tag": {"L": [{"S": tag}]},
            },
        )

    item = table.items()["changed"]
    assert item["n"] == {"N": "3"}  # it held 1
    assert item["tags"] == {"L": [{"S": "a"}, {"S": "b"}]}
    assert "gone" not in item


def _update(table: Table, expression: str, **request: Any) -> dict[str, Any]:
    answer: dict[str, Any] = table.dynamodb.update_item(
        TableName=table.name, Key={"pk": {"S": "changed"}}, UpdateExpression=expression, **request
    )
    return answer


def _images(table: Table) -> list[tuple[str, dict[str, Any], dict[str, Any]]]:
    response = table.streams.get_records(ShardIterator=table.iterator)
    table.iterator = response["NextShardIterator"]
    return [
        (r["eventName"], r["dynamodb"].get("OldImage", {}), r["dynamodb"].get("NewImage", {}))
        for r in response["Records"]
    ]


def test_a_conditional_update_sets_and_removes_and_streams_both_images(table: Table) -> None:
    _update(
        table,
        "SET note = :note, extra = :one",
        ExpressionAttributeValues={":note": {"S": "x"}, ":one": {"N": "1"}},
    )
    table.new_records()

    answer = _update(
        table,
        "SET #who = :who, #n = :two REMOVE extra",
        ConditionExpression="#n = :one AND attribute_not_exists(#who)",
        ExpressionAttributeNames={"#who": "claimed_by", "#n": "n"},
        ExpressionAttributeValues={":who": {"S": "worker"}, ":two": {"N": "2"}, ":one": {"N": "1"}},
    )

    assert "Attributes" not in answer
    changed = {
        "pk": {"S": "changed"},
        "n": {"N": "2"},
        "note": {"S": "x"},
        "claimed_by": {"S": "worker"},
    }
    assert table.items()["changed"] == changed
    old = {"pk": {"S": "changed"}, "n": {"N": "1"}, "note": {"S": "x"}, "extra": {"N": "1"}}
    assert _images(table) == [("MODIFY", old, changed)]


def test_an_update_whose_condition_fails_changes_nothing_and_can_return_the_item(
    table: Table,
) -> None:
    with pytest.raises(ClientError, match="ConditionalCheckFailed") as refusal:
        _update(
            table,
            "SET n = :two",
            ConditionExpression="n = :two",
            ExpressionAttributeValues={":two": {"N": "2"}},
            ReturnValuesOnConditionCheckFailure="ALL_OLD",
        )

    answer: dict[str, Any] = dict(refusal.value.response)
    assert answer["Item"] == {"pk": {"S": "changed"}, "n": {"N": "1"}}
    assert table.items()["changed"] == {"pk": {"S": "changed"}, "n": {"N": "1"}}
    assert table.new_records() == []


def test_an_update_that_would_pass_400_kb_is_refused_and_leaves_the_item_whole(
    table: Table,
) -> None:
    half = "x" * 203_000
    _update(table, "SET a = :half", ExpressionAttributeValues={":half": {"S": half}})
    table.new_records()

    with pytest.raises(ClientError, match="Item size to update has exceeded"):
        _update(
            table,
            "SET n = :two, b = :half",
            ExpressionAttributeValues={":two": {"N": "2"}, ":half": {"S": half}},
        )

    assert table.items()["changed"] == {"pk": {"S": "changed"}, "n": {"N": "1"}, "a": {"S": half}}
    assert table.new_records() == []


def test_an_expression_checked_once_is_checked_again_under_other_names(table: Table) -> None:
    expression = "SET #field = :value"
    _update(
        table,
        expression,
        ExpressionAttributeNames={"#field": "note"},
        ExpressionAttributeValues={":value": {"S": "fine"}},
    )

    with pytest.raises(ClientError, match="part of the key"):
        _update(
            table,
            expression,
            ExpressionAttributeNames={"#field": "pk"},
            ExpressionAttributeValues={":value": {"S": "moved"}},
        )

    assert table.items()["changed"]["note"] == {"S": "fine"}
    assert "moved" not in table.items()


def test_an_update_names_every_placeholder_it_is_given_and_needs(table: Table) -> None:
    with pytest.raises(ClientError, match=r"unused in expressions: keys: \{#spare\}"):
        _update(
            table,
            "SET n = :two",
            ExpressionAttributeNames={"#spare": "spare"},
            ExpressionAttributeValues={":two": {"N": "2"}},
        )
    with pytest.raises(ClientError, match=r"unused in expressions: keys: \{:spare\}"):
        _update(
            table,
            "SET n = :two",
            ExpressionAttributeValues={":two": {"N": "2"}, ":spare": {"N": "3"}},
        )
    with pytest.raises(ClientError, match="attribute value used in expression is not defined"):
        _update(table, "SET n = :two, m = :three", ExpressionAttributeValues={":two": {"N": "2"}})

    assert table.items()["changed"] == {"pk": {"S": "changed"}, "n": {"N": "1"}}


def test_updates_that_return_values_or_create_the_item_answer_as_before(table: Table) -> None:
    old = _update(
        table,
        "SET n = :two",
        ExpressionAttributeValues={":two": {"N": "2"}},
        ReturnValues="ALL_OLD",
    )
    new = _update(
        table,
        "SET n = :three",
        ExpressionAttributeValues={":three": {"N": "3"}},
        ReturnValues="UPDATED_NEW",
    )
    whole = _update(
        table,
        "SET note = :note",
        ConditionExpression="n = :three",
        ExpressionAttributeValues={":note": {"S": "x"}, ":three": {"N": "3"}},
        ReturnValues="ALL_NEW",
    )
    table.dynamodb.update_item(
        TableName=table.name,
        Key={"pk": {"S": "written"}},
        UpdateExpression="SET n = :one",
        ExpressionAttributeValues={":one": {"N": "1"}},
    )

    assert old["Attributes"] == {"pk": {"S": "changed"}, "n": {"N": "1"}}
    assert new["Attributes"] == {"n": {"N": "3"}}
    assert whole["Attributes"] == {"pk": {"S": "changed"}, "n": {"N": "3"}, "note": {"S": "x"}}
    assert table.items()["written"] == {"pk": {"S": "written"}, "n": {"N": "1"}}


def test_the_checks_made_once_per_expression_are_motos_first_three() -> None:
    table = SimpleNamespace(table_key_attrs=["pk"], attr=[], attribute_keys=["pk"])
    validator = SimpleNamespace(
        expression_attribute_names={}, expression_attribute_values={}, item=None, table=table
    )

    kinds = [type(p) for p in UpdateExpressionValidator.get_ast_processors(validator)]

    assert kinds[: len(STATIC_CHECKS)] == list(STATIC_CHECKS)
    assert not set(kinds[len(STATIC_CHECKS) :]) & set(STATIC_CHECKS)


def test_items_read_as_plain_json_or_with_binary_values_come_back_as_written(
    table: Table,
) -> None:
    tricky = {"pk": {"S": "written"}, "note": {"S": 'a "B": in words'}, "n": {"N": "7"}}
    binary = {"pk": {"S": "changed"}, "blob": {"B": b"\x00\xffseat"}, "set": {"BS": [b"a", b"b"]}}

    table.dynamodb.put_item(TableName=table.name, Item=tricky)
    table.dynamodb.put_item(TableName=table.name, Item=binary)

    items = table.items()
    assert items["written"] == tricky
    assert items["changed"] == binary


def test_every_answer_carries_a_request_id_and_an_xml_one_has_it_in_its_body(
    emulator: str,
) -> None:
    ses: Any = boto3.client("ses", region_name=REGION, endpoint_url=emulator)
    dynamodb: Any = boto3.client("dynamodb", region_name=REGION, endpoint_url=emulator)

    quota = ses.get_send_quota()
    tables = dynamodb.list_tables()

    ids = [quota["ResponseMetadata"]["RequestId"], tables["ResponseMetadata"]["RequestId"]]
    assert all(len(found) == 52 and found.isalnum() for found in ids)
    assert ids[0] != ids[1]
