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

from collections.abc import AsyncIterator
from typing import Any

import httpx

from . import _constants

__all__ = ["DefaultAioHttpClient"]

try:
    import aiohttp
    from httpx_aiohttp import AiohttpTransport
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

    def _precise(error: httpx.TransportError) -> httpx.TransportError:
        """httpx's error for what aiohttp raised, telling "never sent" from "may have been
        sent" the way the retry rules need (httpx-aiohttp maps a dropped connection or a
        reset to ConnectTimeout, which would let a mutation that may have run be repeated)."""
        cause = error.__cause__
        message = str(error)
        if isinstance(cause, aiohttp.ClientConnectorError):
            return httpx.ConnectError(message)
        if isinstance(cause, aiohttp.ConnectionTimeoutError):
            return httpx.ConnectTimeout(message)
        if isinstance(cause, aiohttp.ServerTimeoutError):
            return httpx.ReadTimeout(message)
        if isinstance(cause, aiohttp.ServerDisconnectedError):
            return httpx.RemoteProtocolError(message)
        if isinstance(cause, aiohttp.ClientPayloadError | aiohttp.ClientConnectionError):
            return httpx.ReadError(message)
        return error

    class _ResponseStream(httpx.AsyncByteStream):
        def __init__(self, inner: httpx.AsyncByteStream) -> None:
            self._inner = inner

        async def __aiter__(self) -> AsyncIterator[bytes]:
            try:
                async for chunk in self._inner:
                    yield chunk
            except httpx.TransportError as error:
                raise _precise(error) from error.__cause__

        async def aclose(self) -> None:
            await self._inner.aclose()

    class _Transport(AiohttpTransport):
        async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
            try:
                response = await super().handle_async_request(request)
            except httpx.TransportError as error:
                raise _precise(error) from error.__cause__
            assert isinstance(response.stream, httpx.AsyncByteStream)
            response.stream = _ResponseStream(response.stream)
            return response

    class DefaultAioHttpClient(_Base):  # type: ignore[no-redef]
        """An ``httpx.AsyncClient`` whose transport is aiohttp, with the SDK's defaults."""

        #: The AsyncClient given this client closes it (it is made for the SDK).
        _closed_by_sdk = True

        def __init__(self, **kwargs: Any) -> None:
            kwargs.setdefault("timeout", _constants.DEFAULT_TIMEOUT)
            super().__init__(**kwargs)

        def _init_transport(self, *args: Any, **kwargs: Any) -> httpx.AsyncBaseTransport:
            if kwargs.get("transport") is not None:
                transport: httpx.AsyncBaseTransport = kwargs["transport"]
                return transport
            kwargs.pop("transport", None)
            return _Transport(*args, **kwargs)
