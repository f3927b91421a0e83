"""A Session of the OpenAI Agents SDK kept in convex-agent-memory.

::

    from agents import Agent, Runner
    from convex_agent_memory import AsyncClient
    from convex_agent_memory.openai_agents import ConvexSession

    client = AsyncClient(url=..., token=...)
    session = ConvexSession("support-42", resource_id="user-7", async_client=client)
    result = await Runner.run(agent, "Hello", session=session)

The session is one thread of the owner ``resource_id`` (thread id = ``session_id``); each
item is one message of it, stored as the SDK gave it (see ``_items.py``). Any process with
a token for that owner continues the same conversation.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from agents.memory.session import SessionABC
from agents.memory.session_settings import (
    SessionSettings,
    coerce_session_settings,
    resolve_session_limit,
)

from .._adapters.conversation import AsyncConversation, new_message_id
from ._items import item_of, message_of

if TYPE_CHECKING:
    from agents.items import TResponseInputItem

    from .._client import AsyncClient, Client

__all__ = ["ConvexSession"]


class ConvexSession(SessionABC):
    """Conversation history of the OpenAI Agents SDK in a thread of convex-agent-memory.

    Args:
        session_id: the thread's id (unique per owner).
        resource_id: the owner of the thread (a user may act only on its own).
        async_client: an :class:`~convex_agent_memory.AsyncClient`, used from one event loop.
        client: a :class:`~convex_agent_memory.Client`; its calls run in a worker thread, so
            the session works from any event loop (``Runner.run_sync`` in several threads).
            With both, ``async_client`` is used.
        session_settings: the SDK's settings (``limit``: default number of items
            ``get_items`` returns).
        title: the thread's title when the session creates it.
    """

    session_settings: SessionSettings | None = None

    def __init__(
        self,
        session_id: str,
        *,
        resource_id: str,
        async_client: AsyncClient | None = None,
        client: Client | None = None,
        session_settings: SessionSettings | Mapping[str, Any] | None = None,
        title: str | None = None,
    ) -> None:
        self.session_id = session_id
        self.resource_id = resource_id
        self.session_settings = (
            coerce_session_settings(
                dict(session_settings)
                if isinstance(session_settings, Mapping)
                else session_settings
            )
            if session_settings is not None
            else SessionSettings()
        )
        self._thread = AsyncConversation(
            resource_id=resource_id,
            thread_id=session_id,
            async_client=async_client,
            client=client,
            title=title,
        )

    async def get_items(self, limit: int | None = None) -> list[TResponseInputItem]:
        """The conversation's items, oldest first; with a limit (or the settings' limit),
        the latest ``limit`` of them."""
        session_limit = resolve_session_limit(limit, self.session_settings)
        if session_limit is None:
            messages = await self._thread.messages()
        else:
            messages = await self._thread.latest(session_limit)
        return [item_of(m) for m in messages]  # type: ignore[misc]

    async def add_items(self, items: list[TResponseInputItem]) -> None:
        """Appends the items in order (one call per 1,000 items or 8 MB). An item that is not
        JSON raises ``TypeError``/``ValueError`` before anything is saved."""
        messages = [message_of(item, id=new_message_id()) for item in items]
        await self._thread.append(messages)

    async def pop_item(self) -> TResponseInputItem | None:
        """Removes and returns the latest item (None when the session is empty)."""
        message = await self._thread.pop()
        return None if message is None else item_of(message)  # type: ignore[return-value]

    async def clear_session(self) -> None:
        """Deletes every item of the session (the thread itself stays, empty)."""
        await self._thread.clear()
