"""convex_encoded_json: byte-exact against the official `convex` npm package."""

from __future__ import annotations

import json
import math
import shutil
import subprocess
from pathlib import Path
from typing import Any

import pytest
from convex_agent_memory import _encoding
from convex_agent_memory._encoding import decode_value, dumps, encode_value, loads

ROOT = Path(__file__).resolve().parents[3]


@pytest.fixture(autouse=True, params=["stdlib json", "orjson"])
def json_backend(request: pytest.FixtureRequest, monkeypatch: pytest.MonkeyPatch) -> None:
    """Every test runs with and without the optional orjson accelerator."""
    if request.param == "orjson":
        if _encoding._orjson is None:
            pytest.skip("orjson is not installed")
    else:
        monkeypatch.setattr(_encoding, "_orjson", None)


# Produced by `convexToJson` of the convex npm package (node_modules/convex, values/value.js).
REFERENCE: list[tuple[str, Any, Any]] = [
    ("zero", 0, {"$integer": "AAAAAAAAAAA="}),
    ("one", 1, {"$integer": "AQAAAAAAAAA="}),
    ("minus one", -1, {"$integer": "//////////8="}),
    ("int64 max", 2**63 - 1, {"$integer": "/////////38="}),
    ("int64 min", -(2**63), {"$integer": "AAAAAAAAAIA="}),
    ("a timestamp", 1795384212830, {"$integer": "Xv08BaIBAAA="}),
    ("NaN", math.nan, {"$float": "AAAAAAAA+H8="}),
    ("inf", math.inf, {"$float": "AAAAAAAA8H8="}),
    ("-inf", -math.inf, {"$float": "AAAAAAAA8P8="}),
    ("-0.0", -0.0, {"$float": "AAAAAAAAAIA="}),
    ("plain float", 1.5, 1.5),
    ("bytes", bytes([0, 1, 2, 250, 255]), {"$bytes": "AAEC+v8="}),
    ("empty bytes", b"", {"$bytes": ""}),
    (
        "nested",
        {"a": {"c": b"hi"}, "b": [1, -0.0, "x", None, True]},
        {
            "a": {"c": {"$bytes": "aGk="}},
            "b": [{"$integer": "AQAAAAAAAAA="}, {"$float": "AAAAAAAAAIA="}, "x", None, True],
        },
    ),
]


@pytest.mark.parametrize(("name", "value", "wire"), REFERENCE, ids=[r[0] for r in REFERENCE])
def test_encodes_like_the_official_js_client(name: str, value: Any, wire: Any) -> None:
    assert encode_value(value) == wire


@pytest.mark.parametrize(("name", "value", "wire"), REFERENCE, ids=[r[0] for r in REFERENCE])
def test_decodes_what_the_official_js_client_encodes(name: str, value: Any, wire: Any) -> None:
    decoded = decode_value(wire)
    assert repr(decoded) == repr(value)  # repr tells NaN, -0.0 and 0.0 apart
    assert repr(loads(json.dumps(wire))) == repr(value)


def test_plain_values_pass_through() -> None:
    value = {"s": "héllo", "f": 0.25, "t": True, "n": None, "l": [0.5, "a"], "e": {}}
    assert encode_value(value) == value
    assert loads(dumps(value)) == value


def test_tuples_and_bytes_likes() -> None:
    assert encode_value((1.0, 2.0)) == [1.0, 2.0]
    assert encode_value(bytearray(b"\x00\x01")) == {"$bytes": "AAE="}
    assert encode_value(memoryview(b"\x00\x01")) == {"$bytes": "AAE="}


def test_bool_is_not_an_integer() -> None:
    assert encode_value(True) is True
    assert encode_value([False]) == [False]


def test_integral_json_numbers_decode_as_floats() -> None:
    value = loads(b'{"count": 3, "ts": 1795384212830, "xs": [1, 2.5]}')
    assert value == {"count": 3.0, "ts": 1795384212830.0, "xs": [1.0, 2.5]}
    assert all(type(x) is float for x in (value["count"], value["ts"], *value["xs"]))
    assert type(decode_value(7)) is float


def test_int_out_of_int64_range_is_refused() -> None:
    with pytest.raises(ValueError, match="64-bit"):
        encode_value(2**63)
    with pytest.raises(ValueError, match="64-bit"):
        encode_value(-(2**63) - 1)


@pytest.mark.parametrize(
    "key",
    ["$id", "a" * 1025, "caf\u00e9", "tab\there", "__proto__"],
    ids=["dollar", "long", "non-ascii", "control", "proto"],
)
def test_field_names_convex_refuses(key: str) -> None:
    with pytest.raises(ValueError, match="field name"):
        encode_value({key: 1.0})


def test_non_string_keys_are_refused() -> None:
    with pytest.raises(ValueError, match="keys must be str"):
        encode_value({1: "x"})


def test_errors_say_where_the_bad_value_is() -> None:
    with pytest.raises(ValueError, match=r"at \.messages\[1\]\.meta"):
        encode_value({"messages": [{"meta": {}}, {"meta": {"$bad": 1.0}}]})
    with pytest.raises(TypeError, match=r"set .*at \.tags"):
        encode_value({"tags": {"a"}})


def test_unsupported_types() -> None:
    with pytest.raises(TypeError):
        encode_value(object())
    with pytest.raises(TypeError):
        encode_value(frozenset())


def test_enums_encode_as_their_value() -> None:
    import enum

    class Role(enum.StrEnum):
        USER = "user"

    assert encode_value({"role": Role.USER}) == {"role": "user"}


def test_numpy_arrays_and_scalars() -> None:
    np = pytest.importorskip("numpy")
    vector = np.array([0.5, -0.0, 1.0], dtype=np.float32)
    assert encode_value(vector) == [0.5, {"$float": "AAAAAAAAAIA="}, 1.0]
    assert encode_value(np.zeros((2, 2))) == [[0.0, 0.0], [0.0, 0.0]]
    assert encode_value(np.float32(0.5)) == 0.5
    assert encode_value(np.float64(0.25)) == 0.25
    assert encode_value(np.int64(1)) == {"$integer": "AQAAAAAAAAA="}
    assert encode_value(np.bool_(True)) is True
    assert encode_value({"v": np.array([1.5])}) == {"v": [1.5]}
    # Vectors take a fast path; special values still come out as $float.
    assert encode_value(np.array([1.0, np.nan]))[1] == {"$float": "AAAAAAAA+H8="}
    assert encode_value(np.array([np.inf, 2.0]))[0] == {"$float": "AAAAAAAA8H8="}
    assert encode_value([1.0, math.nan, 2.0])[1] == {"$float": "AAAAAAAA+H8="}
    assert encode_value(np.array([1, 2], dtype=np.int8)) == [
        {"$integer": "AQAAAAAAAAA="},
        {"$integer": "AgAAAAAAAAA="},
    ]


def test_unknown_dollar_objects_are_refused_when_decoding() -> None:
    with pytest.raises(ValueError):
        decode_value({"$set": "AA=="})
    with pytest.raises(ValueError):
        decode_value({"$integer": "AAAA"})
    with pytest.raises(ValueError):
        loads('{"$bytes": "not base64!"}')


def test_json_numbers_beyond_64_bits_still_parse() -> None:
    assert loads(b'{"x": 123456789012345678901234567890}') == {"x": 1.2345678901234568e29}


def test_dumps_is_compact_utf8() -> None:
    assert dumps({"s": "\u2603", "l": [0.5, None]}) == '{"s":"\u2603","l":[0.5,null]}'.encode()


def test_round_trip() -> None:
    value = {"i": -5, "f": math.inf, "b": b"\xff", "l": [[1.0], {"x": -0.0}], "s": "\u2603"}
    back = loads(dumps(value))
    assert repr(back) == repr(value)


NODE_SCRIPT = r"""
import { convexToJson, jsonToConvex } from "convex/values";
const input = JSON.parse(process.argv[1]);
// Decode what Python encoded, then encode it again: the JS view of the same value.
console.log(JSON.stringify(input.map((v) => convexToJson(jsonToConvex(v)))));
"""


@pytest.mark.skipif(
    shutil.which("node") is None or not (ROOT / "node_modules" / "convex").exists(),
    reason="node and node_modules/convex are needed",
)
def test_the_js_client_reads_and_rewrites_python_encodings_identically() -> None:
    values: list[Any] = [
        12345678901234,
        -(2**63),
        math.nan,
        -0.0,
        0.1,
        b"\x00\xff\x10",
        {"z": [1, 2.0, None], "a": {"inner": b""}},
        "\u2603 snow",
    ]
    encoded = [encode_value(v) for v in values]
    result = subprocess.run(
        ["node", "--input-type=module", "-e", NODE_SCRIPT, json.dumps(encoded)],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,  # so that `convex` resolves from node_modules
        timeout=60,
    )
    assert json.loads(result.stdout) == encoded
