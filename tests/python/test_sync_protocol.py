"""The official Python `convex.ConvexClient` (convex-rs over WebSocket) against
the sync protocol of the local backend (local_backend/sync), served here by
local_backend/sync/dev-server.ts with the fixture app of tests/fixtures/sync-app.

The official client blocks forever when it gets no answer, and its blocking
calls (`query`, `mutation`, `next(subscription)`) hold the GIL while they wait,
so a thread with a join timeout cannot guard them. Each scenario therefore runs
in a child Python process (this file run as a script) under a subprocess
timeout, with `faulthandler` dumping the child's stack if it hangs: a broken
server fails a test, it never hangs the suite.
"""

from __future__ import annotations

import os
import queue
import shutil
import subprocess
import sys
import threading
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]
SECRET = "py-sync-test-secret-of-at-least-32-bytes"
ISSUER = "https://sync-fixture.invalid"
SCENARIO_TIMEOUT = 30.0


# --- scenarios (run in a child process: `python test_sync_protocol.py <name> <url>`) ---


def token(sub: str, secret: str = SECRET, **claims: Any) -> str:
    import jwt

    now = int(time.time())
    payload = {"sub": sub, "iss": ISSUER, "iat": now, "exp": now + 600, **claims}
    return jwt.encode(payload, secret, algorithm="HS256")


def scenario_query_mutation_action(url: str) -> None:
    import convex

    client = convex.ConvexClient(url)
    assert client.query("counter:get", {"name": "py-qma"}) == 0
    assert client.mutation("counter:increment", {"name": "py-qma", "by": 2}) == 2
    # The mutation returned only once a Transition at its ts arrived: reads see it.
    assert client.query("counter:get", {"name": "py-qma"}) == 2
    assert client.action("counter:incrementTwice", {"name": "py-qma"}) == 4
    assert client.query("counter.js:get", {"name": "py-qma"}) == 4


def scenario_subscribe(url: str) -> None:
    import convex

    watcher = convex.ConvexClient(url)
    writer = convex.ConvexClient(url)
    sub = watcher.subscribe("counter:get", {"name": "py-sub"})
    assert next(sub) == 0
    assert writer.mutation("counter:increment", {"name": "py-sub"}) == 1
    assert next(sub) == 1
    writer.mutation("counter:increment", {"name": "py-sub", "by": 10})
    assert next(sub) == 11
    sub.unsubscribe()
    try:
        next(sub)
    except Exception as e:
        assert "dropped" in str(e)
    else:
        raise AssertionError("an unsubscribed subscription still yielded")
    # Another subscription on the same client keeps working after the unsubscribe.
    items = watcher.subscribe("items:list", {"list": "py-after-unsub"})
    assert next(items) == []
    writer.mutation("items:add", {"list": "py-after-unsub", "text": "x"})
    assert next(items) == [{"text": "x", "author": None}]


def scenario_async_subscribe(url: str) -> None:
    import asyncio

    import convex

    async def main() -> None:
        watcher = convex.ConvexClient(url)
        writer = convex.ConvexClient(url)
        sub = watcher.subscribe("items:list", {"list": "py-async"})
        assert await sub.__anext__() == []
        writer.mutation("items:add", {"list": "py-async", "text": "hi"})
        assert await sub.__anext__() == [{"text": "hi", "author": None}]
        sub.unsubscribe()

    asyncio.run(asyncio.wait_for(main(), SCENARIO_TIMEOUT))


def scenario_set_auth(url: str) -> None:
    import convex

    client = convex.ConvexClient(url)
    assert client.query("identity:whoami") is None
    client.set_auth(token("carol", name="Carol"))
    assert client.query("identity:whoami") == {
        "subject": "carol",
        "issuer": ISSUER,
        "name": "Carol",
    }
    client.mutation("items:add", {"list": "py-auth", "text": "mine"})
    assert client.query("items:mine", {"list": "py-auth"}) == [{"text": "mine", "author": "carol"}]
    # A live subscription follows the identity.
    who = client.subscribe("identity:whoami")
    assert next(who) == {"subject": "carol", "issuer": ISSUER, "name": "Carol"}
    client.clear_auth()
    assert next(who) is None
    assert client.query("identity:whoami") is None


def scenario_errors(url: str) -> None:
    import convex

    client = convex.ConvexClient(url)
    try:
        client.query("identity:failing", {"code": "NOT_FOUND"})
    except convex.ConvexError as e:
        assert e.data == {"code": "NOT_FOUND", "message": "not allowed"}
    else:
        raise AssertionError("no error")
    try:
        client.mutation("items:add", {"list": "py-x", "text": ""})
    except convex.ConvexError as e:
        assert e.data["code"] == "INVALID_ARGUMENT"
    else:
        raise AssertionError("no error")
    try:
        client.query("identity:crashing")
    except Exception as e:
        assert "boom" in str(e)
    else:
        raise AssertionError("no error")
    # The connection is still usable.
    assert client.query("counter:get", {"name": "py-err"}) == 0


def scenario_unauthorized_subscription(url: str) -> None:
    import convex

    client = convex.ConvexClient(url)
    sub = client.subscribe("items:mine", {"list": "py-auth"})
    try:
        next(sub)
    except convex.ConvexError as e:
        assert e.data["code"] == "UNAUTHENTICATED"
    else:
        raise AssertionError("no error")
    sub.unsubscribe()


SCENARIOS: dict[str, Callable[[str], None]] = {
    name.removeprefix("scenario_"): fn
    for name, fn in list(globals().items())
    if name.startswith("scenario_") and callable(fn)
}


# --- the pytest side ---


@pytest.fixture(scope="module")
def server_url() -> Iterator[str]:
    pytest.importorskip("convex")
    pytest.importorskip("jwt")
    node = shutil.which("node")
    if node is None or not (ROOT / "node_modules" / "tsx").exists():
        pytest.skip("node and node_modules are needed to run the sync dev server")
    # node --import tsx (not the tsx wrapper): one process, so terminate() reaches the server.
    proc = subprocess.Popen(
        [
            node,
            "--import",
            "tsx",
            "local_backend/sync/dev-server.ts",
            "--port",
            "0",
            "--secret",
            SECRET,
            "--exit-with-stdin",
        ],
        cwd=ROOT,
        stdin=subprocess.PIPE,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    lines: queue.Queue[str] = queue.Queue()

    def pump() -> None:
        assert proc.stdout is not None
        for line in proc.stdout:
            lines.put(line)

    threading.Thread(target=pump, daemon=True).start()
    deadline = time.monotonic() + 60
    url = None
    seen: list[str] = []
    while url is None and time.monotonic() < deadline:
        try:
            line = lines.get(timeout=max(0.1, deadline - time.monotonic()))
        except queue.Empty:
            break
        seen.append(line)
        if line.startswith("LISTENING "):
            url = line.split()[1]
    if url is None:
        proc.kill()
        proc.wait(timeout=10)
        pytest.fail("sync dev server did not start:\n" + "".join(seen))
    try:
        yield url
    finally:
        assert proc.stdin is not None
        proc.stdin.close()
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(timeout=10)


def run_scenario(name: str, url: str) -> None:
    try:
        done = subprocess.run(
            [sys.executable, __file__, name, url],
            capture_output=True,
            text=True,
            timeout=SCENARIO_TIMEOUT + 15,
            env={**os.environ, "PYTHONFAULTHANDLER": "1"},
        )
    except subprocess.TimeoutExpired as e:
        output = [o.decode() if isinstance(o, bytes) else o for o in (e.stdout, e.stderr) if o]
        pytest.fail(f"scenario {name} hung:\n" + "".join(output))
    assert done.returncode == 0, f"scenario {name} failed:\n{done.stdout}{done.stderr}"
    assert done.stdout.strip().endswith(f"OK {name}")


@pytest.mark.parametrize("name", sorted(SCENARIOS))
def test_official_python_client(name: str, server_url: str) -> None:
    run_scenario(name, server_url)


if __name__ == "__main__":
    import faulthandler

    scenario, target = sys.argv[1], sys.argv[2]
    # Dumps every thread's stack and exits if the scenario hangs (runs without the GIL).
    faulthandler.dump_traceback_later(SCENARIO_TIMEOUT, exit=True)
    SCENARIOS[scenario](target)
    faulthandler.cancel_dump_traceback_later()
    print(f"OK {scenario}", flush=True)
    os._exit(0)  # do not wait on the client's background threads
