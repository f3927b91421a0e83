"""One implementation, two drivers: the saver's and the store's logic is written once as
generators that yield the I/O they need (a :class:`Step`), and a sync or an async driver
performs each step and sends the result back. So the sync and async interfaces of
LangGraph's savers and stores cannot drift apart."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Generator
from dataclasses import dataclass
from typing import Any, TypeVar

T = TypeVar("T")


@dataclass(frozen=True)
class Step:
    """One call to make: ``sync()`` for the sync driver, ``async_()`` for the async one."""

    sync: Callable[[], Any]
    async_: Callable[[], Awaitable[Any]]


Plan = Generator[Step, Any, T]


def run_sync(plan: Plan[T]) -> T:
    """Runs a plan with blocking calls."""
    try:
        step = next(plan)
        while True:
            try:
                result = step.sync()
            except BaseException as error:
                step = plan.throw(error)
                continue
            step = plan.send(result)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


async def run_async(plan: Plan[T]) -> T:
    """Runs a plan with awaited calls."""
    try:
        step = next(plan)
        while True:
            try:
                result = await step.async_()
            except BaseException as error:
                step = plan.throw(error)
                continue
            step = plan.send(result)
    except StopIteration as stop:
        return stop.value  # type: ignore[no-any-return]


class Clients:
    """The SDK clients a saver or store calls through: a sync one, an async one, or both.

    With only a sync client, async calls run it in a worker thread; with only an async
    client, sync calls are refused (they would block its event loop).
    """

    def __init__(self, client: Any | None, async_client: Any | None) -> None:
        if client is None and async_client is None:
            raise ValueError(
                "pass client= (a convex_agent_memory.Client), async_client= (an AsyncClient) "
                "or both"
            )
        self.client = client
        self.async_client = async_client

    def step(self, domain: str, call: Callable[[Any], Any]) -> Step:
        """A step that calls ``call(resource)`` on the ``domain`` resource of the right client."""

        def sync() -> Any:
            if self.client is None:
                raise RuntimeError(
                    "this object was made with an AsyncClient only: use its async methods "
                    "(ainvoke, aget, ...), or pass client= as well"
                )
            return call(getattr(self.client, domain))

        async def async_() -> Any:
            if self.async_client is None:
                return await asyncio.to_thread(sync)
            return await call(getattr(self.async_client, domain))

        return Step(sync, async_)


def local_step(sync: Callable[[], T], async_: Callable[[], Awaitable[T]] | None = None) -> Step:
    """A step that is not a Convex call (an embedding, say): sync and async versions."""

    async def default_async() -> T:
        return await asyncio.to_thread(sync)

    return Step(sync, async_ or default_async)
