"""The transport every client is built on.

The generated resource classes only ever call :meth:`SyncAPIClient._call` /
:meth:`AsyncAPIClient._call`; everything about HTTP, auth, retries, encoding and
errors lives behind them.

Contract of ``_call(kind, path, args, *, idempotent=False)``:

- ``kind``: ``"query" | "mutation" | "action"``; ``path``: the host app's function,
  ``"module:function"`` (e.g. ``"memory:getThread"``).
- ``args``: plain Python values keyed by Convex field name (camelCase), optional
  arguments that were not given already left out: dict, list, str, float (float64),
  int (int64, sent as ``{"$integer": ...}``), bool, None, bytes.
- returns the function's value decoded to plain Python (JSON numbers as float,
  ``$integer`` as int, ``$bytes`` as bytes, ``$float`` as float) for the generated code
  to validate into pydantic models.
- raises the exceptions of ``convex_agent_memory._exceptions`` by error code.
- ``idempotent=True`` marks a mutation that may be retried safely (an upsert by id);
  queries are always retryable; actions never by default.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ._types import FunctionKind

__all__ = ["AsyncAPIClient", "SyncAPIClient"]


class SyncAPIClient:
    """Base of the sync client: one HTTP connection pool to one deployment."""

    def _call(
        self, kind: FunctionKind, path: str, args: Mapping[str, Any], *, idempotent: bool = False
    ) -> Any:
        raise NotImplementedError


class AsyncAPIClient:
    """Base of the async client."""

    async def _call(
        self, kind: FunctionKind, path: str, args: Mapping[str, Any], *, idempotent: bool = False
    ) -> Any:
        raise NotImplementedError
