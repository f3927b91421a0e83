"""LangChain chat message history kept in a thread of convex-agent-memory.

::

    from convex_agent_memory import Client
    from convex_agent_memory.langchain import ConvexChatMessageHistory

    history = ConvexChatMessageHistory(client=Client(...), resource_id="user-7", thread_id="t-1")
    history.add_messages([HumanMessage("Hi"), AIMessage("Hello!")])
    history.messages  # [HumanMessage("Hi"), AIMessage("Hello!")]

One history is one thread of the owner ``resource_id`` (created on the first message); every
message is one stored message (``_messages.py`` tells how LangChain messages map to parts).
Messages added together are saved in one call (or a few, for more than 1,000 or 8 MB).
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING

from langchain_core.chat_history import BaseChatMessageHistory
from langchain_core.messages import BaseMessage

from .._adapters.conversation import AsyncConversation, Conversation, new_message_id
from ._messages import from_stored, to_stored

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["ConvexChatMessageHistory"]


class ConvexChatMessageHistory(BaseChatMessageHistory):
    """A thread's messages as LangChain's chat history.

    Args:
        resource_id: the owner of the thread (a user may act only on its own).
        thread_id: the thread's id (unique per owner).
        client: a :class:`~convex_agent_memory.Client`, for the sync methods (and the async
            ones, in a worker thread, when no ``async_client`` is given).
        async_client: an :class:`~convex_agent_memory.AsyncClient`, for the async methods.
        title: the thread's title when the history creates it.
    """

    def __init__(
        self,
        *,
        resource_id: str,
        thread_id: str,
        client: Client | None = None,
        async_client: AsyncClient | None = None,
        title: str | None = None,
    ) -> None:
        if client is None and async_client is None:
            raise ValueError("pass client= (a Client) and/or async_client= (an AsyncClient)")
        self.resource_id = resource_id
        self.thread_id = thread_id
        self._sync = (
            Conversation(client, resource_id=resource_id, thread_id=thread_id, title=title)
            if client is not None
            else None
        )
        self._async = AsyncConversation(
            resource_id=resource_id,
            thread_id=thread_id,
            async_client=async_client,
            client=client,
            title=title,
        )

    def _conversation(self) -> Conversation:
        if self._sync is None:
            raise RuntimeError(
                "this history has only an async_client: use the async methods "
                "(aget_messages, aadd_messages, aclear) or pass client="
            )
        return self._sync

    @property
    def messages(self) -> list[BaseMessage]:  # type: ignore[override]
        """Every message of the thread, oldest first."""
        return [from_stored(m) for m in self._conversation().messages()]

    async def aget_messages(self) -> list[BaseMessage]:
        return [from_stored(m) for m in await self._async.messages()]

    def add_messages(self, messages: Sequence[BaseMessage]) -> None:
        """Appends the messages in order, in as few calls as the limits allow."""
        stored = [to_stored(m, id=new_message_id()) for m in messages]
        self._conversation().append(stored)

    async def aadd_messages(self, messages: Sequence[BaseMessage]) -> None:
        stored = [to_stored(m, id=new_message_id()) for m in messages]
        await self._async.append(stored)

    def clear(self) -> None:
        """Deletes every message of the thread (the thread stays, empty)."""
        self._conversation().clear()

    async def aclear(self) -> None:
        await self._async.clear()
