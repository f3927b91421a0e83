"""Fixtures: every client test runs twice, with the sync and with the async client."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from convex_agent_memory import AsyncClient, Client

from .fakes import URL, FakeDeployment, Harness, MakeHarness


@pytest.fixture
def deployment() -> FakeDeployment:
    return FakeDeployment()


@pytest.fixture(params=["sync", "async"])
def make_harness(
    request: pytest.FixtureRequest, deployment: FakeDeployment
) -> Iterator[MakeHarness]:
    flavor: str = request.param
    transport = httpx.MockTransport(deployment.handle)

    def make(**options: Any) -> Harness:
        options.setdefault("url", URL)
        sleeps: list[float] = []
        client: Client | AsyncClient
        if flavor == "sync":
            client = Client(http_client=httpx.Client(transport=transport), **options)
            client._sleep = sleeps.append
        else:
            client = AsyncClient(http_client=httpx.AsyncClient(transport=transport), **options)

            async def record(seconds: float) -> None:
                sleeps.append(seconds)

            client._sleep = record
        harness = Harness(client, deployment, sleeps)
        return harness

    yield make


@pytest.fixture
def harness(make_harness: MakeHarness) -> Harness:
    return make_harness(token="jwt-1")
