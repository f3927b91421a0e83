"""PLACEHOLDER: the code generator emits the real GeneratedClient with its namespaces."""

from __future__ import annotations

from .._base_client import AsyncAPIClient, SyncAPIClient

__all__ = ["AsyncGeneratedClient", "GeneratedClient"]


class GeneratedClient(SyncAPIClient):
    pass


class AsyncGeneratedClient(AsyncAPIClient):
    pass
