"""Puts the slots written before the index of slots by start on it.

    .venv/bin/python -m ops.backfill_slot_index --table NAME [--dry-run]

Every slot written now carries the keys of the catalogue's index `slots_by_start` (its
business, its start time): that index is what lists a range of slots and the staff board's
day. Slots written before it existed have no such keys, so no range lists them. This
command reads the catalogue table once (a Scan: an operator's one-off, never the
service's), finds the slots without the keys, and writes the keys on each with one
UpdateItem, conditioned on the slot still being there with the start time read.

Run it once after deploying the index (the table is the stack's ``CatalogueTableName``
output). It is safe to repeat and to run while the service runs: a slot that has the keys
is left alone, and new slots are written with them.
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TextIO

from botocore.exceptions import ClientError

from chalicelib.adapters.dynamodb.keys import slots_key
from chalicelib.ports.catalogue import start_key

SLOT_KIND = "slot"
"""The discriminator of slot items in the catalogue table."""


@dataclass
class Backfill:
    found: Counter[str] = field(default_factory=Counter)
    """Slots without the index's keys, by business."""
    written: int = 0
    gone: int = 0
    """Slots deleted or changed between the read and the write: left as they are."""

    def report(self, *, dry_run: bool, out: TextIO) -> None:
        for business_id, count in sorted(self.found.items()):
            out.write(f"{business_id}: {count} slot(s) without the index's keys\n")
        total = sum(self.found.values())
        if dry_run:
            out.write(f"dry run: {total} slot(s) would be put on the index; nothing written\n")
        else:
            out.write(f"{self.written} of {total} slot(s) put on the index")
            out.write(f", {self.gone} gone meanwhile\n" if self.gone else "\n")


def _slots_without_keys(client: Any, table: str) -> Any:
    """Slot items that lack the index's keys, with what their keys are made of."""
    paginator = client.get_paginator("scan")
    for page in paginator.paginate(
        TableName=table,
        FilterExpression="#kind = :slot AND attribute_not_exists(slots_key)",
        ProjectionExpression="pk, sk, business_id, slot_id, starts_at",
        ExpressionAttributeNames={"#kind": "kind"},
        ExpressionAttributeValues={":slot": {"S": SLOT_KIND}},
    ):
        yield from page.get("Items", [])


def backfill(client: Any, table: str, *, dry_run: bool) -> Backfill:
    done = Backfill()
    for item in _slots_without_keys(client, table):
        business_id, slot_id = item["business_id"]["S"], item["slot_id"]["S"]
        done.found[business_id] += 1
        if dry_run:
            continue
        # As pynamodb's UTCDateTimeAttribute writes it.
        starts_at = datetime.strptime(item["starts_at"]["S"], "%Y-%m-%dT%H:%M:%S.%f%z")
        try:
            client.update_item(
                TableName=table,
                Key={"pk": item["pk"], "sk": item["sk"]},
                UpdateExpression="SET slots_key = :partition, slot_start = :start",
                ConditionExpression="attribute_exists(pk) AND starts_at = :starts_at",
                ExpressionAttributeValues={
                    ":partition": {"S": slots_key(business_id)},
                    ":start": {"S": f"{start_key(starts_at)}#{slot_id}"},
                    ":starts_at": item["starts_at"],
                },
            )
        except ClientError as error:
            if error.response.get("Error", {}).get("Code") != "ConditionalCheckFailedException":
                raise
            done.gone += 1
        else:
            done.written += 1
    return done


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="python -m ops.backfill_slot_index",
        description="Put the slots written before the index of slots by start on it.",
    )
    parser.add_argument("--table", required=True, help="the stack's CatalogueTableName output")
    parser.add_argument(
        "--dry-run", action="store_true", help="say how many slots lack the keys; change nothing"
    )
    parser.add_argument("--region", help="the table's region (default: the environment's)")
    args = parser.parse_args(argv)
    import boto3

    client = boto3.session.Session(region_name=args.region).client("dynamodb")
    backfill(client, args.table, dry_run=args.dry_run).report(dry_run=args.dry_run, out=sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
