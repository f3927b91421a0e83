"""What every generated model is built on, and how values cross between Python and the wire.

Hand-written runtime: the generator only emits what differs per function (models, method
signatures); these types say how a value is checked on its way out and read on its way back.

- :class:`ConvexModel`: snake_case attributes, camelCase on the wire. On the way out an
  unknown field is refused (as Convex refuses extra fields) and an optional field left
  unset is not sent; on the way back unknown fields are ignored, so a deployment that
  returns a new field does not break an older client.
- :data:`Float64Int`: a ``v.number()`` that holds whole numbers: ``int`` in Python, a
  float64 on the wire (what JavaScript sees); a non-integral value coming back is an error.
- :data:`Int64`: ``v.int64()`` (``bigint``) and ``v.commitTs()``.
- :data:`WireFloat`: marks ``Literal[1, 2]`` of float64 literals (``v.literal(1)``) so they
  are sent as floats.
- :data:`ConvexAny`: ``v.any()``; Python ints in it are sent as float64.
- :data:`JsonText`: a string field holding JSON text: a Python value in Python.
- :data:`Float32Vector`: a vector field that takes float64 numbers or packed float32 bytes
  (``v.union(v.array(v.float64()), v.bytes())``): a numpy array, a sequence of numbers or
  bytes in Python, sent as packed little-endian float32 bytes.
"""

from __future__ import annotations

import json
from collections.abc import Mapping, Sequence
from functools import cache
from typing import (
    TYPE_CHECKING,
    Annotated,
    Any,
    ClassVar,
    Final,
    Protocol,
    Self,
    TypeAlias,
    TypeVar,
)

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    ModelWrapValidatorHandler,
    SerializationInfo,
    SerializerFunctionWrapHandler,
    TypeAdapter,
    ValidationError,
    ValidationInfo,
    WrapSerializer,
    model_serializer,
    model_validator,
)
from pydantic_core import PydanticSerializationError

from ._encoding import FLOAT64_EXACT_INT, ints_as_float64, pack_float32
from ._exceptions import APIResponseValidationError, InvalidArgumentError
from ._types import FunctionKind, Omit

__all__ = [
    "FROM_SERVER",
    "TO_WIRE",
    "ConvexAny",
    "ConvexModel",
    "Float32Vector",
    "Float64Int",
    "Int64",
    "JsonText",
    "SupportsArray",
    "WireFloat",
    "encode_args",
    "float_literal",
    "read_value",
]

T = TypeVar("T")

#: Validation context of values that came back from the server.
FROM_SERVER: Final[dict[str, Any]] = {"convex_from_server": True}
#: Serialization context of values about to be sent.
TO_WIRE: Final[dict[str, Any]] = {"convex_wire": True}

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1


def _from_server(info: ValidationInfo) -> bool:
    return isinstance(info.context, dict) and bool(info.context.get("convex_from_server"))


def _to_wire(info: SerializationInfo) -> bool:
    return isinstance(info.context, dict) and bool(info.context.get("convex_wire"))


# --- untyped values and JSON text ------------------------------------------------------------


def _untyped_for_the_wire(value: Any, info: ValidationInfo) -> Any:
    return value if _from_server(info) else ints_as_float64(value)


ConvexAny = Annotated[Any, AfterValidator(_untyped_for_the_wire)]
"""An untyped value (``v.any()``). Python ``int``s in it are sent as float64, the numbers
JavaScript functions see (as the official ``convex`` client does), not as int64 ``BigInt``s."""


def _parse_json_text(value: Any, info: ValidationInfo) -> Any:
    if _from_server(info) and isinstance(value, str):
        return json.loads(value)
    return value


def _json_text_on_wire(
    value: Any, handler: SerializerFunctionWrapHandler, info: SerializationInfo
) -> Any:
    if _to_wire(info):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), allow_nan=False)
    return handler(value)


JsonText = Annotated[Any, BeforeValidator(_parse_json_text), WrapSerializer(_json_text_on_wire)]
"""A field the functions store as JSON text (its keys may start with ``$`` or ``_``, which
Convex values cannot hold): you pass any JSON-able Python value, it is sent as text, and what
comes back is parsed again."""


# --- numbers ---------------------------------------------------------------------------------


def _float_on_wire(
    value: Any, handler: SerializerFunctionWrapHandler, info: SerializationInfo
) -> Any:
    if _to_wire(info) and isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return handler(value)


WireFloat: Final = WrapSerializer(_float_on_wire)
"""Sends an ``int`` as a float64 (the annotation of float64 literals, ``v.literal(2)``)."""


def _exact_in_float64(value: int, info: ValidationInfo) -> int:
    if not _from_server(info) and not -FLOAT64_EXACT_INT <= value <= FLOAT64_EXACT_INT:
        raise ValueError(
            f"{value} does not fit a float64 exactly (the function takes a JavaScript number)"
        )
    return value


Float64Int = Annotated[int, AfterValidator(_exact_in_float64), WireFloat]
"""A ``v.number()`` holding whole numbers (counts, sizes, limits): ``int`` in Python, sent as a
float64; a value beyond ±2^53 is refused before sending."""

Int64 = Annotated[int, Field(ge=INT64_MIN, le=INT64_MAX)]
"""``v.int64()`` / ``v.commitTs()``: sent as ``{"$integer": ...}``."""


def float_literal(*values: float) -> AfterValidator:
    """The check of a float64 literal that is not a whole number (``v.literal(0.5)``)."""
    allowed = frozenset(values)
    nan_allowed = any(v != v for v in values)

    def check(value: float) -> float:
        if value in allowed or (nan_allowed and value != value):
            return value
        raise ValueError(f"must be one of {sorted(allowed)}")

    return AfterValidator(check)


# --- vectors ---------------------------------------------------------------------------------


class SupportsArray(Protocol):
    """A numpy array (or anything with ``__array__``), as a type; numpy is never imported."""

    def __array__(self) -> Any: ...


def _packed_for_the_wire(value: Any, info: ValidationInfo) -> Any:
    if _from_server(info) or isinstance(value, bytes):
        return value
    if isinstance(value, bytearray | memoryview):
        return bytes(value)
    if isinstance(value, str | Mapping):  # iterable, but never a vector
        raise ValueError(f"a vector is numbers or packed float32 bytes, not {type(value).__name__}")
    return pack_float32(value)  # ValueError for what is not one


if TYPE_CHECKING:
    Float32Vector: TypeAlias = Sequence[float] | bytes | SupportsArray
else:
    Float32Vector = Annotated[list[float] | bytes, BeforeValidator(_packed_for_the_wire)]
"""A vector the function takes as float64 numbers or packed float32 bytes
(``v.union(v.array(v.float64()), v.bytes())``): a numpy array of any numeric dtype, a sequence
of numbers, or bytes already packed. It is sent as packed little-endian float32 bytes (4 per
number against about 20 as JSON text), which the function stores as exactly those float32
values; a value that is not finite as a float32 is refused before sending."""


# --- models ----------------------------------------------------------------------------------


class ConvexModel(BaseModel):
    """A Convex object: snake_case attributes, camelCase on the wire.

    An optional field that was not given is not sent. ``None`` in an optional field whose
    validator does not allow ``null`` also means "not given" (Convex would refuse a null).
    """

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    #: Optional fields whose validator does not allow null (None there means "not given").
    __convex_absent_if_none__: ClassVar[frozenset[str]] = frozenset()

    @model_validator(mode="wrap")
    @classmethod
    def _refuse_unknown_fields(
        cls, data: Any, handler: ModelWrapValidatorHandler[Self], info: ValidationInfo
    ) -> Self:
        if isinstance(data, Mapping) and not _from_server(info):
            known = _known_keys(cls)
            for key in data:
                if key not in known:
                    takes = ", ".join(sorted(_wire_names(cls)))
                    raise ValueError(f"unknown field {key!r} (the object takes {takes})")
        return handler(data)

    @model_serializer(mode="wrap")
    def _leave_out_absent(
        self, handler: SerializerFunctionWrapHandler, info: SerializationInfo
    ) -> Any:
        data = handler(self)
        if isinstance(data, dict):
            fields = type(self).model_fields
            for name in type(self).__convex_absent_if_none__:
                if getattr(self, name) is None:
                    data.pop((fields[name].alias or name) if info.by_alias else name, None)
        return data


@cache
def _known_keys(model: type[ConvexModel]) -> frozenset[str]:
    keys = set(model.model_fields)
    keys.update(info.alias for info in model.model_fields.values() if info.alias)
    return frozenset(keys)


@cache
def _wire_names(model: type[ConvexModel]) -> tuple[str, ...]:
    return tuple(info.alias or name for name, info in model.model_fields.items())


# --- crossing the wire -----------------------------------------------------------------------


def encode_args(
    model: type[ConvexModel],
    values: Mapping[str, Any],
    *,
    path: str | None = None,
    kind: FunctionKind | None = None,
) -> dict[str, Any]:
    """Checks a method's arguments and returns them keyed by Convex field name, ready for the
    wire; optional arguments that were not given (:data:`omit`) are left out.

    Anything refused raises InvalidArgumentError before anything is sent (the same class as
    the server's refusals; pydantic's error is its ``__cause__``, details on ``.errors``).
    """
    given = {key: value for key, value in values.items() if not isinstance(value, Omit)}
    try:
        validated = model.model_validate(given)
        dumped: dict[str, Any] = validated.model_dump(
            by_alias=True, exclude_unset=True, context=TO_WIRE
        )
    except ValidationError as error:
        raise InvalidArgumentError.from_validation_error(error, path=path, kind=kind) from error
    except (PydanticSerializationError, ValueError, TypeError, RecursionError) as error:
        raise InvalidArgumentError(
            f"arguments cannot be sent: {_short(error)}",
            code="INVALID_ARGUMENT",
            data={"code": "INVALID_ARGUMENT", "message": _short(error)},
            path=path,
            kind=kind,
        ) from error
    return dumped


def read_value(
    adapter: TypeAdapter[T],
    value: Any,
    *,
    path: str | None = None,
    kind: FunctionKind | None = None,
) -> T:
    """A function's result as its declared Python type; a result that does not match (or
    cannot be read at all, e.g. nested too deep) is APIResponseValidationError."""
    try:
        return adapter.validate_python(value, context=FROM_SERVER)
    except ValidationError as error:
        summary = "; ".join(
            f"{'.'.join(str(p) for p in item['loc']) or '(result)'}: {item['msg']}"
            for item in error.errors(include_url=False)[:5]
        )
        raise APIResponseValidationError(
            f"the result does not match what the function declares: {summary}",
            path=path,
            kind=kind,
        ) from error
    except (ValueError, TypeError, RecursionError) as error:
        raise APIResponseValidationError(
            f"the result cannot be read: {_short(error)}", path=path, kind=kind
        ) from error


def _short(error: BaseException) -> str:
    text = str(error) or type(error).__name__
    return text if len(text) <= 500 else text[:500] + "..."
