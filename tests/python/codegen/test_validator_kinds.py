"""Every Convex validator kind maps to one Python type, and values survive the wire
(the generated models -> call_args -> Convex JSON encoding -> decoding -> the models)."""

from __future__ import annotations

import base64
import importlib
import json
import math
import struct
import typing
from typing import Any, Literal

import pydantic
import pytest

from .helpers import Recorder, build_sdk, decode, encode, fake_clients


def field(validator: dict[str, Any], optional: bool = False) -> dict[str, Any]:
    return {"fieldType": validator, "optional": optional}


def int64_literal(n: int) -> dict[str, str]:
    return {"$integer": base64.b64encode(struct.pack("<q", n)).decode()}


TAGGED = {
    "type": "union",
    "value": [
        {
            "type": "object",
            "value": {
                "kind": field({"type": "literal", "value": "circle"}),
                "radius": field({"type": "number"}),
            },
        },
        {
            "type": "object",
            "value": {
                "kind": field({"type": "literal", "value": "square"}),
                "side": field({"type": "bigint"}),
            },
        },
    ],
}
KINDS: dict[str, dict[str, Any]] = {
    "nothing": field({"type": "null"}),
    "num": field({"type": "number"}),
    "big": field({"type": "bigint"}),
    "flag": field({"type": "boolean"}),
    "text": field({"type": "string"}),
    "blob": field({"type": "bytes"}),
    "anything": field({"type": "any"}),
    "word": field({"type": "literal", "value": "hello"}),
    "seven": field({"type": "literal", "value": int64_literal(7)}),
    "two": field({"type": "literal", "value": 2}),  # v.literal(2): a float64 literal
    "yes": field({"type": "literal", "value": True}),
    "widget": field({"type": "id", "tableName": "widgets"}),
    "nums": field({"type": "array", "value": {"type": "number"}}),
    "counts": field(
        {
            "type": "record",
            "keys": {"type": "string"},
            "values": {"fieldType": {"type": "bigint"}, "optional": False},
        }
    ),
    "shape": field(TAGGED),
    "shapes": field({"type": "array", "value": TAGGED}),
    "either": field({"type": "union", "value": [{"type": "string"}, {"type": "number"}]}),
    "maybe": field({"type": "union", "value": [{"type": "string"}, {"type": "null"}]}),
    "note": field({"type": "string"}, optional=True),
    "maybeNote": field(
        {"type": "union", "value": [{"type": "string"}, {"type": "null"}]}, optional=True
    ),
    "nested": field(
        {
            "type": "object",
            "value": {
                "inner": field({"type": "string"}, optional=True),
                "deeper": field(
                    {
                        "type": "object",
                        "value": {"count": field({"type": "bigint"}, optional=True)},
                    },
                    optional=True,
                ),
            },
        }
    ),
}
OBJECT = {"type": "object", "value": KINDS}
SPEC = {
    "functions": [
        {
            "identifier": "kinds.js:echoKinds",
            "functionType": "Mutation",
            "visibility": {"kind": "public"},
            "args": {"type": "object", "value": {"value": field(OBJECT)}},
            "returns": OBJECT,
        }
    ]
}

VALUE = {
    "nothing": None,
    "num": 1.5,
    "big": -(2**63),
    "flag": True,
    "text": "héllo",
    "blob": b"\x00\x01\xff",
    "anything": {"a": [1.0, None]},
    "word": "hello",
    "seven": 7,
    "two": 2,
    "yes": True,
    "widget": "w123",
    "nums": [0.0, -1.25],
    "counts": {"a": 2**62},
    "shape": {"kind": "circle", "radius": 2.0},
    "shapes": [{"kind": "square", "side": 3}, {"kind": "circle", "radius": 0.5}],
    "either": "x",
    "maybe": None,
    "nested": {"deeper": {}},
}


@pytest.fixture(scope="module")
def kinds(tmp_path_factory: pytest.TempPathFactory) -> Any:
    build_sdk(tmp_path_factory.mktemp("kinds"), SPEC, package="kinds_sdk", component=False)
    from kinds_sdk._generated import models  # the package under test has no `types` of its own

    return models


def hint(model: type[pydantic.BaseModel], name: str) -> Any:
    return model.model_fields[name].annotation


def test_python_type_per_kind(kinds: Any) -> None:
    result = kinds.EchoKindsValue
    assert hint(result, "nothing") is type(None)
    assert hint(result, "num") is float
    assert hint(result, "big") is int  # Int64: int held to the int64 range
    assert {type(m).__name__ for m in result.model_fields["big"].metadata} >= {"Ge", "Le"}
    assert hint(result, "flag") is bool
    assert hint(result, "text") is str
    assert hint(result, "blob") is bytes
    assert hint(result, "anything") is Any
    assert hint(result, "word") == Literal["hello"]
    assert hint(result, "seven") == Literal[7]  # an int64 literal
    assert hint(result, "two") == Literal[2]  # a float64 literal: an int in Python, 2.0 sent
    assert hint(result, "yes") == Literal[True]
    assert hint(result, "widget") is kinds.WidgetId and kinds.WidgetId.__supertype__ is str
    assert hint(result, "nums") == list[float]
    assert typing.get_origin(hint(result, "counts")) is dict
    # a named tagged union, discriminated by its tag
    assert (
        hint(result, "shape") == kinds.EchoKindsValueShapeCircle | kinds.EchoKindsValueShapeSquare
    )
    assert result.model_fields["shape"].discriminator == "kind"
    assert hint(result, "either") == str | float
    assert hint(result, "maybe") == str | None
    assert hint(result, "note") == str | None and result.model_fields["note"].default is None
    assert hint(result, "nested") is kinds.EchoKindsValueNested
    assert result.model_fields["maybe_note"].alias == "maybeNote"


def roundtrip(kinds: Any, value: dict[str, Any]) -> tuple[Any, Any]:
    """What the server receives for `value`, and what the SDK returns when it echoes it."""
    recorder = Recorder({"kinds:echoKinds": lambda args: args["value"]})
    client, _ = fake_clients("kinds_sdk", recorder)
    result = client.kinds.echo_kinds(value=kinds.EchoKindsValue.model_validate(value))
    return recorder.calls[-1][2]["value"], result


def test_every_kind_round_trips_on_the_wire(kinds: Any) -> None:
    sent, result = roundtrip(kinds, VALUE)
    assert sent == VALUE  # absent optionals stayed absent, nested too
    assert isinstance(sent["big"], int) and isinstance(sent["counts"]["a"], int)
    assert isinstance(sent["num"], float) and isinstance(sent["seven"], int)
    assert isinstance(sent["two"], float) and sent["two"] == 2.0  # sent as float64, not $integer
    assert result.model_dump(by_alias=True, exclude_unset=True) == VALUE
    assert result.shapes[0].side == 3 and type(result.shapes[1]).__name__.endswith("Circle")
    assert result.note is None and "note" not in result.model_fields_set


def test_int64_is_sent_as_integer_and_float64_as_number(kinds: Any) -> None:
    payload = json.dumps(encode({"big": 2**63 - 1, "num": 3.0}))
    assert json.loads(payload) == {
        "big": {
            "$integer": base64.b64encode((2**63 - 1).to_bytes(8, "little", signed=True)).decode()
        },
        "num": 3.0,
    }
    with pytest.raises(pydantic.ValidationError):
        kinds.EchoKindsValue.model_validate({**VALUE, "big": 2**63})  # beyond int64
    sent, _ = roundtrip(kinds, {**VALUE, "num": 3})  # a Python int for a float64 field
    assert isinstance(sent["num"], float)


@pytest.mark.parametrize("special", [math.nan, math.inf, -math.inf, -0.0])
def test_special_floats_round_trip(kinds: Any, special: float) -> None:
    assert "$float" in encode(special)
    sent, result = roundtrip(kinds, {**VALUE, "num": special, "nums": [special]})
    for got in (sent["num"], result.num, result.nums[0]):
        if math.isnan(special):
            assert math.isnan(got)
        else:
            assert got == special and math.copysign(1, got) == math.copysign(1, special)


def test_bytes_round_trip(kinds: Any) -> None:
    data = bytes(range(256))
    assert decode(json.loads(json.dumps(encode(data)))) == data
    sent, result = roundtrip(kinds, {**VALUE, "blob": data})
    assert sent["blob"] == data and result.blob == data


def test_nested_optionals_absent_is_not_none(kinds: Any) -> None:
    sent, result = roundtrip(
        kinds, {**VALUE, "nested": {"inner": "x", "deeper": {"count": 5}}, "maybeNote": None}
    )
    assert sent["nested"] == {"inner": "x", "deeper": {"count": 5}}
    assert sent["maybeNote"] is None  # optional AND nullable: an explicit None is sent
    assert result.nested.deeper.count == 5
    # optional but not nullable: None means "not given", never a null on the wire
    model = kinds.EchoKindsValue.model_validate({**VALUE, "note": None})
    assert "note" not in model.model_dump(by_alias=True, exclude_unset=True)


def test_unions_pick_the_tagged_member_and_refuse_unknown_tags(kinds: Any) -> None:
    _, result = roundtrip(kinds, {**VALUE, "shape": {"kind": "square", "side": 4}, "either": 2.5})
    assert type(result.shape).__name__ == "EchoKindsValueShapeSquare" and result.either == 2.5
    with pytest.raises(pydantic.ValidationError, match="kind"):
        kinds.EchoKindsValue.model_validate({**VALUE, "shape": {"kind": "hexagon"}})
    with pytest.raises(pydantic.ValidationError):
        kinds.EchoKindsValue.model_validate({**VALUE, "word": "bye"})


def test_untyped_values_send_python_ints_as_float64(kinds: Any) -> None:
    """v.any(): ints become the numbers JavaScript sees (as the official client sends them);
    what the server sends back is left as it came."""
    value = {**VALUE, "anything": {"n": 7, "nested": [1, True, None, 2.5], "text": "x"}}
    sent, result = roundtrip(kinds, value)
    assert sent["anything"] == {"n": 7.0, "nested": [1.0, True, None, 2.5], "text": "x"}
    assert isinstance(sent["anything"]["n"], float) and sent["anything"]["nested"][1] is True
    assert result.anything == sent["anything"]  # echoed back as the numbers that were sent
    assert isinstance(sent["big"], int)  # a typed int64 field is still an int64
    from_server = kinds.EchoKindsValue.model_validate(
        {**VALUE, "anything": {"n": 7}}, context={"convex_from_server": True}
    )
    assert isinstance(from_server.anything["n"], int)  # an int64 the server stored stays int


def test_untyped_ints_beyond_float64_precision_are_refused(kinds: Any) -> None:
    recorder = Recorder({"kinds:echoKinds": lambda args: args["value"]})
    client, _ = fake_clients("kinds_sdk", recorder)
    with pytest.raises(Exception, match="does not fit a float64") as refused:
        client.kinds.echo_kinds(value={**VALUE, "anything": {"id": 2**60}})
    assert type(refused.value).__name__ == "InvalidArgumentError"
    assert recorder.calls == []  # nothing was sent


# ---- every kind convex 1.48 exports, and literals of any content -----------------------------

ODD = 'quote " backslash \\ newline \n triple """ end \u2028 😀'
MORE_VALUE = {
    "stamp": {"type": "commitTs"},  # v.commitTs(): an int64
    "level": {"type": "union", "value": [{"type": "literal", "value": n} for n in (1, 2, 3)]},
    "code": {
        "type": "union",
        "value": [{"type": "literal", "value": int64_literal(n)} for n in (7, 8)],
    },
    "half": {"type": "literal", "value": 0.5},  # a float64 literal that is not a whole number
    "odd": {"type": "literal", "value": ODD},
    "byId": {
        "type": "record",
        "keys": {"type": "id", "tableName": "widgets"},
        "values": {"fieldType": {"type": "number"}, "optional": False},
    },
    "nestedUnion": {
        "type": "union",
        "value": [
            {"type": "string"},
            {"type": "union", "value": [{"type": "null"}, {"type": "boolean"}]},
        ],
    },
    "a-b": {"type": "string"},  # field names need not be identifiers
    "class": {"type": "string"},
}
MORE = {
    "functions": [
        {
            "identifier": "more.js:echo",
            "functionType": "Mutation",
            "visibility": {"kind": "public"},
            "args": {
                "type": "object",
                "value": {k: field(v, optional=(k == "half")) for k, v in MORE_VALUE.items()},
            },
            "returns": {
                "type": "object",
                "value": {k: field(v, optional=(k == "half")) for k, v in MORE_VALUE.items()},
            },
        }
    ]
}


@pytest.fixture(scope="module")
def more(tmp_path_factory: pytest.TempPathFactory) -> Any:
    build_sdk(tmp_path_factory.mktemp("more"), MORE, package="more_sdk", component=False)
    return importlib.import_module("more_sdk._generated")


def test_commit_ts_numeric_literal_unions_and_escaped_literals(more: Any) -> None:
    import inspect

    recorder = Recorder({"more:echo": lambda args: args})
    client, _ = fake_clients("more_sdk", recorder)
    params = inspect.signature(client.more.echo).parameters
    assert params["stamp"].annotation == "int"
    assert params["level"].annotation == "Literal[1, 2, 3]"
    assert params["code"].annotation == "Literal[7, 8]"
    assert params["half"].annotation == "float | Omit"
    assert params["by_id"].annotation == "dict[WidgetId, float]"
    assert params["nested_union"].annotation == "str | bool | None"
    assert {"a_b", "class_"} <= set(params)
    result = client.more.echo(
        stamp=2**62, level=2, code=8, half=0.5, odd=ODD, by_id={"w1": 1}, nested_union=None,
        a_b="x", class_="y",
    )  # fmt: skip
    sent = recorder.calls[-1][2]
    assert isinstance(sent["stamp"], int) and sent["stamp"] == 2**62  # int64 on the wire
    assert sent["level"] == 2.0 and isinstance(sent["level"], float)  # float64 literal
    assert sent["code"] == 8 and isinstance(sent["code"], int)  # int64 literal
    assert sent["odd"] == ODD and sent["a-b"] == "x" and sent["class"] == "y"
    assert sent["byId"] == {"w1": 1.0} and sent["nestedUnion"] is None
    assert (result.level, result.code, result.odd, result.stamp) == (2, 8, ODD, 2**62)
    with pytest.raises(Exception, match="INVALID_ARGUMENT"):
        client.more.echo(
            stamp=1, level=4, code=8, odd=ODD, by_id={}, nested_union="s", a_b="", class_=""
        )
    with pytest.raises(Exception, match="INVALID_ARGUMENT"):
        client.more.echo(
            stamp=1, level=1, code=8, half=0.25, odd=ODD, by_id={}, nested_union="s", a_b="",
            class_="",
        )  # fmt: skip
    with pytest.raises(Exception, match="INVALID_ARGUMENT"):
        client.more.echo(
            stamp=1, level=1, code=8, odd="other", by_id={}, nested_union="s", a_b="", class_=""
        )


def test_literal_text_stays_exact_in_code_and_docstrings(more: Any) -> None:
    import inspect

    from more_sdk._generated.resources import more as module

    doc = module.More.echo.__doc__ or ""
    annotation = inspect.signature(module.More.echo).parameters["odd"].annotation
    assert '"""' in annotation and f"odd ({annotation})" in doc  # escaped in the source
    models = importlib.import_module("more_sdk._generated.models")
    assert typing.get_args(models.EchoArgs.model_fields["odd"].annotation) == (ODD,)
