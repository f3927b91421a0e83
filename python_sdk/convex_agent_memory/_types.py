"""Types shared by the runtime and the generated code."""

from __future__ import annotations

from typing import Any, Final, Literal, TypeAlias

__all__ = ["FunctionKind", "JSONArgs", "Omit", "omit"]

FunctionKind: TypeAlias = Literal["query", "mutation", "action"]

#: Arguments of one Convex function call, as plain Python values keyed by Convex field
#: name: dict, list, str, float (float64), int (int64), bool, None, bytes.
JSONArgs: TypeAlias = dict[str, Any]


class Omit:
    """The default of an optional argument: "not given", which is not sent at all.

    Convex's ``v.optional(...)`` means "may be absent", and a ``null`` for such a field
    is refused unless the validator also allows ``v.null()``. So absent and ``None``
    are different things, and ``omit`` is how a method spells absent.
    """

    _instance: Omit | None = None

    def __new__(cls) -> Omit:
        if cls._instance is None:
            cls._instance = super().__new__(cls)
        return cls._instance

    def __bool__(self) -> Literal[False]:
        return False

    def __repr__(self) -> str:
        return "omit"

    def __reduce__(self) -> str:
        return "omit"


omit: Final[Any] = Omit()
"""The one :class:`Omit` value. Typed ``Any`` so that ``x: str | Omit = omit`` needs no cast."""
