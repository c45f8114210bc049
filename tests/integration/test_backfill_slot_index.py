"""Slots written before the index of slots by start are put on it by the operator's
backfill, on moto: a dry run only counts them, a run writes their keys, a second run finds
nothing left to do."""

from __future__ import annotations

import io
from datetime import UTC, datetime, timedelta

import boto3

from chalicelib.bootstrap import services
from chalicelib.settings import get_settings
from ops.backfill_slot_index import backfill, main
from tests.integration.conftest import Business, set_up_business
from tests.support.aws import REGION


def _as_before_the_index(business: Business, slot_id: str) -> None:
    """The slot as it was written before the index existed: without its keys."""
    boto3.client("dynamodb", region_name=REGION).update_item(
        TableName=get_settings().catalogue_table,
        Key={"pk": {"S": f"BIZ#{business.business_id}"}, "sk": {"S": f"SLOT#{slot_id}"}},
        UpdateExpression="REMOVE slots_key, slot_start",
    )


def _listed(business: Business) -> list[str]:
    now = datetime.now(UTC)
    page = services().catalogue.slots_between(
        business.business_id, now, now + timedelta(days=30), limit=50
    )
    return [slot.slot_id for slot in page.slots]


def _client() -> object:
    return boto3.client("dynamodb", region_name=REGION)


def test_old_slots_are_put_on_the_index_once_and_a_dry_run_changes_nothing(
    salon: Business,
) -> None:
    other = set_up_business(salon.api, "salon-b", "Salon B")
    kept = salon.add_slot(days_ahead=1)
    old = [salon.add_slot(days_ahead=2), salon.add_slot(days_ahead=3)]
    theirs = other.add_slot(days_ahead=1)
    for slot_id in old:
        _as_before_the_index(salon, slot_id)
    _as_before_the_index(other, theirs)
    assert _listed(salon) == [kept]

    dry = backfill(_client(), get_settings().catalogue_table, dry_run=True)
    assert (dict(dry.found), dry.written) == ({"salon-a": 2, "salon-b": 1}, 0)
    assert _listed(salon) == [kept]

    done = backfill(_client(), get_settings().catalogue_table, dry_run=False)
    assert (sum(done.found.values()), done.written, done.gone) == (3, 3, 0)
    assert _listed(salon) == [kept, *old]
    assert _listed(other) == [theirs]

    again = backfill(_client(), get_settings().catalogue_table, dry_run=False)
    assert (sum(again.found.values()), again.written) == (0, 0)


def test_the_command_says_what_a_dry_run_would_do(salon: Business) -> None:
    _as_before_the_index(salon, salon.add_slot())
    out = io.StringIO()
    backfill(_client(), get_settings().catalogue_table, dry_run=True).report(dry_run=True, out=out)
    assert out.getvalue() == (
        "salon-a: 1 slot(s) without the index's keys\n"
        "dry run: 1 slot(s) would be put on the index; nothing written\n"
    )
    assert main(["--table", get_settings().catalogue_table, "--region", REGION]) == 0
    assert _listed(salon) != []
