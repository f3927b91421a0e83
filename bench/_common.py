"""Shared by the Python benchmarks: a local backend, a no-op server, timing and tables.

Everything runs on 127.0.0.1 and every loop is bounded by a count.
"""

from __future__ import annotations

import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from local_backend.launcher import LocalBackend  # noqa: E402

__all__ = [
    "ROOT",
    "LocalBackend",
    "describe_machine",
    "local_backend",
    "median_us",
    "noop_server",
    "print_table",
    "time_calls",
]


@contextmanager
def local_backend() -> Iterator[LocalBackend]:
    """The repo's local backend (example app + component under convex-test), on a free port."""
    with LocalBackend.start() as backend:
        yield backend


# A Node HTTP server that reads each request body whole and answers one fixed Convex
# success envelope: what is left of a call when the backend costs (almost) nothing.
_NOOP_SERVER_JS = r"""
const http = require("node:http");
const reply = Buffer.from(process.argv[1]);
const delayMs = Number(process.argv[2] || 0);
const server = http.createServer((req, res) => {
  let bytes = 0;
  req.on("data", (chunk) => { bytes += chunk.length; });
  req.on("end", () => {
    const send = () => {
      res.writeHead(200, { "content-type": "application/json", "content-length": reply.length });
      res.end(reply);
    };
    if (delayMs > 0) setTimeout(send, delayMs); else send();
  });
});
server.keepAliveTimeout = 60000;
server.listen(0, "127.0.0.1", () => {
  console.log("LOCAL_BACKEND_URL=http://127.0.0.1:" + server.address().port);
});
process.stdin.on("end", () => process.exit(0));
process.stdin.resume();
"""


@contextmanager
def noop_server(reply_json: str, delay_ms: float = 0) -> Iterator[str]:
    """Starts the no-op server (Node, its own process); yields its URL.

    ``delay_ms`` holds every reply that long (a stand-in for a remote deployment's latency;
    requests wait concurrently, as they would on the network).
    """
    process = subprocess.Popen(
        ["node", "-e", _NOOP_SERVER_JS, reply_json, str(delay_ms)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        assert process.stdout is not None
        line = process.stdout.readline().strip()
        if not line.startswith("LOCAL_BACKEND_URL="):
            raise RuntimeError(f"no-op server did not start: {line!r}")
        yield line.split("=", 1)[1]
    finally:
        if process.stdin is not None:
            process.stdin.close()
        try:
            process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def time_calls(call: Callable[[], object], count: int) -> list[float]:
    """Seconds taken by each of ``count`` calls."""
    times = []
    clock = time.perf_counter
    for _ in range(count):
        start = clock()
        call()
        times.append(clock() - start)
    return times


def median_us(times: Sequence[float]) -> float:
    return statistics.median(times) * 1e6


def print_table(headers: Sequence[str], rows: Sequence[Sequence[object]]) -> None:
    """A plain aligned table (numbers right-aligned), also valid Markdown."""
    cells = [[str(h) for h in headers]] + [[_fmt(c) for c in row] for row in rows]
    widths = [max(len(r[i]) for r in cells) for i in range(len(headers))]
    numeric = [
        all(_is_number(row[i]) for row in rows) if rows else False for i in range(len(headers))
    ]

    def line(row: Sequence[str]) -> str:
        parts = [
            c.rjust(w) if num else c.ljust(w)
            for c, w, num in zip(row, widths, numeric, strict=True)
        ]
        return "| " + " | ".join(parts) + " |"

    print(line(cells[0]))
    print("|" + "|".join(("-" * (w + 1) + ":") if n else ("-" * (w + 2))
                         for w, n in zip(widths, numeric, strict=True)) + "|")  # fmt: skip
    for row in cells[1:]:
        print(line(row))


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _fmt(value: object) -> str:
    if isinstance(value, float):
        if abs(value) >= 100:
            return f"{value:,.0f}"
        if abs(value) >= 10:
            return f"{value:.1f}"
        return f"{value:.2f}"
    if isinstance(value, int) and not isinstance(value, bool):
        return f"{value:,}"
    return str(value)


def describe_machine() -> str:
    try:
        import orjson  # noqa: F401

        encoder = "orjson"
    except ImportError:
        encoder = "json (stdlib)"
    node = subprocess.run(["node", "--version"], capture_output=True, text=True).stdout.strip()
    return (
        f"Python {platform.python_version()}, Node {node}, {os.cpu_count()} CPUs, "
        f"SDK encoder: {encoder}"
    )
