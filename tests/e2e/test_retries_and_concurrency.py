"""A reply lost after the server applied an upsert: the runtime retries, nothing duplicates.
And 50 concurrent async saves into one thread keep the count exact."""

from __future__ import annotations

import asyncio
import json
from typing import Any

import convex_agent_memory as cam
import httpx
import pytest

from .conftest import Deployment, aw, collect, text_message, uid


def _path(request: httpx.Request) -> str:
    return str(json.loads(request.content).get("path"))


class LoseFirstReply(httpx.BaseTransport):
    """Forwards every request; for the first one to ``path`` it then raises ReadTimeout, as if
    the reply were lost after the deployment applied the call."""

    def __init__(self, path: str) -> None:
        self.inner = httpx.HTTPTransport()
        self.path = path
        self.sent: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        response = self.inner.handle_request(request)
        response.read()
        self.sent.append(_path(request))
        if _path(request) == self.path and self.sent.count(self.path) == 1:
            response.close()
            raise httpx.ReadTimeout("the reply was lost", request=request)
        return response


class AsyncLoseFirstReply(httpx.AsyncBaseTransport):
    def __init__(self, path: str) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.path = path
        self.sent: list[str] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        response = await self.inner.handle_async_request(request)
        await response.aread()
        self.sent.append(_path(request))
        if _path(request) == self.path and self.sent.count(self.path) == 1:
            await response.aclose()
            raise httpx.ReadTimeout("the reply was lost", request=request)
        return response


def _lossy(deployment: Deployment, flavour: str, token: str | None, path: str) -> tuple[Any, Any]:
    if flavour == "sync":
        transport: Any = LoseFirstReply(path)
        client: Any = cam.Client(
            url=deployment.url, token=token, http_client=httpx.Client(transport=transport)
        )
    else:
        transport = AsyncLoseFirstReply(path)
        client = cam.AsyncClient(
            url=deployment.url, token=token, http_client=httpx.AsyncClient(transport=transport)
        )
    client._sleep = (lambda s: None) if flavour == "sync" else _no_sleep  # no backoff wait in tests
    return client, transport


async def _no_sleep(seconds: float) -> None:
    return None


@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_a_retried_save_messages_does_not_duplicate(
    deployment: Deployment, flavour: str
) -> None:
    client, transport = _lossy(deployment, flavour, deployment.token_a, "memory:saveMessages")
    thread = uid("thread")
    await aw(client.threads.save_thread(id=thread, resource_id=deployment.user_a))
    messages = [text_message(thread, f"m{i}") for i in range(5)]
    saved = await aw(
        client.messages.save_messages(resource_id=deployment.user_a, messages=messages)
    )
    assert [m.id for m in saved] == [m["id"] for m in messages]
    assert transport.sent.count("memory:saveMessages") == 2  # applied twice, reply lost once
    assert (
        await aw(client.messages.count_messages(resource_id=deployment.user_a, thread_id=thread))
        == 5
    )
    assert (
        len(
            await collect(
                client.messages.list_messages_all(resource_id=deployment.user_a, thread_id=thread)
            )
        )
        == 5
    )
    # A plain (non-idempotent) mutation is not retried: the lost reply is an error.
    score_client, score_transport = _lossy(
        deployment, flavour, deployment.token_a, "memory:saveScore"
    )
    with pytest.raises(cam.APITimeoutError):
        await aw(
            score_client.scores.save_score(
                scorer_id="s",
                entity_id=thread,
                entity_type="t",
                run_id=thread,
                score=1.0,
                source="LIVE",
                resource_id=deployment.user_a,
            )
        )
    assert score_transport.sent.count("memory:saveScore") == 1
    for c in (client, score_client):
        await aw(c.http_client.close() if flavour == "sync" else c.http_client.aclose())


@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_a_retried_bulk_vector_upsert_does_not_duplicate(
    deployment: Deployment, flavour: str
) -> None:
    deployment.skip_unless("service")
    client, transport = _lossy(deployment, flavour, deployment.token_service, "memory:upsert")
    name = uid("idx")
    await aw(client.vectors.create_index(name=name, dimension=128))
    items = [
        {"vector": [float(i + 1)] + [0.5] * 127, "metadata": {"n": float(i)}} for i in range(30)
    ]
    if flavour == "sync":
        results = client.vectors.upsert_many(index_name=name, items=items, max_items=10)
    else:
        results = await client.vectors.upsert_many(
            index_name=name, items=items, max_items=10, concurrency=1
        )
    assert transport.sent.count("memory:upsert") == 4  # 3 batches, the first one sent twice
    ids = [i for r in results for i in r.ids]
    assert len(ids) == len(set(ids)) == 30  # ids given by the helper, before sending
    assert (await aw(client.vectors.describe_index(index_name=name))).count == 30
    stored = await aw(client.vectors.get_vectors(index_name=name, ids=ids[:10]))
    assert sorted(v.metadata["n"] for v in stored) == [float(i) for i in range(10)]
    await aw(client.vectors.delete_index(index_name=name))
    await aw(client.http_client.close() if flavour == "sync" else client.http_client.aclose())


async def test_50_concurrent_async_saves_keep_the_count_exact(deployment: Deployment) -> None:
    async with cam.AsyncClient(url=deployment.url, token=deployment.token_a) as client:
        thread = uid("thread")
        await client.threads.save_thread(id=thread, resource_id=deployment.user_a)
        batches: list[Any] = [
            [text_message(thread, f"c{n}-{i}") for i in range(3)] for n in range(50)
        ]
        results = await asyncio.gather(
            *(
                client.messages.save_messages(resource_id=deployment.user_a, messages=b)
                for b in batches
            )
        )
        assert [len(r) for r in results] == [3] * 50
        assert (
            await client.messages.count_messages(resource_id=deployment.user_a, thread_id=thread)
            == 150
        )
        listed = [
            m.id
            async for m in client.messages.list_messages_all(
                resource_id=deployment.user_a, thread_id=thread, page_size=64
            )
        ]
        assert sorted(listed) == sorted(m["id"] for b in batches for m in b)
        thread_row = await client.threads.get_thread(resource_id=deployment.user_a, id=thread)
        assert thread_row is not None
