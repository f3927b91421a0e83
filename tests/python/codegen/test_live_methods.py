"""Live queries (`live = [...]` in the config): the generated method returns a typed
subscription built by the runtime's `subscribe` / `asubscribe`, with the same keyword-only
arguments, argument checks and result adapter as a plain query method."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

import pytest
from convex_py_codegen.config import Selector, load_config
from convex_py_codegen.errors import ConfigError
from convex_py_codegen.generator import Generator
from convex_py_codegen.ir import Options
from convex_py_codegen.spec import parse_spec

from .helpers import ROOT, Recorder, build_sdk, fake_clients, mypy_strict

LIVE = frozenset({"getThread", "countMessages"})
THREAD = {"id": "t1", "resourceId": "u1", "title": "hi", "createdAt": 1.0, "updatedAt": 2.0}


@pytest.fixture(scope="module")
def sdk_dir(tmp_path_factory: pytest.TempPathFactory, fixture_component_spec: Any) -> Path:
    tmp = tmp_path_factory.mktemp("live")
    build_sdk(
        tmp,
        fixture_component_spec,
        package="live_sdk",
        component=True,
        live=LIVE,
        own_runtime=True,
    )
    return tmp


class Captured:
    def __init__(self) -> None:
        self.calls: list[tuple[Any, str, dict[str, Any], Any]] = []

    def __call__(self, client: Any, path: str, args: dict[str, Any], adapter: Any) -> Any:
        self.calls.append((client, path, dict(args), adapter))
        return ("subscription", path)


def test_live_method_returns_the_runtimes_subscription(
    sdk_dir: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    live = importlib.import_module("live_sdk._live")
    sync_capture, async_capture = Captured(), Captured()
    monkeypatch.setattr(live, "subscribe", sync_capture)
    monkeypatch.setattr(live, "asubscribe", async_capture)
    client, aclient = fake_clients("live_sdk", Recorder())

    assert client.threads.get_thread(thread_id="t1") == ("subscription", "memory:getThread")
    ((target, path, args, adapter),) = sync_capture.calls
    assert target is client and path == "memory:getThread" and args == {"threadId": "t1"}
    # The adapter types what the server pushes (JSON, camelCase) as the plain method would.
    thread = adapter.validate_python(THREAD, context={"convex_from_server": True})
    assert type(thread).__name__ == "Thread" and thread.resource_id == "u1"
    assert adapter.validate_python(None) is None

    # The async method is a plain function (the subscription starts when awaited/used).
    method = type(aclient.threads).get_thread
    assert not inspect.iscoroutinefunction(method)
    assert aclient.threads.get_thread(thread_id="t2") == ("subscription", "memory:getThread")
    assert async_capture.calls[0][0] is aclient and async_capture.calls[0][2] == {"threadId": "t2"}
    # Arguments are checked before anything is subscribed.
    # (the fixture SDK carries its own copy of the runtime, so match the class by name)
    with pytest.raises(Exception, match="INVALID_ARGUMENT") as refused:
        client.threads.get_thread(thread_id=1)
    assert type(refused.value).__name__ == "InvalidArgumentError"
    assert len(sync_capture.calls) == 1


def test_signatures_and_docstrings(sdk_dir: Path) -> None:
    threads = importlib.import_module("live_sdk._generated.resources.threads")
    sync_sig = inspect.signature(threads.Threads.get_thread)
    async_sig = inspect.signature(threads.AsyncThreads.get_thread)
    assert sync_sig.return_annotation == "Subscription[Thread | None]"
    assert async_sig.return_annotation == "AsyncSubscription[Thread | None]"
    assert [p.kind for p in list(sync_sig.parameters.values())[1:]] == [
        inspect.Parameter.KEYWORD_ONLY
    ]
    doc = threads.Threads.get_thread.__doc__ or ""
    assert "Subscribes to the query ``memory:getThread``" in doc
    assert "Returns:\n            Subscription[Thread | None]: its values" in doc
    # Non-live functions keep their plain shape.
    assert inspect.iscoroutinefunction(threads.AsyncThreads.save_thread)
    count = importlib.import_module("live_sdk._generated.resources.messages")
    assert inspect.signature(count.Messages.count_messages).return_annotation == "Subscription[int]"


def test_only_live_queries_return_subscriptions(sdk_dir: Path) -> None:
    generated = sdk_dir / "live_sdk" / "_generated" / "resources"
    assert "-> Subscription[Thread | None]:" in (generated / "threads.py").read_text()
    assert "Subscription" not in (generated / "vectors.py").read_text()


@pytest.mark.parametrize(
    ("name", "error"),
    [
        ("saveThread", "only queries are live"),
        ("listThreads", "paginated query"),
        ("nope", "the spec does not have"),
    ],
)
def test_live_must_name_bounded_queries(fixture_component_spec: Any, name: str, error: str) -> None:
    options = Options(
        package="x", runtime_package="x", component=True, live=Selector(frozenset({name}))
    )
    with pytest.raises(ConfigError, match=error):
        Generator(parse_spec(fixture_component_spec), options).render()


def test_the_projects_config_lists_the_components_live_queries() -> None:
    config = load_config(ROOT / "codegen" / "agent_memory.toml")
    assert config.live.entries == {
        "watchThread",
        "watchMessages",
        "watchThreadsByResource",
        "watchWorkflowRun",
        "watchWorkflowRuns",
    }


USAGE = """
from __future__ import annotations

from live_sdk import AsyncSubscription, Subscription
from live_sdk._generated import AsyncGeneratedClient, GeneratedClient
from live_sdk.types import Thread


def use(client: GeneratedClient) -> list[str]:
    out: list[str] = []
    with client.threads.get_thread(thread_id="t1") as sub:
        first: Thread | None = sub.next(timeout=1.0)
        now: Thread | None = sub.current()
        out += [t.id for t in [first, now] if t is not None]
        for thread in sub:
            out.append(thread.id if thread else "")
    counts: Subscription[int] = client.messages.count_messages(thread_id="t1")
    counts.close()
    return out


async def use_async(client: AsyncGeneratedClient) -> list[int]:
    sub: AsyncSubscription[int] = client.messages.count_messages(thread_id="t1")
    async with sub:
        return [n async for n in sub]
"""


def test_live_sdk_and_its_use_pass_mypy_strict(sdk_dir: Path) -> None:
    (sdk_dir / "live_usage.py").write_text(USAGE)
    # The package's own __init__ (copied runtime) exports Subscription/AsyncSubscription.
    done = mypy_strict(sdk_dir, "live_sdk", "live_usage.py")
    assert done.returncode == 0, done.stdout + done.stderr
