"""ConvexStore against the deployment: a suite adapted from LangGraph's own store tests
(``libs/checkpoint/tests/test_store.py`` in the langgraph repository: namespaces,
put/get/delete, filters, vector search, embedding paths, non-ASCII text) plus TTL, run
through the sync and the async interface.

Differences from LangGraph's in-memory store, on purpose: embeddings have one of the
component's vector dimensions (128 here, not 500), and a semantic search returns only items
that have an embedding (the in-memory store pads short results with unembedded items)."""

from __future__ import annotations

import asyncio
import math
import random
import time
from collections import Counter
from collections.abc import AsyncIterator
from typing import Any

import convex_agent_memory as cam
import pytest
from convex_agent_memory.langgraph import ConvexStore
from langchain_core.embeddings import Embeddings
from langgraph.store.base import InvalidNamespaceError, PutOp

from .conftest import Deployment, uid

DIMS = 128


class LetterEmbeddings(Embeddings):
    """Deterministic embeddings: letter frequencies through a fixed random projection
    (the idea of LangGraph's test ``CharacterEmbeddings``), unit length."""

    def __init__(self, dims: int = DIMS, seed: int = 7) -> None:
        self.dims = dims
        self._seed = seed
        self._projections: dict[str, list[float]] = {}

    def _projection(self, char: str) -> list[float]:
        if char not in self._projections:
            rng = random.Random(f"{self._seed}:{char}")
            self._projections[char] = [rng.gauss(0, 1) for _ in range(self.dims)]
        return self._projections[char]

    def _embed(self, text: str) -> list[float]:
        counts = Counter(text)
        total = sum(counts.values()) or 1
        vector = [0.0] * self.dims
        for char, count in counts.items():
            for i, x in enumerate(self._projection(char)):
                vector[i] += x * count / total
        norm = math.sqrt(sum(x * x for x in vector)) or 1.0
        return [x / norm for x in vector]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._embed(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._embed(text)


class Store:
    """One ConvexStore behind one interface: ``await s.put(...)`` runs ``put`` or ``aput``."""

    def __init__(self, store: ConvexStore, flavour: str) -> None:
        self.store = store
        self.flavour = flavour

    def __getattr__(self, name: str) -> Any:
        method = getattr(self.store, name if self.flavour == "sync" else f"a{name}")

        async def call(*args: Any, **kwargs: Any) -> Any:
            result = method(*args, **kwargs)
            return await result if asyncio.iscoroutine(result) else result

        return call


@pytest.fixture(params=["sync", "async"])
async def make_store(request: pytest.FixtureRequest, deployment: Deployment) -> AsyncIterator[Any]:
    """Stores of a fresh owner each (a service token may act for any owner)."""
    deployment.skip_unless("service")
    flavour: str = request.param
    opened: list[Any] = []

    def make(**options: Any) -> Store:
        if flavour == "sync":
            client: Any = cam.Client(url=deployment.url, token=deployment.token_service)
            store = ConvexStore(
                resource_id=options.pop("owner", uid("owner")), client=client, **options
            )
        else:
            client = cam.AsyncClient(url=deployment.url, token=deployment.token_service)
            store = ConvexStore(
                resource_id=options.pop("owner", uid("owner")), async_client=client, **options
            )
        opened.append(client)
        return Store(store, flavour)

    yield make
    for client in opened:
        if flavour == "sync":
            client.close()
        else:
            await client.aclose()


def indexed(make_store: Any, **index: Any) -> Store:
    return make_store(index={"dims": DIMS, "embed": LetterEmbeddings(), **index})


# ---------------------------------------------------------------- items


async def test_put_get_delete(make_store: Any) -> None:
    s = make_store()
    await s.put(("docs", "a"), "k1", {"$schema": "x", "n": 1, "nested": {"_private": True}})
    first = await s.get(("docs", "a"), "k1")
    assert first.value == {"$schema": "x", "n": 1, "nested": {"_private": True}}
    assert first.namespace == ("docs", "a") and first.key == "k1"
    await s.put(("docs", "a"), "k1", {"n": 2})
    second = await s.get(("docs", "a"), "k1")
    assert second.value == {"n": 2}
    assert second.created_at == first.created_at and second.updated_at >= first.updated_at
    assert await s.get(("docs",), "k1") is None
    await s.delete(("docs", "a"), "k1")
    assert await s.get(("docs", "a"), "k1") is None
    await s.delete(("docs", "a"), "k1")  # a missing item: no error


async def test_batch_reads_see_the_store_before_its_writes(make_store: Any) -> None:
    s = make_store()
    await s.put(("b",), "k", {"v": 1})
    from langgraph.store.base import GetOp

    results = await s.batch(
        [PutOp(("b",), "k", {"v": 2}), GetOp(("b",), "k"), PutOp(("b",), "k", {"v": 3})]
    )
    assert results[1].value == {"v": 1}
    assert (await s.get(("b",), "k")).value == {"v": 3}


async def test_cannot_put_empty_namespace(make_store: Any) -> None:
    s = make_store()
    doc = {"foo": "bar"}
    for bad in [(), ("the", "thing.about"), ("some", "fun", ""), ("langgraph", "foo")]:
        with pytest.raises(InvalidNamespaceError):
            await s.put(bad, "foo", doc)
    await s.put(("foo", "langgraph", "foo"), "bar", doc)
    assert (await s.get(("foo", "langgraph", "foo"), "bar")).value == doc
    assert (await s.search(("foo", "langgraph", "foo"), query="bar"))[0].value == doc
    await s.delete(("foo", "langgraph", "foo"), "bar")
    assert await s.get(("foo", "langgraph", "foo"), "bar") is None
    # Past the public put: the batch takes a root label "langgraph".
    await s.batch([PutOp(("langgraph", "foo"), "bar", doc)])
    assert (await s.get(("langgraph", "foo"), "bar")).value == doc
    assert (await s.search(("langgraph", "foo")))[0].value == doc
    with pytest.raises(InvalidNamespaceError):
        await s.batch([PutOp(("a.b",), "bar", doc)])


async def test_search_by_prefix_with_filters(make_store: Any) -> None:
    s = make_store()
    docs = [
        (("docs", "a"), "1", {"color": "red", "score": 4.5}),
        (("docs", "a", "deep"), "2", {"color": "blue", "score": 3.0}),
        (("docs", "ab"), "3", {"color": "red", "score": 1.0}),
        (("other",), "4", {"color": "green", "score": 9.0}),
    ]
    for ns, key, value in docs:
        await s.put(ns, key, value)

    async def keys(prefix: tuple[str, ...], **kwargs: Any) -> list[str]:
        return [item.key for item in await s.search(prefix, **kwargs)]

    assert await keys(("docs", "a")) == ["1", "2"]
    assert await keys(("docs",)) == ["1", "2", "3"]
    assert await keys((), filter={"color": "red"}) == ["1", "3"]
    assert await keys((), filter={"score": {"$gt": 3.0}}) == ["1", "4"]
    assert await keys((), filter={"score": {"$gte": 3.0, "$lt": 5}}) == ["1", "2"]
    assert await keys((), filter={"score": {"$lte": 1.0}}) == ["3"]
    assert await keys((), filter={"color": {"$ne": "red"}}) == ["2", "4"]
    assert await keys((), filter={"color": {"$eq": "green"}}) == ["4"]
    assert await keys((), limit=2, offset=1) == ["2", "3"]
    assert await keys((), filter={"color": "red"}, offset=1) == ["3"]


# ---------------------------------------------------------------- namespaces (LangGraph's cases)


async def test_list_namespaces_basic(make_store: Any) -> None:
    s = make_store()
    namespaces = [
        ("a", "b", "c"),
        ("a", "b", "d", "e"),
        ("a", "b", "d", "i"),
        ("a", "b", "f"),
        ("a", "c", "f"),
        ("b", "a", "f"),
        ("users", "123"),
        ("users", "456", "settings"),
        ("admin", "users", "789"),
    ]
    for i, ns in enumerate(namespaces):
        await s.put(ns, f"id_{i}", {"data": f"value_{i:02d}"})

    ab = [("a", "b", "c"), ("a", "b", "d", "e"), ("a", "b", "d", "i"), ("a", "b", "f")]
    assert await s.list_namespaces(prefix=("a", "b")) == ab
    assert await s.list_namespaces(suffix=("f",)) == [
        ("a", "b", "f"),
        ("a", "c", "f"),
        ("b", "a", "f"),
    ]
    assert await s.list_namespaces(prefix=("a",), suffix=("f",)) == [
        ("a", "b", "f"),
        ("a", "c", "f"),
    ]
    assert await s.list_namespaces(prefix=("a", "b"), max_depth=3) == [
        ("a", "b", "c"),
        ("a", "b", "d"),
        ("a", "b", "f"),
    ]
    assert await s.list_namespaces(prefix=("a", "b"), limit=2) == ab[:2]
    assert await s.list_namespaces(prefix=("a", "b"), offset=2) == ab[2:]
    assert await s.list_namespaces(prefix=("a", "*", "f")) == [("a", "b", "f"), ("a", "c", "f")]
    assert await s.list_namespaces(suffix=("*", "f")) == [
        ("a", "b", "f"),
        ("a", "c", "f"),
        ("b", "a", "f"),
    ]
    assert await s.list_namespaces(prefix=("nonexistent",)) == []
    assert await s.list_namespaces(prefix=("users", "123")) == [("users", "123")]


async def test_list_namespaces_with_wildcards(make_store: Any) -> None:
    s = make_store()
    namespaces = [
        ("users", "123"),
        ("users", "456"),
        ("users", "789", "settings"),
        ("admin", "users", "789"),
        ("guests", "123"),
        ("guests", "456", "preferences"),
    ]
    for i, ns in enumerate(namespaces):
        await s.put(ns, f"id_{i}", {"data": f"value_{i:02d}"})
    assert await s.list_namespaces(prefix=("users", "*")) == [
        ("users", "123"),
        ("users", "456"),
        ("users", "789", "settings"),
    ]
    assert await s.list_namespaces(suffix=("*", "preferences")) == [
        ("guests", "456", "preferences")
    ]
    assert await s.list_namespaces(prefix=("*", "users"), suffix=("*", "settings")) == []
    await s.put(("admin", "users", "settings", "789"), "foo", {"data": "some_val"})
    assert await s.list_namespaces(prefix=("*", "users"), suffix=("settings", "*")) == [
        ("admin", "users", "settings", "789")
    ]


async def test_list_namespaces_pagination_depth_and_empty(make_store: Any) -> None:
    s = make_store()
    assert await s.list_namespaces() == []
    for i in range(20):
        await s.put(("namespace", f"sub_{i:02d}"), f"id_{i:02d}", {"data": i})
    for offset in (0, 5, 15):
        got = await s.list_namespaces(prefix=("namespace",), limit=5, offset=offset)
        assert got == [("namespace", f"sub_{i:02d}") for i in range(offset, offset + 5)]
    t = make_store()
    for i, ns in enumerate(
        [
            ("a", "b", "c", "d"),
            ("a", "b", "c", "e"),
            ("a", "b", "f"),
            ("a", "g"),
            ("h", "i", "j", "k"),
        ]
    ):
        await t.put(ns, f"id_{i}", {"i": i})
    assert await t.list_namespaces(max_depth=2) == [("a", "b"), ("a", "g"), ("h", "i")]
    assert await t.list_namespaces(max_depth=2, limit=2, offset=1) == [("a", "g"), ("h", "i")]


# ---------------------------------------------------------------- vectors


async def test_vector_insert_update_and_index_false(make_store: Any) -> None:
    s = indexed(make_store)
    docs = [
        ("doc1", {"text": "short text"}),
        ("doc2", {"text": "longer text document"}),
        ("doc3", {"text": "longest text document here"}),
        ("doc4", {"description": "text in description field"}),
    ]
    for key, value in docs:
        await s.put(("test",), key, value)
    keys = [r.key for r in await s.search(("test",), query="longer text document")]
    assert "doc2" in keys and "doc3" in keys

    await s.put(("test",), "zany", {"text": "zany zebra Xerxes"})
    before = (await s.search(("test",), query="zany zebra Xerxes"))[0]
    assert before.key == "zany" and before.score is not None
    await s.put(("test",), "zany", {"text": "new text about dogs"})
    after = next(
        r.score
        for r in await s.search(("test",), query="zany zebra Xerxes", limit=10)
        if r.key == "zany"
    )
    assert after is not None and after < before.score
    # Not indexed: kept, but not found by a semantic search.
    await s.put(("test",), "quiet", {"text": "zany zebra Xerxes"}, index=False)
    assert "quiet" not in [
        r.key for r in await s.search(("test",), query="zany zebra Xerxes", limit=10)
    ]
    assert (await s.get(("test",), "quiet")).value == {"text": "zany zebra Xerxes"}


async def test_vector_search_with_filters_and_pagination(make_store: Any) -> None:
    s = indexed(make_store, fields=["text"])
    docs = [
        ("doc1", {"text": "red apple", "color": "red", "score": 4.5}),
        ("doc2", {"text": "red car", "color": "red", "score": 3.0}),
        ("doc3", {"text": "green apple", "color": "green", "score": 4.0}),
        ("doc4", {"text": "blue car", "color": "blue", "score": 3.5}),
    ]
    for key, value in docs:
        await s.put(("test",), key, value)
    results = await s.search(("test",), query="red apple", filter={"color": "red"})
    assert [r.key for r in results] == ["doc1", "doc2"]
    results = await s.search(("test",), query="red car", filter={"color": "red"})
    assert [r.key for r in results] == ["doc2", "doc1"]
    results = await s.search(("test",), query="blue car", filter={"score": {"$gt": 3.2}})
    assert len(results) == 3 and results[0].key == "doc4"
    results = await s.search(
        ("test",), query="apple", filter={"score": {"$gte": 4.0}, "color": "green"}
    )
    assert [r.key for r in results] == ["doc3"]
    page1 = await s.search(("test",), query="car", limit=2)
    page2 = await s.search(("test",), query="car", limit=2, offset=2)
    assert len(page1) == 2 and len(page2) == 2
    assert {r.key for r in page1}.isdisjoint(r.key for r in page2)
    assert len(await s.search(("test",), query="car", limit=10)) == 4
    # Another namespace and another owner see nothing of these.
    assert await s.search(("elsewhere",), query="red apple") == []
    assert (
        await make_store(index={"dims": DIMS, "embed": LetterEmbeddings()}).search(
            ("test",), query="red apple"
        )
        == []
    )


async def test_embed_with_path(make_store: Any) -> None:
    s = indexed(make_store, fields=["key0", "key1", "key3"])
    await s.put(("test",), "doc1", {"key1": "xxx", "key2": "yyy", "key3": "zzz"})
    await s.put(("test",), "doc2", {"key0": "uuu", "key1": "vvv", "key2": "www", "key3": "xxx"})
    results = await s.search(("test",), query="xxx")
    assert len(results) == 2 and results[0].key != results[1].key
    assert results[0].score == pytest.approx(results[1].score, abs=1e-5)
    top = results[0].score
    results = await s.search(("test",), query="uuu")
    assert results[0].key == "doc2" and results[0].score > results[1].score
    assert results[0].score == pytest.approx(top, abs=1e-5)
    assert all(
        r.score < top for r in await s.search(("test",), query="www")
    )  # key2 is not embedded

    t = indexed(make_store, fields=["key17"])
    await t.put(
        ("test",),
        "doc3",
        {"key0": "aaa", "key1": "bbb", "key2": "ccc", "key3": "ddd"},
        index=["key0", "key1"],
    )
    await t.put(
        ("test",),
        "doc4",
        {"key0": "eee", "key1": "bbb", "key2": "fff", "key3": "ggg"},
        index=["key1", "key3"],
    )
    results = await t.search(("test",), query="aaa")
    assert results[0].key == "doc3" and results[0].score > results[1].score
    results = await t.search(("test",), query="ggg")
    assert results[0].key == "doc4" and results[0].score > results[1].score
    results = await t.search(("test",), query="bbb")
    assert results[0].score == pytest.approx(results[1].score, abs=1e-6)
    # A list at a path: one vector per element.
    await t.put(("test",), "doc5", {"tags": ["hhh", "zzz"]}, index=["tags[*]"])
    assert (await t.search(("test",), query="zzz"))[0].key == "doc5"


async def test_non_ascii(make_store: Any) -> None:
    s = indexed(make_store)
    texts = ["这是中文", "これは日本語です", "이건 한국어야", "Это русский", "यह रूसी है"]
    for i, text in enumerate(texts, 1):
        await s.put(("user_123", "memories"), str(i), {"text": text})
    for i, text in enumerate(texts, 1):
        assert (await s.search(("user_123", "memories"), query=text))[0].key == str(i)
        assert (await s.get(("user_123", "memories"), str(i))).value == {"text": text}


async def test_concurrent_batched_searches(make_store: Any) -> None:
    s = indexed(make_store, fields=["text"])
    colors = ["red", "blue", "green", "yellow", "purple"]
    things = ["apple", "car", "house", "book", "phone"]
    scores = [3.0, 3.5, 4.0, 4.5, 5.0]
    ops = [
        PutOp(
            ("test",),
            f"doc{i}",
            {
                "text": f"{colors[i % 5]} {things[i % 5]}",
                "color": colors[i % 5],
                "score": scores[i % 5],
                "index": i,
            },
        )
        for i in range(50)
    ]
    await s.batch(ops)
    queries: list[tuple[str, dict[str, Any]]] = [
        ("apple", {"color": "red"}),
        ("phone", {"score": {"$gt": 4.99}}),
        ("book", {"score": {"$lte": 3.5}}),
        ("house", {"index": {"$gt": 25}}),
    ]
    results = await asyncio.gather(*[s.search(("test",), query=q, filter=f) for q, f in queries])
    for found, (query, filter_) in zip(results, queries, strict=True):
        assert found, (query, filter_)
        for item in found:
            if "color" in filter_:
                assert item.value["color"] == filter_["color"]
            if "score" in filter_:
                assert all(
                    {"$gt": item.value["score"] > v, "$lte": item.value["score"] <= v}[op]
                    for op, v in filter_["score"].items()
                )
            if "index" in filter_:
                assert item.value["index"] > 25


class WideEmbeddings(Embeddings):
    """4,096-dimension embeddings, cheap: a unit vector of its own for each distinct text (up
    to 4,096 texts), so no two texts tie (a hash of the text collided now and then)."""

    def __init__(self) -> None:
        self._axes: dict[str, int] = {}

    def _embed(self, text: str) -> list[float]:
        axis = self._axes.setdefault(text, len(self._axes))
        assert axis < 4096, "more distinct texts than dimensions"
        vector = [0.0] * 4096
        vector[axis] = 1.0
        return vector

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._embed(text) for text in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._embed(text)


async def test_puts_too_large_to_replace_at_once_are_split(make_store: Any) -> None:
    # 3 items of 64 embedded fields at 4,096 dimensions store about 7 MiB: one call. Replacing
    # them also reads what they replace, more than one call may: the store halves the call.
    fields = [f"f{i}" for i in range(64)]
    s = make_store(index={"dims": 4096, "embed": WideEmbeddings(), "fields": fields})
    clients = s.store._clients
    resource = (clients.client or clients.async_client).store
    calls: list[int] = []
    put = resource.put_store_items

    def counted(**kwargs: Any) -> Any:
        calls.append(len(kwargs["ops"]))
        return put(**kwargs)

    resource.put_store_items = counted
    for round_ in range(2):
        ops = [
            PutOp(("wide",), f"k{n}", {field: f"{round_}-{n}-{field}" for field in fields})
            for n in range(3)
        ]
        await s.batch(ops)
    # The first round in one call; the second refused whole (nothing written), then halved.
    assert calls == [3, 3, 1, 2]
    items = await s.search(("wide",), query="1-2-f5", limit=3)
    assert items[0].key == "k2"
    assert items[0].value["f5"] == "1-2-f5"
    assert sorted(item.key for item in await s.search(("wide",), limit=10)) == ["k0", "k1", "k2"]


# ---------------------------------------------------------------- TTL


async def test_ttl_expiry_refresh_and_sweep(make_store: Any, deployment: Deployment) -> None:
    deployment.skip_unless("local")  # waits for seconds; a real deployment sweeps the same way
    minutes = 2.5 / 60  # 2.5 s
    s = make_store(ttl={"default_ttl": minutes, "refresh_on_read": True})
    await s.put(("ttl",), "read", {"v": 1})
    await s.put(("ttl",), "unread", {"v": 2})
    await s.put(("ttl",), "forever", {"v": 3}, ttl=None)
    time.sleep(1.5)
    assert (await s.get(("ttl",), "read")).value == {"v": 1}  # refreshes: expires 2.5 s from now
    time.sleep(1.5)
    # "unread" expired (3 s > 2.5 s): gone at once; "read" was refreshed.
    assert await s.get(("ttl",), "unread", refresh_ttl=False) is None
    assert (await s.get(("ttl",), "read", refresh_ttl=False)).value == {"v": 1}
    assert [item.key for item in await s.search(("ttl",), refresh_ttl=False)] == ["forever", "read"]
    time.sleep(1.5)
    assert await s.get(("ttl",), "read") is None
    # The sweep deletes expired items (the exact count drops to the live one).
    client = cam.Client(url=deployment.url, token=deployment.token_service)
    try:
        for _ in range(50):
            if (
                client.store.count_store_items(resource_id=s.store.resource_id, namespace=["ttl"])
                == 1
            ):
                break
            time.sleep(0.1)
        assert (
            client.store.count_store_items(resource_id=s.store.resource_id, namespace=["ttl"]) == 1
        )
    finally:
        client.close()
