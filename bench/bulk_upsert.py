"""Bulk vector upsert rate with the SDK's byte-aware chunking, at 384 and 1536 dimensions.

    .venv/bin/python bench/bulk_upsert.py [--n384 20000] [--n1536 5000] [--ids-max 20000]

For each size, random unit vectors (numpy float32, seeded) with a small metadata object are
upserted with ``client.vectors.upsert_many`` (at most 1,000 items and 8 MiB of request body
per call), and timed three ways:

1. encode: ``split_into_batches`` alone (numpy -> float64 -> JSON bytes), no network;
   once with orjson (the ``[fast]`` extra, in ``[dev]``) and once with the stdlib encoder;
2. SDK + no-op server: the whole helper against a Node server that reads each body and
   answers a fixed success (what the client side can sustain);
3. end to end: the helper against the local backend (example app + component under
   convex-test; every vector validated, written, indexed, counted), with the time of each
   HTTP call recorded (sending, the server's work, the reply), the rest being the client's;
   once with ids given (an upsert by id looks each id up) and once with ids left to the
   server (no look-ups).

Each local-backend run starts a fresh backend and checks ``describeIndex.count`` after.
The local backend answers index look-ups from hash maps (local_backend/fast_queries.ts), so
an upsert by id costs the same at any size; ``--ids-max`` can cap the run with ids when the
backend is run without them.
"""

from __future__ import annotations

import argparse
import json
import statistics
import sys
import time
from typing import Any

import convex_agent_memory._encoding as encoding
import numpy as np
from _common import describe_machine, local_backend, noop_server, print_table
from convex_agent_memory import Client, split_into_batches
from convex_agent_memory._bulk import _vector_item

PATH = "memory:upsert"


def make_items(count: int, dimension: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    matrix = rng.standard_normal((count, dimension), dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    return [
        {"id": f"v{i:06d}", "vector": matrix[i], "metadata": {"group": f"g{i % 8}"}}
        for i in range(count)
    ]


def encode(items: list[dict[str, Any]], index: str) -> list[Any]:
    return list(
        split_into_batches(
            items, path=PATH, arg_name="vectors", extra_args={"indexName": index},
            prepare=_vector_item("vector", "id"),
        )
    )  # fmt: skip


def timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def upsert(client: Client, items: list[dict[str, Any]], index: str) -> list[Any]:
    return client.vectors.upsert_many(index_name=index, items=items)


def record_call_times(client: Client) -> list[float]:
    """Times every HTTP call the bulk helper makes through ``client`` (send, server, reply)."""
    times: list[float] = []
    original = client._call_encoded

    def timed_call(*args: Any, **kwargs: Any) -> Any:
        start = time.perf_counter()
        try:
            return original(*args, **kwargs)
        finally:
            times.append(time.perf_counter() - start)

    client._call_encoded = timed_call  # type: ignore[method-assign]
    return times


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--n384", type=int, default=20_000)
    parser.add_argument("--n1536", type=int, default=5_000)
    parser.add_argument("--seed", type=int, default=7)
    parser.add_argument(
        "--ids-max",
        type=int,
        default=1_000_000,
        help="at most this many vectors in the local-backend run with ids",
    )
    parser.add_argument(
        "--backend-max", type=int, default=1_000_000,
        help="at most this many vectors per local-backend run (it is much slower)",
    )  # fmt: skip
    options = parser.parse_args()
    print(f"bulk_upsert: {describe_machine()}")
    sizes = [(384, options.n384), (1536, options.n1536)]
    datasets = {dim: make_items(n, dim, options.seed + dim) for dim, n in sizes}

    rows: list[list[object]] = []
    shape: list[list[object]] = []
    growth: list[list[object]] = []

    def rate_row(label: str, dim: int, n: int, seconds: float) -> None:
        rows.append([label, f"{n:,} x {dim}", seconds, n / seconds])
        print(f"   {label.strip()}, {n:,} x {dim}: {seconds:.2f} s", file=sys.stderr, flush=True)

    # 1. Encoding alone.
    for dim, n in sizes:
        batches, seconds = timed(lambda d=dim: encode(datasets[d], "bench"))
        rate_row("encode only (orjson)", dim, n, seconds)
        bodies = [len(b.body) for b in batches]
        most = max(b.count for b in batches)
        mib = 2**20
        shape.append(
            [f"{n:,} x {dim}", len(batches), most, f"{max(bodies) / mib:.2f} MiB",
             f"{sum(bodies) / mib:.1f} MiB"]
        )  # fmt: skip
        saved = encoding._orjson
        encoding._orjson = None
        try:
            _, seconds = timed(lambda d=dim: encode(datasets[d], "bench"))
        finally:
            encoding._orjson = saved
        rate_row("encode only (stdlib json)", dim, n, seconds)

    # 2. The SDK against a server that does nothing.
    reply = json.dumps({"status": "success", "value": {"ids": []}, "logLines": []})
    with noop_server(reply) as url, Client(url=url, token="unused") as client:
        upsert(client, datasets[384][:1000], "warm-up")
        for dim, n in sizes:
            _, seconds = timed(lambda d=dim, c=client: upsert(c, datasets[d], "bench"))
            rate_row("SDK helper -> no-op server", dim, n, seconds)

    # 3. The local backend: a fresh one per run, so every run starts from empty tables.
    for dim, size in sizes:
        for with_ids in (True, False):
            n = min(size, options.backend_max, options.ids_max if with_ids else size)
            items = datasets[dim][:n]
            sent = items if with_ids else [{k: v for k, v in i.items() if k != "id"} for i in items]
            label = "ids given" if with_ids else "ids left to the server"
            with local_backend() as backend:
                service = Client(
                    url=backend.url, token=backend.token("bench", service=True), timeout=3600
                )
                with service:
                    service.vectors.create_index(name="bench", dimension=dim)
                    call_times = record_call_times(service)
                    _, seconds = timed(lambda c=service, i=sent: upsert(c, i, "bench"))
                    call_times = list(call_times)  # the upsert calls only
                    assert service.vectors.describe_index(index_name="bench").count == n
            http = sum(call_times)
            rate_row(f"local backend, end to end ({label})", dim, n, seconds)
            rate_row("  of which: HTTP calls (the server's work)", dim, n, http)
            rate_row("  of which: the client (encode, bookkeeping)", dim, n, seconds - http)
            ms = [t * 1000 for t in call_times]
            growth.append([f"{n:,} x {dim}", label, len(ms), ms[0], statistics.median(ms), ms[-1]])

    print()
    print("Batches made by the byte-aware chunking (1,000 items / 8 MiB per call):")
    print_table(["vectors", "calls", "max items/call", "max body", "total body"], shape)
    print()
    print("Local backend, milliseconds per upsert call (first, median, last):")
    print_table(["vectors", "run", "calls", "first ms", "median ms", "last ms"], growth)
    print()
    print("Rates:")
    print_table(["step", "vectors", "seconds", "vectors/s"], rows)


if __name__ == "__main__":
    main()
