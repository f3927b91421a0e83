"""Recall through the SDK: messages saved with embeddings (float64 lists or packed float32
bytes) or embedded later, recalled by vector or by text (``recall.recall_text`` with an
``embed`` callable), hybrid, scoped, counted; deleting a thread; owners; typed errors."""

from __future__ import annotations

import base64
import hashlib
import json
import math
import re
import struct
from typing import Any

import convex_agent_memory as cam
import httpx
import numpy as np
import pytest
from convex_agent_memory import _limits as limits  # the component's caps, generated

from .conftest import Clients, Deployment, aw, uid

DIM = 128


MARKER_BUCKETS = 6
MARKER = re.compile(r"w[0-9a-f]{12}")


def embed(texts: list[str]) -> list[list[float]]:
    """Word hashing into 128 dimensions, unit length (deterministic). A thread's marker word
    (see ``marker``) is spread over six buckets, so that two markers tie only if all six
    collide: the owner is shared by every test of a session (and, on a deployment, by every
    run), and one bucket per marker made another seed's row tie with this one's at 1 in 128."""
    out = []
    for text in texts:
        vector = [0.0] * DIM
        for word in text.lower().replace("?", "").replace(".", "").split():
            if MARKER.fullmatch(word):
                for k in range(MARKER_BUCKETS):
                    bucket = int(hashlib.sha1(f"{k}:{word}".encode()).hexdigest(), 16) % DIM
                    vector[bucket] += 1.0 / math.sqrt(MARKER_BUCKETS)
                continue
            vector[int(hashlib.sha1(word.encode()).hexdigest(), 16) % DIM] += 1.0
        norm = math.sqrt(sum(x * x for x in vector)) or 1.0
        out.append([x / norm for x in vector])
    return out


async def aembed(texts: list[str]) -> list[list[float]]:
    return embed(texts)


def as_float32(vector: list[float]) -> list[float]:
    return list(struct.unpack(f"<{len(vector)}f", struct.pack(f"<{len(vector)}f", *vector)))


def cosine(a: list[float], b: list[float]) -> float:
    dot = sum(x * y for x, y in zip(a, b, strict=True))
    return dot / math.sqrt(sum(x * x for x in a) * sum(y * y for y in b))


def message(
    thread_id: str, i: int, text: str, *, embedded: bool = True, packed: bool = False
) -> dict[str, Any]:
    item: dict[str, Any] = {
        "id": f"{thread_id}-{i}",
        "threadId": thread_id,
        "role": "user" if i % 2 == 0 else "assistant",
        "content": {"format": 2, "parts": [{"type": "text", "text": text}]},
        "createdAt": 1_700_000_000_000.0 + i,
    }
    if embedded:
        [vector] = embed([text])
        item["embedding"] = struct.pack(f"<{DIM}f", *vector) if packed else vector
    return item


LINES = [
    "I am planning a trip to Lisbon",
    "Great, Lisbon is lovely in May",
    "I eat vegetarian food only",
    "Noted, vegetarian it is",
    "Book the tram tour please",
]


async def seed(client: Any, owner: str) -> tuple[str, str]:
    """Two threads of the owner; their texts carry a word of their own (the owner is shared
    by the tests of a session), and the threads' ids end with it."""
    trip, work = uid("trip"), uid("work")
    for thread in (trip, work):
        await aw(client.threads.save_thread(resource_id=owner, id=thread))
    await aw(
        client.messages.save_messages(
            resource_id=owner,
            messages=[message(trip, i, line, packed=i % 2 == 1) for i, line in enumerate(LINES)]
            + [
                message(work, 0, f"quarterly review on Thursday {marker(work)}"),
                message(work, 1, "file the vegetarian lunch invoice", embedded=False),
            ],
        )
    )
    return trip, work


def marker(thread_id: str) -> str:
    return "w" + thread_id.rsplit("-", 1)[1]


async def test_recall_by_vector_and_by_text(clients: Clients) -> None:
    client, owner = clients.a, clients.user_a
    trip, _ = await seed(client, owner)
    assert await aw(client.recall.count_message_embeddings(resource_id=owner, thread_id=trip)) == 5
    [query] = embed(["vegetarian food"])
    found = await aw(
        client.recall.recall_messages(
            resource_id=owner, query_vector=query, top_k=1, before=1, after=1, thread_id=trip
        )
    )
    assert [h.id for h in found.hits] == [f"{trip}-2"]
    [group] = found.groups
    assert [m.id for m in group.messages] == [f"{trip}-1", f"{trip}-2", f"{trip}-3"]
    assert group.messages[1].content.parts == [
        {"type": "text", "text": "I eat vegetarian food only"}
    ]
    if clients.flavour == "sync":
        by_text = client.recall.recall_text(
            embed=embed, resource_id=owner, query="vegetarian food", top_k=2, thread_id=trip
        )
    else:
        by_text = await client.recall.recall_text(
            embed=aembed,
            resource_id=owner,
            query="vegetarian food",
            top_k=2,
            thread_id=trip,
        )
    assert [h.id for h in by_text.hits] == [f"{trip}-2", f"{trip}-3"]
    # Embeddings and query vectors go as packed float32: the score is the cosine of those values.
    [stored] = embed([LINES[2]])
    assert by_text.hits[0].score == pytest.approx(cosine(as_float32(query), as_float32(stored)))
    assert type(found.candidates) is int


async def test_hybrid_and_exclusion(clients: Clients) -> None:
    client, owner = clients.a, clients.user_a
    trip, work = await seed(client, owner)
    kwargs = {"embed": embed, "resource_id": owner, "top_k": 3}
    if clients.flavour == "sync":
        fused = client.recall.recall_text(
            hybrid=True, query="vegetarian tram", thread_id=trip, **kwargs
        )
        without_trip = client.recall.recall_text(
            exclude_thread_id=trip, query=f"quarterly {marker(work)}", **kwargs
        )
    else:
        fused = await client.recall.recall_text(
            hybrid=True, query="vegetarian tram", thread_id=trip, **kwargs
        )
        without_trip = await client.recall.recall_text(
            exclude_thread_id=trip, query=f"quarterly {marker(work)}", **kwargs
        )
    # "tram" is only in trip-4, which the vector ranks below the two vegetarian lines.
    assert fused.keyword_candidates == 3
    by_id = {h.id: h for h in fused.hits}
    assert f"{trip}-4" in by_id and type(by_id[f"{trip}-4"].keyword_rank) is int
    assert fused.hits[0].vector_score is not None and fused.hits[0].vector_rank is not None
    assert without_trip.hits[0].id == f"{work}-0"
    assert trip not in {h.thread_id for h in without_trip.hits}


async def test_embeddings_set_later_and_deleted_with_their_thread(clients: Clients) -> None:
    client, owner = clients.a, clients.user_a
    trip, work = await seed(client, owner)
    [vector] = embed(["vegetarian lunch invoice"])
    result = await aw(
        client.recall.set_message_embeddings(
            resource_id=owner,
            embeddings=[
                {"id": f"{work}-1", "embedding": vector},
                {"id": f"{work}-0", "embedding": None},
            ],
        )
    )
    assert (result.set, result.removed) == (1, 1)
    assert await aw(client.recall.count_message_embeddings(resource_id=owner, thread_id=work)) == 1
    total = await aw(client.recall.count_message_embeddings(resource_id=owner))
    await aw(client.threads.delete_thread(resource_id=owner, id=trip))
    assert await aw(client.recall.count_message_embeddings(resource_id=owner)) == total - 5
    found = await aw(
        client.recall.recall_messages(resource_id=owner, query_vector=vector, top_k=20)
    )
    assert f"{work}-1" in {h.id for h in found.hits}
    assert trip not in {h.thread_id for h in found.hits}


async def test_owners_and_errors(clients: Clients) -> None:
    client, owner = clients.a, clients.user_a
    await seed(client, owner)
    [vector] = embed(["vegetarian"])
    with pytest.raises(cam.ForbiddenError):
        await aw(clients.b.recall.recall_messages(resource_id=owner, query_vector=vector, top_k=1))
    with pytest.raises(cam.ForbiddenError):
        await aw(clients.b.recall.count_message_embeddings(resource_id=owner))
    with pytest.raises(cam.ForbiddenError):
        await aw(clients.b.recall.set_message_embeddings(resource_id=owner, embeddings=[]))
    theirs = await aw(
        clients.b.recall.recall_messages(resource_id=clients.user_b, query_vector=vector, top_k=5)
    )
    assert theirs.hits == []
    with pytest.raises(cam.UnauthenticatedError):
        await aw(
            clients.anonymous.recall.recall_messages(
                resource_id=owner, query_vector=vector, top_k=1
            )
        )
    with pytest.raises(cam.InvalidArgumentError):
        await aw(
            client.recall.recall_messages(resource_id=owner, query_vector=[1.0] * 100, top_k=1)
        )
    with pytest.raises(cam.LimitExceededError):
        await aw(
            client.recall.recall_messages(
                resource_id=owner, query_vector=vector, top_k=100, before=50, after=50
            )
        )
    with pytest.raises(cam.NotFoundError):
        await aw(
            client.recall.set_message_embeddings(
                resource_id=owner, embeddings=[{"id": uid("nope"), "embedding": vector}]
            )
        )


class Recording(httpx.BaseTransport):
    """Forwards requests and keeps each call's path and arguments."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.calls: list[tuple[str, dict[str, Any]]] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        body = json.loads(request.content)
        self.calls.append((body["path"], body["args"]))
        return self.inner.handle_request(request)

    def args_of(self, path: str) -> list[dict[str, Any]]:
        return [args for called, args in self.calls if called == path]


def test_vectors_go_as_packed_float32(deployment: Deployment) -> None:
    """Embeddings and query vectors (numpy arrays of any dtype, lists) are sent as packed
    little-endian float32 bytes by every method that takes one, and stored as those values."""
    transport = Recording()
    owner = deployment.user_a
    rng = np.random.default_rng(17)
    vectors = rng.standard_normal((4, DIM))  # float64: rounded to float32 when packed
    with cam.Client(
        url=deployment.url, token=deployment.token_a, http_client=httpx.Client(transport=transport)
    ) as client:
        thread = uid("packed")
        client.threads.save_thread(resource_id=owner, id=thread)
        saved = [message(thread, i, f"packed line {i}", embedded=False) for i in range(4)]
        saved[0]["embedding"] = vectors[0]  # numpy float64
        saved[1]["embedding"] = vectors[1].astype(np.float32).tolist()  # a list
        saved[2]["embedding"] = vectors[2].astype(np.float16)  # any numeric dtype
        client.messages.save_messages(resource_id=owner, messages=saved[:2])
        client.messages.save_many(resource_id=owner, messages=saved[2:])
        client.recall.set_message_embeddings(
            resource_id=owner, embeddings=[{"id": saved[3]["id"], "embedding": vectors[3]}]
        )
        for i in range(4):
            query = vectors[i].astype(np.float16) if i == 2 else vectors[i]
            found = client.recall.recall_messages(
                resource_id=owner, query_vector=query, top_k=1, thread_id=thread
            )
            assert [h.id for h in found.hits] == [saved[i]["id"]]
            assert found.hits[0].score == pytest.approx(1.0, abs=1e-6)
        by_text = client.recall.recall_text(
            embed=lambda texts: np.stack([vectors[1] for _ in texts]),
            resource_id=owner,
            query="packed line 1",
            top_k=1,
            thread_id=thread,
        )
        assert [h.id for h in by_text.hits] == [saved[1]["id"]]

    save_calls = transport.args_of("memory:saveMessages")
    packed = [
        *(m["embedding"] for m in save_calls[0]["messages"]),
        save_calls[1]["messages"][0]["embedding"],
        transport.args_of("memory:setMessageEmbeddings")[0]["embeddings"][0]["embedding"],
        *(args["queryVector"] for args in transport.args_of("memory:recallMessages")),
    ]
    assert "embedding" not in save_calls[1]["messages"][1]
    assert len(packed) == 9
    for value in packed:
        assert set(value) == {"$bytes"}
        assert len(base64.b64decode(value["$bytes"])) == 4 * DIM
    sent = np.frombuffer(base64.b64decode(packed[0]["$bytes"]), dtype="<f4")
    assert sent.tolist() == vectors[0].astype(np.float32).tolist()


def test_save_many_cuts_calls_by_what_embedded_texts_store(deployment: Deployment) -> None:
    """`messages.save_many` weighs an embedded message as the component does (its embedding
    and its search-text row, 3 bytes a UTF-16 unit of at most 16,384 units): 400 messages of
    long text fit one request body but not one call's embedding bytes, so they go in calls the
    component accepts, and every message is saved and recallable."""
    transport = Recording()
    owner = deployment.user_a
    text = ("lisbon tram " * 1_500)[:16_000]
    stored_per_message = (
        limits.BYTES_PER_STORED_FLOAT * DIM
        + limits.EMBEDDING_DOC_OVERHEAD
        + limits.SEARCH_ROW_OVERHEAD
        + 3 * len(text)
    )
    per_call = limits.MAX_EMBEDDING_BYTES_PER_CALL // stored_per_message
    with cam.Client(
        url=deployment.url, token=deployment.token_a, http_client=httpx.Client(transport=transport)
    ) as client:
        thread = uid("long")
        client.threads.save_thread(resource_id=owner, id=thread)
        messages = [message(thread, i, f"{text} {i}", packed=True) for i in range(400)]
        client.messages.save_many(resource_id=owner, messages=messages)
        assert client.messages.count_messages(resource_id=owner, thread_id=thread) == 400
        assert client.recall.count_message_embeddings(resource_id=owner, thread_id=thread) == 400
    sizes = [len(args["messages"]) for args in transport.args_of("memory:saveMessages")]
    assert sum(sizes) == 400 and len(sizes) == -(-400 // per_call)
    assert max(sizes) <= per_call


def test_set_message_embeddings_many_in_calls_the_component_accepts(
    deployment: Deployment,
) -> None:
    """`recall.set_message_embeddings_many` embeds messages saved without embeddings, in
    calls the component accepts whatever their texts (each counted at its largest), then
    removes some (``None``): counts exact, recall finds them, removed ones are gone."""
    transport = Recording()
    owner = deployment.user_a
    text = ("porto river " * 1_500)[:16_000]
    worst = (
        limits.BYTES_PER_STORED_FLOAT * DIM
        + limits.EMBEDDING_DOC_OVERHEAD
        + limits.SEARCH_ROW_OVERHEAD
        + 3 * limits.MAX_SEARCH_TEXT
    )
    per_call = limits.MAX_EMBEDDING_BYTES_PER_CALL // worst
    with cam.Client(
        url=deployment.url, token=deployment.token_a, http_client=httpx.Client(transport=transport)
    ) as client:
        thread = uid("later")
        client.threads.save_thread(resource_id=owner, id=thread)
        saved = [message(thread, i, f"{text} {i}", embedded=False) for i in range(300)]
        client.messages.save_many(resource_id=owner, messages=saved)
        assert client.recall.count_message_embeddings(resource_id=owner, thread_id=thread) == 0
        vectors = np.asarray(embed([m["content"]["parts"][0]["text"] for m in saved]))
        results = client.recall.set_message_embeddings_many(
            resource_id=owner,
            embeddings=(
                {"id": m["id"], "embedding": v} for m, v in zip(saved, vectors, strict=True)
            ),
        )
        assert sum(r.set for r in results) == 300 and all(r.removed == 0 for r in results)
        assert client.recall.count_message_embeddings(resource_id=owner, thread_id=thread) == 300
        found = client.recall.recall_messages(
            resource_id=owner, query_vector=vectors[7], top_k=1, thread_id=thread
        )
        assert [h.id for h in found.hits] == [saved[7]["id"]]
        removed = client.recall.set_message_embeddings_many(
            resource_id=owner, embeddings=[{"id": m["id"], "embedding": None} for m in saved[:10]]
        )
        assert [(r.set, r.removed) for r in removed] == [(0, 10)]
        assert client.recall.count_message_embeddings(resource_id=owner, thread_id=thread) == 290
    sizes = [len(args["embeddings"]) for args in transport.args_of("memory:setMessageEmbeddings")]
    assert sizes[:-1] and max(sizes[:-1]) <= per_call and sum(sizes[:-1]) == 300
    assert len(sizes) - 1 == -(-300 // per_call)
