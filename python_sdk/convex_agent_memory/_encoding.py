"""Convex values <-> ``convex_encoded_json``, the wire format of Convex's HTTP API.

Python value            wire
----------------------  ---------------------------------------------------------------
None, bool, str         JSON as is
float                   JSON number; NaN, +-inf and -0.0 as ``{"$float": base64(LE f64)}``
int (not bool)          ``{"$integer": base64(LE i64)}`` (Convex ``v.int64()``; out of range
                        is a ValueError). A float64 field wants a float: pass ``1.0``.
bytes-like              ``{"$bytes": base64}``
dict (str keys)         JSON object; keys must be ASCII, printable, at most 1,024 chars,
                        not start with ``$`` and not be ``__proto__`` (ValueError otherwise)
list, tuple             JSON array
numpy array / scalar    as the Python values ``.tolist()`` / ``.item()`` give (a float array
                        becomes a list of floats); numpy is never imported here

Vectors may travel packed instead: :func:`pack_float32` turns a numpy array or a list into
little-endian float32 bytes (``{"$bytes": ...}``, 4 bytes a number against about 20 as JSON
text), which the component's ``v.union(v.array(v.float64()), v.bytes())`` vector fields
take and store as exactly those float32 values.

Decoding is the reverse, with one rule the official JS client also follows: every JSON
number is a float64, including integral ones (``1795384212830`` reads as ``1795384212830.0``).
This mirrors ``convexToJson`` / ``jsonToConvex`` of the ``convex`` npm package.
"""

from __future__ import annotations

import array
import base64
import binascii
import enum
import json
import math
import struct
import sys
from collections.abc import Callable
from typing import Any

try:  # optional accelerator (the "fast" extra): about 10x faster on large vector batches
    import orjson as _orjson
except ImportError:  # pragma: no cover - exercised by forcing _orjson = None in tests
    _orjson = None  # type: ignore[assignment]

__all__ = [
    "check_field_name",
    "decode_value",
    "dumps",
    "encode_value",
    "ints_as_float64",
    "is_plain_json",
    "loads",
    "pack_float32",
    "serialize",
    "unpack_float32",
]

_MIN_INT64 = -(2**63)
_MAX_INT64 = 2**63 - 1
_MAX_FIELD_NAME_LENGTH = 1024
_F64 = struct.Struct("<d")
_I64 = struct.Struct("<q")


class _PathError(ValueError):
    """Carries the location of a bad value out of the recursion (reported as ValueError)."""


def _b64(data: bytes) -> str:
    return base64.b64encode(data).decode("ascii")


def _encode_float(value: float) -> Any:
    # NaN, +-inf and -0.0 do not survive a JSON number; everything else does.
    if (
        value != value
        or value in (math.inf, -math.inf)
        or (value == 0.0 and math.copysign(1.0, value) < 0)
    ):
        return {"$float": _b64(_F64.pack(value))}
    return value


def _encode_int(value: int) -> Any:
    if not _MIN_INT64 <= value <= _MAX_INT64:
        raise ValueError(f"int {value} does not fit into a 64-bit signed integer")
    return {"$integer": _b64(_I64.pack(value))}


#: Integers a float64 holds exactly (JavaScript's safe range, both ends included).
FLOAT64_EXACT_INT = 2**53


def ints_as_float64(value: Any) -> Any:
    """``value`` with every ``int`` (not ``bool``) turned into a float, at any depth.

    For untyped values (``v.any()``, metadata, message parts): JavaScript functions see
    numbers, so a Python ``int`` there is sent as a float64, as the official ``convex``
    client sends it, not as an int64 ``BigInt``. An int a float64 cannot hold exactly is
    refused (ValueError) rather than rounded.
    """
    if isinstance(value, bool) or value is None:
        return value
    if isinstance(value, int):
        if not -FLOAT64_EXACT_INT <= value <= FLOAT64_EXACT_INT:
            raise ValueError(
                f"the integer {value} does not fit a float64 exactly (an untyped value is "
                "sent as JavaScript numbers): send it as a string or a float"
            )
        return float(value)
    if isinstance(value, dict):
        return {key: ints_as_float64(item) for key, item in value.items()}
    if isinstance(value, (list, tuple)):
        return [ints_as_float64(item) for item in value]
    return value


_BIG_ENDIAN = sys.byteorder == "big"


def pack_float32(vector: Any) -> bytes:
    """A vector as packed little-endian float32 bytes (4 per number), for the vector fields
    that take ``bytes`` (``upsert``'s vectors, ``updateVector``, ``query``'s ``queryVector``).

    Takes a one-dimensional numpy array of any numeric dtype, or a sequence of numbers;
    values are rounded to float32, which is what the component then stores. A value that
    is not finite as a float32 (NaN, an infinity, beyond +-3.4e38) is a ValueError.
    """
    if hasattr(vector, "dtype") and hasattr(vector, "astype"):
        if getattr(vector, "ndim", 1) != 1:
            raise ValueError(f"a vector must be one-dimensional, got shape {vector.shape}")
        packed = vector.astype("<f4", copy=False)
        # A finite dot product means every value is finite (the fast check); it may also
        # overflow with finite values beyond about 1e19, so then look value by value.
        if not math.isfinite(packed.dot(packed)):
            import numpy  # the array is numpy's: numpy is there

            if not numpy.isfinite(packed).all():
                raise ValueError("a vector holds a number that is not finite as a float32")
        data: bytes = packed.tobytes()
        return data
    try:
        floats = array.array("f", vector)
    except TypeError as error:
        raise ValueError(f"a vector must hold numbers: {error}") from error
    # A float64 sum of float32 values cannot overflow: it is finite unless one is not.
    if not math.isfinite(sum(floats)):
        raise ValueError("a vector holds a number that is not finite as a float32")
    if _BIG_ENDIAN:  # pragma: no cover - little-endian machines only here
        floats.byteswap()
    return floats.tobytes()


def unpack_float32(data: bytes) -> list[float]:
    """The numbers of a packed little-endian float32 vector, as Python floats."""
    if len(data) % 4:
        raise ValueError(f"a packed float32 vector has a multiple of 4 bytes, not {len(data)}")
    floats = array.array("f")
    floats.frombytes(data)
    if _BIG_ENDIAN:  # pragma: no cover
        floats.byteswap()
    return floats.tolist()


def check_field_name(key: object) -> str:
    """Returns ``key`` if Convex accepts it as a field name; ValueError otherwise."""
    return _check_field_name(key)


def is_plain_json(value: Any) -> bool:
    """Whether a JSON value (``json.loads``'s output) is stored by Convex as it is: every key
    a field name Convex keeps (:func:`check_field_name`) and every number finite. The adapters
    keep anything else in JSON text only."""
    if isinstance(value, dict):
        for key, item in value.items():
            try:
                _check_field_name(key)
            except ValueError:
                return False
            if not is_plain_json(item):
                return False
        return True
    if isinstance(value, list):
        return all(is_plain_json(item) for item in value)
    if isinstance(value, float):
        return math.isfinite(value)
    return value is None or isinstance(value, str | bool | int)


def _check_field_name(key: object) -> str:
    if type(key) is not str:
        if isinstance(key, str):
            return _check_field_name(str(key))
        raise ValueError(f"object keys must be str, got {type(key).__name__} {key!r}")
    if key.startswith("$"):
        raise ValueError(f"field name {key!r} starts with a '$', which is reserved")
    if key == "__proto__":
        # JavaScript functions decode it into an object's prototype: it would be lost.
        raise ValueError("field name '__proto__' cannot be kept in a Convex object: use JSON text")
    if len(key) > _MAX_FIELD_NAME_LENGTH:
        raise ValueError(f"field name {key[:40]!r}... exceeds {_MAX_FIELD_NAME_LENGTH} characters")
    if not key.isascii() or not key.isprintable():
        raise ValueError(
            f"field name {key!r} has a character Convex refuses: only printable ASCII is allowed"
        )
    return key


def _encode_dict(value: dict[Any, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for key, item in value.items():
        name = _check_field_name(key)
        try:
            out[name] = _encode(item)
        except _PathError as error:
            raise _PathError(f".{name}{error.args[0]}", *error.args[1:]) from error.__cause__
        except (ValueError, TypeError) as error:
            raise _PathError(f".{name}", error) from error
    return out


_ONLY_FLOATS = frozenset({float})
_ONLY_STRS = frozenset({str})
_FLOAT_OR_STR = frozenset({float, str})


def _encode_list(value: list[Any] | tuple[Any, ...]) -> list[Any]:
    # The hot path (vectors): all plain floats, no zero (-0.0 hides among zeros), and a
    # finite sum (a NaN or an infinity would make it non-finite). All checks run in C.
    kinds = set(map(type, value))
    if (kinds == _ONLY_FLOATS and 0.0 not in value and math.isfinite(sum(value))) or (
        kinds == _ONLY_STRS
    ):
        return value if type(value) is list else list(value)
    out: list[Any] = []
    append = out.append
    for index, item in enumerate(value):
        kind = type(item)
        # The hot path (vectors): plain finite floats and strings go through untouched.
        if kind is float and item - item == 0.0 and item != 0.0:
            append(item)
            continue
        if kind is str:
            append(item)
            continue
        try:
            append(_encode(item))
        except _PathError as error:
            raise _PathError(f"[{index}]{error.args[0]}", *error.args[1:]) from error.__cause__
        except (ValueError, TypeError) as error:
            raise _PathError(f"[{index}]", error) from error
    return out


def _encode_numpy(value: Any) -> Any:
    # ndarray.tolist() / generic.item() give Python floats, ints, bools (and nested lists).
    if hasattr(value, "tolist") and hasattr(value, "dtype"):
        if getattr(value, "ndim", 0) == 1 and value.dtype.kind == "f" and value.all():
            # A vector with no zero: finite values need no per-element look (checked in C).
            as_list = value.tolist()
            if math.isfinite(sum(as_list)):
                return as_list
        return _encode(value.tolist())
    raise TypeError(f"{type(value).__name__} is not a supported Convex type")


_ENCODERS: dict[type, Callable[[Any], Any]] = {
    type(None): lambda v: None,
    bool: lambda v: v,
    str: lambda v: v,
    float: _encode_float,
    int: _encode_int,
    dict: _encode_dict,
    list: _encode_list,
    tuple: _encode_list,
    bytes: lambda v: {"$bytes": _b64(v)},
    bytearray: lambda v: {"$bytes": _b64(bytes(v))},
    memoryview: lambda v: {"$bytes": _b64(v.tobytes())},
}


def _encode(value: Any) -> Any:
    encoder = _ENCODERS.get(type(value))
    if encoder is not None:
        return encoder(value)
    # Subclasses and look-alikes, slower path.
    if isinstance(value, enum.Enum):
        return _encode(value.value)
    if isinstance(value, bool):
        return bool(value)
    if isinstance(value, int):
        return _encode_int(int(value))
    if isinstance(value, float):
        return _encode_float(float(value))
    if isinstance(value, str):
        return str(value)
    if isinstance(value, dict):
        return _encode_dict(value)
    if isinstance(value, list | tuple):
        return _encode_list(value)
    if isinstance(value, bytes | bytearray | memoryview):
        return {"$bytes": _b64(bytes(value))}
    if type(value).__module__ == "numpy":
        return _encode_numpy(value)
    if isinstance(value, set | frozenset):
        raise TypeError("a set is not a supported Convex type; pass a list")
    raise TypeError(f"{type(value).__name__} is not a supported Convex type")


def encode_value(value: Any) -> Any:
    """Encodes a Python value as ``convex_encoded_json`` (a JSON-able Python value).

    Raises ValueError (bad field name, int out of int64 range) or TypeError (a type
    Convex cannot store); the message names where in ``value`` the problem is.
    """
    try:
        return _encode(value)
    except _PathError as error:
        location, cause = error.args[0], error.args[1]
        raise type(cause)(f"{cause} (at {location})") from cause


def _decode_special(obj: dict[str, Any]) -> Any:
    """Decodes a one-key ``$`` object; anything else is returned unchanged."""
    if len(obj) != 1:
        return obj
    key = next(iter(obj))
    if not key.startswith("$"):
        return obj
    encoded = obj[key]
    if not isinstance(encoded, str):
        raise ValueError(f"malformed {key} value: {encoded!r}")
    try:
        data = base64.b64decode(encoded, validate=True)
    except binascii.Error as error:
        raise ValueError(f"malformed {key} value: {encoded!r}") from error
    if key == "$bytes":
        return data
    if key == "$integer":
        if len(data) != 8:
            raise ValueError(f"received {len(data)} bytes, expected 8 for $integer")
        return _I64.unpack(data)[0]
    if key == "$float":
        if len(data) != 8:
            raise ValueError(f"received {len(data)} bytes, expected 8 for $float")
        return _F64.unpack(data)[0]
    raise ValueError(f"unsupported Convex value {{{key!r}: ...}}")


def decode_value(value: Any) -> Any:
    """Decodes parsed ``convex_encoded_json`` into Python values (numbers become floats)."""
    kind = type(value)
    if kind is float or kind is str or kind is bool or value is None:
        return value
    if kind is int:
        return float(value)
    if kind is list:
        if set(map(type, value)) <= _FLOAT_OR_STR:
            return value  # a vector or a list of ids: nothing to decode
        return [decode_value(item) for item in value]
    if kind is dict:
        decoded = _decode_special(value)
        if decoded is not value:
            return decoded
        return {key: decode_value(item) for key, item in value.items()}
    raise TypeError(f"not a JSON value: {type(value).__name__}")


def loads(text: str | bytes) -> Any:
    """Parses and decodes a ``convex_encoded_json`` document (numbers become floats)."""
    if _orjson is not None:
        try:
            parsed = _orjson.loads(text)
        except _orjson.JSONDecodeError:
            pass  # e.g. an integer beyond 64 bits, which the standard parser takes
        else:
            return decode_value(parsed)
    return json.loads(text, parse_int=float, object_hook=_decode_special)


def serialize(encoded: Any) -> bytes:
    """Compact UTF-8 JSON of an already encoded value."""
    if _orjson is not None:
        return _orjson.dumps(encoded)
    return json.dumps(encoded, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode(
        "utf-8"
    )


def dumps(value: Any) -> bytes:
    """Encodes ``value`` and serialises it compactly as UTF-8 JSON."""
    return serialize(encode_value(value))
