"""The vector store through the exposed functions: a service writes, users read."""

from __future__ import annotations

import math

import convex_agent_memory as cam
import pytest

from .conftest import Clients, aw, collect, collect_pages, uid

DIM = 128


def basis(i: int, tilt: float = 0.0) -> list[float]:
    """A unit-ish vector pointing along axis i (tilted a little toward axis i + 1)."""
    vector = [0.0] * DIM
    vector[i % DIM] = 1.0
    vector[(i + 1) % DIM] = tilt
    return vector


async def test_index_lifecycle_upsert_query_update_delete(clients: Clients) -> None:
    service, user = clients.service, clients.a
    name = uid("idx")
    created = await aw(
        service.vectors.create_index(
            name=name, dimension=DIM, metric="cosine", filterable_keys=["lang"]
        )
    )
    assert created.created is True and created.index.count == 0
    assert created.index.filterable_keys == ["lang"] and created.index.dimension == DIM
    again = await aw(
        service.vectors.create_index(name=name, dimension=DIM, filterable_keys=["lang"])
    )
    assert again.created is False

    items = [
        {
            "id": f"doc-{i}",
            "vector": basis(i, 0.1),
            "metadata": {
                "lang": "en" if i % 2 == 0 else "fr",
                "year": 2000.0 + i,
                "tags": {"topic": "t" + str(i % 3)},
            },
        }
        for i in range(8)
    ]
    upserted = await aw(service.vectors.upsert(index_name=name, vectors=items))
    assert upserted.ids == [f"doc-{i}" for i in range(8)]
    anonymous_id = (
        await aw(service.vectors.upsert(index_name=name, vectors=[{"vector": basis(9)}]))
    ).ids[0]
    assert len(anonymous_id) > 8
    described = await aw(user.vectors.describe_index(index_name=name))
    assert described.count == 9 and described.name == name

    # A user may read: get, query, list, describe.
    got = await aw(
        user.vectors.get_vectors(index_name=name, ids=["doc-2", "nope"], include_vector=True)
    )
    assert [v.id for v in got] == ["doc-2"] and got[0].vector == pytest.approx(basis(2, 0.1))
    assert got[0].metadata == {"lang": "en", "year": 2002.0, "tags": {"topic": "t2"}}
    without = await aw(user.vectors.get_vectors(index_name=name, ids=["doc-2"]))
    assert without[0].vector is None

    hits = await aw(user.vectors.query(index_name=name, query_vector=basis(4), top_k=3))
    assert hits.results[0].id == "doc-4" and hits.results[0].score == pytest.approx(
        1 / math.sqrt(1.01)
    )
    assert len(hits.results) == 3 and hits.post_filtered is False
    native = await aw(
        user.vectors.query(
            index_name=name,
            query_vector=basis(3),
            top_k=3,
            filter={"lang": "en"},
            filter_mode="native",
        )
    )
    assert [r.metadata["lang"] for r in native.results] == ["en"] * 3
    assert "doc-3" not in [r.id for r in native.results]
    mixed = await aw(
        user.vectors.query(
            index_name=name,
            query_vector=basis(0),
            top_k=5,
            include_vector=True,
            filter={"lang": "en", "year": {"$gte": 2003.0}, "tags.topic": {"$ne": "t0"}},
        )
    )
    assert {r.id for r in mixed.results} == {"doc-4"} and mixed.post_filtered is True
    assert mixed.results[0].vector is not None and len(mixed.results[0].vector) == DIM
    floor = await aw(
        user.vectors.query(index_name=name, query_vector=basis(5), top_k=8, min_score=0.05)
    )
    assert [r.id for r in floor.results] == ["doc-5", "doc-4"]  # doc-4 is tilted toward axis 5

    await aw(service.vectors.update_vector(index_name=name, id="doc-1", metadata={"lang": "en"}))
    await aw(service.vectors.update_vector(index_name=name, id="doc-1", vector=basis(40)))
    (moved,) = await aw(
        service.vectors.get_vectors(index_name=name, ids=["doc-1"], include_vector=True)
    )
    assert moved.metadata == {"lang": "en"} and moved.vector == basis(40)
    top = await aw(user.vectors.query(index_name=name, query_vector=basis(40), top_k=1))
    assert top.results[0].id == "doc-1"

    by_ids = await aw(service.vectors.delete_vectors(index_name=name, ids=["doc-0", "missing"]))
    assert by_ids.deleted == 1 and by_ids.continuing is False
    by_filter = await aw(service.vectors.delete_vectors(index_name=name, filter={"lang": "fr"}))
    assert by_filter.deleted == 3 and by_filter.continuing is False  # doc-3, 5, 7
    assert (await aw(user.vectors.describe_index(index_name=name))).count == 5

    await aw(service.vectors.truncate_index(index_name=name))
    emptied = await aw(user.vectors.describe_index(index_name=name))
    assert emptied.count == 0 and emptied.filterable_keys == ["lang"]
    assert (
        await aw(user.vectors.query(index_name=name, query_vector=basis(2), top_k=3))
    ).results == []

    await aw(service.vectors.delete_index(index_name=name))
    with pytest.raises(cam.NotFoundError):
        await aw(user.vectors.describe_index(index_name=name))


async def test_list_indexes_pages(clients: Clients) -> None:
    service = clients.service
    prefix = uid("list")
    names = [f"{prefix}-{i}" for i in range(3)]
    for name in names:
        await aw(service.vectors.create_index(name=name, dimension=DIM))
    try:
        listed = [i.name for i in await collect(clients.a.vectors.list_indexes_all(page_size=2))]
        assert [n for n in listed if n.startswith(prefix)] == names  # by name
        pages = await collect_pages(service.vectors.list_indexes_all(page_size=2))
        assert all(len(p.items) <= 2 for p in pages) and pages[-1].is_done
        first = await aw(service.vectors.list_indexes(page_size=1))
        assert len(first.page) == 1
    finally:
        for name in names:
            await aw(service.vectors.delete_index(index_name=name))
