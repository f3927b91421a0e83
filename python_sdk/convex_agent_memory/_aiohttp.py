"""An optional faster transport for the async client: aiohttp under httpx's API.

httpx's own async connection pool costs about 1 ms of CPU per request on this project's
benchmark machine and more with many requests in flight (it matches every waiting request
against every connection on each event); aiohttp's costs about a third of that
(bench/sdk_overhead.py). ``pip install 'convex-agent-memory[aiohttp]'``, then::

    async with AsyncClient(url=..., token=..., http_client=DefaultAioHttpClient()) as client:
        ...

The AsyncClient closes a DefaultAioHttpClient it was given (unlike other handed-in clients),
as openai-python does with its own ``DefaultAioHttpClient``.
"""

from __future__ import annotations

from typing import Any

import httpx

from . import _constants

__all__ = ["DefaultAioHttpClient"]

try:
    from httpx_aiohttp import HttpxAiohttpClient as _Base
except ImportError:  # pragma: no cover - exercised when the extra is missing

    class DefaultAioHttpClient(httpx.AsyncClient):
        """Needs the ``aiohttp`` extra: ``pip install 'convex-agent-memory[aiohttp]'``."""

        _closed_by_sdk = True

        def __init__(self, **_kwargs: Any) -> None:
            raise RuntimeError(
                "DefaultAioHttpClient needs the aiohttp extra: "
                "pip install 'convex-agent-memory[aiohttp]'"
            )

else:

    class DefaultAioHttpClient(_Base):  # type: ignore[no-redef]
        """An ``httpx.AsyncClient`` whose transport is aiohttp, with the SDK's defaults."""

        #: The AsyncClient given this client closes it (it is made for the SDK).
        _closed_by_sdk = True

        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("timeout", _constants.DEFAULT_TIMEOUT)
            super().__init__(**kwargs)
