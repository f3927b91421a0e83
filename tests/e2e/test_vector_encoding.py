"""Vectors sent as packed float32 bytes are stored as exactly those float32 values, at every
width the bulk method cuts for and through the single-call methods; the JSON form stays
accepted; the aiohttp transport runs the same calls."""

from __future__ import annotations

import asyncio

import convex_agent_memory as cam
import numpy as np
import pytest

from .conftest import Deployment, text_message, uid


@pytest.mark.parametrize("dimension", [384, 4096])
def test_the_stored_values_equal_the_float32_values_sent(
    deployment: Deployment, dimension: int
) -> None:
    deployment.skip_unless("service")
    rng = np.random.default_rng(dimension)
    count = 400 if dimension == 4096 else 120  # 4,096: more than one call may store
    as_f32 = rng.standard_normal((count, dimension)).astype(np.float32)
    as_f64 = rng.standard_normal((10, dimension))  # rounded to float32 when packed
    name = uid("f32")
    with cam.Client(url=deployment.url, token=deployment.token_service, timeout=300) as client:
        client.vectors.create_index(name=name, dimension=dimension)
        results = client.vectors.upsert_many(
            index_name=name,
            items=[{"id": f"a{i}", "vector": v, "metadata": {"i": i}} for i, v in enumerate(as_f32)]
            + [{"id": f"b{i}", "vector": v} for i, v in enumerate(as_f64)]
            + [{"id": "json", "vector": as_f64[0]}],
        )
        if dimension == 4096:
            assert len(results) >= 2  # cut by the bytes one call may store
        client.vectors.upsert_many(
            index_name=name, items=[{"id": "json", "vector": as_f64[0]}], vector_format="float64"
        )
        assert client.vectors.describe_index(index_name=name).count == count + 11
        some = [0, 1, count - 1]
        stored = client.vectors.get_vectors(
            index_name=name, ids=[f"a{i}" for i in some] + ["b3", "json"], include_vector=True
        )
        expected = [as_f32[i].tolist() for i in some] + [
            as_f64[3].astype(np.float32).tolist(),
            as_f64[0].tolist(),  # sent as float64 JSON: kept exactly
        ]
        assert [v.vector for v in stored] == expected

        # A query vector, packed by the method or by hand: the vector it came from is its own
        # nearest, cosine 1.
        for query_vector in (as_f32[7], cam.pack_float32(as_f32[7])):
            hits = client.vectors.query(index_name=name, query_vector=query_vector, top_k=1)
            assert hits.results[0].id == "a7"
            assert hits.results[0].score == pytest.approx(1.0, abs=1e-6)

        # The single-call methods send numpy arrays and lists packed too (float32 values).
        client.vectors.upsert(index_name=name, vectors=[{"id": "one", "vector": as_f64[4]}])
        client.vectors.update_vector(index_name=name, id="b5", vector=as_f64[6].tolist())
        stored = client.vectors.get_vectors(index_name=name, ids=["one", "b5"], include_vector=True)
        assert [v.vector for v in stored] == [
            as_f64[4].astype(np.float32).tolist(),
            as_f64[6].astype(np.float32).tolist(),
        ]
        client.vectors.delete_index(index_name=name)


async def test_the_aiohttp_transport_runs_concurrent_calls(deployment: Deployment) -> None:
    pytest.importorskip("httpx_aiohttp")
    http = cam.DefaultAioHttpClient()
    async with cam.AsyncClient(url=deployment.url, token=deployment.token_a, http_client=http):
        pass
    assert http.is_closed  # made for the SDK: closed with the client

    async with cam.AsyncClient(
        url=deployment.url, token=deployment.token_a, http_client=cam.DefaultAioHttpClient()
    ) as client:
        thread = uid("thread")
        await client.threads.save_thread(id=thread, resource_id=deployment.user_a)
        batches = [[text_message(thread, f"a{n}-{i}") for i in range(2)] for n in range(20)]
        await asyncio.gather(
            *(
                client.messages.save_messages(resource_id=deployment.user_a, messages=b)
                for b in batches
            )
        )
        owner = deployment.user_a
        assert await client.messages.count_messages(resource_id=owner, thread_id=thread) == 40
        with pytest.raises(cam.NotFoundError):
            await client.vectors.describe_index(index_name=uid("missing"))
        copy = client.with_options(max_retries=0)
        await copy.aclose()  # shares the pool: leaves it open
        assert await client.messages.count_messages(resource_id=owner, thread_id=thread) == 40
