"""Bulk vector upsert rate with the SDK's byte-aware chunking, at 384 and 1536 dimensions.

    .venv/bin/python bench/bulk_upsert.py [--n384 20000] [--n1536 5000] [--rounds 3]
                                          [--skip-backend] [--smoke]

For each size, random unit vectors (numpy float32, seeded) with a small metadata object are
upserted with ``client.vectors.upsert_many`` (at most 1,000 items, 8 MiB of request body and
12 MiB of stored bytes per call), in both wire forms: packed float32 bytes (the default,
``vector_format="float32"``) and JSON float64 numbers (``"float64"``, the form every vector
took before), and timed three ways:

1. encode: ``split_into_batches`` alone, no network; the JSON form also with the stdlib
   encoder instead of orjson (the ``[fast]`` extra, in ``[dev]``);
2. SDK + no-op server: the whole helper against a Node server that reads each body and
   answers a fixed success (what the client side can sustain), both forms interleaved
   round by round, median of ``--rounds``;
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
from convex_agent_memory import MAX_UPSERT_STORED_BYTES, Client, VectorFormat, split_into_batches
from convex_agent_memory._bulk import _vector_item, _vector_weight

PATH = "memory:upsert"
FORMS = {"float64": "JSON float64", "float32": "packed float32"}


def make_items(count: int, dimension: int, seed: int) -> list[dict[str, Any]]:
    rng = np.random.default_rng(seed)
    matrix = rng.standard_normal((count, dimension), dtype=np.float32)
    matrix /= np.linalg.norm(matrix, axis=1, keepdims=True)
    return [
        {"id": f"v{i:06d}", "vector": matrix[i], "metadata": {"group": f"g{i % 8}"}}
        for i in range(count)
    ]


def encode(items: list[dict[str, Any]], index: str, vector_format: str = "float32") -> list[Any]:
    return list(
        split_into_batches(
            items, path=PATH, arg_name="vectors", extra_args={"indexName": index},
            prepare=_vector_item("vector", "id", vector_format),  # type: ignore[arg-type]
            weigh=_vector_weight("vector"), max_weight=MAX_UPSERT_STORED_BYTES,
        )
    )  # fmt: skip


def timed(fn: Any) -> tuple[Any, float]:
    start = time.perf_counter()
    value = fn()
    return value, time.perf_counter() - start


def upsert(
    client: Client, items: list[dict[str, Any]], index: str, vector_format: VectorFormat = "float32"
) -> list[Any]:
    return client.vectors.upsert_many(index_name=index, items=items, vector_format=vector_format)


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
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--skip-backend", action="store_true", help="no local-backend runs")
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
    parser.add_argument(
        "--smoke", action="store_true",
        help="one tiny iteration (50 and 10 vectors, one round): it still runs",
    )  # fmt: skip
    options = parser.parse_args()
    if options.smoke:
        options.n384, options.n1536, options.rounds = 50, 10, 1
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
        for vector_format in ("float64", "float32"):
            batches, seconds = timed(lambda d=dim, f=vector_format: encode(datasets[d], "bench", f))
            rate_row(f"encode only, {FORMS[vector_format]} (orjson)", dim, n, seconds)
            bodies = [len(b.body) for b in batches]
            most = max(b.count for b in batches)
            mib = 2**20
            shape.append(
                [f"{n:,} x {dim}", FORMS[vector_format], len(batches), most,
                 f"{max(bodies) / mib:.2f} MiB", f"{sum(bodies) / mib:.1f} MiB", sum(bodies) / n]
            )  # fmt: skip
        saved = encoding._orjson
        encoding._orjson = None
        try:
            _, seconds = timed(lambda d=dim: encode(datasets[d], "bench", "float64"))
        finally:
            encoding._orjson = saved
        rate_row(f"encode only, {FORMS['float64']} (stdlib json)", dim, n, seconds)

    # 2. The SDK against a server that does nothing: both forms, interleaved by round.
    reply = json.dumps({"status": "success", "value": {"ids": []}, "logLines": []})
    with noop_server(reply) as url, Client(url=url, token="unused") as client:
        upsert(client, datasets[384][:1000], "warm-up")
        upsert(client, datasets[384][:1000], "warm-up", "float64")
        for dim, n in sizes:
            samples: dict[str, list[float]] = {"float64": [], "float32": []}
            for _ in range(options.rounds):
                for vector_format in samples:
                    _, seconds = timed(
                        lambda d=dim, c=client, f=vector_format: upsert(c, datasets[d], "bench", f)
                    )
                    samples[vector_format].append(seconds)
            for vector_format, runs in samples.items():
                rate_row(f"SDK helper -> no-op server, {FORMS[vector_format]}", dim, n,
                         statistics.median(runs))  # fmt: skip
            ratio = statistics.median(samples["float64"]) / statistics.median(samples["float32"])
            print(f"   float32 / float64 throughput at {dim}: {ratio:.2f}x", file=sys.stderr)

    if options.skip_backend:
        sizes = []

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
    print("Batches made by the chunking (1,000 items, 8 MiB of body, 12 MiB stored per call):")
    print_table(
        ["vectors", "form", "calls", "max items/call", "max body", "total body", "bytes/vector"],
        shape,
    )
    print()
    print("Local backend, milliseconds per upsert call (first, median, last):")
    print_table(["vectors", "run", "calls", "first ms", "median ms", "last ms"], growth)
    print()
    print("Rates:")
    print_table(["step", "vectors", "seconds", "vectors/s"], rows)


if __name__ == "__main__":
    main()
