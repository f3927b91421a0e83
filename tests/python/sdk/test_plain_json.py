"""`is_plain_json`: the one rule the adapters use to tell a JSON value Convex stores as it is
from one that stays in JSON text only (the field-name rule is `check_field_name`'s)."""

from __future__ import annotations

import json

import pytest
from convex_agent_memory._encoding import is_plain_json


@pytest.mark.parametrize(
    "value",
    [None, True, 0, -(2**70), 1.5, "x", [], {}, {"a": [1, {"b": None}]}, {"a.b": 1, "_x": 2}],
)
def test_plain(value: object) -> None:
    assert is_plain_json(value)


@pytest.mark.parametrize(
    "text",
    [
        '{"$ref": 1}',
        '{"__proto__": {}}',
        '{"caf\\u00e9": 1}',
        '{"tab\\there": 1}',
        '{"a": [{"$b": 1}]}',
        '{"x": NaN}',
        '{"x": [Infinity]}',
        json.dumps({"k" * 1025: 1}),
    ],
)
def test_not_plain(text: str) -> None:
    assert not is_plain_json(json.loads(text))
