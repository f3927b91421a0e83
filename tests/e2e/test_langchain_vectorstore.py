"""ConvexVectorStore: LangChain's own standard suite (``langchain-tests``'
``VectorStoreIntegrationTests``, sync and async) against the deployment, then what the
suite does not cover: metadata filters, max marginal relevance, hybrid search, the
retriever, relevance scores, exact metadata, and who may write."""

from __future__ import annotations

import os
from collections.abc import AsyncIterator
from typing import Any

import convex_agent_memory as cam
import pytest
from convex_agent_memory.langchain import ConvexVectorStore
from langchain_core.documents import Document
from langchain_core.embeddings import DeterministicFakeEmbedding, Embeddings
from langchain_tests.integration_tests.vectorstores import VectorStoreIntegrationTests

from .conftest import Deployment, uid

#: The run against a backend that redacts errors (scripts/test) compares the errors tests
#: raise; these raise none, so they run once (refusals: test_adapter_owners.py).
NOT_IN_REDACTED_RUN = pytest.mark.skipif(
    os.environ.get("LOCAL_BACKEND_REDACT_ERRORS") == "1", reason="raises no errors; run once"
)

pytestmark = NOT_IN_REDACTED_RUN


async def _store(
    deployment: Deployment, embedding: Embeddings, **options: Any
) -> AsyncIterator[ConvexVectorStore]:
    deployment.skip_unless("service")
    client = cam.Client(url=deployment.url, token=deployment.token_service)
    async_client = cam.AsyncClient(url=deployment.url, token=deployment.token_service)
    store = ConvexVectorStore(
        embedding, index_name=uid("lc"), client=client, async_client=async_client, **options
    )
    store.create_index(len(embedding.embed_query("x")))  # an empty index, not a missing one
    try:
        yield store
    finally:
        store.delete_index()
        client.close()
        await async_client.aclose()


class TestConvexVectorStoreStandard(VectorStoreIntegrationTests):
    """LangChain's standard vector store tests, unchanged: a fresh index per test."""

    @pytest.fixture
    async def vectorstore(self, deployment: Deployment) -> AsyncIterator[ConvexVectorStore]:  # type: ignore[override]
        async for store in _store(deployment, self.get_embeddings()):
            yield store


# --- beyond the standard suite ----------------------------------------------------------


class WordEmbeddings(Embeddings):
    """Texts as bags of a few known words: similarity is shared words (deterministic)."""

    WORDS = ("convex", "database", "reactive", "python", "snake", "garden", "rose", "tulip")

    def _embed(self, text: str) -> list[float]:
        words = text.lower().split()
        return [float(words.count(w)) + 0.01 * (i + 1) for i, w in enumerate(self.WORDS)]

    def embed_documents(self, texts: list[str]) -> list[list[float]]:
        return [self._embed(t) for t in texts]

    def embed_query(self, text: str) -> list[float]:
        return self._embed(text)


DOCS = [
    Document("convex reactive database", metadata={"topic": "convex", "year": 2024}, id="d1"),
    Document("convex database", metadata={"topic": "convex", "year": 2021}, id="d2"),
    Document("python snake", metadata={"topic": "python", "year": 2019}, id="d3"),
    Document("garden rose tulip", metadata={"topic": "garden", "year": 2024}, id="d4"),
    Document("garden rose", metadata={"topic": "garden", "year": 2022, "tags": ["red"]}, id="d5"),
]


@pytest.fixture
async def words_store(deployment: Deployment) -> AsyncIterator[ConvexVectorStore]:
    async for store in _store(deployment, WordEmbeddings(), filterable_keys=["topic"]):
        store.add_documents(DOCS)
        yield store


def ids(documents: list[Document]) -> list[str | None]:
    return [d.id for d in documents]


async def test_metadata_filters_native_and_post_filtered(words_store: ConvexVectorStore) -> None:
    # "topic" is filterable (native), "year" is filtered after the search.
    assert sorted(
        ids(words_store.similarity_search("database", k=5, filter={"topic": "garden"}))
    ) == ["d4", "d5"]
    found = words_store.similarity_search(
        "rose", k=5, filter={"topic": "garden", "year": {"$gte": 2023}}
    )
    assert ids(found) == ["d4"]
    either = {"$or": [{"topic": "python"}, {"year": {"$lt": 2022}}]}
    assert sorted(ids(await words_store.asimilarity_search("convex", k=5, filter=either))) == [
        "d2",
        "d3",
    ]
    assert ids(words_store.similarity_search("rose", k=5, filter={"$not": {"topic": "garden"}}))[
        :1
    ] != ["d4"]


async def test_scores_and_relevance(words_store: ConvexVectorStore) -> None:
    scored = words_store.similarity_search_with_score("garden rose tulip", k=2)
    assert [d.id for d, _ in scored] == ["d4", "d5"]
    assert scored[0][1] == pytest.approx(1.0, abs=1e-5)  # cosine similarity of the same text
    relevance = await words_store.asimilarity_search_with_relevance_scores("garden rose tulip", k=5)
    assert all(0.0 <= r <= 1.0 for _, r in relevance)
    assert relevance[0][1] == pytest.approx(1.0, abs=1e-5)
    by_vector = words_store.similarity_search_by_vector(WordEmbeddings().embed_query("python"), k=1)
    assert ids(by_vector) == ["d3"]


async def test_max_marginal_relevance(words_store: ConvexVectorStore) -> None:
    plain = ids(words_store.similarity_search("convex database", k=2))
    assert plain == ["d2", "d1"]  # the two near-duplicates
    diverse = ids(
        words_store.max_marginal_relevance_search(
            "convex database", k=2, fetch_k=5, lambda_mult=0.1
        )
    )
    assert diverse[0] == "d2" and diverse[1] != "d1"
    assert (
        ids(
            await words_store.amax_marginal_relevance_search(
                "convex database", k=2, fetch_k=5, lambda_mult=1.0
            )
        )
        == plain
    )


async def test_hybrid_search_fuses_keyword_matches(words_store: ConvexVectorStore) -> None:
    # "tulip" is one known word; the keyword side finds it by its text alone.
    fused = words_store.hybrid_search("tulip", k=2)
    assert fused[0][0].id == "d4"
    assert fused[0][1] > fused[1][1]
    by_words = await words_store.ahybrid_search("garden", k=3, keyword_query="tulip")
    assert by_words[0][0].id == "d4"
    hybrid_store = ConvexVectorStore(
        WordEmbeddings(), index_name=words_store.index_name, client=words_store.client, hybrid=True
    )
    assert ids(hybrid_store.similarity_search("tulip", k=1)) == ["d4"]


async def test_retriever(words_store: ConvexVectorStore) -> None:
    retriever = words_store.as_retriever(search_kwargs={"k": 1, "filter": {"topic": "python"}})
    assert ids(retriever.invoke("convex")) == ["d3"]
    mmr = words_store.as_retriever(search_type="mmr", search_kwargs={"k": 2, "fetch_k": 5})
    assert len(await mmr.ainvoke("garden")) == 2
    threshold = words_store.as_retriever(
        search_type="similarity_score_threshold", search_kwargs={"score_threshold": 0.99, "k": 5}
    )
    assert ids(threshold.invoke("garden rose tulip")) == ["d4"]


async def test_metadata_comes_back_exactly(deployment: Deployment) -> None:
    metadata = {
        "page": 3,
        "big": 2**60,
        "ratio": 0.5,
        "nested": {"a.b": [1, 2.5, None], "_private": True, "$op": "x"},
        "unicode_ключ": "значение",
    }
    async for store in _store(deployment, DeterministicFakeEmbedding(size=384)):
        [doc_id] = store.add_texts(["exact"], [metadata])
        [doc] = store.get_by_ids([doc_id])
        assert doc.metadata == metadata
        assert type(doc.metadata["page"]) is int and type(doc.metadata["big"]) is int
        [plain] = await store.aget_by_ids(
            [store.add_texts(["plain"], [{"ok": "yes", "n": 1.5}])[0]]
        )
        assert plain.metadata == {"ok": "yes", "n": 1.5}
        assert store.similarity_search("exact", k=1)[0].metadata == metadata


async def test_many_documents_many_calls(deployment: Deployment) -> None:
    async for store in _store(deployment, DeterministicFakeEmbedding(size=1536)):
        texts = [f"text {i}" for i in range(1_100)]
        added = await store.aadd_texts(texts)  # more than one upsert call
        assert len(set(added)) == 1_100
        assert len(await store.aget_by_ids(added)) == 1_100  # read 256 ids a call
        await store.adelete(added[:600])
        assert len(store.get_by_ids(added)) == 500
        store.delete()  # None: every vector
        assert store.similarity_search("text 1", k=3) == []
