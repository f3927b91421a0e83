"""Defaults of the runtime, in one place."""

from __future__ import annotations

from typing import Final

import httpx

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "ENV_URL",
    "INITIAL_RETRY_DELAY",
    "MAX_RETRY_AFTER",
    "MAX_RETRY_DELAY",
    "STATUS_CODE_UDF_FAILED",
    "VERSION",
]

VERSION: Final = "0.1.0"

#: Environment variable read when no ``url`` is given.
ENV_URL: Final = "CONVEX_URL"

#: A query or mutation may run for about 1 s of user code; actions up to 10 minutes.
#: The read timeout leaves room for slow actions; connecting should be quick.
DEFAULT_TIMEOUT: Final = httpx.Timeout(timeout=120.0, connect=10.0)
DEFAULT_MAX_RETRIES: Final = 2

#: Backoff before retry n (0-based) is min(INITIAL * 2**n, MAX) minus up to 25 % jitter.
INITIAL_RETRY_DELAY: Final = 0.5
MAX_RETRY_DELAY: Final = 8.0
#: A server's ``Retry-After`` is honoured when it asks for at most this many seconds.
MAX_RETRY_AFTER: Final = 60.0

#: The status Convex's HTTP API may use for "the function threw" (clients accept it like 200).
STATUS_CODE_UDF_FAILED: Final = 560
