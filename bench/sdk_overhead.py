"""Per-call overhead of the SDK, against a raw httpx POST and the official ConvexHttpClient.

    .venv/bin/python bench/sdk_overhead.py [--calls 300] [--rounds 5] [--async-calls 640]
                                           [--smoke]

Starts the local backend (example app + component under convex-test, 127.0.0.1), seeds one
thread with 20 messages, then times two queries, ``memory:getThread`` and
``memory:countMessages``, made four ways on one keep-alive connection each:

- raw httpx: ``httpx.Client.post`` of the same JSON body + ``json.loads`` of the reply;
- SDK: ``client.threads.get_thread(...)`` / ``client.messages.count_messages(...)``
  (argument model, encoding, retry plan, error mapping, result validation);
- official: ``convex.http_client.ConvexHttpClient.query(...)`` (PyPI ``convex``; it uses
  ``requests.post`` without a session, so a new TCP connection per call).

The variants are interleaved round by round so drift hits them alike; the table gives each
one's median and 90th percentile per call and its ratio to raw httpx.

Then throughput: N ``countMessages`` calls made sequentially by the sync client, and by the
AsyncClient with 1 and 16 in flight (``asyncio.gather`` under a semaphore), on httpx's
transport and on aiohttp's (``DefaultAioHttpClient``, the ``[aiohttp]`` extra), and by a bare
``httpx.AsyncClient`` with 16 in flight, against the local backend and the no-op server,
with the process's CPU time per call.
The local backend runs every transaction, queries included, one at a time (convex-test takes
a lock per transaction), in one Node thread, on the same 2 cores as the client: calls in
flight only queue there. A real deployment runs queries in parallel, and a remote one adds
network latency that calls in flight overlap: the last server stands for that (a no-op
server that holds each reply 20 ms).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import statistics
import time
from collections.abc import Callable
from typing import Any

import httpx
from _common import (
    describe_machine,
    local_backend,
    median_us,
    noop_server,
    print_table,
    time_calls,
)
from convex.http_client import ConvexHttpClient
from convex_agent_memory import AsyncClient, Client, DefaultAioHttpClient

USER = "bench-user"
THREAD = "bench-thread"
THREAD_KEY = {"resourceId": USER, "id": THREAD}
IN_THREAD = {"resourceId": USER, "threadId": THREAD}


def seed(client: Client) -> None:
    client.threads.save_thread(id=THREAD, resource_id=USER, title="overhead bench")
    client.messages.save_messages(
        resource_id=USER,
        messages=[
            {"id": f"m{i:02d}", "threadId": THREAD, "role": "user",
             "content": {"format": 2, "parts": [{"type": "text", "text": f"message {i}"}]}}
            for i in range(20)
        ]
    )  # fmt: skip


def compare(calls: dict[str, dict[str, Callable[[], object]]], rounds: int, count: int) -> None:
    """Times every variant of every call, interleaved by round; prints the table."""
    times: dict[tuple[str, str], list[float]] = {}
    for function, variants in calls.items():
        for call in variants.values():  # warm-up: connections, caches
            time_calls(call, 30)
        for _ in range(rounds):
            for variant, call in variants.items():
                times.setdefault((function, variant), []).extend(time_calls(call, count))
    rows = []
    for function, variants in calls.items():
        base = median_us(times[(function, "raw httpx")])
        for variant in variants:
            sample = times[(function, variant)]
            med = median_us(sample)
            p90 = statistics.quantiles(sample, n=10)[-1] * 1e6
            rows.append([function, variant, med, p90, f"{med / base:.3f}x"])
    print_table(["query", "client", "median us", "p90 us", "vs raw"], rows)


def three_ways(
    urls: dict[str, str], token: str
) -> tuple[dict[str, dict[str, Callable[[], object]]], Callable[[], None]]:
    """getThread and countMessages as raw httpx, SDK and official calls; ``urls[function]``."""
    opened: list[Client | httpx.Client] = []
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}

    def clients(url: str) -> tuple[Client, Callable[[str, dict[str, Any]], Any], Any]:
        sdk = Client(url=url, token=token)
        raw = httpx.Client()
        opened.extend([sdk, raw])
        official = ConvexHttpClient(url)
        official.set_auth(token)

        def raw_call(path: str, args: dict[str, Any]) -> Any:
            body = json.dumps({"path": path, "args": args, "format": "convex_encoded_json"})
            response = raw.post(f"{url}/api/query", content=body, headers=headers)
            reply = json.loads(response.content)
            assert reply["status"] == "success", reply
            return reply["value"]

        return sdk, raw_call, official

    sdk, raw_call, official = clients(urls["getThread"])
    get_thread: dict[str, Callable[[], object]] = {
        "raw httpx": lambda: raw_call("memory:getThread", THREAD_KEY),
        "SDK (sync)": lambda: sdk.threads.get_thread(resource_id=USER, id=THREAD),
        "official ConvexHttpClient": lambda: official.query("memory:getThread", THREAD_KEY),
    }
    sdk2, raw_call2, official2 = clients(urls["countMessages"])
    count: dict[str, Callable[[], object]] = {
        "raw httpx": lambda: raw_call2("memory:countMessages", IN_THREAD),
        "SDK (sync)": lambda: sdk2.messages.count_messages(resource_id=USER, thread_id=THREAD),
        "official ConvexHttpClient": lambda: official2.query("memory:countMessages", IN_THREAD),
    }
    # The same answer from all three before timing anything (the SDK's count is an int, the
    # others' the float64 on the wire: equal numbers).
    answers = {name: call() for name, call in count.items()}
    assert all(a == answers["raw httpx"] for a in answers.values()), answers

    def close() -> None:
        for client in opened:
            client.close()

    return {"getThread": get_thread, "countMessages": count}, close


async def async_throughput(
    url: str, token: str, calls: int, in_flight: int, *, variant: str = "sdk"
) -> tuple[float, float]:
    """Seconds for ``calls`` countMessages calls with at most ``in_flight`` at a time, and the
    process's CPU seconds per call: by the AsyncClient (``variant="sdk"``), the AsyncClient
    on aiohttp (``"aiohttp"``, DefaultAioHttpClient), or a bare ``httpx.AsyncClient``
    posting the same body (``"raw"``)."""
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    body = json.dumps(
        {"path": "memory:countMessages", "args": IN_THREAD,
         "format": "convex_encoded_json"}
    )  # fmt: skip
    http_client = DefaultAioHttpClient() if variant == "aiohttp" else None
    async with AsyncClient(url=url, token=token, http_client=http_client) as sdk, \
            httpx.AsyncClient() as http:  # fmt: skip

        async def call() -> float:
            if variant != "raw":
                return await sdk.messages.count_messages(resource_id=USER, thread_id=THREAD)
            response = await http.post(f"{url}/api/query", content=body, headers=headers)
            value: float = json.loads(response.content)["value"]
            return value

        for _ in range(20):  # warm-up
            await call()
        gate = asyncio.Semaphore(in_flight)

        async def one() -> float:
            async with gate:
                return await call()

        cpu = time.process_time()
        start = time.perf_counter()
        results = await asyncio.gather(*(one() for _ in range(calls)))
        elapsed = time.perf_counter() - start
        cpu = time.process_time() - cpu
        assert all(r == 20.0 for r in results)
        return elapsed, cpu / calls


def throughput(
    server: str, url: str, token: str, calls: int, in_flight: int, rounds: int = 1
) -> list[list[object]]:
    """Rows: the sync SDK sequentially, then async clients with 1 and ``in_flight`` calls
    (httpx and aiohttp transports, and raw httpx). With ``rounds`` > 1 the variants are
    interleaved round by round and each row is the median round."""

    def sync_run() -> tuple[float, float]:
        with Client(url=url, token=token) as client:
            for _ in range(20):  # warm-up
                client.messages.count_messages(resource_id=USER, thread_id=THREAD)
            cpu = time.process_time()
            start = time.perf_counter()
            for _ in range(calls):
                client.messages.count_messages(resource_id=USER, thread_id=THREAD)
            return time.perf_counter() - start, (time.process_time() - cpu) / calls

    variants: list[tuple[str, Callable[[], tuple[float, float]]]] = [
        ("SDK Client, sequential", sync_run),
        ("SDK AsyncClient, 1 in flight",
         lambda: asyncio.run(async_throughput(url, token, calls, 1))),
        (f"SDK AsyncClient, {in_flight} in flight",
         lambda: asyncio.run(async_throughput(url, token, calls, in_flight))),
        (f"SDK AsyncClient + DefaultAioHttpClient, {in_flight} in flight",
         lambda: asyncio.run(async_throughput(url, token, calls, in_flight, variant="aiohttp"))),
        (f"raw httpx.AsyncClient, {in_flight} in flight",
         lambda: asyncio.run(async_throughput(url, token, calls, in_flight, variant="raw"))),
    ]  # fmt: skip
    samples: dict[str, list[tuple[float, float]]] = {name: [] for name, _ in variants}
    for _ in range(rounds):
        for name, run in variants:
            samples[name].append(run())
    medians = {
        name: (statistics.median(s for s, _ in runs), statistics.median(c for _, c in runs))
        for name, runs in samples.items()
    }
    sync_seconds = medians["SDK Client, sequential"][0]
    raw_seconds = medians[f"raw httpx.AsyncClient, {in_flight} in flight"][0]
    return [
        [server, name, seconds, calls / seconds, cpu * 1e6,
         f"{sync_seconds / seconds:.2f}x", f"{raw_seconds / seconds:.2f}x"]
        for name, (seconds, cpu) in medians.items()
    ]  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=(__doc__ or "").splitlines()[0])
    parser.add_argument("--calls", type=int, default=300, help="calls per variant per round")
    parser.add_argument("--rounds", type=int, default=5)
    parser.add_argument("--async-calls", type=int, default=640)
    parser.add_argument("--in-flight", type=int, default=16)
    parser.add_argument("--delayed-rounds", type=int, default=3)
    parser.add_argument(
        "--latency-ms", type=float, default=20.0,
        help="reply delay of the last no-op server (a remote deployment's round trip)",
    )  # fmt: skip
    parser.add_argument(
        "--smoke", action="store_true",
        help="one tiny iteration (3 calls, one round, 32 calls in flight): it still runs",
    )  # fmt: skip
    options = parser.parse_args()
    if options.smoke:
        options.calls, options.rounds, options.async_calls, options.delayed_rounds = 3, 1, 32, 1
    print(f"sdk_overhead: {describe_machine()}")

    with local_backend() as backend:
        token = backend.token(USER)
        url = backend.url
        with Client(url=url, token=token) as client:
            seed(client)
            thread_json = client._call("query", "memory:getThread", THREAD_KEY)

        print()
        print(f"A. Against the local backend: {options.rounds} interleaved rounds x "
              f"{options.calls} calls per variant (microseconds per call)")  # fmt: skip
        calls, close = three_ways({"getThread": url, "countMessages": url}, token)
        try:
            compare(calls, options.rounds, options.calls)
        finally:
            close()

        rates = throughput("local backend", url, token, options.async_calls, options.in_flight)

    thread_reply = json.dumps({"status": "success", "value": thread_json, "logLines": []})
    count_reply = json.dumps({"status": "success", "value": 20.0, "logLines": []})
    with noop_server(thread_reply) as thread_url, noop_server(count_reply) as count_url:
        print()
        print("B. Against a no-op server (Node, fixed reply: the client's own cost), same "
              "layout")  # fmt: skip
        calls, close = three_ways({"getThread": thread_url, "countMessages": count_url}, token)
        try:
            compare(calls, options.rounds, options.calls)
        finally:
            close()

        rates += throughput(
            "no-op server", count_url, token, options.async_calls, options.in_flight
        )
    with noop_server(count_reply, delay_ms=options.latency_ms) as slow_url:
        rates += throughput(
            f"no-op server, {options.latency_ms:g} ms per reply", slow_url, token,
            options.async_calls // 2, options.in_flight, rounds=options.delayed_rounds,
        )  # fmt: skip

    print()
    print(f"C. Throughput, {options.async_calls} countMessages calls "
          f"({options.async_calls // 2} with the delayed replies, median of "
          f"{options.delayed_rounds} interleaved rounds)")  # fmt: skip
    print_table(
        ["server", "client", "seconds", "calls/s", "CPU us/call", "vs sync", "vs raw httpx"], rates
    )


if __name__ == "__main__":
    main()
