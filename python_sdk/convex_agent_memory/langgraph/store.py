"""A LangGraph long-term memory store (``BaseStore``) on the agent-memory component.

Items belong to one owner, the store's ``resource_id``; namespaces and keys are the owner's
own. With an ``index`` (``IndexConfig``: dims, embed, fields) the chosen fields are embedded
on put and ``search(query=...)`` is a native Convex vector search; with a ``ttl``
(``TTLConfig``) items expire, reads refresh them, and the component sweeps expired ones.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import UTC, datetime
from typing import Any

from langgraph.store.base import (
    BaseStore,
    GetOp,
    IndexConfig,
    Item,
    ListNamespacesOp,
    Op,
    PutOp,
    Result,
    SearchItem,
    SearchOp,
    TTLConfig,
    ensure_embeddings,
    get_text_at_path,
    tokenize_path,
    validate_op_namespace,
)

from convex_agent_memory import AsyncClient, Client, LimitExceededError
from convex_agent_memory.types import SearchStoreByVectorResultItem, StoreItem

from .._limits import BYTES_PER_STORED_FLOAT, MAX_SEARCH_LIMIT, STORE_OPS_PER_CALL, STORE_PUT_BYTES
from ._driver import Clients, Plan, Step, local_step, run_async, run_sync

__all__ = ["ConvexStore"]

PAGE_SIZE = 100
#: Bytes of items and embeddings one put call writes, as the component counts them: two
#: thirds of what it allows (8 of 12 MiB), leaving room for what the call replaces.
PUT_CALL_BYTES = STORE_PUT_BYTES * 2 // 3


def _put_weight(item: dict[str, Any]) -> int:
    """Bytes an operation stores, as the component counts them (its value and embeddings)."""
    weight = 300 + len(item["key"]) + sum(len(label) + 3 for label in item["namespace"])
    if "value" in item:
        weight += len(json.dumps(item["value"], ensure_ascii=False).encode())
    for vector in item.get("vectors", ()):
        weight += 280 + BYTES_PER_STORED_FLOAT * len(vector["vector"])
    return weight


def _time(ms: float) -> datetime:
    return datetime.fromtimestamp(ms / 1000, tz=UTC)


class ConvexStore(BaseStore):
    """LangGraph's ``BaseStore`` on Convex, for one owner (``resource_id``).

    ```python
    from langgraph.store.base import IndexConfig

    store = ConvexStore(
        resource_id="user-123",
        client=Client(token=jwt),
        index=IndexConfig(dims=384, embed=my_embeddings, fields=["text"]),
        ttl={"default_ttl": 60 * 24 * 30},  # minutes
    )
    store.put(("memories", "user-123"), "likes", {"text": "likes green tea"})
    store.search(("memories",), query="what does the user drink?")
    ```

    ``dims`` must be one of the component's vector dimensions (128, 256, 384, 512, 768, 1024,
    1408, 1536, 2048, 3072, 4096). Without a query, ``search`` returns items in namespace then
    key order; with one, by similarity (a score per item: its best field), at most 256.
    """

    supports_ttl = True

    def __init__(
        self,
        *,
        resource_id: str,
        client: Client | None = None,
        async_client: AsyncClient | None = None,
        index: IndexConfig | None = None,
        ttl: TTLConfig | None = None,
    ) -> None:
        self.resource_id = resource_id
        self._clients = Clients(client, async_client)
        self.index_config = index
        self.ttl_config = ttl
        self.embeddings = ensure_embeddings(index.get("embed")) if index else None
        fields = (index or {}).get("fields") or ["$"]
        self._fields = [(path, tokenize_path(path) if path != "$" else path) for path in fields]

    def _call(self, fn: Any) -> Step:
        return self._clients.step("store", fn)

    # ------------------------------------------------------------------ batch

    def batch(self, ops: Iterable[Op]) -> list[Result]:
        return run_sync(self._batch(list(ops)))

    async def abatch(self, ops: Iterable[Op]) -> list[Result]:
        return await run_async(self._batch(list(ops)))

    def _batch(self, ops: list[Op]) -> Plan[list[Result]]:
        for op in ops:
            validate_op_namespace(op)
        results: list[Result] = [None] * len(ops)
        # As LangGraph's stores do: reads see the store as it was before this batch's writes,
        # and of several writes to one item the last wins.
        gets = [(i, op) for i, op in enumerate(ops) if isinstance(op, GetOp)]
        yield from self._get(gets, results)
        for i, op in enumerate(ops):
            if isinstance(op, SearchOp):
                results[i] = yield from self._search(op)
            elif isinstance(op, ListNamespacesOp):
                results[i] = yield from self._list_namespaces(op)
        puts: dict[tuple[tuple[str, ...], str], PutOp] = {}
        for op in ops:
            if isinstance(op, PutOp):
                puts.pop((op.namespace, op.key), None)
                puts[(op.namespace, op.key)] = op
        yield from self._put(list(puts.values()))
        return results

    # ------------------------------------------------------------------ reads

    def _get(self, gets: list[tuple[int, GetOp]], results: list[Result]) -> Plan[None]:
        for start in range(0, len(gets), STORE_OPS_PER_CALL):
            chunk = gets[start : start + STORE_OPS_PER_CALL]
            found = yield self._call(
                lambda r, c=chunk: r.get_store_items(
                    resource_id=self.resource_id,
                    items=[{"namespace": list(op.namespace), "key": op.key} for _, op in c],
                )
            )
            refresh = []
            for (i, op), item in zip(chunk, found, strict=True):
                results[i] = None if item is None else self._item(item)
                if item is not None and item.expires_at is not None and op.refresh_ttl:
                    refresh.append(item)
            yield from self._touch(refresh)

    def _touch(self, items: Sequence[StoreItem | SearchStoreByVectorResultItem]) -> Plan[None]:
        """Refreshes the TTL of items that have one (LangGraph's refresh on read)."""
        for start in range(0, len(items), STORE_OPS_PER_CALL):
            chunk = items[start : start + STORE_OPS_PER_CALL]
            yield self._call(
                lambda r, c=chunk: r.touch_store_items(
                    resource_id=self.resource_id,
                    items=[{"namespace": list(item.namespace), "key": item.key} for item in c],
                )
            )

    @staticmethod
    def _item(item: StoreItem) -> Item:
        return Item(
            value=item.value,
            key=item.key,
            namespace=tuple(item.namespace),
            created_at=_time(item.created_at),
            updated_at=_time(item.updated_at),
        )

    @staticmethod
    def _search_item(
        item: StoreItem | SearchStoreByVectorResultItem, score: float | None = None
    ) -> SearchItem:
        return SearchItem(
            namespace=tuple(item.namespace),
            key=item.key,
            value=item.value,
            created_at=_time(item.created_at),
            updated_at=_time(item.updated_at),
            score=score,
        )

    def _search(self, op: SearchOp) -> Plan[list[SearchItem]]:
        if op.limit <= 0:
            return []
        filter_arg = {"filter": op.filter} if op.filter else {}
        found: Sequence[StoreItem | SearchStoreByVectorResultItem]
        if op.query and self.embeddings is not None:
            if op.offset + op.limit > MAX_SEARCH_LIMIT:
                raise ValueError(
                    f"a semantic search returns at most {MAX_SEARCH_LIMIT} items (offset + limit)"
                )
            embeddings = self.embeddings
            query = op.query
            vector = yield local_step(
                lambda: embeddings.embed_query(query), lambda: embeddings.aembed_query(query)
            )
            result = yield self._call(
                lambda r: r.search_store_by_vector(
                    resource_id=self.resource_id,
                    namespace_prefix=list(op.namespace_prefix),
                    query_vector=vector,
                    limit=op.limit,
                    offset=op.offset,
                    **filter_arg,
                )
            )
            hits: list[SearchStoreByVectorResultItem] = list(result.items)
            found = hits
            out = [self._search_item(item, item.score) for item in hits]
        else:
            items: list[StoreItem] = []
            cursor: str | None = None
            wanted = op.offset + op.limit
            while len(items) < wanted:
                page = yield self._call(
                    lambda r, c=cursor: r.search_store_items(
                        resource_id=self.resource_id,
                        namespace_prefix=list(op.namespace_prefix),
                        page_size=min(PAGE_SIZE, wanted - len(items)),
                        cursor=c,
                        **filter_arg,
                    )
                )
                items.extend(page.page)
                if page.is_done:
                    break
                cursor = page.continue_cursor
            found = items[op.offset : wanted]
            out = [self._search_item(item) for item in found]
        if op.refresh_ttl:
            yield from self._touch([item for item in found if item.expires_at is not None])
        return out

    def _list_namespaces(self, op: ListNamespacesOp) -> Plan[list[tuple[str, ...]]]:
        prefix: list[str] = []
        suffix: list[str] = []
        for condition in op.match_conditions or ():
            if condition.match_type == "prefix":
                prefix = list(condition.path)
            elif condition.match_type == "suffix":
                suffix = list(condition.path)
            else:
                raise ValueError(f"unsupported match type: {condition.match_type}")
        out: list[tuple[str, ...]] = []
        cursor: str | None = None
        wanted = op.offset + op.limit
        while len(out) < wanted:
            page = yield self._call(
                lambda r, c=cursor: r.list_store_namespaces(
                    resource_id=self.resource_id,
                    **({"prefix": prefix} if prefix else {}),
                    **({"suffix": suffix} if suffix else {}),
                    **({"max_depth": op.max_depth} if op.max_depth is not None else {}),
                    page_size=PAGE_SIZE,
                    cursor=c,
                )
            )
            for namespace in page.page:
                labels = tuple(namespace)
                if not out or out[-1] != labels:  # cut namespaces repeat only next to each other
                    out.append(labels)
            if page.is_done:
                break
            cursor = page.continue_cursor
        return out[op.offset : wanted]

    # ------------------------------------------------------------------ writes

    def _paths(self, op: PutOp) -> list[tuple[str, str | list[str]]]:
        if op.index is False or self.embeddings is None or op.value is None:
            return []
        if op.index is None:
            return self._fields
        return [(path, tokenize_path(path) if path != "$" else path) for path in op.index]

    def _put(self, puts: list[PutOp]) -> Plan[None]:
        if not puts:
            return
        # Texts to embed, all at once: (op number, vector path, text).
        texts: list[tuple[int, str, str]] = []
        for n, op in enumerate(puts):
            for path, tokens in self._paths(op):
                found = get_text_at_path(op.value, tokens)
                if len(found) == 1:
                    texts.append((n, path, found[0]))
                else:
                    texts.extend((n, f"{path}.{i}", text) for i, text in enumerate(found))
        vectors: dict[int, list[dict[str, Any]]] = {}
        if texts and self.embeddings is not None:
            embeddings = self.embeddings
            documents = [text for _, _, text in texts]
            embedded = yield local_step(
                lambda: embeddings.embed_documents(documents),
                lambda: embeddings.aembed_documents(documents),
            )
            for (n, path, _), vector in zip(texts, embedded, strict=True):
                vectors.setdefault(n, []).append({"path": path, "vector": vector})
        ops = []
        for n, op in enumerate(puts):
            item: dict[str, Any] = {"namespace": list(op.namespace), "key": op.key}
            if op.value is not None:
                item["value"] = op.value
                if op.ttl is not None:
                    item["ttlMinutes"] = float(op.ttl)
                if n in vectors:
                    item["vectors"] = vectors[n]
            ops.append(item)
        chunk: list[dict[str, Any]] = []
        weight = 0
        for item in ops:
            item_weight = _put_weight(item)
            full = len(chunk) >= STORE_OPS_PER_CALL or weight + item_weight > PUT_CALL_BYTES
            if chunk and full:
                yield from self._put_chunk(chunk)
                chunk, weight = [], 0
            chunk.append(item)
            weight += item_weight
        if chunk:
            yield from self._put_chunk(chunk)

    def _put_chunk(self, chunk: list[dict[str, Any]]) -> Plan[None]:
        """Puts one call's operations; halves it when what it replaces makes it too large.

        A refused call writes nothing, so its halves can go one after the other (the
        order of operations on different items does not matter, and one item's last
        operation is the only one sent).
        """
        try:
            yield self._call(lambda r: r.put_store_items(resource_id=self.resource_id, ops=chunk))
        except LimitExceededError as error:
            data = error.data if isinstance(error.data, dict) else {}
            if len(chunk) < 2 or data.get("limit") != "transactionBytes":
                raise
            half = len(chunk) // 2
            yield from self._put_chunk(chunk[:half])
            yield from self._put_chunk(chunk[half:])
