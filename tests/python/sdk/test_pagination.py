"""Paginators walk the cursors of a paginated query, sync and async."""

from __future__ import annotations

from convex_agent_memory import AsyncPaginator, PageResult, SyncPaginator

PAGES = {
    None: PageResult([1, 2], False, "c1"),
    "c1": PageResult([3], False, "c2"),
    "c2": PageResult([], True, "end"),
}


def test_sync_paginator_walks_every_cursor() -> None:
    asked: list[str | None] = []

    def fetch(cursor: str | None) -> PageResult[int]:
        asked.append(cursor)
        return PAGES[cursor]

    paginator = SyncPaginator(fetch)
    assert asked == []  # lazy
    assert list(paginator) == [1, 2, 3]
    assert asked == [None, "c1", "c2"]
    assert [len(p.items) for p in paginator.pages()] == [2, 1, 0]


async def test_async_paginator_walks_every_cursor() -> None:
    async def fetch(cursor: str | None) -> PageResult[int]:
        return PAGES[cursor]

    assert [item async for item in AsyncPaginator(fetch)] == [1, 2, 3]
    assert [item async for item in AsyncPaginator(fetch, cursor="c1")] == [3]
