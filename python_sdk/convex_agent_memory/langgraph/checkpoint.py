"""A LangGraph checkpointer (``BaseCheckpointSaver``) on the agent-memory component.

Every thread belongs to one owner, the saver's ``resource_id``: with the default policy of
the host app, a user's token acts on its own resource id only, and another owner's thread of
the same id is simply another thread.
"""

from __future__ import annotations

import json
import random
from collections.abc import AsyncIterator, Iterator, Sequence
from typing import Any

from langchain_core.runnables import RunnableConfig
from langgraph.checkpoint.base import (
    WRITES_IDX_MAP,
    BaseCheckpointSaver,
    ChannelVersions,
    Checkpoint,
    CheckpointMetadata,
    CheckpointTuple,
    get_checkpoint_id,
    get_serializable_checkpoint_metadata,
)
from langgraph.checkpoint.serde.base import SerializerProtocol

from convex_agent_memory import AsyncClient, Client
from convex_agent_memory.types import CheckpointBlob, CheckpointRow, CheckpointWrite

from .._limits import (
    CHECKPOINT_CALL_VALUE_BYTES,
    CHECKPOINT_IDS_PER_CALL,
    CHECKPOINT_KEYS_PER_CALL,
    CHECKPOINT_MAX_CHANNELS,
    CHECKPOINT_WRITES_PER_CALL,
)
from ._driver import Clients, Plan, Step, run_async, run_sync

__all__ = ["ConvexSaver"]

PAGE_SIZE = 100


def _json_safe(value: Any) -> Any:
    """Metadata as JSON (the component indexes it): tuples and sets become lists, models dicts."""

    def default(obj: Any) -> Any:
        if isinstance(obj, (set, frozenset, tuple)):
            return list(obj)
        dump = getattr(obj, "model_dump", None)
        if callable(dump):
            return dump(mode="json")
        return str(obj)

    return json.loads(json.dumps(value, default=default, allow_nan=False))


def _split(
    items: list[dict[str, Any]], max_items: int, max_bytes: int
) -> list[list[dict[str, Any]]]:
    """Consecutive groups of at most ``max_items`` items and ``max_bytes`` bytes of ``data``."""
    groups: list[list[dict[str, Any]]] = [[]]
    size = 0
    for item in items:
        length = len(item["data"])
        if groups[-1] and (len(groups[-1]) >= max_items or size + length > max_bytes):
            groups.append([])
            size = 0
        groups[-1].append(item)
        size += length
    return groups


class ConvexSaver(BaseCheckpointSaver[str]):
    """Persists LangGraph checkpoints in Convex through the agent-memory component.

    ```python
    from convex_agent_memory import AsyncClient, Client
    from convex_agent_memory.langgraph import ConvexSaver

    saver = ConvexSaver(
        resource_id="user-123", client=Client(token=jwt), async_client=AsyncClient(token=jwt)
    )
    graph = builder.compile(checkpointer=saver)
    graph.invoke(inputs, {"configurable": {"thread_id": "conversation-1"}})
    ```

    Sync methods need ``client``; async methods use ``async_client`` (or ``client`` in a
    worker thread). Values are serialized with LangGraph's serializer (``serde``), stored once
    per channel version; the SDK's retries, token refresh and typed errors apply to every call.

    Supports every optional method of ``langgraph-checkpoint`` 4.x that the component
    implements: ``delete_for_runs``, ``copy_thread`` (into a thread id that does not exist) and
    ``prune`` (``"keep_latest"`` keeps each namespace's latest checkpoint, ``"delete"``).
    """

    def __init__(
        self,
        *,
        resource_id: str,
        client: Client | None = None,
        async_client: AsyncClient | None = None,
        serde: SerializerProtocol | None = None,
    ) -> None:
        super().__init__(serde=serde)
        self.resource_id = resource_id
        self._clients = Clients(client, async_client)

    # ------------------------------------------------------------------ plumbing

    def _call(self, fn: Any) -> Step:
        return self._clients.step("checkpoints", fn)

    def _thread(self, thread_id: str) -> dict[str, str]:
        return {"resource_id": self.resource_id, "thread_id": str(thread_id)}

    def _load(self, type_: str, data: bytes) -> Any:
        return self.serde.loads_typed((type_, data))

    @staticmethod
    def _config(thread_id: str, checkpoint_ns: str, checkpoint_id: str) -> RunnableConfig:
        return {
            "configurable": {
                "thread_id": thread_id,
                "checkpoint_ns": checkpoint_ns,
                "checkpoint_id": checkpoint_id,
            }
        }

    # ------------------------------------------------------------------ reading

    def _fetch_values(
        self,
        thread_id: str,
        blob_keys: list[tuple[str, str, str]],
        write_keys: list[tuple[str, str, str, int]],
        loaded: dict[Any, tuple[str, bytes]],
    ) -> Plan[None]:
        """Reads whole values by key into ``loaded``, as many calls as the read budget needs."""
        blobs = list(dict.fromkeys(blob_keys))
        writes = list(dict.fromkeys(write_keys))
        while blobs or writes:
            ask_blobs = blobs[:CHECKPOINT_KEYS_PER_CALL]
            ask_writes = writes[: CHECKPOINT_KEYS_PER_CALL - len(ask_blobs)]
            result = yield self._call(
                lambda r, ab=ask_blobs, aw=ask_writes: r.get_checkpoint_values(
                    **self._thread(thread_id),
                    blobs=[{"checkpointNs": ns, "channel": ch, "version": v} for ns, ch, v in ab],
                    writes=[
                        {"checkpointNs": ns, "checkpointId": c, "taskId": t, "idx": i}
                        for ns, c, t, i in aw
                    ],
                )
            )
            done: set[Any] = set()
            for blob in result.blobs:
                blob_key = (blob.checkpoint_ns, blob.channel, blob.version)
                loaded[blob_key] = (blob.type, blob.data or b"")
                done.add(blob_key)
            for write in result.writes:
                write_key = (
                    write.checkpoint_ns,
                    write.checkpoint_id,
                    write.task_id,
                    write.idx,
                )
                loaded[write_key] = (write.type, write.data or b"")
                done.add(write_key)
            done.update((b.checkpoint_ns, b.channel, b.version) for b in result.missing_blobs)
            done.update(
                (w.checkpoint_ns, w.checkpoint_id, w.task_id, w.idx) for w in result.missing_writes
            )
            if not done:
                raise RuntimeError("getCheckpointValues made no progress")
            blobs = [key for key in blobs if key not in done]
            writes = [key for key in writes if key not in done]

    def _collect_writes(
        self,
        thread_id: str,
        checkpoint_ns: str,
        first: str,
        last: str,
        cursor: str | None,
        into: list[CheckpointWrite],
    ) -> Plan[None]:
        """Pages the writes of checkpoints first..last (inclusive) into ``into``."""
        while True:
            page = yield self._call(
                lambda r, c=cursor: r.list_checkpoint_writes(
                    **self._thread(thread_id),
                    checkpoint_ns=checkpoint_ns,
                    from_checkpoint_id=first,
                    to_checkpoint_id=last,
                    page_size=500,
                    cursor=c,
                )
            )
            into.extend(page.page)
            if page.is_done:
                return
            cursor = page.continue_cursor

    def _tuple(
        self,
        row: CheckpointRow,
        blobs: dict[tuple[str, str, str], tuple[str, bytes]],
        writes: list[tuple[str, str, Any]],
    ) -> CheckpointTuple:
        checkpoint: Checkpoint = self._load(row.type, row.checkpoint)
        values: dict[str, Any] = {}
        for cv in row.channel_versions:
            stored = blobs.get((row.checkpoint_ns, cv.channel, cv.version))
            if stored is not None and stored[0] != "empty":
                values[cv.channel] = self._load(*stored)
        checkpoint = {**checkpoint, "channel_values": values}
        parent = row.parent_checkpoint_id
        return CheckpointTuple(
            config=self._config(row.thread_id, row.checkpoint_ns, row.checkpoint_id),
            checkpoint=checkpoint,
            metadata=row.metadata,
            parent_config=self._config(row.thread_id, row.checkpoint_ns, parent)
            if parent
            else None,
            pending_writes=writes,
        )

    def _hydrate(
        self,
        thread_id: str,
        checkpoint_ns: str,
        rows: list[CheckpointRow],
        contiguous: bool,
        first_writes: dict[str, tuple[list[CheckpointWrite], str | None]] | None = None,
        prefetched: Sequence[CheckpointBlob] = (),
    ) -> Plan[list[CheckpointTuple]]:
        """Channel values and pending writes for rows of one namespace (a list page, or one get).

        ``contiguous``: the rows are all the checkpoints between the first and the last (an
        unfiltered page), so one range of writes serves them all. ``first_writes`` and
        ``prefetched``: writes and blobs that came with the rows already."""
        if not rows:
            return []
        blobs: dict[tuple[str, str, str], tuple[str, bytes]] = {}
        writes_by_checkpoint: dict[str, list[CheckpointWrite]] = {
            row.checkpoint_id: [] for row in rows
        }
        if first_writes is not None:
            for checkpoint_id, (writes, cursor) in first_writes.items():
                writes_by_checkpoint[checkpoint_id].extend(writes)
                if cursor is not None:
                    yield from self._collect_writes(
                        thread_id,
                        checkpoint_ns,
                        checkpoint_id,
                        checkpoint_id,
                        cursor,
                        writes_by_checkpoint[checkpoint_id],
                    )
        else:
            ranges = (
                [(rows[-1].checkpoint_id, rows[0].checkpoint_id)]
                if contiguous
                else [(r.checkpoint_id, r.checkpoint_id) for r in rows]
            )
            found: list[CheckpointWrite] = []
            for first, last in ranges:
                yield from self._collect_writes(
                    thread_id, checkpoint_ns, min(first, last), max(first, last), None, found
                )
            for write in found:
                if write.checkpoint_id in writes_by_checkpoint:
                    writes_by_checkpoint[write.checkpoint_id].append(write)
        wanted = [
            (checkpoint_ns, cv.channel, cv.version) for row in rows for cv in row.channel_versions
        ]
        loaded: dict[Any, tuple[str, bytes]] = {}
        for blob in prefetched:
            if blob.data is not None:
                loaded[(blob.checkpoint_ns, blob.channel, blob.version)] = (blob.type, blob.data)
        missing_writes = [
            (w.checkpoint_ns, w.checkpoint_id, w.task_id, w.idx)
            for writes in writes_by_checkpoint.values()
            for w in writes
            if w.data is None
        ]
        yield from self._fetch_values(
            thread_id, [key for key in wanted if key not in loaded], missing_writes, loaded
        )
        blobs.update({key: value for key, value in loaded.items() if len(key) == 3})
        out = []
        for row in rows:
            pending = []
            for w in writes_by_checkpoint[row.checkpoint_id]:
                stored = (
                    (w.type, w.data)
                    if w.data is not None
                    else loaded.get((w.checkpoint_ns, w.checkpoint_id, w.task_id, w.idx))
                )
                if stored is not None:
                    pending.append((w.task_id, w.channel, self._load(*stored)))
            out.append(self._tuple(row, blobs, pending))
        return out

    def _get_tuple(self, config: RunnableConfig) -> Plan[CheckpointTuple | None]:
        configurable = config["configurable"]
        thread_id = str(configurable["thread_id"])
        checkpoint_ns = configurable.get("checkpoint_ns", "")
        checkpoint_id = get_checkpoint_id(config)
        result = yield self._call(
            lambda r: r.get_checkpoint(
                **self._thread(thread_id),
                checkpoint_ns=checkpoint_ns,
                **({"checkpoint_id": checkpoint_id} if checkpoint_id else {}),
            )
        )
        if result is None:
            return None
        row = result.checkpoint
        tuples = yield from self._hydrate(
            thread_id,
            checkpoint_ns,
            [row],
            True,
            first_writes={row.checkpoint_id: (list(result.writes), result.writes_cursor)},
            prefetched=result.blobs,
        )
        return tuples[0]

    def get_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return run_sync(self._get_tuple(config))

    async def aget_tuple(self, config: RunnableConfig) -> CheckpointTuple | None:
        return await run_async(self._get_tuple(config))

    # ------------------------------------------------------------------ listing

    def _list_plans(
        self,
        config: RunnableConfig | None,
        filter: dict[str, Any] | None,
        before: RunnableConfig | None,
        limit: int | None,
    ) -> Iterator[Plan[list[CheckpointTuple]]]:
        """Plans, each giving the next tuples (an empty list: nothing more)."""
        state = _ListState(self, config, filter, before, limit)
        while not state.done:
            yield state.next_batch()

    def list(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> Iterator[CheckpointTuple]:
        for plan in self._list_plans(config, filter, before, limit):
            yield from run_sync(plan)

    async def alist(
        self,
        config: RunnableConfig | None,
        *,
        filter: dict[str, Any] | None = None,
        before: RunnableConfig | None = None,
        limit: int | None = None,
    ) -> AsyncIterator[CheckpointTuple]:
        for plan in self._list_plans(config, filter, before, limit):
            for item in await run_async(plan):
                yield item

    # ------------------------------------------------------------------ writing

    def _put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> Plan[RunnableConfig]:
        configurable = config["configurable"]
        thread_id = str(configurable["thread_id"])
        checkpoint_ns = configurable.get("checkpoint_ns", "")
        parent_id = configurable.get("checkpoint_id")
        copy: dict[str, Any] = dict(checkpoint)
        values: dict[str, Any] = copy.pop("channel_values", {}) or {}
        type_, data = self.serde.dumps_typed(copy)
        blobs = []
        for channel, version in new_versions.items():
            blob_type, blob = (
                self.serde.dumps_typed(values[channel]) if channel in values else ("empty", b"")
            )
            blobs.append(
                {"channel": channel, "version": str(version), "type": blob_type, "data": blob}
            )
        groups = _split(blobs, CHECKPOINT_MAX_CHANNELS, CHECKPOINT_CALL_VALUE_BYTES)
        # The values that do not fit in the put itself go first (a blob is read only through
        # its checkpoint, which is saved last).
        for group in groups[:-1]:
            yield self._call(
                lambda r, g=group: r.put_checkpoint_blobs(
                    **self._thread(thread_id), checkpoint_ns=checkpoint_ns, blobs=g
                )
            )
        yield self._call(
            lambda r: r.put_checkpoint(
                **self._thread(thread_id),
                checkpoint_ns=checkpoint_ns,
                checkpoint_id=checkpoint["id"],
                type=type_,
                checkpoint=data,
                metadata=_json_safe(get_serializable_checkpoint_metadata(config, metadata)),
                channel_versions=[
                    {"channel": k, "version": str(v)}
                    for k, v in checkpoint["channel_versions"].items()
                ],
                blobs=groups[-1],
                **({"parent_checkpoint_id": parent_id} if parent_id else {}),
            )
        )
        return self._config(thread_id, checkpoint_ns, checkpoint["id"])

    def put(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return run_sync(self._put(config, checkpoint, metadata, new_versions))

    async def aput(
        self,
        config: RunnableConfig,
        checkpoint: Checkpoint,
        metadata: CheckpointMetadata,
        new_versions: ChannelVersions,
    ) -> RunnableConfig:
        return await run_async(self._put(config, checkpoint, metadata, new_versions))

    def _put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str,
    ) -> Plan[None]:
        configurable = config["configurable"]
        thread_id = str(configurable["thread_id"])
        items = []
        for idx, (channel, value) in enumerate(writes):
            type_, data = self.serde.dumps_typed(value)
            items.append(
                {
                    "idx": WRITES_IDX_MAP.get(channel, idx),
                    "channel": channel,
                    "type": type_,
                    "data": data,
                }
            )
        if not items:
            return
        for group in _split(items, CHECKPOINT_WRITES_PER_CALL, CHECKPOINT_CALL_VALUE_BYTES):
            yield self._call(
                lambda r, g=group: r.put_checkpoint_writes(
                    **self._thread(thread_id),
                    checkpoint_ns=configurable.get("checkpoint_ns", ""),
                    checkpoint_id=configurable["checkpoint_id"],
                    task_id=task_id,
                    task_path=task_path,
                    writes=g,
                )
            )

    def put_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        run_sync(self._put_writes(config, writes, task_id, task_path))

    async def aput_writes(
        self,
        config: RunnableConfig,
        writes: Sequence[tuple[str, Any]],
        task_id: str,
        task_path: str = "",
    ) -> None:
        await run_async(self._put_writes(config, writes, task_id, task_path))

    # ------------------------------------------------------------------ whole threads

    def _delete_thread(self, thread_id: str) -> Plan[None]:
        yield self._call(lambda r: r.delete_checkpoint_thread(**self._thread(thread_id)))

    def delete_thread(self, thread_id: str) -> None:
        """Deletes a thread: gone at once for readers; the component purges its rows in batches."""
        run_sync(self._delete_thread(thread_id))

    async def adelete_thread(self, thread_id: str) -> None:
        await run_async(self._delete_thread(thread_id))

    def _delete_for_runs(self, run_ids: Sequence[str]) -> Plan[None]:
        ids = [str(run_id) for run_id in run_ids]
        for start in range(0, len(ids), CHECKPOINT_IDS_PER_CALL):
            chunk = ids[start : start + CHECKPOINT_IDS_PER_CALL]
            while True:
                progress = yield self._call(
                    lambda r, c=chunk: r.delete_checkpoints_for_runs(
                        resource_id=self.resource_id, run_ids=c
                    )
                )
                if progress.done:
                    break

    def delete_for_runs(self, run_ids: Sequence[str]) -> None:
        """Deletes the checkpoints (with their writes) whose metadata ``run_id`` is listed."""
        run_sync(self._delete_for_runs(run_ids))

    async def adelete_for_runs(self, run_ids: Sequence[str]) -> None:
        await run_async(self._delete_for_runs(run_ids))

    def _copy_thread(self, source_thread_id: str, target_thread_id: str) -> Plan[None]:
        cursor: str | None = None
        while True:
            progress = yield self._call(
                lambda r, c=cursor: r.copy_checkpoint_thread(
                    resource_id=self.resource_id,
                    source_thread_id=str(source_thread_id),
                    target_thread_id=str(target_thread_id),
                    **({"cursor": c} if c is not None else {}),
                )
            )
            if progress.done:
                return
            cursor = progress.cursor

    def copy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        """Copies every checkpoint, value and write of a thread to a new thread id
        (``ConflictError`` if that one exists)."""
        run_sync(self._copy_thread(source_thread_id, target_thread_id))

    async def acopy_thread(self, source_thread_id: str, target_thread_id: str) -> None:
        await run_async(self._copy_thread(source_thread_id, target_thread_id))

    def _prune(self, thread_ids: Sequence[str], strategy: str) -> Plan[None]:
        if strategy not in ("keep_latest", "delete"):
            raise ValueError(f'strategy must be "keep_latest" or "delete", got {strategy!r}')
        ids = [str(thread_id) for thread_id in thread_ids]
        for start in range(0, len(ids), CHECKPOINT_IDS_PER_CALL):
            chunk = ids[start : start + CHECKPOINT_IDS_PER_CALL]
            cursor: str | None = None
            while True:
                progress = yield self._call(
                    lambda r, c=chunk, k=cursor: r.prune_checkpoints(
                        resource_id=self.resource_id,
                        thread_ids=c,
                        strategy=strategy,
                        **({"cursor": k} if k is not None else {}),
                    )
                )
                if progress.done:
                    break
                cursor = progress.cursor

    def prune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        """``"keep_latest"``: only each namespace's latest checkpoint stays visible (the rest is
        purged in batches); ``"delete"``: the threads are deleted."""
        run_sync(self._prune(thread_ids, strategy))

    async def aprune(self, thread_ids: Sequence[str], *, strategy: str = "keep_latest") -> None:
        await run_async(self._prune(thread_ids, strategy))

    def get_next_version(self, current: str | None, channel: None) -> str:
        """Monotonic string versions with a random tail, as LangGraph's own savers use (a forked
        thread never reuses a version of another branch for a different value)."""
        if current is None:
            current_v = 0
        elif isinstance(current, int):
            current_v = current
        else:
            current_v = int(str(current).split(".")[0])
        return f"{current_v + 1:032}.{random.random():016}"


class _ListState:
    """Walks the checkpoints ``list`` asks for: a namespace of a thread at a time, newest first."""

    def __init__(
        self,
        saver: ConvexSaver,
        config: RunnableConfig | None,
        filter: dict[str, Any] | None,
        before: RunnableConfig | None,
        limit: int | None,
    ) -> None:
        self.saver = saver
        self.filter = filter or None
        self.before = get_checkpoint_id(before) if before else None
        self.remaining = limit
        self.done = limit is not None and limit <= 0
        configurable = (config or {}).get("configurable", {})
        self.thread_id: str | None = (
            str(configurable["thread_id"]) if "thread_id" in configurable else None
        )
        self.checkpoint_ns: str | None = configurable.get("checkpoint_ns")
        self.checkpoint_id: str | None = configurable.get("checkpoint_id")
        # (thread, namespace) pairs still to list; found lazily for config=None / no namespace.
        self.threads_cursor: str | None = None
        self.threads_done = self.thread_id is not None
        self.pending: list[tuple[str, str | None]] = (
            [] if self.thread_id is None else [(self.thread_id, self.checkpoint_ns)]
        )
        self.namespaces: list[str] = []
        self.thread_id_for_namespaces: str | None = None
        self.current: tuple[str, str] | None = None
        self.cursor: str | None = None

    def _take(self, tuples: list[CheckpointTuple]) -> list[CheckpointTuple]:
        if self.remaining is not None:
            tuples = tuples[: self.remaining]
            self.remaining -= len(tuples)
            if self.remaining <= 0:
                self.done = True
        return tuples

    def _matches(self, row: Any) -> bool:
        if self.before is not None and row.checkpoint_id >= self.before:
            return False
        return self.filter is None or all(row.metadata.get(k) == v for k, v in self.filter.items())

    def next_batch(self) -> Plan[list[CheckpointTuple]]:
        saver = self.saver
        while True:
            if self.current is None:
                if self.namespaces:
                    assert self.thread_id_for_namespaces is not None
                    self.current = (self.thread_id_for_namespaces, self.namespaces.pop(0))
                    self.cursor = None
                elif self.pending:
                    thread_id, checkpoint_ns = self.pending.pop(0)
                    if checkpoint_ns is not None:
                        self.current = (thread_id, checkpoint_ns)
                        self.cursor = None
                    else:
                        self.thread_id_for_namespaces = thread_id
                        self.namespaces = yield from self._all_namespaces(thread_id)
                        continue
                elif not self.threads_done:
                    page = yield saver._call(
                        lambda r, c=self.threads_cursor: r.list_checkpoint_threads(
                            resource_id=saver.resource_id, page_size=PAGE_SIZE, cursor=c
                        )
                    )
                    self.pending.extend((thread.thread_id, None) for thread in page.page)
                    self.threads_done = page.is_done
                    self.threads_cursor = page.continue_cursor
                    continue
                else:
                    self.done = True
                    return []
            thread_id, checkpoint_ns = self.current
            if self.checkpoint_id is not None:
                # A config naming a checkpoint lists that one only (as LangGraph's savers do).
                self.current = None
                one = yield from saver._get_tuple(
                    saver._config(thread_id, checkpoint_ns, self.checkpoint_id)
                )
                if one is not None and self._matches(_Row(one)):
                    return self._take([one])
                continue
            size = PAGE_SIZE if self.remaining is None else max(1, min(PAGE_SIZE, self.remaining))
            page = yield saver._call(
                lambda r, c=self.cursor, n=size, ns=checkpoint_ns, t=thread_id: r.list_checkpoints(
                    **saver._thread(t),
                    checkpoint_ns=ns,
                    **({"before": self.before} if self.before is not None else {}),
                    **({"filter": self.filter} if self.filter is not None else {}),
                    page_size=n,
                    cursor=c,
                )
            )
            if page.is_done:
                self.current = None
            else:
                self.cursor = page.continue_cursor
            if not page.page:
                continue
            tuples = yield from saver._hydrate(
                thread_id, checkpoint_ns, list(page.page), contiguous=self.filter is None
            )
            return self._take(tuples)

    def _all_namespaces(self, thread_id: str) -> Plan[list[str]]:
        found: list[str] = []
        cursor: str | None = None
        while True:
            page = yield self.saver._call(
                lambda r, c=cursor: r.list_checkpoint_namespaces(
                    **self.saver._thread(thread_id), page_size=PAGE_SIZE, cursor=c
                )
            )
            found.extend(ns.checkpoint_ns for ns in page.page)
            if page.is_done:
                return found
            cursor = page.continue_cursor


class _Row:
    """The fields ``_ListState._matches`` reads, from a tuple."""

    def __init__(self, tup: CheckpointTuple) -> None:
        self.checkpoint_id = tup.config["configurable"]["checkpoint_id"]
        self.metadata = tup.metadata
