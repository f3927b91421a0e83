"""Constructing, copying and closing clients."""

from __future__ import annotations

import inspect

import convex_agent_memory as cam
import httpx
import pytest

from .fakes import URL, MakeHarness, success


def test_the_context_manager_closes_the_pool() -> None:
    with cam.Client(url=URL) as client:
        assert not client.is_closed
    assert client.is_closed
    assert client.http_client.is_closed


async def test_the_async_context_manager_closes_the_pool() -> None:
    async with cam.AsyncClient(url=URL) as client:
        assert not client.is_closed
    assert client.is_closed


def test_close_is_idempotent() -> None:
    client = cam.Client(url=URL)
    client.close()
    client.close()
    assert client.is_closed


def test_a_pool_handed_in_stays_open() -> None:
    mine = httpx.Client()
    with cam.Client(url=URL, http_client=mine):
        pass
    assert not mine.is_closed
    mine.close()


def test_the_url_comes_from_the_environment(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CONVEX_URL", "https://from-env.convex.cloud/")
    with cam.Client() as client:
        assert client.url == "https://from-env.convex.cloud"


def test_a_missing_or_bad_url_is_explained(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CONVEX_URL", raising=False)
    with pytest.raises(cam.AgentMemoryError, match="CONVEX_URL"):
        cam.Client()
    with pytest.raises(cam.AgentMemoryError, match="http"):
        cam.AsyncClient(url="happy-animal-123.convex.cloud")


def test_defaults() -> None:
    with cam.Client(url=URL) as client:
        assert client.max_retries == cam.DEFAULT_MAX_RETRIES == 2
        assert client.timeout == cam.DEFAULT_TIMEOUT


async def test_with_options_shares_the_pool_and_changes_only_what_is_asked(
    make_harness: MakeHarness,
) -> None:
    harness = make_harness(token="user-a", headers={"X-Team": "agents"}, max_retries=1)
    original = harness.client
    copy = original.with_options(token="service", timeout=5.0)
    assert type(copy) is type(original)
    assert copy.http_client is original.http_client
    assert copy.max_retries == 1 and copy.timeout == httpx.Timeout(5.0)
    harness.deployment.reply(success(None), success(None))
    await harness.call("query")
    result = copy._call("query", "memory:fn", {})
    if inspect.isawaitable(result):
        await result
    assert harness.deployment.tokens == ["Bearer user-a", "Bearer service"]
    assert [r.headers["x-team"] for r in harness.deployment.requests] == ["agents", "agents"]
    # Closing the copy leaves the shared pool to its owner.
    if isinstance(copy, cam.AsyncClient):
        await copy.aclose()
    else:
        copy.close()
    assert not original.http_client.is_closed


def test_with_options_keeps_the_token_unless_told() -> None:
    with cam.Client(url=URL, token="jwt") as client:
        assert client.with_options(max_retries=0)._auth.get() == "jwt"
        assert client.with_options(token=None)._auth.get() is None


def test_the_public_names() -> None:
    assert cam.NotFoundError.__module__ == "convex_agent_memory"
    assert cam.omit is cam.Omit()
    assert not cam.omit
    for name in cam.__all__:
        assert hasattr(cam, name), name
