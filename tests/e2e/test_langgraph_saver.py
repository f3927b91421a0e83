"""ConvexSaver and ConvexStore beyond the conformance suite: values larger than a document
and than a call, long histories paged back, listing across namespaces and threads, and two
tenants that cannot reach each other's threads or items."""

from __future__ import annotations

import os
from typing import Any

import convex_agent_memory as cam
import pytest
from convex_agent_memory.langgraph import ConvexSaver, ConvexStore
from langgraph.checkpoint.base import empty_checkpoint

from .conftest import Clients, aw, uid

#: The run against a backend that redacts errors (scripts/test) compares the errors tests
#: raise; this one raises none, and is long, so it runs once.
NOT_IN_REDACTED_RUN = pytest.mark.skipif(
    os.environ.get("LOCAL_BACKEND_REDACT_ERRORS") == "1", reason="raises no errors; run once"
)


def saver_of(clients: Clients, client: Any, resource_id: str) -> ConvexSaver:
    if clients.flavour == "sync":
        return ConvexSaver(resource_id=resource_id, client=client)
    return ConvexSaver(resource_id=resource_id, async_client=client)


async def put(
    saver: ConvexSaver,
    flavour: str,
    config: dict[str, Any],
    values: dict[str, Any],
    step: int,
    **extra: Any,
) -> Any:
    checkpoint = empty_checkpoint()
    checkpoint["channel_values"] = values
    versions = {channel: saver.get_next_version(None, None) for channel in values}
    checkpoint["channel_versions"] = versions
    metadata = {"source": "loop", "step": step, "parents": {}, **extra}
    if flavour == "sync":
        return saver.put(config, checkpoint, metadata, versions)  # type: ignore[arg-type]
    return await saver.aput(config, checkpoint, metadata, versions)  # type: ignore[arg-type]


async def get(saver: ConvexSaver, flavour: str, config: dict[str, Any]) -> Any:
    return saver.get_tuple(config) if flavour == "sync" else await saver.aget_tuple(config)  # type: ignore[arg-type]


async def listed(
    saver: ConvexSaver, flavour: str, config: dict[str, Any] | None, **kwargs: Any
) -> list[Any]:
    if flavour == "sync":
        return list(saver.list(config, **kwargs))  # type: ignore[arg-type]
    return [t async for t in saver.alist(config, **kwargs)]  # type: ignore[arg-type]


def blob(size: int, seed: int) -> bytes:
    return (bytes(range(256)) * (size // 256 + 1))[seed : seed + size]


@pytest.mark.e2e_heavy
@NOT_IN_REDACTED_RUN
async def test_values_larger_than_a_document_and_than_a_call(clients: Clients) -> None:
    saver = saver_of(clients, clients.a, clients.user_a)
    thread = uid("big")
    config = {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}
    five_mib = blob(5 * 1024 * 1024 + 3, 1)
    stored = await put(saver, clients.flavour, config, {"big": five_mib, "small": "x"}, 1)
    big_write = blob(1_500_000, 2)
    writes = [("big", big_write), ("small", "y")]
    if clients.flavour == "sync":
        saver.put_writes(stored, writes, "task-1", "~1")
    else:
        await saver.aput_writes(stored, writes, "task-1", "~1")
    got = await get(saver, clients.flavour, config)
    assert got.checkpoint["channel_values"]["big"] == five_mib
    assert got.checkpoint["channel_values"]["small"] == "x"
    assert got.pending_writes == [("task-1", "big", big_write), ("task-1", "small", "y")]
    # Listed (values fetched per page) the same way.
    (only,) = await listed(saver, clients.flavour, config)
    assert only.checkpoint["channel_values"]["big"] == five_mib
    assert only.pending_writes == got.pending_writes

    if clients.flavour == "sync":
        # 3 x 3 MiB: more than one call carries (8 MiB) and one read reads (6 MiB).
        values = {f"c{i}": blob(3 * 1024 * 1024, i) for i in range(3)}
        stored = await put(saver, clients.flavour, config, values, 2)
        got = await get(saver, clients.flavour, stored)
        assert got.checkpoint["channel_values"] == values


@pytest.mark.e2e_heavy
@NOT_IN_REDACTED_RUN
async def test_a_long_history_pages_back_with_its_values_and_writes(clients: Clients) -> None:
    saver = saver_of(clients, clients.a, clients.user_a)
    thread = uid("history")
    base = {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}
    n = 230
    config: Any = base
    ids = []
    for i in range(n):
        config = await put(
            saver, clients.flavour, config, {"count": i}, i, run_id=f"run-{i // 100}"
        )
        ids.append(config["configurable"]["checkpoint_id"])
        if i % 10 == 0:
            writes = [("count", i + 1000)]
            if clients.flavour == "sync":
                saver.put_writes(config, writes, f"task-{i}")
            else:
                await saver.aput_writes(config, writes, f"task-{i}")
    history = await listed(saver, clients.flavour, base)
    assert [t.config["configurable"]["checkpoint_id"] for t in history] == ids[::-1]
    assert [t.checkpoint["channel_values"]["count"] for t in history] == list(range(n - 1, -1, -1))
    assert all(
        t.pending_writes
        == ([(f"task-{n - 1 - k}", "count", n - 1 - k + 1000)] if (n - 1 - k) % 10 == 0 else [])
        for k, t in enumerate(history)
    )
    assert [t.parent_config["configurable"]["checkpoint_id"] for t in history[:-1]] == ids[-2::-1]
    limited = await listed(
        saver,
        clients.flavour,
        base,
        before={"configurable": {"checkpoint_id": ids[150]}},
        limit=120,
    )
    assert [t.checkpoint["channel_values"]["count"] for t in limited] == list(range(149, 29, -1))
    run = await listed(saver, clients.flavour, base, filter={"run_id": "run-1", "source": "loop"})
    assert [t.metadata["step"] for t in run] == list(range(199, 99, -1))


async def test_listing_across_namespaces_and_threads(clients: Clients, deployment: Any) -> None:
    deployment.skip_unless("service")
    owner = uid("owner")  # a fresh owner, so that listing every thread is exact
    service = (
        cam.Client(url=deployment.url, token=deployment.token_service)
        if clients.flavour == "sync"
        else cam.AsyncClient(url=deployment.url, token=deployment.token_service)
    )
    try:
        saver = saver_of(clients, service, owner)
        for thread in ("t1", "t2"):
            for ns in ("", "child:1"):
                await put(
                    saver,
                    clients.flavour,
                    {"configurable": {"thread_id": thread, "checkpoint_ns": ns}},
                    {"v": f"{thread}/{ns}"},
                    0,
                )
        every = await listed(saver, clients.flavour, None)
        assert sorted(t.checkpoint["channel_values"]["v"] for t in every) == [
            "t1/",
            "t1/child:1",
            "t2/",
            "t2/child:1",
        ]
        t1 = await listed(saver, clients.flavour, {"configurable": {"thread_id": "t1"}})
        assert sorted(t.config["configurable"]["checkpoint_ns"] for t in t1) == ["", "child:1"]
        assert len(await listed(saver, clients.flavour, None, limit=3)) == 3
    finally:
        await aw(service.close() if clients.flavour == "sync" else service.aclose())


async def test_two_tenants_cannot_reach_each_others_threads_or_items(clients: Clients) -> None:
    thread = uid("private")
    config = {"configurable": {"thread_id": thread, "checkpoint_ns": ""}}
    alice = saver_of(clients, clients.a, clients.user_a)
    stored = await put(alice, clients.flavour, config, {"secret": "alice's"}, 1, run_id="r1")
    bob_own = saver_of(clients, clients.b, clients.user_b)
    # Under his own owner, the same thread id is bob's own, empty thread.
    assert await get(bob_own, clients.flavour, config) is None
    assert await listed(bob_own, clients.flavour, config) == []
    if clients.flavour == "sync":
        bob_own.delete_thread(thread)
        bob_own.delete_for_runs(["r1"])
        bob_own.prune([thread], strategy="delete")
        bob_own.copy_thread(thread, uid("copy"))
    else:
        await bob_own.adelete_thread(thread)
        await bob_own.adelete_for_runs(["r1"])
        await bob_own.aprune([thread], strategy="delete")
        await bob_own.acopy_thread(thread, uid("copy"))
    assert (await get(alice, clients.flavour, stored)).checkpoint["channel_values"] == {
        "secret": "alice's"
    }
    # Naming alice as the owner is refused before anything is read.
    bob_as_alice = saver_of(clients, clients.b, clients.user_a)
    attempts: list[Any] = [
        lambda: get(bob_as_alice, clients.flavour, config),
        lambda: listed(bob_as_alice, clients.flavour, config),
        lambda: listed(bob_as_alice, clients.flavour, None),
        lambda: put(bob_as_alice, clients.flavour, config, {"secret": "bob's"}, 2),
        lambda: aw(
            bob_as_alice.delete_thread(thread)
            if clients.flavour == "sync"
            else bob_as_alice.adelete_thread(thread)
        ),
        lambda: aw(
            bob_as_alice.copy_thread(thread, "x")
            if clients.flavour == "sync"
            else bob_as_alice.acopy_thread(thread, "x")
        ),
    ]
    for attempt in attempts:
        with pytest.raises(cam.ForbiddenError):
            await attempt()

    ns = ("memories", uid("n"))
    kind = "client" if clients.flavour == "sync" else "async_client"
    alice_store = ConvexStore(resource_id=clients.user_a, **{kind: clients.a})
    await aw(
        alice_store.put(ns, "fact", {"text": "likes tea"})
        if clients.flavour == "sync"
        else alice_store.aput(ns, "fact", {"text": "likes tea"})
    )
    bob_store = ConvexStore(resource_id=clients.user_b, **{kind: clients.b})
    assert (
        await aw(
            bob_store.get(ns, "fact") if clients.flavour == "sync" else bob_store.aget(ns, "fact")
        )
        is None
    )
    assert (
        await aw(
            bob_store.search(("memories",))
            if clients.flavour == "sync"
            else bob_store.asearch(("memories",))
        )
        == []
    )
    bob_as_alice_store = ConvexStore(resource_id=clients.user_a, **{kind: clients.b})
    with pytest.raises(cam.ForbiddenError):
        await aw(
            bob_as_alice_store.get(ns, "fact")
            if clients.flavour == "sync"
            else bob_as_alice_store.aget(ns, "fact")
        )
    with pytest.raises(cam.ForbiddenError):
        await aw(
            bob_as_alice_store.list_namespaces()
            if clients.flavour == "sync"
            else bob_as_alice_store.alist_namespaces()
        )


async def test_counts_and_listings_of_the_generated_sdk(clients: Clients) -> None:
    """The component functions the saver does not need, called as a user would."""
    saver = saver_of(clients, clients.a, clients.user_a)
    thread = uid("counted")
    for i in range(3):
        await put(
            saver,
            clients.flavour,
            {"configurable": {"thread_id": thread, "checkpoint_ns": ""}},
            {"v": i},
            i,
        )
    count = await aw(
        clients.a.checkpoints.count_checkpoints(
            resource_id=clients.user_a, thread_id=thread, checkpoint_ns=""
        )
    )
    assert count == 3
    pages = clients.a.checkpoints.list_checkpoints_all(
        resource_id=clients.user_a, thread_id=thread, checkpoint_ns="", page_size=2
    )
    rows = list(pages) if clients.flavour == "sync" else [row async for row in pages]
    assert len(rows) == 3
    latest = await aw(
        clients.a.checkpoints.get_checkpoint(
            resource_id=clients.user_a, thread_id=thread, checkpoint_ns=""
        )
    )
    await aw(
        clients.a.checkpoints.put_checkpoint_writes(
            resource_id=clients.user_a,
            thread_id=thread,
            checkpoint_ns="",
            checkpoint_id=latest.checkpoint.checkpoint_id,
            task_id="task",
            task_path="",
            writes=[{"idx": 0, "channel": "v", "type": "bytes", "data": b"w"}],
        )
    )
    for method in (
        "list_checkpoint_namespaces_all",
        "list_checkpoint_threads_all",
        "list_checkpoint_writes_all",
    ):
        kwargs: dict[str, Any] = {"resource_id": clients.user_a}
        if method != "list_checkpoint_threads_all":
            kwargs["thread_id"] = thread
        if method == "list_checkpoint_writes_all":
            kwargs.update(checkpoint_ns="", from_checkpoint_id="", to_checkpoint_id="\uffff")
        paginator = getattr(clients.a.checkpoints, method)(**kwargs)
        items = list(paginator) if clients.flavour == "sync" else [x async for x in paginator]
        expected = {"list_checkpoint_namespaces_all": 1, "list_checkpoint_writes_all": 1}
        assert len(items) == expected.get(method, len(items))
    # Values may go ahead of their checkpoint (the saver does so for puts over 8 MiB).
    await aw(
        clients.a.checkpoints.put_checkpoint_blobs(
            resource_id=clients.user_a,
            thread_id=thread,
            checkpoint_ns="",
            blobs=[{"channel": "early", "version": "1", "type": "bytes", "data": b"ahead"}],
        )
    )
    values = await aw(
        clients.a.checkpoints.get_checkpoint_values(
            resource_id=clients.user_a,
            thread_id=thread,
            blobs=[{"checkpointNs": "", "channel": "early", "version": "1"}],
            writes=[],
        )
    )
    assert [b.data for b in values.blobs] == [b"ahead"]
    ns = ["counted", uid("n")]
    await aw(
        clients.a.store.put_store_items(
            resource_id=clients.user_a, ops=[{"namespace": ns, "key": "k", "value": {"v": 1}}]
        )
    )
    assert (
        await aw(clients.a.store.count_store_items(resource_id=clients.user_a, namespace=ns)) == 1
    )
    for method, kwargs in (
        ("search_store_items_all", {"namespace_prefix": ns}),
        ("list_store_namespaces_all", {"prefix": ns}),
    ):
        paginator = getattr(clients.a.store, method)(resource_id=clients.user_a, **kwargs)
        items = list(paginator) if clients.flavour == "sync" else [x async for x in paginator]
        assert len(items) == 1
