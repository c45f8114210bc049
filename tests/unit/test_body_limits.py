"""How deep a JSON text nests is told without parsing it, strings and escapes aside."""

from __future__ import annotations

import json

import pytest

from chalicelib.entrypoints.http.errors import MAX_NESTING, nested_deeper_than


@pytest.mark.parametrize(
    ("text", "depth"),
    [
        (b"null", 0),
        (b'{"name": "Ada"}', 1),
        (b'{"slots": [{"capacity": 1}]}', 3),
        (b"[[], [[]], {}]", 3),
        (b'{"name": "[[[[{{{{"}', 1),
        (b'{"name": "a \\" [[[[ \\\\"}', 1),
        (b'{"name": "\\\\", "x": [[1]]}', 3),
    ],
)
def test_the_depth_of_a_json_text_counts_only_its_arrays_and_objects(
    text: bytes, depth: int
) -> None:
    json.loads(text)  # each is valid JSON
    assert not nested_deeper_than(text, depth)
    assert nested_deeper_than(text, depth - 1) == (depth > 0)


def test_a_text_nested_a_thousand_deep_is_told_without_recursion() -> None:
    deep = b"[" * 1000 + b"]" * 1000
    assert nested_deeper_than(deep, MAX_NESTING)
    assert nested_deeper_than(b'{"a":' * 100_000, MAX_NESTING)
