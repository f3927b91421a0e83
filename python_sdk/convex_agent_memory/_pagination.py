"""Iterators that walk a paginated Convex query's cursors."""

from __future__ import annotations

from collections.abc import AsyncIterator, Awaitable, Callable, Iterator, Sequence
from typing import Generic, NamedTuple, TypeVar

__all__ = ["AsyncPaginator", "PageResult", "SyncPaginator"]

T = TypeVar("T")


class PageResult(NamedTuple, Generic[T]):
    """One page of a paginated query: ``{page, isDone, continueCursor}``."""

    items: Sequence[T]
    is_done: bool
    continue_cursor: str


class SyncPaginator(Generic[T]):
    """Iterates every item of a paginated query, fetching one page at a time.

    ``fetch_page(cursor)`` returns one page; ``cursor`` is ``None`` for the first.
    Iterate items with ``for item in paginator`` or pages with ``paginator.pages()``.
    Nothing is fetched until iteration starts; each iteration starts over.
    """

    def __init__(
        self, fetch_page: Callable[[str | None], PageResult[T]], *, cursor: str | None = None
    ) -> None:
        self._fetch_page = fetch_page
        self._start = cursor

    def pages(self) -> Iterator[PageResult[T]]:
        cursor = self._start
        while True:
            page = self._fetch_page(cursor)
            yield page
            if page.is_done:
                return
            cursor = page.continue_cursor

    def __iter__(self) -> Iterator[T]:
        for page in self.pages():
            yield from page.items


class AsyncPaginator(Generic[T]):
    """The async twin of :class:`SyncPaginator`: ``async for item in paginator``."""

    def __init__(
        self,
        fetch_page: Callable[[str | None], Awaitable[PageResult[T]]],
        *,
        cursor: str | None = None,
    ) -> None:
        self._fetch_page = fetch_page
        self._start = cursor

    async def pages(self) -> AsyncIterator[PageResult[T]]:
        cursor = self._start
        while True:
            page = await self._fetch_page(cursor)
            yield page
            if page.is_done:
                return
            cursor = page.continue_cursor

    async def __aiter__(self) -> AsyncIterator[T]:
        async for page in self.pages():
            for item in page.items:
                yield item
