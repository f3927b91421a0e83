"""A LangChain ``VectorStore`` over a vector index of convex-agent-memory.

::

    from convex_agent_memory import Client
    from convex_agent_memory.langchain import ConvexVectorStore

    store = ConvexVectorStore(embeddings, index_name="docs", client=Client(...),
                              filterable_keys=["topic"])
    store.add_documents([Document("Convex is reactive", metadata={"topic": "convex"})])
    store.similarity_search("reactive databases", k=4, filter={"topic": "convex"})

One store is one named index of the vector domain (created on the first write, with the
embeddings' dimension). Every vector's metadata is ``{"text": page_content, "metadata":
{...}}``: the index's text key is ``text`` (so keyword and hybrid search work on the
documents' text) and its filterable keys are ``metadata.<key>``; a filter names the
document's own metadata keys (``{"topic": "convex", "year": {"$gte": 2020}}``, MongoDB
style, see the README's vector section). Metadata that Convex cannot hold exactly
(ints, keys with ``.`` or a leading ``_``/``$``) is also kept as JSON text, so documents
come back as they were added; filters see the Convex copy (ints as numbers).

Embeddings of any length up to 4,096 are stored in the smallest supported dimension
that holds them, padded with zeros: cosine similarity is unchanged.

Vector indexes are shared: under the default policy any user may search, only a service
identity may write.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import TYPE_CHECKING, Any

from langchain_core.documents import Document
from langchain_core.embeddings import Embeddings
from langchain_core.vectorstores import VectorStore

from .._exceptions import NotFoundError
from .._limits import VECTOR_DIMENSIONS, VECTORS_IDS_PER_CALL, VECTORS_MAX_TOP_K
from ..recall import keyword_query_of

if TYPE_CHECKING:
    from .._client import AsyncClient, Client

__all__ = ["ConvexVectorStore"]

#: The vector lengths an index may have (the component's, from the generated _limits).
SUPPORTED_DIMENSIONS = VECTOR_DIMENSIONS
#: Most results one query returns (and candidates MMR may fetch).
MAX_TOP_K = VECTORS_MAX_TOP_K
#: Most ids one getVectors / deleteVectors call takes.
MAX_IDS_PER_CALL = VECTORS_IDS_PER_CALL
TEXT_KEY = "text"
METADATA_KEY = "metadata"
EXACT_METADATA_KEY = "metadataJson"
_SAFE_INT = 2**53


def padded_dimension(length: int) -> int:
    """The smallest supported dimension that holds ``length`` numbers."""
    for dimension in SUPPORTED_DIMENSIONS:
        if length <= dimension:
            return dimension
    raise ValueError(
        f"embeddings of {length} dimensions are longer than the largest supported "
        f"({SUPPORTED_DIMENSIONS[-1]})"
    )


def _pad(vector: Sequence[float], dimension: int) -> list[float]:
    values = [float(x) for x in vector]
    if len(values) > dimension:
        raise ValueError(f"an embedding of {len(values)} dimensions in an index of {dimension}")
    return values + [0.0] * (dimension - len(values))


def _valid_key(key: object) -> bool:
    return (
        isinstance(key, str)
        and key != ""
        and key.isascii()
        and key.isprintable()
        and not key.startswith(("$", "_"))
        and "." not in key
    )


def _convex_copy(value: Any, depth: int = 0) -> tuple[Any, bool]:
    """``value`` as the vector store keeps it (JSON with Convex's rules), and whether that
    copy reads back equal and of the same types. Unstorable entries are left out."""
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value, True
    if isinstance(value, int):
        if abs(value) > _SAFE_INT:
            return None, False
        return float(value), False
    if isinstance(value, float):
        if value != value or value in (float("inf"), float("-inf")):
            return None, False
        return value, True
    if depth >= 12:
        return None, False
    if isinstance(value, Mapping):
        out: dict[str, Any] = {}
        exact = True
        for key, item in value.items():
            if not _valid_key(key):
                exact = False
                continue
            copy, same = _convex_copy(item, depth + 1)
            exact = exact and same
            if copy is not None or item is None:
                out[key] = copy
        return out, exact
    if isinstance(value, list | tuple):
        items = []
        exact = isinstance(value, list)
        for item in value:
            copy, same = _convex_copy(item, depth + 1)
            exact = exact and same and (copy is not None or item is None)
            items.append(copy)
        return items, exact
    return None, False


def _stored_metadata(text: str, metadata: Mapping[str, Any]) -> dict[str, Any]:
    copy, exact = _convex_copy(dict(metadata))
    stored: dict[str, Any] = {TEXT_KEY: text, METADATA_KEY: copy}
    if not exact:
        stored[EXACT_METADATA_KEY] = json.dumps(dict(metadata), ensure_ascii=False)
    return stored


def _document(id: str, stored: Mapping[str, Any]) -> Document:
    exact = stored.get(EXACT_METADATA_KEY)
    metadata = json.loads(exact) if isinstance(exact, str) else dict(stored.get(METADATA_KEY) or {})
    text = stored.get(TEXT_KEY)
    return Document(page_content=text if isinstance(text, str) else "", metadata=metadata, id=id)


def translate_filter(filter: Mapping[str, Any]) -> dict[str, Any]:
    """A filter on the documents' metadata as a filter on the stored vectors: field names
    get the ``metadata.`` prefix; ``$and``/``$or``/``$not`` are kept."""
    out: dict[str, Any] = {}
    for key, value in filter.items():
        if key in ("$and", "$or"):
            out[key] = [
                translate_filter(item) if isinstance(item, Mapping) else item for item in value
            ]
        elif key == "$not":
            out[key] = (
                translate_filter(value)
                if isinstance(value, Mapping) and _is_filter(value)
                else value
            )
        elif key.startswith("$"):
            out[key] = value  # the component names the unknown operator
        else:
            out[f"{METADATA_KEY}.{key}"] = value
    return out


def _is_filter(value: Mapping[str, Any]) -> bool:
    """Whether a ``$not`` holds a filter (field names) rather than a field's operators."""
    return not all(
        isinstance(k, str) and k.startswith("$") and k not in ("$and", "$or", "$not") for k in value
    )


class ConvexVectorStore(VectorStore):
    """A named vector index of convex-agent-memory as a LangChain ``VectorStore``.

    Args:
        embedding: the LangChain embeddings model.
        index_name: the vector index (created on the first write).
        client: a :class:`~convex_agent_memory.Client` for the sync methods (and the async
            ones, in a worker thread, when no ``async_client`` is given).
        async_client: an :class:`~convex_agent_memory.AsyncClient` for the async methods.
        filterable_keys: up to 8 metadata keys filtered natively inside the vector search
            (other filters are applied after it, with over-fetch).
        hybrid: search by the query's vector and its words together (reciprocal rank fusion
            of the vector and keyword rankings) unless a call says otherwise.
    """

    def __init__(
        self,
        embedding: Embeddings,
        *,
        index_name: str,
        client: Client | None = None,
        async_client: AsyncClient | None = None,
        filterable_keys: Sequence[str] = (),
        hybrid: bool = False,
    ) -> None:
        if client is None and async_client is None:
            raise ValueError("pass client= (a Client) and/or async_client= (an AsyncClient)")
        self.embedding = embedding
        self.index_name = index_name
        self.client = client
        self.async_client = async_client
        self.filterable_keys = list(filterable_keys)
        self.hybrid = hybrid
        self._dimension: int | None = None

    @property
    def embeddings(self) -> Embeddings:
        return self.embedding

    def _sync_client(self) -> Client:
        if self.client is None:
            raise RuntimeError(
                "this store has only an async_client: use the async methods or pass client="
            )
        return self.client

    # --- the index ------------------------------------------------------------------

    def _index_args(self, dimension: int) -> dict[str, Any]:
        return {
            "name": self.index_name,
            "dimension": float(dimension),
            "filterable_keys": [f"{METADATA_KEY}.{k}" for k in self.filterable_keys],
            "text_key": TEXT_KEY,
        }

    def _ensure_index(self, length: int) -> int:
        dimension = padded_dimension(length)
        if self._dimension != dimension:
            result = self._sync_client().vectors.create_index(**self._index_args(dimension))
            self._dimension = int(result.index.dimension)
        return self._dimension

    async def _aensure_index(self, client: AsyncClient, length: int) -> int:
        dimension = padded_dimension(length)
        if self._dimension != dimension:
            result = await client.vectors.create_index(**self._index_args(dimension))
            self._dimension = int(result.index.dimension)
        return self._dimension

    def create_index(self, embedding_length: int) -> None:
        """Creates the index now, for embeddings of ``embedding_length`` numbers (otherwise
        the first write creates it). The same configuration again is a no-op."""
        self._ensure_index(embedding_length)

    async def acreate_index(self, embedding_length: int) -> None:
        if self.async_client is None:
            await asyncio.to_thread(self.create_index, embedding_length)
            return
        await self._aensure_index(self.async_client, embedding_length)

    def _query_dimension(self, length: int) -> int:
        return self._dimension if self._dimension is not None else padded_dimension(length)

    # --- writes ---------------------------------------------------------------------

    def _items(
        self,
        texts: Sequence[str],
        vectors: Sequence[Sequence[float]],
        metadatas: Sequence[Mapping[str, Any]] | None,
        ids: Sequence[str | None] | None,
        dimension: int,
    ) -> tuple[list[dict[str, Any]], list[str]]:
        if metadatas is not None and len(metadatas) != len(texts):
            raise ValueError(f"{len(metadatas)} metadatas for {len(texts)} texts")
        if ids is not None and len(ids) != len(texts):
            raise ValueError(f"{len(ids)} ids for {len(texts)} texts")
        chosen = [
            (ids[i] if ids is not None else None) or str(uuid.uuid4()) for i in range(len(texts))
        ]
        items = [
            {
                "id": chosen[i],
                "vector": _pad(vectors[i], dimension),
                "metadata": _stored_metadata(
                    texts[i], metadatas[i] if metadatas is not None else {}
                ),
            }
            for i in range(len(texts))
        ]
        return items, chosen

    def add_texts(
        self,
        texts: Iterable[str],
        metadatas: list[dict[Any, Any]] | None = None,
        *,
        ids: list[str | None] | None = None,  # type: ignore[override]
        **kwargs: Any,
    ) -> list[str]:
        """Embeds and upserts the texts (by id: an id given again replaces its vector);
        returns their ids, fresh UUIDs where none was given."""
        texts = list(texts)
        if not texts:
            return []
        vectors = self.embedding.embed_documents(texts)
        dimension = self._ensure_index(len(vectors[0]))
        items, chosen = self._items(texts, vectors, metadatas, ids, dimension)
        self._sync_client().vectors.upsert_many(index_name=self.index_name, items=items)
        return chosen

    async def aadd_texts(
        self,
        texts: Iterable[str],
        metadatas: list[dict[Any, Any]] | None = None,
        *,
        ids: list[str | None] | None = None,  # type: ignore[override]
        **kwargs: Any,
    ) -> list[str]:
        if self.async_client is None:
            return await asyncio.to_thread(self.add_texts, texts, metadatas, ids=ids, **kwargs)
        texts = list(texts)
        if not texts:
            return []
        vectors = await self.embedding.aembed_documents(texts)
        dimension = await self._aensure_index(self.async_client, len(vectors[0]))
        items, chosen = self._items(texts, vectors, metadatas, ids, dimension)
        await self.async_client.vectors.upsert_many(index_name=self.index_name, items=items)
        return chosen

    def delete(self, ids: list[str] | None = None, **kwargs: Any) -> bool | None:
        """Deletes these ids (missing ones are ignored); ``None`` deletes every vector."""
        client = self._sync_client()
        try:
            if ids is None:
                client.vectors.truncate_index(index_name=self.index_name)
                return True
            for start in range(0, len(ids), MAX_IDS_PER_CALL):
                chunk = list(ids[start : start + MAX_IDS_PER_CALL])
                client.vectors.delete_vectors(index_name=self.index_name, ids=chunk)
        except NotFoundError:
            pass  # no index yet: nothing to delete
        return True

    async def adelete(self, ids: list[str] | None = None, **kwargs: Any) -> bool | None:
        client = self.async_client
        if client is None:
            return await asyncio.to_thread(self.delete, ids, **kwargs)
        try:
            if ids is None:
                await client.vectors.truncate_index(index_name=self.index_name)
                return True
            for start in range(0, len(ids), MAX_IDS_PER_CALL):
                chunk = list(ids[start : start + MAX_IDS_PER_CALL])
                await client.vectors.delete_vectors(index_name=self.index_name, ids=chunk)
        except NotFoundError:
            pass
        return True

    def delete_index(self) -> None:
        """Deletes the whole index (its vectors are purged in the background)."""
        with contextlib.suppress(NotFoundError):
            self._sync_client().vectors.delete_index(index_name=self.index_name)
        self._dimension = None

    async def adelete_index(self) -> None:
        if self.async_client is None:
            await asyncio.to_thread(self.delete_index)
            return
        with contextlib.suppress(NotFoundError):
            await self.async_client.vectors.delete_index(index_name=self.index_name)
        self._dimension = None

    # --- reads by id ----------------------------------------------------------------

    def get_by_ids(self, ids: Sequence[str], /) -> list[Document]:
        """The documents with these ids, in the order asked; missing ids are left out."""
        client = self._sync_client()
        documents: list[Document] = []
        try:
            for start in range(0, len(ids), MAX_IDS_PER_CALL):
                found = client.vectors.get_vectors(
                    index_name=self.index_name, ids=list(ids[start : start + MAX_IDS_PER_CALL])
                )
                documents.extend(_document(v.id, v.metadata) for v in found)
        except NotFoundError:
            return []
        return documents

    async def aget_by_ids(self, ids: Sequence[str], /) -> list[Document]:
        client = self.async_client
        if client is None:
            return await asyncio.to_thread(self.get_by_ids, ids)
        documents: list[Document] = []
        try:
            for start in range(0, len(ids), MAX_IDS_PER_CALL):
                found = await client.vectors.get_vectors(
                    index_name=self.index_name, ids=list(ids[start : start + MAX_IDS_PER_CALL])
                )
                documents.extend(_document(v.id, v.metadata) for v in found)
        except NotFoundError:
            return []
        return documents

    # --- searches -------------------------------------------------------------------

    def _query_args(
        self,
        embedding: Sequence[float],
        k: int,
        filter: Mapping[str, Any] | None,
        keyword_query: str | None,
        include_vector: bool,
        extra: Mapping[str, Any],
    ) -> dict[str, Any]:
        if not 1 <= k <= MAX_TOP_K:
            raise ValueError(f"k must be from 1 to {MAX_TOP_K}, got {k}")
        args: dict[str, Any] = {
            "index_name": self.index_name,
            "query_vector": _pad(embedding, self._query_dimension(len(embedding))),
            "top_k": float(k),
        }
        if filter:
            args["filter"] = translate_filter(filter)
        if keyword_query is not None:
            args["keyword_query"] = keyword_query
            for name in ("keyword_weight", "rrf_k"):
                if extra.get(name) is not None:
                    args[name] = float(extra[name])
        if include_vector:
            args["include_vector"] = True
        if extra.get("min_score") is not None:
            args["min_score"] = float(extra["min_score"])
        return args

    def _keyword_query(self, query: str | None, kwargs: Mapping[str, Any]) -> str | None:
        if "keyword_query" in kwargs:
            given = kwargs["keyword_query"]
            return None if given is None else str(given)
        hybrid = kwargs.get("hybrid", self.hybrid)
        return keyword_query_of(query) if hybrid and query else None

    @staticmethod
    def _matches(result: Any) -> list[tuple[Document, float]]:
        return [(_document(r.id, r.metadata), float(r.score)) for r in result.results]

    def _search(
        self,
        embedding: Sequence[float],
        k: int,
        filter: Mapping[str, Any] | None,
        keyword_query: str | None,
        kwargs: Mapping[str, Any],
        include_vector: bool = False,
    ) -> Any:
        args = self._query_args(embedding, k, filter, keyword_query, include_vector, kwargs)
        try:
            return self._sync_client().vectors.query(**args)
        except NotFoundError:
            return None  # no index yet: an empty store

    async def _asearch(
        self,
        client: AsyncClient,
        embedding: Sequence[float],
        k: int,
        filter: Mapping[str, Any] | None,
        keyword_query: str | None,
        kwargs: Mapping[str, Any],
        include_vector: bool = False,
    ) -> Any:
        args = self._query_args(embedding, k, filter, keyword_query, include_vector, kwargs)
        try:
            return await client.vectors.query(**args)
        except NotFoundError:
            return None

    def similarity_search_with_score(
        self, query: str, k: int = 4, filter: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        """Documents most similar to ``query`` with their scores (cosine similarity; with a
        keyword query (``hybrid=True`` or ``keyword_query=``) the fused RRF score)."""
        embedding = self.embedding.embed_query(query)
        found = self._search(embedding, k, filter, self._keyword_query(query, kwargs), kwargs)
        return [] if found is None else self._matches(found)

    async def asimilarity_search_with_score(
        self, query: str, k: int = 4, filter: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        client = self.async_client
        if client is None:
            return await asyncio.to_thread(
                self.similarity_search_with_score, query, k, filter, **kwargs
            )
        embedding = await self.embedding.aembed_query(query)
        found = await self._asearch(
            client, embedding, k, filter, self._keyword_query(query, kwargs), kwargs
        )
        return [] if found is None else self._matches(found)

    def similarity_search(
        self, query: str, k: int = 4, filter: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> list[Document]:
        return [doc for doc, _ in self.similarity_search_with_score(query, k, filter, **kwargs)]

    async def asimilarity_search(
        self, query: str, k: int = 4, filter: Mapping[str, Any] | None = None, **kwargs: Any
    ) -> list[Document]:
        return [
            doc for doc, _ in await self.asimilarity_search_with_score(query, k, filter, **kwargs)
        ]

    def similarity_search_with_score_by_vector(
        self,
        embedding: list[float],
        k: int = 4,
        filter: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> list[tuple[Document, float]]:
        """Documents nearest to an embedding, with their cosine similarity (or, with
        ``keyword_query=``, the fused score)."""
        found = self._search(embedding, k, filter, self._keyword_query(None, kwargs), kwargs)
        return [] if found is None else self._matches(found)

    async def asimilarity_search_with_score_by_vector(
        self,
        embedding: list[float],
        k: int = 4,
        filter: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> list[tuple[Document, float]]:
        client = self.async_client
        if client is None:
            return await asyncio.to_thread(
                self.similarity_search_with_score_by_vector, embedding, k, filter, **kwargs
            )
        found = await self._asearch(
            client, embedding, k, filter, self._keyword_query(None, kwargs), kwargs
        )
        return [] if found is None else self._matches(found)

    def similarity_search_by_vector(
        self,
        embedding: list[float],
        k: int = 4,
        filter: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> list[Document]:
        return [
            d
            for d, _ in self.similarity_search_with_score_by_vector(embedding, k, filter, **kwargs)
        ]

    async def asimilarity_search_by_vector(
        self,
        embedding: list[float],
        k: int = 4,
        filter: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> list[Document]:
        return [
            d
            for d, _ in await self.asimilarity_search_with_score_by_vector(
                embedding, k, filter, **kwargs
            )
        ]

    def hybrid_search(
        self,
        query: str,
        k: int = 4,
        filter: Mapping[str, Any] | None = None,
        *,
        keyword_query: str | None = None,
        keyword_weight: float | None = None,
        rrf_k: float | None = None,
    ) -> list[tuple[Document, float]]:
        """Vector and keyword search fused by reciprocal rank fusion: ``query``'s embedding
        and ``keyword_query``'s words (default: the first 16 words of ``query``)."""
        return self.similarity_search_with_score(
            query, k, filter, keyword_query=keyword_query or keyword_query_of(query),
            keyword_weight=keyword_weight, rrf_k=rrf_k,
        )  # fmt: skip

    async def ahybrid_search(
        self,
        query: str,
        k: int = 4,
        filter: Mapping[str, Any] | None = None,
        *,
        keyword_query: str | None = None,
        keyword_weight: float | None = None,
        rrf_k: float | None = None,
    ) -> list[tuple[Document, float]]:
        return await self.asimilarity_search_with_score(
            query, k, filter, keyword_query=keyword_query or keyword_query_of(query),
            keyword_weight=keyword_weight, rrf_k=rrf_k,
        )  # fmt: skip

    # --- relevance scores -------------------------------------------------------------

    def _select_relevance_score_fn(self) -> Callable[[float], float]:
        # Cosine similarity in [-1, 1] as a relevance in [0, 1].
        return lambda similarity: (similarity + 1.0) / 2.0

    def _similarity_search_with_relevance_scores(
        self, query: str, k: int = 4, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        kwargs["keyword_query"] = None  # relevance is the vector's similarity
        relevance = self._select_relevance_score_fn()
        return [(d, relevance(s)) for d, s in self.similarity_search_with_score(query, k, **kwargs)]

    async def _asimilarity_search_with_relevance_scores(
        self, query: str, k: int = 4, **kwargs: Any
    ) -> list[tuple[Document, float]]:
        kwargs["keyword_query"] = None
        relevance = self._select_relevance_score_fn()
        found = await self.asimilarity_search_with_score(query, k, **kwargs)
        return [(d, relevance(s)) for d, s in found]

    # --- max marginal relevance -------------------------------------------------------

    @staticmethod
    def _mmr(embedding: Sequence[float], found: Any, k: int, lambda_mult: float) -> list[Document]:
        if found is None or not found.results:
            return []
        import numpy as np
        from langchain_core.vectorstores.utils import maximal_marginal_relevance

        vectors = [list(r.vector or []) for r in found.results]
        query = np.array(_pad(embedding, len(vectors[0])), dtype=np.float64)
        chosen = maximal_marginal_relevance(query, vectors, lambda_mult=lambda_mult, k=k)
        return [_document(found.results[i].id, found.results[i].metadata) for i in chosen]

    def max_marginal_relevance_search_by_vector(
        self,
        embedding: list[float],
        k: int = 4,
        fetch_k: int = 20,
        lambda_mult: float = 0.5,
        filter: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> list[Document]:
        """``k`` documents chosen among the ``fetch_k`` nearest for similarity to the query
        and diversity among themselves (``lambda_mult``: 1 = similarity only)."""
        fetch = min(max(fetch_k, k), MAX_TOP_K)
        found = self._search(embedding, fetch, filter, None, kwargs, include_vector=True)
        return self._mmr(embedding, found, k, lambda_mult)

    async def amax_marginal_relevance_search_by_vector(
        self,
        embedding: list[float],
        k: int = 4,
        fetch_k: int = 20,
        lambda_mult: float = 0.5,
        filter: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> list[Document]:
        client = self.async_client
        if client is None:
            return await asyncio.to_thread(
                self.max_marginal_relevance_search_by_vector,
                embedding,
                k,
                fetch_k,
                lambda_mult,
                filter,
                **kwargs,
            )
        fetch = min(max(fetch_k, k), MAX_TOP_K)
        found = await self._asearch(
            client, embedding, fetch, filter, None, kwargs, include_vector=True
        )
        return self._mmr(embedding, found, k, lambda_mult)

    def max_marginal_relevance_search(
        self,
        query: str,
        k: int = 4,
        fetch_k: int = 20,
        lambda_mult: float = 0.5,
        filter: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> list[Document]:
        embedding = self.embedding.embed_query(query)
        return self.max_marginal_relevance_search_by_vector(
            embedding, k, fetch_k, lambda_mult, filter, **kwargs
        )

    async def amax_marginal_relevance_search(
        self,
        query: str,
        k: int = 4,
        fetch_k: int = 20,
        lambda_mult: float = 0.5,
        filter: Mapping[str, Any] | None = None,
        **kwargs: Any,
    ) -> list[Document]:
        embedding = await self.embedding.aembed_query(query)
        return await self.amax_marginal_relevance_search_by_vector(
            embedding, k, fetch_k, lambda_mult, filter, **kwargs
        )

    # --- construction -----------------------------------------------------------------

    @classmethod
    def from_texts(  # type: ignore[override]
        cls,
        texts: list[str],
        embedding: Embeddings,
        metadatas: list[dict[Any, Any]] | None = None,
        *,
        ids: list[str | None] | None = None,
        index_name: str,
        client: Client | None = None,
        async_client: AsyncClient | None = None,
        filterable_keys: Sequence[str] = (),
        hybrid: bool = False,
        **kwargs: Any,
    ) -> ConvexVectorStore:
        store = cls(
            embedding, index_name=index_name, client=client, async_client=async_client,
            filterable_keys=filterable_keys, hybrid=hybrid,
        )  # fmt: skip
        store.add_texts(texts, metadatas, ids=ids)
        return store

    @classmethod
    async def afrom_texts(  # type: ignore[override]
        cls,
        texts: list[str],
        embedding: Embeddings,
        metadatas: list[dict[Any, Any]] | None = None,
        *,
        ids: list[str | None] | None = None,
        index_name: str,
        client: Client | None = None,
        async_client: AsyncClient | None = None,
        filterable_keys: Sequence[str] = (),
        hybrid: bool = False,
        **kwargs: Any,
    ) -> ConvexVectorStore:
        store = cls(
            embedding, index_name=index_name, client=client, async_client=async_client,
            filterable_keys=filterable_keys, hybrid=hybrid,
        )  # fmt: skip
        await store.aadd_texts(texts, metadatas, ids=ids)
        return store
