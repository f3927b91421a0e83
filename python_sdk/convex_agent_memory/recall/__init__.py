"""Recall by text: embed the query with your own model, then ``recall_messages``.

::

    from convex_agent_memory import Client
    from convex_agent_memory.recall import recall

    def embed(texts):                      # any function from texts to vectors
        return model.encode(texts).tolist()

    with Client(...) as client:
        found = recall(client, embed=embed, resource_id="user-7",
                       query="what did I say about hotels?", top_k=5, before=1, after=1)
        for group in found.groups:
            print(group.thread_id, [m.content.parts for m in group.messages])

``embed`` takes a list of texts and returns one vector per text (lists of floats, numpy
arrays, ...); for :func:`arecall` it may also be a coroutine function. ``hybrid=True``
also searches the query's words in the messages' text and fuses both rankings.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Sequence
from typing import TYPE_CHECKING, Any

from .._bulk import as_float_list
from .._types import Omit, omit

if TYPE_CHECKING:
    from .._client import AsyncClient, Client
    from ..types import RecallMessagesResult

__all__ = ["AsyncEmbed", "Embed", "arecall", "keyword_query_of", "recall"]

#: A function from texts to vectors, one per text.
Embed = Callable[[list[str]], Sequence[Any]]
#: The same, or a coroutine function.
AsyncEmbed = Callable[[list[str]], Sequence[Any] | Awaitable[Sequence[Any]]]

#: Words a keyword query may hold (Convex's search takes 16 terms).
MAX_KEYWORD_TERMS = 16
_WORD = re.compile(r"[^\W_]+")


def keyword_query_of(text: str) -> str | None:
    """The first 16 words of ``text`` (as Convex's search splits words); None without any."""
    words = _WORD.findall(text)[:MAX_KEYWORD_TERMS]
    return " ".join(words)[:1024] if words else None


def _query_vector(vectors: Sequence[Any]) -> list[float]:
    if len(vectors) != 1:
        raise ValueError(f"embed returned {len(vectors)} vectors for one text")
    return as_float_list(vectors[0])


def _arguments(
    *,
    vector: list[float],
    query: str,
    resource_id: str,
    top_k: int,
    thread_id: str | Omit,
    before: int | Omit,
    after: int | Omit,
    exclude_thread_id: str | Omit,
    min_score: float | Omit,
    hybrid: bool,
    keyword_query: str | Omit,
    keyword_weight: float | Omit,
    rrf_k: float | Omit,
) -> dict[str, Any]:
    words: str | Omit = keyword_query
    if hybrid and isinstance(words, Omit):
        words = keyword_query_of(query) or omit
    return {
        "resource_id": resource_id,
        "query_vector": vector,
        "top_k": top_k,
        "thread_id": thread_id,
        "before": before,
        "after": after,
        "exclude_thread_id": exclude_thread_id,
        "min_score": min_score,
        "keyword_query": words,
        "keyword_weight": keyword_weight if isinstance(words, str) else omit,
        "rrf_k": rrf_k if isinstance(words, str) else omit,
    }


def recall(
    client: Client,
    *,
    embed: Embed,
    query: str,
    resource_id: str,
    top_k: int = 5,
    thread_id: str | Omit = omit,
    before: int | Omit = omit,
    after: int | Omit = omit,
    exclude_thread_id: str | Omit = omit,
    min_score: float | Omit = omit,
    hybrid: bool = False,
    keyword_query: str | Omit = omit,
    keyword_weight: float | Omit = omit,
    rrf_k: float | Omit = omit,
) -> RecallMessagesResult:
    """The owner's messages that best match ``query`` (embedded by ``embed``), each with
    ``before``/``after`` neighbours, grouped by thread: ``recall_messages``' result.
    ``hybrid=True`` fuses a keyword search of the query's words (or ``keyword_query``)."""
    vector = _query_vector(embed([query]))
    return client.recall.recall_messages(
        **_arguments(
            vector=vector, query=query, resource_id=resource_id, top_k=top_k,
            thread_id=thread_id, before=before, after=after,
            exclude_thread_id=exclude_thread_id, min_score=min_score, hybrid=hybrid,
            keyword_query=keyword_query, keyword_weight=keyword_weight, rrf_k=rrf_k,
        )
    )  # fmt: skip


async def arecall(
    client: AsyncClient,
    *,
    embed: AsyncEmbed,
    query: str,
    resource_id: str,
    top_k: int = 5,
    thread_id: str | Omit = omit,
    before: int | Omit = omit,
    after: int | Omit = omit,
    exclude_thread_id: str | Omit = omit,
    min_score: float | Omit = omit,
    hybrid: bool = False,
    keyword_query: str | Omit = omit,
    keyword_weight: float | Omit = omit,
    rrf_k: float | Omit = omit,
) -> RecallMessagesResult:
    """The async twin of :func:`recall`; ``embed`` may be a coroutine function."""
    vectors = embed([query])
    if inspect.isawaitable(vectors):
        vectors = await vectors
    vector = _query_vector(vectors)
    return await client.recall.recall_messages(
        **_arguments(
            vector=vector, query=query, resource_id=resource_id, top_k=top_k,
            thread_id=thread_id, before=before, after=after,
            exclude_thread_id=exclude_thread_id, min_score=min_score, hybrid=hybrid,
            keyword_query=keyword_query, keyword_weight=keyword_weight, rrf_k=rrf_k,
        )
    )  # fmt: skip
