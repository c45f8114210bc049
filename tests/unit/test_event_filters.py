"""The local reading of Lambda's filter patterns: the subset infra/template.json uses."""

from __future__ import annotations

from typing import Any

import pytest

from chalicelib.domain.model import BookingStatus
from local.event_filters import filter_patterns, logical_id, matches, passes


def record(new: dict[str, Any] | None = None, old: dict[str, Any] | None = None) -> dict[str, Any]:
    change: dict[str, Any] = {"Keys": {"pk": {"S": "p"}, "sk": {"S": "s"}}}
    if new is not None:
        change["NewImage"] = {name: {"S": value} for name, value in new.items()}
    if old is not None:
        change["OldImage"] = {name: {"S": value} for name, value in old.items()}
    return {"eventName": "MODIFY", "dynamodb": change}


def on_new(name: str, *matchers: Any) -> dict[str, Any]:
    return {"dynamodb": {"NewImage": {name: {"S": list(matchers)}}}}


def test_an_exact_value_matches_only_that_value() -> None:
    assert matches(on_new("status", "queued"), record({"status": "queued"}))
    assert not matches(on_new("status", "queued"), record({"status": "sent"}))
    assert not matches(on_new("status", "queued"), record({"kind": "queued"}))


def test_values_of_one_leaf_are_alternatives() -> None:
    pattern = on_new("status", "pending", "confirmed")

    assert matches(pattern, record({"status": "pending"}))
    assert matches(pattern, record({"status": "confirmed"}))
    assert not matches(pattern, record({"status": "cancelled"}))


def test_every_key_of_a_pattern_must_match() -> None:
    pattern = {"dynamodb": {"NewImage": {"kind": {"S": ["offer"]}, "status": {"S": ["accepted"]}}}}

    assert matches(pattern, record({"kind": "offer", "status": "accepted"}))
    assert not matches(pattern, record({"kind": "offer", "status": "open"}))
    assert not matches(pattern, record({"kind": "booking", "status": "accepted"}))


def test_a_value_must_have_the_same_type() -> None:
    pattern = {"dynamodb": {"NewImage": {"seats": {"N": ["1"]}}}}
    as_number = {"dynamodb": {"NewImage": {"seats": {"N": 1}}}}

    assert not matches(pattern, as_number)


def test_exists_true_wants_the_leaf_and_false_its_absence() -> None:
    present = on_new("claim_until", {"exists": True})
    absent = on_new("claim_until", {"exists": False})

    assert matches(present, record({"claim_until": "2030"}))
    assert not matches(present, record({"status": "queued"}))
    assert matches(absent, record({"status": "queued"}))
    assert not matches(absent, record({"claim_until": "2030"}))


def test_exists_false_matches_when_the_whole_image_is_missing() -> None:
    assert matches(on_new("kind", {"exists": False}), record(old={"kind": "booking"}))


def test_exists_applies_to_leaves_only() -> None:
    pattern = {"dynamodb": {"NewImage": {"claim_until": [{"exists": True}]}}}

    assert not matches(pattern, record({"claim_until": "2030"}))


def test_prefix_matches_strings_that_start_so() -> None:
    pattern = on_new("sk", {"prefix": "message#"})

    assert matches(pattern, record({"sk": "message#1"}))
    assert not matches(pattern, record({"sk": "history#1"}))
    assert not matches(pattern, record({"status": "queued"}))


def test_anything_but_wants_the_value_present_and_none_of_those() -> None:
    pattern = on_new("status", {"anything-but": ["pending", "confirmed"]})

    assert matches(pattern, record({"status": "cancelled"}))
    assert not matches(pattern, record({"status": "pending"}))
    assert not matches(pattern, record({"kind": "booking"}))
    assert matches(on_new("status", {"anything-but": "sent"}), record({"status": "queued"}))


def test_a_record_passes_when_any_pattern_matches_and_without_filters() -> None:
    patterns = [on_new("status", "queued"), on_new("kind", "offer")]

    assert passes(patterns, record({"kind": "offer"}))
    assert passes(patterns, record({"status": "queued"}))
    assert not passes(patterns, record({"status": "sent"}))
    assert passes(None, record({"status": "sent"}))


@pytest.mark.parametrize(
    "pattern",
    [
        {"dynamodb": {"NewImage": {"n": {"N": [{"numeric": [">", 1]}]}}}},
        {"dynamodb": {"NewImage": {"s": {"S": [{"suffix": "x"}]}}}},
        {"dynamodb": {"NewImage": {"s": {"S": "queued"}}}},
        {"dynamodb": {"NewImage": {"s": {"S": [{"anything-but": {"prefix": "x"}}]}}}},
    ],
)
def test_syntax_not_implemented_here_is_refused_rather_than_matched_otherwise(
    pattern: dict[str, Any],
) -> None:
    with pytest.raises(ValueError):
        matches(pattern, record({"n": "2", "s": "xyz"}))


def test_the_stream_functions_patterns_come_from_the_template() -> None:
    assert logical_id("on_booking_change") == "OnBookingChange"
    assert filter_patterns("on_booking_change")
    assert filter_patterns("on_outbox_message")
    assert filter_patterns("api_handler") is None


def test_a_freed_seat_is_read_from_the_statuses_that_hold_one() -> None:
    """The bookings filter names the statuses that hold a seat: they are the domain's."""
    holding = sorted(status.value for status in BookingStatus if status.holds_seat)
    (freed,) = [
        p for p in filter_patterns("on_booking_change") or [] if "OldImage" in p["dynamodb"]
    ]

    assert sorted(freed["dynamodb"]["OldImage"]["status"]["S"]) == holding
    (refused,) = freed["dynamodb"]["NewImage"]["status"]["S"]
    assert sorted(refused["anything-but"]) == holding
