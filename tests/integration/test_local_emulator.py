"""The local stack's emulator keeps DynamoDB's promises the product relies on."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import boto3
import pytest
from botocore.exceptions import ClientError

from local.emulator import SerialMotoServer

REGION = "eu-west-1"


@pytest.fixture
def emulator() -> Iterator[str]:
    server = SerialMotoServer(ip_address="127.0.0.1", port=0, verbose=False)
    server.start()
    host, port = server.get_host_and_port()
    yield f"http://{host}:{port}"
    server.stop()


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
