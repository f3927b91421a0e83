"""The clients users construct: the runtime's transport plus the generated namespaces."""

from __future__ import annotations

from ._generated.client import AsyncGeneratedClient, GeneratedClient

__all__ = ["AsyncClient", "Client"]


class Client(GeneratedClient):
    """Synchronous client of a deployment exposing convex-agent-memory.

    ::

        with Client(url="https://happy-animal-123.convex.cloud", token=jwt) as client:
            thread = client.threads.get_thread(thread_id="t1")

    Keyword-only options: ``url`` (default ``$CONVEX_URL``), ``token`` or
    ``token_provider``, ``timeout``, ``max_retries`` (default 2), ``http_client``,
    ``headers``. See :class:`~convex_agent_memory._base_client.SyncAPIClient`.
    """


class AsyncClient(AsyncGeneratedClient):
    """Asynchronous client; the same options, methods awaited, ``async with`` to close."""
