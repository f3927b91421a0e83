"""When a failed call may be repeated, and how long to wait before doing so."""

from __future__ import annotations

import email.utils
import random
import time
from collections.abc import Callable

import httpx

from ._constants import INITIAL_RETRY_DELAY, MAX_RETRY_AFTER, MAX_RETRY_DELAY
from ._types import FunctionKind

__all__ = ["may_repeat", "retry_delay", "transient_error", "transient_status"]

#: Statuses that say "try again later" rather than "this call is wrong".
_TRANSIENT_STATUSES = frozenset({408, 429, 500, 502, 503, 504})

#: Failures before any byte of the request left: repeating cannot run a function twice.
_NEVER_SENT = (httpx.ConnectError, httpx.ConnectTimeout, httpx.PoolTimeout)
#: Failures after the request may have reached the server (or whose reply was lost).
_MAYBE_SENT = (
    httpx.ReadTimeout,
    httpx.WriteTimeout,
    httpx.ReadError,
    httpx.WriteError,
    httpx.RemoteProtocolError,
)


def may_repeat(kind: FunctionKind, idempotent: bool) -> bool:
    """Whether running the function a second time is harmless.

    Queries are read-only; a mutation or action only when marked idempotent (an upsert by
    id). Plain mutations and actions are never repeated once they may have run.
    """
    return kind == "query" or idempotent


def transient_error(error: httpx.TransportError, kind: FunctionKind, idempotent: bool) -> bool:
    """Whether a network failure is worth another attempt."""
    if isinstance(error, _NEVER_SENT):
        return True
    return isinstance(error, _MAYBE_SENT) and may_repeat(kind, idempotent)


def transient_status(status_code: int, kind: FunctionKind, idempotent: bool) -> bool:
    """Whether an HTTP status is worth another attempt (a function's own error never is)."""
    return status_code in _TRANSIENT_STATUSES and may_repeat(kind, idempotent)


def _retry_after_seconds(value: str | None) -> float | None:
    if not value:
        return None
    try:
        return float(value)
    except ValueError:
        pass
    parsed = email.utils.parsedate_tz(value)
    if parsed is None:
        return None
    return email.utils.mktime_tz(parsed) - time.time()


def retry_delay(
    retries_done: int,
    *,
    retry_after: str | None = None,
    rng: Callable[[], float] = random.random,
) -> float:
    """Seconds to wait before retry number ``retries_done + 1``.

    A server's ``Retry-After`` wins when it is reasonable (0 to 60 s). Otherwise capped
    exponential backoff, 0.5 s, 1 s, 2 s, ... up to 8 s, shortened by up to 25 % at random
    so that many clients failing together do not come back together.
    """
    asked = _retry_after_seconds(retry_after)
    if asked is not None and 0 <= asked <= MAX_RETRY_AFTER:
        return asked
    backoff = min(INITIAL_RETRY_DELAY * 2.0**retries_done, MAX_RETRY_DELAY)
    return backoff * (1.0 - 0.25 * rng())
