"""``client.recall.recall_text``: the query embedded by the caller's ``embed`` (lists, numpy
arrays, a coroutine function on the async client) and sent as ``recallMessages``' arguments:
the vector packed as float32, the keyword side only when asked, nothing sent on bad input."""

from __future__ import annotations

import base64
import inspect
from typing import Any

import convex_agent_memory as cam
import numpy as np
import pytest
from convex_agent_memory.recall import keyword_query_of

from .fakes import Harness, success

EMPTY = {"groups": [], "hits": [], "candidates": 0, "mayBeIncomplete": False, "truncated": False}
FOUND = {
    "groups": [
        {
            "threadId": "t1",
            "score": 0.9,
            "hitIds": ["m2"],
            "messages": [
                {
                    "resourceId": "u1", "id": "m2", "threadId": "t1", "role": "user",
                    "type": "v2", "createdAt": 1.0,
                    "content": {"format": 2, "parts": [{"type": "text", "text": "hi"}]},
                }
            ],
        }
    ],
    "hits": [{"id": "m2", "threadId": "t1", "score": 0.9, "vectorRank": 1.0, "keywordRank": 2.0}],
    "candidates": 3.0,
    "keywordCandidates": 2.0,
    "mayBeIncomplete": False,
    "truncated": False,
}  # fmt: skip


async def recall_text(harness: Harness, **kwargs: Any) -> Any:
    result = harness.client.recall.recall_text(**kwargs)
    return await result if inspect.isawaitable(result) else result


def sent_vector(args: dict[str, Any]) -> list[float]:
    packed = base64.b64decode(args["queryVector"]["$bytes"])
    return np.frombuffer(packed, dtype="<f4").tolist()  # type: ignore[no-any-return]


async def test_the_query_is_embedded_and_sent_packed(harness: Harness) -> None:
    asked: list[list[str]] = []

    def embed(texts: list[str]) -> list[list[float]]:
        asked.append(texts)
        return [[0.1] * 128]

    harness.deployment.reply(success(FOUND))
    found = await recall_text(
        harness, embed=embed, resource_id="u1", query="what did I eat?", top_k=3, before=1
    )
    assert asked == [["what did I eat?"]]
    [body] = harness.deployment.bodies
    assert body["path"] == "memory:recallMessages"
    args = body["args"]
    assert set(args) == {"resourceId", "queryVector", "topK", "before"}
    assert (args["resourceId"], args["topK"], args["before"]) == ("u1", 3.0, 1.0)
    assert sent_vector(args) == np.full(128, 0.1, dtype=np.float32).tolist()
    assert [h.id for h in found.hits] == ["m2"]
    assert type(found.hits[0].keyword_rank) is int and type(found.candidates) is int
    assert found.groups[0].messages[0].content.parts == [{"type": "text", "text": "hi"}]


async def test_hybrid_searches_the_query_words(harness: Harness) -> None:
    harness.deployment.reply(success(EMPTY), success(EMPTY), success(EMPTY))
    embed = lambda texts: np.ones((len(texts), 128), dtype=np.float64)  # noqa: E731
    query = "Which hotel, in Lisbon? " + " ".join(f"w{i}" for i in range(30))
    await recall_text(harness, embed=embed, resource_id="u1", query=query, top_k=2, hybrid=True)
    await recall_text(
        harness, embed=embed, resource_id="u1", query=query, top_k=2,
        keyword_query="invoice", keyword_weight=2.0, rrf_k=10.0,
    )  # fmt: skip
    await recall_text(
        harness, embed=embed, resource_id="u1", query=query, top_k=2, keyword_weight=2.0
    )
    hybrid, chosen, plain = (body["args"] for body in harness.deployment.bodies)
    assert hybrid["keywordQuery"] == keyword_query_of(query)
    assert len(hybrid["keywordQuery"].split()) == 16  # Convex searches 16 terms
    assert hybrid["keywordQuery"].startswith("Which hotel in Lisbon w0")
    assert "keywordWeight" not in hybrid and "rrfK" not in hybrid
    assert (chosen["keywordQuery"], chosen["keywordWeight"], chosen["rrfK"]) == (
        "invoice",
        2.0,
        10.0,
    )
    # Without a keyword query, the fusion's settings are not sent.
    assert not {"keywordQuery", "keywordWeight", "rrfK"} & set(plain)
    assert sent_vector(plain) == [1.0] * 128


async def test_the_async_client_awaits_a_coroutine_embed(harness: Harness) -> None:
    if not harness.is_async:
        pytest.skip("a coroutine function is for the async client")

    async def embed(texts: list[str]) -> list[np.ndarray[Any, Any]]:
        return [np.arange(128, dtype=np.float32) for _ in texts]

    harness.deployment.reply(success(EMPTY))
    found = await recall_text(harness, embed=embed, resource_id="u1", query="x", top_k=1)
    assert found.hits == []
    assert sent_vector(harness.deployment.bodies[0]["args"]) == list(map(float, range(128)))


@pytest.mark.parametrize(
    "returned",
    [[], [[0.1] * 128, [0.2] * 128], np.zeros((2, 128)), 7, [["not", "numbers"]]],
    ids=["none", "two", "two-rows", "not-a-list", "not-numbers"],
)
async def test_what_embed_returns_is_checked_before_sending(
    harness: Harness, returned: Any
) -> None:
    with pytest.raises(cam.InvalidArgumentError):
        await recall_text(
            harness, embed=lambda texts: returned, resource_id="u1", query="x", top_k=1
        )
    assert harness.deployment.requests == []


async def test_arguments_are_keyword_only_and_checked(harness: Harness) -> None:
    embed = lambda texts: [[0.1] * 128]  # noqa: E731
    with pytest.raises(TypeError):
        await recall_text(harness, embed=embed, resource_id="u1", query="x", top_k=1, topk=2)
    with pytest.raises(TypeError):
        harness.client.recall.recall_text(embed, "x")  # type: ignore[misc]
    with pytest.raises(cam.InvalidArgumentError):
        await recall_text(harness, embed=embed, resource_id="u1", query="x", top_k=1.5)
    assert harness.deployment.requests == []
