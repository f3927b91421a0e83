"""Typed errors: arguments refused before sending, and by the server; a refusal writes nothing."""

from __future__ import annotations

from typing import Any

import convex_agent_memory as cam
import httpx
import pydantic
import pytest

from .conftest import Clients, Deployment, aw, text_message, uid


class Counting(httpx.BaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.requests: list[httpx.Request] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return self.inner.handle_request(request)

    def close(self) -> None:
        self.inner.close()


class AsyncCounting(httpx.AsyncBaseTransport):
    def __init__(self) -> None:
        self.inner = httpx.AsyncHTTPTransport()
        self.requests: list[httpx.Request] = []

    async def handle_async_request(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        return await self.inner.handle_async_request(request)

    async def aclose(self) -> None:
        await self.inner.aclose()


BAD_CALLS: list[tuple[str, Any]] = [
    ("resource_id is not a string", lambda c: c.threads.save_thread(id="t", resource_id=5)),
    (
        "unknown role",
        lambda c: c.messages.save_messages(
            resource_id="r", messages=[{**text_message("t", "x"), "role": "robot"}]
        ),
    ),
    (
        "missing content",
        lambda c: c.messages.save_messages(
            resource_id="r", messages=[{"id": "m", "threadId": "t", "role": "user"}]
        ),
    ),
    ("vector of text", lambda c: c.vectors.query(index_name="i", query_vector=["a", "b"], top_k=1)),
    ("bad literal", lambda c: c.threads.list_threads(resource_id="r", order="sideways")),
    ("page size of text", lambda c: c.threads.list_threads(resource_id="r", page_size="ten")),
]


@pytest.mark.parametrize("flavour", ["sync", "async"])
@pytest.mark.parametrize(("why", "call"), BAD_CALLS, ids=[why for why, _ in BAD_CALLS])
async def test_bad_input_is_refused_before_sending(
    deployment: Deployment, flavour: str, why: str, call: Any
) -> None:
    if flavour == "sync":
        transport: Any = Counting()
        client: Any = cam.Client(
            url=deployment.url,
            token=deployment.token_a,
            http_client=httpx.Client(transport=transport),
        )
    else:
        transport = AsyncCounting()
        client = cam.AsyncClient(
            url=deployment.url,
            token=deployment.token_a,
            http_client=httpx.AsyncClient(transport=transport),
        )
    with pytest.raises(cam.InvalidArgumentError) as caught:
        await aw(call(client))
    assert transport.requests == [], why
    error = caught.value
    assert error.code == "INVALID_ARGUMENT" and error.errors and error.status_code is None
    assert isinstance(error.__cause__, pydantic.ValidationError)
    # The same client works once the input is right.
    assert (
        await aw(client.threads.get_thread(resource_id=deployment.user_a, id=uid("nope"))) is None
    )
    assert len(transport.requests) == 1
    await aw(client.http_client.close() if flavour == "sync" else client.http_client.aclose())


async def test_server_refusals_are_typed_and_write_nothing(clients: Clients) -> None:
    a, me = clients.a, clients.user_a
    thread = uid("thread")
    await aw(a.threads.save_thread(id=thread, resource_id=me, title="kept"))
    good = text_message(thread, "original", id=uid("m"))
    await aw(a.messages.save_messages(resource_id=me, messages=[good]))

    missing = uid("missing")
    error = await _refused(
        cam.NotFoundError, a.threads.update_thread, resource_id=me, id=missing, title="x"
    )
    assert error.data["threadId"] == missing
    await _refused(
        cam.NotFoundError,
        a.messages.update_messages,
        resource_id=me,
        messages=[{"id": good["id"], "role": "system"}, {"id": missing, "role": "system"}],
    )
    (unchanged,) = await aw(a.messages.get_messages_by_ids(resource_id=me, ids=[good["id"]]))
    assert unchanged.role == "user"  # the first update of the refused batch was not applied
    await _refused(
        cam.NotFoundError,
        a.messages.save_messages,
        resource_id=me,
        messages=[text_message(missing, "orphan")],
    )

    # Too many in one call: LIMIT_EXCEEDED, nothing saved.
    batch = [text_message(thread, f"bulk {i}") for i in range(1_001)]
    limit = await _refused(
        cam.LimitExceededError, a.messages.save_messages, resource_id=me, messages=batch
    )
    assert "1000" in limit.message.replace(",", "")
    # A duplicated id in one batch: INVALID_ARGUMENT, nothing saved.
    await _refused(
        cam.InvalidArgumentError,
        a.messages.save_messages,
        resource_id=me,
        messages=[text_message(thread, "x", id="dup-" + thread)] * 2,
    )
    assert await aw(a.messages.count_messages(resource_id=me, thread_id=thread)) == 1
    thread_now = await aw(a.threads.get_thread(resource_id=me, id=thread))
    assert thread_now is not None and thread_now.title == "kept"

    # Scores: an id that is taken.
    score_id = uid("score")
    await aw(
        a.scores.save_score(
            id=score_id,
            scorer_id="s",
            entity_id="e",
            entity_type="agent",
            run_id="r",
            score=0.5,
            source="LIVE",
            resource_id=me,
        )
    )
    await _refused(
        cam.ConflictError,
        a.scores.save_score,
        id=score_id,
        scorer_id="s",
        entity_id="e",
        entity_type="agent",
        run_id="r",
        score=0.9,
        source="LIVE",
        resource_id=me,
    )
    kept = await aw(a.scores.get_score_by_id(resource_id=me, id=score_id))
    assert kept is not None and kept.score == 0.5


async def test_vector_refusals(clients: Clients) -> None:
    service = clients.service
    name = uid("idx")
    await aw(service.vectors.create_index(name=name, dimension=128))
    await _refused(cam.ConflictError, service.vectors.create_index, name=name, dimension=256)
    await _refused(
        cam.InvalidArgumentError, service.vectors.create_index, name=uid("i"), dimension=100
    )
    await _refused(
        cam.NotFoundError,
        service.vectors.upsert,
        index_name=uid("none"),
        vectors=[{"vector": [0.0] * 128}],
    )
    good = {"id": "good", "vector": [1.0] + [0.0] * 127}
    wrong = await _refused(
        cam.InvalidArgumentError,
        service.vectors.upsert,
        index_name=name,
        vectors=[good, {"id": "short", "vector": [1.0, 2.0, 3.0]}],
    )
    assert wrong.data["expected"] == 128
    too_many = [{"id": f"v{i}", "vector": [1.0] + [0.0] * 127} for i in range(1_001)]
    await _refused(
        cam.LimitExceededError, service.vectors.upsert, index_name=name, vectors=too_many
    )
    await _refused(
        cam.InvalidArgumentError,
        service.vectors.query,
        index_name=name,
        query_vector=[1.0] * 128,
        top_k=1,
        filter={"$regex": "x"},
    )
    described = await aw(service.vectors.describe_index(index_name=name))
    assert described.count == 0  # every refused upsert wrote nothing
    await aw(service.vectors.delete_index(index_name=name))


async def _refused(error: type[cam.APIError], method: Any, **kwargs: Any) -> cam.APIError:
    with pytest.raises(error) as caught:
        await aw(method(**kwargs))
    assert caught.value.status_code == 200 and caught.value.code is not None
    return caught.value
