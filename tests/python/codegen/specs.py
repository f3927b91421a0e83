"""Small builders for function specs in tests (the JSON `exportArgs()` prints)."""

from __future__ import annotations

import base64
import struct
from typing import Any


def field(validator: dict[str, Any], optional: bool = False) -> dict[str, Any]:
    return {"fieldType": validator, "optional": optional}


def obj(**fields: Any) -> dict[str, Any]:
    """``obj(a=S, b=opt(N))``: an object validator (names as keyword arguments)."""
    return {
        "type": "object",
        "value": {k: v if "fieldType" in v else field(v) for k, v in fields.items()},
    }


def obj_of(fields: dict[str, Any]) -> dict[str, Any]:
    """An object validator whose field names are not Python identifiers (``_id``, ``list``)."""
    return obj(**fields)


def opt(validator: dict[str, Any]) -> dict[str, Any]:
    return field(validator, optional=True)


def union(*members: dict[str, Any]) -> dict[str, Any]:
    return {"type": "union", "value": list(members)}


def lit(value: Any) -> dict[str, Any]:
    return {"type": "literal", "value": value}


def int64_lit(n: int) -> dict[str, Any]:
    encoded = base64.b64encode(struct.pack("<q", n)).decode()
    return {"type": "literal", "value": {"$integer": encoded}}


def arr(item: dict[str, Any]) -> dict[str, Any]:
    return {"type": "array", "value": item}


def record(keys: dict[str, Any], values: dict[str, Any]) -> dict[str, Any]:
    return {"type": "record", "keys": keys, "values": field(values)}


S = {"type": "string"}
N = {"type": "number"}
I64 = {"type": "bigint"}
B = {"type": "boolean"}
NULL = {"type": "null"}
ANY = {"type": "any"}


def fn(
    identifier: str,
    args: dict[str, Any] | None,
    returns: dict[str, Any] | None,
    kind: str = "Query",
) -> dict[str, Any]:
    return {
        "identifier": identifier,
        "functionType": kind,
        "visibility": {"kind": "public"},
        "args": args if args is not None else {"type": "any"},
        "returns": returns,
    }


def spec(*functions: dict[str, Any], component: str | None = None) -> dict[str, Any]:
    return {"component": component, "functions": list(functions)}
