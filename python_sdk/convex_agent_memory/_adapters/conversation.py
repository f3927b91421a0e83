"""One thread of an owner as an append-only list of messages: what the framework adapters
(LangChain's chat history, the OpenAI Agents SDK's session) need of threads and messages.

Every call names the owner (``resource_id``); the thread is created on the first append
when it does not exist (looked up once per object, so that no call fails on the way).
Reads walk the thread's pages (1,000 messages a call); appends go through
``messages.save_many`` (calls cut by count and bytes, each an idempotent upsert by the
messages' own ids);
clearing deletes the messages page by page and keeps the (empty) thread, so the thread's
id can be appended to again at once.

Messages appended together share one ``createdAt`` and keep their order (the component
keeps insertion order among equal times).
"""

from __future__ import annotations

import asyncio
import itertools
import uuid
from collections.abc import Callable, Mapping, Sequence
from typing import Any, TypeVar

from .._client import AsyncClient, Client
from .._exceptions import NotFoundError
from .._limits import MAX_PAGE_SIZE
from ..types import Message

__all__ = ["AsyncConversation", "Conversation", "new_message_id"]

#: Messages one page read returns (the component's page cap).
PAGE_SIZE = MAX_PAGE_SIZE

T = TypeVar("T")


def new_message_id() -> str:
    """A fresh message id. Ids are unique per owner, never per thread: an adapter gives
    every stored message its own id so that the same framework id in two threads never
    moves a message from one thread to the other."""
    return f"msg-{uuid.uuid4().hex}"


def _wire_message(thread_id: str, message: Mapping[str, Any]) -> dict[str, Any]:
    return {"threadId": thread_id, **message}


class Conversation:
    """A thread of ``resource_id`` seen as a list of messages, over a sync :class:`Client`."""

    def __init__(
        self,
        client: Client,
        *,
        resource_id: str,
        thread_id: str,
        title: str | None = None,
    ) -> None:
        self.client = client
        self.resource_id = resource_id
        self.thread_id = thread_id
        self.title = title
        self._thread_exists = False

    def messages(self) -> list[Message]:
        """Every message of the thread, oldest first (none when the thread does not exist)."""
        return list(
            self.client.messages.list_messages_all(
                resource_id=self.resource_id, thread_id=self.thread_id, page_size=PAGE_SIZE
            )
        )

    def latest(self, limit: int) -> list[Message]:
        """The latest ``limit`` messages, oldest first."""
        if limit <= 0:
            return []
        newest_first = self.client.messages.list_messages_all(
            resource_id=self.resource_id,
            thread_id=self.thread_id,
            order="desc",
            page_size=min(limit, PAGE_SIZE),
        )
        found = list(itertools.islice(newest_first, limit))
        found.reverse()
        return found

    def append(self, messages: Sequence[Mapping[str, Any]]) -> None:
        """Saves ``messages`` (``{id, role, content, ...}`` as ``saveMessages`` takes them,
        without ``threadId``) at the end of the thread, creating the thread if needed."""
        if not messages:
            return
        wire = [_wire_message(self.thread_id, m) for m in messages]
        if not self._thread_exists:
            if (
                self.client.threads.get_thread(resource_id=self.resource_id, id=self.thread_id)
                is None
            ):
                self._create_thread()
            self._thread_exists = True
        try:
            self.client.messages.save_many(resource_id=self.resource_id, messages=wire)
        except NotFoundError:
            # The thread was deleted since: nothing was saved (the first call checks it first).
            self._create_thread()
            self.client.messages.save_many(resource_id=self.resource_id, messages=wire)

    def _create_thread(self) -> None:
        if self.title is None:
            self.client.threads.save_thread(resource_id=self.resource_id, id=self.thread_id)
        else:
            self.client.threads.save_thread(
                resource_id=self.resource_id, id=self.thread_id, title=self.title
            )

    def pop(self) -> Message | None:
        """Removes and returns the latest message (None when there is none). Two callers
        popping at once never both get the same message."""
        while True:
            latest = self.latest(1)
            if not latest:
                return None
            deleted = self.client.messages.delete_messages(
                resource_id=self.resource_id, ids=[latest[0].id]
            )
            if deleted:
                return latest[0]

    def clear(self) -> None:
        """Deletes every message of the thread, a page at a time; the thread stays."""
        while True:
            page = self.client.messages.list_messages(
                resource_id=self.resource_id, thread_id=self.thread_id, page_size=PAGE_SIZE
            )
            if not page.page:
                return
            self.client.messages.delete_messages(
                resource_id=self.resource_id, ids=[m.id for m in page.page]
            )


class AsyncConversation:
    """The async twin of :class:`Conversation`, over an :class:`AsyncClient`, or over a sync
    :class:`Client` whose calls run in a worker thread (usable from any event loop)."""

    def __init__(
        self,
        *,
        resource_id: str,
        thread_id: str,
        async_client: AsyncClient | None = None,
        client: Client | None = None,
        title: str | None = None,
    ) -> None:
        if async_client is None and client is None:
            raise ValueError("pass async_client= (an AsyncClient) or client= (a Client)")
        self.async_client = async_client
        self.sync = (
            Conversation(client, resource_id=resource_id, thread_id=thread_id, title=title)
            if client is not None
            else None
        )
        self.resource_id = resource_id
        self.thread_id = thread_id
        self.title = title
        self._thread_exists = False

    async def _in_thread(self, call: Callable[[Conversation], T]) -> T:
        assert self.sync is not None
        sync = self.sync
        return await asyncio.to_thread(call, sync)

    async def messages(self) -> list[Message]:
        if self.async_client is None:
            return await self._in_thread(Conversation.messages)
        return [
            m
            async for m in self.async_client.messages.list_messages_all(
                resource_id=self.resource_id, thread_id=self.thread_id, page_size=PAGE_SIZE
            )
        ]

    async def latest(self, limit: int) -> list[Message]:
        if self.async_client is None:
            return await self._in_thread(lambda c: c.latest(limit))
        if limit <= 0:
            return []
        found: list[Message] = []
        async for message in self.async_client.messages.list_messages_all(
            resource_id=self.resource_id,
            thread_id=self.thread_id,
            order="desc",
            page_size=min(limit, PAGE_SIZE),
        ):
            found.append(message)
            if len(found) >= limit:
                break
        found.reverse()
        return found

    async def append(self, messages: Sequence[Mapping[str, Any]]) -> None:
        if self.async_client is None:
            await self._in_thread(lambda c: c.append(messages))
            return
        if not messages:
            return
        wire = [_wire_message(self.thread_id, m) for m in messages]
        client = self.async_client
        if not self._thread_exists:
            if (
                await client.threads.get_thread(resource_id=self.resource_id, id=self.thread_id)
                is None
            ):
                await self._create_thread(client)
            self._thread_exists = True
        try:
            await client.messages.save_many(resource_id=self.resource_id, messages=wire)
        except NotFoundError:
            await self._create_thread(client)
            await client.messages.save_many(resource_id=self.resource_id, messages=wire)

    async def _create_thread(self, client: AsyncClient) -> None:
        if self.title is None:
            await client.threads.save_thread(resource_id=self.resource_id, id=self.thread_id)
        else:
            await client.threads.save_thread(
                resource_id=self.resource_id, id=self.thread_id, title=self.title
            )

    async def pop(self) -> Message | None:
        if self.async_client is None:
            return await self._in_thread(Conversation.pop)
        while True:
            latest = await self.latest(1)
            if not latest:
                return None
            deleted = await self.async_client.messages.delete_messages(
                resource_id=self.resource_id, ids=[latest[0].id]
            )
            if deleted:
                return latest[0]

    async def clear(self) -> None:
        if self.async_client is None:
            await self._in_thread(Conversation.clear)
            return
        while True:
            page = await self.async_client.messages.list_messages(
                resource_id=self.resource_id, thread_id=self.thread_id, page_size=PAGE_SIZE
            )
            if not page.page:
                return
            await self.async_client.messages.delete_messages(
                resource_id=self.resource_id, ids=[m.id for m in page.page]
            )
