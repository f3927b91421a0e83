"""Recall by text, as a method of the ``recall`` resource: embed the query with your own
model, then ``recall_messages`` (mixed into the generated resource by the codegen's
extension hook, ``[codegen.extensions.recall]`` in codegen/agent_memory.toml)::

    def embed(texts):                      # any function from texts to vectors
        return model.encode(texts).tolist()

    with Client(...) as client:
        found = client.recall.recall_text(embed=embed, resource_id="user-7",
                                          query="what did I say about hotels?",
                                          top_k=5, before=1, after=1)
        for group in found.groups:
            print(group.thread_id, [m.content.parts for m in group.messages])

``embed`` takes a list of texts and returns one vector per text (lists of floats, numpy
arrays, ...); on the async client it may also be a coroutine function. ``hybrid=True``
also searches the query's words in the messages' text and fuses both rankings.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from .._bulk_methods import AsyncEmbeddingsBulk, EmbeddingsBulk, refusal
from .._limits import MAX_KEYWORD_QUERY_LENGTH, MAX_KEYWORD_TERMS
from .._models import SupportsArray
from .._types import Omit, omit

if TYPE_CHECKING:
    from .._base_client import AsyncAPIClient, SyncAPIClient
    from .._functions import FunctionRef

__all__ = [
    "AsyncEmbed",
    "AsyncRecallByText",
    "Embed",
    "RecallByText",
    "Vectors",
    "keyword_query_of",
]

ResultT = TypeVar("ResultT")
SetResultT = TypeVar("SetResultT")

#: What ``embed`` returns: one vector per text (a list of lists of numbers, a list of numpy
#: arrays, a 2-D numpy array, ...).
Vectors = Sequence[Any] | SupportsArray
#: A function from texts to vectors, one per text.
Embed = Callable[[list[str]], Vectors]
#: The same, or a coroutine function.
AsyncEmbed = Callable[[list[str]], Vectors | Awaitable[Vectors]]

_WORD = re.compile(r"[^\W_]+")


def keyword_query_of(text: str) -> str | None:
    """The first MAX_KEYWORD_TERMS (16) words of ``text`` (as Convex's search splits words),
    at most MAX_KEYWORD_QUERY_LENGTH characters; None without any."""
    words = _WORD.findall(text)[:MAX_KEYWORD_TERMS]
    return " ".join(words)[:MAX_KEYWORD_QUERY_LENGTH] if words else None


def _query_vector(ref: FunctionRef[Any], vectors: Any) -> Any:
    """The one vector ``embed`` returned for the query (a numpy array, numbers or packed
    bytes: ``queryVector`` is a ``Float32Vector``, packed as float32 when it is encoded)."""
    count = len(vectors) if hasattr(vectors, "__len__") else None
    if count != 1:
        what = f"{count} vectors" if count is not None else f"a {type(vectors).__name__}"
        raise refusal(ref, f"embed returned {what} for one text (one vector per text)")
    return vectors[0]


def _arguments(
    *,
    vector: Any,
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
        "resourceId": resource_id,
        "queryVector": vector,
        "topK": top_k,
        "threadId": thread_id,
        "before": before,
        "after": after,
        "excludeThreadId": exclude_thread_id,
        "minScore": min_score,
        "keywordQuery": words,
        "keywordWeight": keyword_weight if isinstance(words, str) else omit,
        "rrfK": rrf_k if isinstance(words, str) else omit,
    }


class RecallByText(EmbeddingsBulk[SetResultT], Generic[ResultT, SetResultT]):
    """``recall_text``: recall by a text query, embedded by your ``embed``; and
    ``set_message_embeddings_many`` (:class:`EmbeddingsBulk`)."""

    _client: SyncAPIClient
    _functions: ClassVar[Mapping[str, FunctionRef[Any]]]

    def recall_text(
        self,
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
    ) -> ResultT:
        """The owner's messages that best match ``query``, each with ``before``/``after``
        neighbours, grouped by thread: what ``recall_messages`` returns for
        ``embed([query])[0]``.

        Args:
            embed (Embed): A function from a list of texts to one vector per text.
            query (str): What to recall.
            resource_id (str): The owner whose messages are searched.
            top_k (int): How many best-matching messages (1 to 256).
            thread_id (str | Omit): Recall from this thread only.
            before (int | Omit): Messages before each hit in its thread (0 to 100).
            after (int | Omit): Messages after each hit in its thread (0 to 100).
            exclude_thread_id (str | Omit): Leave this thread out.
            min_score (float | Omit): Only matches with at least this cosine similarity.
            hybrid (bool): Also search the query's first 16 words in the messages' text
                and fuse both rankings (reciprocal rank fusion).
            keyword_query (str | Omit): The words to search (implies hybrid).
            keyword_weight (float | Omit): Weight of the keyword ranking (default 1).
            rrf_k (float | Omit): The ``k`` of reciprocal rank fusion (default 60).

        Returns:
            ResultT: ``recall_messages``' result.
        """
        ref = self._functions["recallMessages"]
        vector = _query_vector(ref, embed([query]))
        return ref.call(  # type: ignore[no-any-return]
            self._client,
            _arguments(
                vector=vector, query=query, resource_id=resource_id, top_k=top_k,
                thread_id=thread_id, before=before, after=after,
                exclude_thread_id=exclude_thread_id, min_score=min_score, hybrid=hybrid,
                keyword_query=keyword_query, keyword_weight=keyword_weight, rrf_k=rrf_k,
            ),
        )  # fmt: skip


class AsyncRecallByText(AsyncEmbeddingsBulk[SetResultT], Generic[ResultT, SetResultT]):
    """The async twin of :class:`RecallByText`; ``embed`` may be a coroutine function."""

    _client: AsyncAPIClient
    _functions: ClassVar[Mapping[str, FunctionRef[Any]]]

    async def recall_text(
        self,
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
    ) -> ResultT:
        """The async twin of ``Recall.recall_text`` (see it for the arguments).

        Args:
            embed (AsyncEmbed): A function (or coroutine function) from texts to vectors.
            query (str): What to recall.
            resource_id (str): The owner whose messages are searched.
            top_k (int): How many best-matching messages (1 to 256).
            thread_id (str | Omit): Recall from this thread only.
            before (int | Omit): Messages before each hit in its thread (0 to 100).
            after (int | Omit): Messages after each hit in its thread (0 to 100).
            exclude_thread_id (str | Omit): Leave this thread out.
            min_score (float | Omit): Only matches with at least this cosine similarity.
            hybrid (bool): Fuse a keyword search of the query's words.
            keyword_query (str | Omit): The words to search (implies hybrid).
            keyword_weight (float | Omit): Weight of the keyword ranking (default 1).
            rrf_k (float | Omit): The ``k`` of reciprocal rank fusion (default 60).

        Returns:
            ResultT: ``recall_messages``' result.
        """
        ref = self._functions["recallMessages"]
        vectors = embed([query])
        if inspect.isawaitable(vectors):
            vectors = await vectors
        vector = _query_vector(ref, vectors)
        return await ref.acall(  # type: ignore[no-any-return]
            self._client,
            _arguments(
                vector=vector, query=query, resource_id=resource_id, top_k=top_k,
                thread_id=thread_id, before=before, after=after,
                exclude_thread_id=exclude_thread_id, min_score=min_score, hybrid=hybrid,
                keyword_query=keyword_query, keyword_weight=keyword_weight, rrf_k=rrf_k,
            ),
        )  # fmt: skip
