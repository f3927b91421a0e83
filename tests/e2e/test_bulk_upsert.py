"""20,000 vectors of 384 dimensions through the bulk helper: every call under the limits,
the index count exact."""

from __future__ import annotations

import json
import time

import convex_agent_memory as cam
import httpx
import numpy as np
import pytest

from .conftest import Deployment, uid

COUNT = 20_000
DIM = 384
MiB = 1024 * 1024


class Measuring(httpx.BaseTransport):
    """Forwards requests and notes each upsert's body size and item count."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.upserts: list[tuple[int, int]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        if body["path"] == "memory:upsert":
            self.upserts.append((len(request.content), len(body["args"]["vectors"])))
        return self.inner.handle_request(request)


@pytest.mark.e2e_heavy
def test_bulk_upsert_of_20k_vectors_stays_under_the_limits(deployment: Deployment) -> None:
    deployment.skip_unless("service")
    transport = Measuring()
    rng = np.random.default_rng(7)
    vectors = rng.standard_normal((COUNT, DIM)).astype(np.float32)
    name = uid("bulk")
    with cam.Client(
        url=deployment.url,
        token=deployment.token_service,
        http_client=httpx.Client(transport=transport, timeout=120.0),
    ) as client:
        client.vectors.create_index(name=name, dimension=DIM, filterable_keys=["shard"])
        started = time.perf_counter()
        results = client.vectors.upsert_many(
            index_name=name,
            items=(
                {"id": f"doc-{i}", "vector": v, "metadata": {"shard": float(i % 10)}}
                for i, v in enumerate(vectors)
            ),
        )
        elapsed = time.perf_counter() - started
        sizes = [size for size, _ in transport.upserts]
        counts = [count for _, count in transport.upserts]
        print(
            f"\nbulk upsert: {COUNT:,} x {DIM} in {elapsed:.1f}s "
            f"({COUNT / elapsed:,.0f} vectors/s), {len(sizes)} calls, "
            f"largest {max(sizes) / MiB:.2f} MiB / {max(counts)} items"
        )
        assert sum(counts) == COUNT and len(results) == len(transport.upserts)
        assert all(count <= cam.MAX_BATCH_ITEMS for count in counts)
        assert all(size <= 8 * MiB for size in sizes)
        assert client.vectors.describe_index(index_name=name).count == COUNT

        probe = vectors[12_345].astype(np.float64).tolist()
        hits = client.vectors.query(
            index_name=name, query_vector=probe, top_k=3, filter={"shard": 5.0}
        )
        assert hits.results[0].id == "doc-12345" and hits.results[0].score == pytest.approx(1.0)
        client.vectors.delete_index(index_name=name)
