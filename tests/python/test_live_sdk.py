"""Live queries from Python against the real local backend (example app + component):
the SDK's typed ``watch_*`` subscriptions, and the official ``convex.ConvexClient`` itself.

The official client's blocking calls hold the GIL and wait forever when nothing answers.
The SDK never makes one before an HTTP read of the same query succeeded; as a last resort
against a hang, every test here runs under ``faulthandler.dump_traceback_later(exit=True)``
(a hang kills the run with every thread's stack instead of blocking CI).
"""

from __future__ import annotations

import asyncio
import faulthandler
import shutil
import subprocess
import sys
import textwrap
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

pytest.importorskip("convex")

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from convex_agent_memory import (  # noqa: E402
    APIConnectionError,
    AsyncClient,
    AsyncSubscription,
    Client,
    ForbiddenError,
    Subscription,
    UnauthenticatedError,
)
from convex_agent_memory.types import (  # noqa: E402
    Message,
    Thread,
    WatchThreadResult,
    WorkflowRun,
)

from local_backend.launcher import LocalBackend  # noqa: E402

pytestmark = pytest.mark.skipif(shutil.which("node") is None, reason="needs Node")

HANG_LIMIT = 90.0
WAIT = 10.0  # seconds a test waits for a pushed value


@pytest.fixture(autouse=True)
def no_hang() -> Iterator[None]:
    faulthandler.dump_traceback_later(HANG_LIMIT, exit=True)
    yield
    faulthandler.cancel_dump_traceback_later()


@pytest.fixture(scope="module")
def backend() -> Iterator[LocalBackend]:
    with LocalBackend.start() as started:
        yield started


def message(id: str, thread_id: str, text: str) -> dict[str, Any]:
    return {
        "id": id,
        "threadId": thread_id,
        "role": "user",
        "type": "text",
        "content": {"format": 2, "parts": [{"type": "text", "text": text}]},
    }


def texts(messages: list[Message]) -> list[str]:
    return [m.content.parts[0]["text"] for m in messages]


def test_watch_messages_yields_another_clients_message(backend: LocalBackend) -> None:
    with (
        Client(url=backend.url, token=backend.token("alice")) as alice,
        Client(url=backend.url, token=backend.token("alice")) as writer,
    ):
        alice.threads.save_thread(id="live-t1", resource_id="alice", title="live")
        with alice.messages.watch_messages(
            resource_id="alice", thread_id="live-t1", limit=10
        ) as sub:
            assert isinstance(sub, Subscription)
            assert sub.next(timeout=WAIT) == []
            writer.messages.save_messages(
                resource_id="alice", messages=[message("live-m1", "live-t1", "hi")]
            )
            seen = sub.next(timeout=WAIT)
            assert [type(m) for m in seen] == [Message]
            assert texts(seen) == ["hi"] and seen[0].thread_id == "live-t1"
            writer.messages.save_messages(
                resource_id="alice", messages=[message("live-m2", "live-t1", "yo")]
            )
            assert texts(next(sub)) == ["hi", "yo"]  # plain iteration
            # Nothing changed: no value, a TimeoutError after the timeout (no hang).
            with pytest.raises(TimeoutError):
                sub.next(timeout=0.3)
            assert texts(sub.current()) == ["hi", "yo"]


def test_closing_stops_updates(backend: LocalBackend) -> None:
    with Client(url=backend.url, token=backend.token("bob")) as bob:
        bob.threads.save_thread(id="live-t2", resource_id="bob")
        sub = bob.messages.watch_messages(resource_id="bob", thread_id="live-t2")
        other = bob.threads.watch_thread(resource_id="bob", id="live-t2")  # same WebSocket
        assert sub.next(timeout=WAIT) == []
        assert other.next(timeout=WAIT) is not None
        sub.close()
        sub.close()  # idempotent
        assert sub.closed
        bob.messages.save_messages(
            resource_id="bob", messages=[message("live-m3", "live-t2", "after")]
        )
        # The other subscription on the same connection sees the write; the closed one ends.
        watched = other.next(timeout=WAIT)
        assert watched is not None and watched.message_count == 1
        assert list(sub) == []
        other.close()


def test_unauthorized_subscriptions_raise(backend: LocalBackend) -> None:
    with Client(url=backend.url, token=backend.token("carol")) as carol:
        carol.threads.save_thread(id="live-carol", resource_id="carol")
    with Client(url=backend.url) as anonymous, pytest.raises(UnauthenticatedError):
        anonymous.messages.watch_messages(resource_id="carol", thread_id="live-carol")
    with (
        Client(url=backend.url, token=backend.token("dave")) as dave,
        pytest.raises(ForbiddenError),
    ):
        dave.messages.watch_messages(resource_id="carol", thread_id="live-carol")
    # A service identity may watch any resource.
    with (
        Client(url=backend.url, token=backend.token("svc", service=True)) as service,
        service.messages.watch_messages(resource_id="carol", thread_id="live-carol") as sub,
    ):
        assert sub.next(timeout=WAIT) == []


def test_every_live_query_is_typed(backend: LocalBackend) -> None:
    with Client(url=backend.url, token=backend.token("erin")) as erin:
        erin.threads.save_thread(id="live-t3", resource_id="erin", title="one")
        with (
            erin.threads.watch_thread(resource_id="erin", id="live-t3") as thread,
            erin.threads.watch_threads_by_resource(resource_id="erin", limit=5) as threads,
            erin.workflows.watch_workflow_run(
                resource_id="erin", run_id="run-1", workflow_name="wf"
            ) as run,
            erin.workflows.watch_workflow_runs(resource_id="erin") as runs,
        ):
            first = thread.next(timeout=WAIT)
            assert isinstance(first, WatchThreadResult) and first.message_count == 0
            listed = threads.next(timeout=WAIT)
            assert [type(t) for t in listed] == [Thread] and listed[0].title == "one"
            assert run.next(timeout=WAIT) is None
            assert runs.next(timeout=WAIT) == []

            erin.threads.update_thread(resource_id="erin", id="live-t3", title="two")
            assert thread.next(timeout=WAIT).thread.title == "two"  # type: ignore[union-attr]
            assert threads.next(timeout=WAIT)[0].title == "two"
            erin.workflows.persist_workflow_snapshot(
                workflow_name="wf", run_id="run-1", resource_id="erin", snapshot={"step": 1}
            )
            got = run.next(timeout=WAIT)
            assert got is not None and got.status is not None
            listed_runs = runs.next(timeout=WAIT)
            assert [type(r) for r in listed_runs] == [WorkflowRun]
            assert listed_runs[0].run_id == "run-1"


def test_client_close_closes_its_subscriptions(backend: LocalBackend) -> None:
    client = Client(url=backend.url, token=backend.token("frank"))
    client.threads.save_thread(id="live-t4", resource_id="frank")
    sub = client.messages.watch_messages(resource_id="frank", thread_id="live-t4")
    assert sub.next(timeout=WAIT) == []
    client.close()
    assert sub.closed and list(sub) == []


def test_token_provider_is_carried(backend: LocalBackend) -> None:
    asked: list[int] = []

    def provider() -> str:
        asked.append(1)
        return backend.token("gina")

    with Client(url=backend.url, token_provider=provider) as gina:
        gina.threads.save_thread(id="live-t5", resource_id="gina")
        with gina.threads.watch_thread(resource_id="gina", id="live-t5") as sub:
            got = sub.next(timeout=WAIT)
            assert got is not None and got.thread.resource_id == "gina"
    assert asked


def test_unreachable_url_raises_instead_of_hanging() -> None:
    started = time.monotonic()
    with (
        Client(url="http://127.0.0.1:9", max_retries=0) as client,
        pytest.raises(APIConnectionError),
    ):
        client.messages.watch_messages(resource_id="u", thread_id="t")
    assert time.monotonic() - started < 10


def test_a_backend_that_dies_raises_instead_of_hanging() -> None:
    own = LocalBackend.start()
    try:
        client = Client(url=own.url, token=own.token("hal"), max_retries=0)
        client.threads.save_thread(id="live-t6", resource_id="hal")
        sub = client.messages.watch_messages(resource_id="hal", thread_id="live-t6")
        sub.liveness_interval = 0.3
        assert sub.next(timeout=WAIT) == []
    finally:
        own.close()
    started = time.monotonic()
    with pytest.raises(APIConnectionError, match="stopped answering"):
        sub.next()
    assert time.monotonic() - started < 10 and sub.closed
    client.close()


async def test_async_subscription(backend: LocalBackend) -> None:
    async with (
        AsyncClient(url=backend.url, token=backend.token("ivy")) as ivy,
        AsyncClient(url=backend.url, token=backend.token("ivy")) as writer,
    ):
        await ivy.threads.save_thread(id="live-t7", resource_id="ivy")
        async with ivy.messages.watch_messages(resource_id="ivy", thread_id="live-t7") as sub:
            assert isinstance(sub, AsyncSubscription)
            assert await sub.next(timeout=WAIT) == []
            await writer.messages.save_messages(
                resource_id="ivy", messages=[message("live-m7", "live-t7", "async")]
            )
            async for value in sub:
                assert texts(value) == ["async"]
                break
            with pytest.raises(TimeoutError):
                await sub.next(timeout=0.3)
        assert sub.closed
        # `await` starts it too; an unauthorized one raises when started.
        other = await ivy.threads.watch_thread(resource_id="ivy", id="live-t7")
        got = await other.current()
        assert got is not None and got.message_count == 1
        await other.aclose()
        with pytest.raises(ForbiddenError):
            await writer.with_options(token=backend.token("jack")).messages.watch_messages(
                resource_id="ivy", thread_id="live-t7"
            )


async def test_async_unreachable_url_raises() -> None:
    async with AsyncClient(url="http://127.0.0.1:9", max_retries=0) as client:
        with pytest.raises(APIConnectionError):
            await asyncio.wait_for(
                client.messages.watch_messages(resource_id="u", thread_id="t").start(), 10
            )


def test_official_python_client_against_the_example_app(backend: LocalBackend) -> None:
    """The official convex.ConvexClient alone: query, mutation and subscription (child
    process: its blocking calls cannot be guarded by a timeout in this process)."""
    code = textwrap.dedent(
        """
        import faulthandler, os, sys
        faulthandler.dump_traceback_later(40, exit=True)
        import convex

        url, token = sys.argv[1], sys.argv[2]
        watcher, writer = convex.ConvexClient(url), convex.ConvexClient(url)
        watcher.set_auth(token)
        writer.set_auth(token)
        writer.mutation("memory:saveThread", {"id": "py-official", "resourceId": "kim"})
        assert writer.query(
            "memory:getThread", {"resourceId": "kim", "id": "py-official"}
        )["resourceId"] == "kim"
        sub = watcher.subscribe(
            "memory:watchMessages", {"resourceId": "kim", "threadId": "py-official"}
        )
        assert next(sub) == []
        writer.mutation("memory:saveMessages", {"resourceId": "kim", "messages": [{
            "id": "py-m1", "threadId": "py-official", "role": "user",
            "type": "text", "content": {"format": 2.0, "parts": [{"type": "text", "text": "x"}]},
        }]})
        value = next(sub)
        assert [m["id"] for m in value] == ["py-m1"], value
        sub.unsubscribe()
        print("CHILD OK", flush=True)
        os._exit(0)
        """
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", code, backend.url, backend.token("kim")],
            capture_output=True,
            text=True,
            timeout=60,
        )
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"the official client hung: {e.stdout!r} {e.stderr!r}")
    assert "CHILD OK" in done.stdout, done.stdout + done.stderr
