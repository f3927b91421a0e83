"""Bulk writes split by count and by bytes, sent in order, numpy vectors accepted."""

from __future__ import annotations

import base64
import itertools
import json
from typing import Any

import convex_agent_memory as cam
import httpx
import pytest
from convex_agent_memory import split_into_batches
from convex_agent_memory._bulk import _vector_item

from .fakes import URL, success


def message(i: int, text_size: int = 10) -> dict[str, Any]:
    return {"id": f"m{i}", "role": "user", "content": "x" * text_size}


def recording_client(
    replies: list[Any] | None = None,
) -> tuple[cam.Client, list[dict[str, Any]], list[float]]:
    bodies: list[dict[str, Any]] = []
    queue = list(replies or [])

    def handle(request: httpx.Request) -> httpx.Response:
        bodies.append(json.loads(request.content))
        if queue:
            reply = queue.pop(0)
            if isinstance(reply, Exception):
                raise reply
            return reply  # type: ignore[no-any-return]
        return success(len(bodies[-1]["args"].get("messages") or bodies[-1]["args"]["vectors"]))

    sleeps: list[float] = []
    client = cam.Client(url=URL, http_client=httpx.Client(transport=httpx.MockTransport(handle)))
    client._sleep = sleeps.append
    return client, bodies, sleeps


def test_batches_are_capped_by_count_and_keep_order() -> None:
    batches = list(
        split_into_batches(
            (message(i) for i in range(2_500)),
            path="memory:saveMessages",
            arg_name="messages",
            extra_args={"threadId": "t1"},
        )
    )
    assert [b.count for b in batches] == [1_000, 1_000, 500]
    assert [b.first_index for b in batches] == [0, 1_000, 2_000]
    sent = [json.loads(b.body) for b in batches]
    assert all(s["path"] == "memory:saveMessages" for s in sent)
    assert all(s["format"] == "convex_encoded_json" for s in sent)
    assert all(s["args"]["threadId"] == "t1" for s in sent)
    ids = [m["id"] for s in sent for m in s["args"]["messages"]]
    assert ids == [f"m{i}" for i in range(2_500)]


def test_batches_are_capped_by_encoded_bytes() -> None:
    limit = 50_000
    items = [message(i, text_size=900 + (i % 7) * 100) for i in range(300)]
    batches = list(split_into_batches(items, path="m:f", arg_name="messages", max_bytes=limit))
    assert len(batches) > 1
    assert all(len(b.body) <= limit for b in batches)
    assert sum(b.count for b in batches) == 300
    # Each batch is as full as it can be: the next item would not have fit.
    for batch, following in itertools.pairwise(batches):
        next_item = json.dumps(items[following.first_index], separators=(",", ":"))
        assert len(batch.body) + 1 + len(next_item) > limit


def test_the_body_is_exactly_what_a_single_call_would_send() -> None:
    (batch,) = split_into_batches(
        [{"n": 1, "raw": b"\x01"}], path="m:f", arg_name="items", extra_args={"a": 1.5}
    )
    assert json.loads(batch.body) == {
        "path": "m:f",
        "format": "convex_encoded_json",
        "args": {
            "a": 1.5,
            "items": [{"n": {"$integer": "AQAAAAAAAAA="}, "raw": {"$bytes": "AQ=="}}],
        },
    }
    (empty_extra,) = split_into_batches([1.0], path="m:f", arg_name="xs")
    assert json.loads(empty_extra.body)["args"] == {"xs": [1.0]}


def test_an_item_too_big_for_any_call_is_refused() -> None:
    with pytest.raises(cam.LimitExceededError, match="item 1 is"):
        list(
            split_into_batches(
                [message(0), message(1, text_size=5_000)], path="m:f", arg_name="messages",
                max_bytes=2_000,
            )
        )  # fmt: skip


def test_an_item_that_cannot_be_encoded_is_named() -> None:
    with pytest.raises(cam.InvalidArgumentError, match="item 2"):
        list(split_into_batches([1.0, 2.0, {"$x": 1.0}], path="m:f", arg_name="xs"))
    with pytest.raises(cam.InvalidArgumentError, match="arg_name"):
        list(split_into_batches([1.0], path="m:f", arg_name="xs", extra_args={"xs": 1.0}))


def test_save_messages_in_batches_calls_once_per_batch() -> None:
    client, bodies, _ = recording_client()
    with client:
        results = cam.save_messages_in_batches(
            client, messages=[message(i) for i in range(2_001)], progress=True
        )
    assert results == [1_000.0, 1_000.0, 1.0]
    assert [len(b["args"]["messages"]) for b in bodies] == [1_000, 1_000, 1]


def test_bulk_items_send_python_ints_as_float64() -> None:
    """Untyped parts and metadata hold JavaScript numbers: ints go as floats, not $integer."""
    client, bodies, _ = recording_client()
    with client:
        cam.save_messages_in_batches(
            client, messages=[{"id": "m", "content": {"parts": [{"n": 3, "ok": True}]}}]
        )
        cam.upsert_vectors_in_batches(
            client, items=[{"id": "v", "vector": [1, 0], "metadata": {"year": 2020}}]
        )
        with pytest.raises(cam.InvalidArgumentError, match=r"item 0 .*float64"):
            cam.upsert_vectors_in_batches(
                client, items=[{"id": "w", "vector": [1.0], "metadata": {"big": 2**60}}]
            )
    assert bodies[0]["args"]["messages"][0]["content"]["parts"] == [{"n": 3.0, "ok": True}]
    assert bodies[1]["args"]["vectors"][0]["metadata"] == {"year": 2020.0}
    assert len(bodies) == 2  # the refused item sent nothing


def test_numpy_vectors_of_any_dtype_are_sent_as_packed_float32_or_float64_on_request() -> None:
    np = pytest.importorskip("numpy")
    vectors = np.arange(12, dtype=np.int32).reshape(4, 3)
    client, bodies, _ = recording_client()
    with client:
        for vector_format in ("float32", "float64"):
            cam.upsert_vectors_in_batches(
                client,
                path="memory:upsertVectors",
                items=({"id": f"v{i}", "vector": row} for i, row in enumerate(vectors)),
                extra_args={"indexName": "docs"},
                vector_format=vector_format,  # type: ignore[arg-type]
            )
    packed, plain = bodies
    sent = packed["args"]["vectors"][1]
    assert sent["id"] == "v1"
    assert cam.unpack_float32(base64.b64decode(sent["vector"]["$bytes"])) == [3.0, 4.0, 5.0]
    assert plain["args"]["vectors"][1] == {"id": "v1", "vector": [3.0, 4.0, 5.0]}
    assert all(type(x) is float for item in plain["args"]["vectors"] for x in item["vector"])


def test_packed_vectors_are_the_float32_values_of_what_was_given() -> None:
    np = pytest.importorskip("numpy")
    rng = np.random.default_rng(1)
    as_f64 = rng.standard_normal(384)  # float64: rounded to float32 when packed
    as_f32 = rng.standard_normal(384).astype(np.float32)
    as_list = [float(x) for x in rng.standard_normal(384)]
    for given in (as_f64, as_f32, as_list, tuple(as_list)):
        expected = np.asarray(given, dtype=np.float32).tolist()
        assert cam.unpack_float32(cam.pack_float32(given)) == expected
    # Already packed bytes go as they are.
    client, bodies, _ = recording_client()
    with client:
        cam.upsert_vectors_in_batches(
            client, items=[{"id": "b", "vector": cam.pack_float32(as_list)}]
        )
    sent = bodies[0]["args"]["vectors"][0]["vector"]["$bytes"]
    assert base64.b64decode(sent) == cam.pack_float32(as_list)


def test_a_vector_that_is_not_finite_as_float32_is_refused_before_sending() -> None:
    client, bodies, _ = recording_client()
    with client:
        for bad in ([1.0, float("nan")], [1e300, 0.0], [float("inf"), 1.0], ["a", 1.0]):
            with pytest.raises(cam.InvalidArgumentError, match=r"item 1 "):
                cam.upsert_vectors_in_batches(
                    client, items=[{"id": "ok", "vector": [0.5, 0.5]}, {"id": "x", "vector": bad}]
                )
    assert bodies == []


def test_packed_bodies_are_a_third_of_the_json_form() -> None:
    np = pytest.importorskip("numpy")
    vectors = np.random.default_rng(2).standard_normal((1_000, 384)).astype(np.float32)
    items = [
        {"id": f"doc-{i}", "vector": v, "metadata": {"g": f"g{i % 8}"}}
        for i, v in enumerate(vectors)
    ]

    def body_bytes(vector_format: str) -> int:
        batches = split_into_batches(
            items, path="memory:upsert", arg_name="vectors", extra_args={"indexName": "x"},
            prepare=_vector_item("vector", "id", vector_format),  # type: ignore[arg-type]
        )  # fmt: skip
        return sum(len(b.body) for b in batches)

    assert body_bytes("float32") <= 0.35 * body_bytes("float64")


@pytest.mark.parametrize("dimension", [384, 1536, 3072, 4096])
def test_vector_upserts_are_cut_to_what_one_transaction_may_store(dimension: int) -> None:
    """The component refuses an upsert storing more than MAX_UPSERT_STORED_BYTES (9 bytes a
    float, plus each entry); the helper's calls never come near it, at any dimension."""
    np = pytest.importorskip("numpy")
    vectors = np.random.default_rng(dimension).standard_normal((1_200, dimension))
    items = [
        {"id": f"doc-{i}", "vector": v, "metadata": {"text": "x" * (i % 300), "n": 1.0}}
        for i, v in enumerate(vectors)
    ]
    client, bodies, _ = recording_client()
    with client:
        cam.upsert_vectors_in_batches(client, items=items, extra_args={"indexName": "x"})
    assert sum(len(b["args"]["vectors"]) for b in bodies) == 1_200

    def server_estimate(
        item: dict[str, Any],
    ) -> int:  # component/model/vectors.ts upsertStoredBytes
        return 9 * dimension + 160 + 120 + _approximate_size(item["metadata"]) + len(item["id"]) + 2

    for body in bodies:
        sent = body["args"]["vectors"]
        assert sum(server_estimate(item) for item in sent) <= cam.MAX_UPSERT_STORED_BYTES
        assert len(sent) <= cam.MAX_BATCH_ITEMS
    if dimension >= 1536:  # the stored bytes, not the count or the body, decide
        assert max(len(b["args"]["vectors"]) for b in bodies) < cam.MAX_BATCH_ITEMS


def _approximate_size(value: Any) -> int:
    """component/model/limits.ts approximateSize (8 bytes a number, UTF-8 strings + 2)."""
    if isinstance(value, str):
        return len(value.encode()) + 2
    if isinstance(value, bool) or value is None:
        return 1
    if isinstance(value, int | float):
        return 8
    if isinstance(value, list):
        return 2 + sum(_approximate_size(x) + 1 for x in value)
    if isinstance(value, dict):
        return 2 + sum(len(k.encode()) + 3 + _approximate_size(x) for k, x in value.items())
    raise TypeError(type(value))


def test_a_realistic_vector_load_stays_under_the_limits() -> None:
    np = pytest.importorskip("numpy")
    vectors = np.random.default_rng(0).standard_normal((3_000, 384)).astype(np.float32)
    batches = list(
        split_into_batches(
            ({"id": f"doc-{i}", "vector": v, "metadata": {"source": "corpus"}}
             for i, v in enumerate(vectors)),
            path="memory:upsertVectors", arg_name="items",
            prepare=lambda item: {**item, "vector": cam.as_float_list(item["vector"])},
        )
    )  # fmt: skip
    assert sum(b.count for b in batches) == 3_000
    assert all(
        b.count <= cam.MAX_BATCH_ITEMS and len(b.body) <= cam.MAX_BATCH_BYTES for b in batches
    )


def test_idempotent_vector_upserts_are_retried() -> None:
    client, bodies, sleeps = recording_client([httpx.Response(503), success(2.0)])
    with client:
        results = cam.upsert_vectors_in_batches(
            client, path="m:upsert", items=[{"id": "a", "vector": [0.5, 0.25]}] * 2
        )
    assert results == [2.0]
    assert len(bodies) == 2 and bodies[0] == bodies[1]
    assert len(sleeps) == 1


def test_vectors_without_ids_get_one_before_sending_so_a_retry_cannot_duplicate() -> None:
    client, bodies, _ = recording_client([httpx.ReadTimeout("reply lost"), success(2.0)])
    with client:
        cam.upsert_vectors_in_batches(
            client,
            items=[{"vector": [0.5, 0.25]}, {"id": None, "vector": [1.0, 0.0]}],
            extra_args={"indexName": "docs"},
        )
    assert len(bodies) == 2 and bodies[0] == bodies[1]  # the retry resends the same ids
    assert bodies[0]["path"] == "memory:upsert" and bodies[0]["args"]["indexName"] == "docs"
    ids = [v["id"] for v in bodies[0]["args"]["vectors"]]
    assert all(isinstance(i, str) and len(i) == 36 for i in ids) and ids[0] != ids[1]


def test_a_failure_says_how_much_was_saved() -> None:
    refused = httpx.Response(200, json={"status": "error", "errorMessage": "boom"})
    client, _, _ = recording_client([success(1.0), refused])
    with client, pytest.raises(cam.APIError) as caught:
        cam.save_messages_in_batches(client, messages=[message(i) for i in range(1_500)])
    assert any("1,000 items were saved by 1 earlier call" in n for n in caught.value.__notes__)


async def test_async_batches_in_flight_come_back_in_order() -> None:
    in_flight = 0
    peak = 0

    async def handle(request: httpx.Request) -> httpx.Response:
        nonlocal in_flight, peak
        import asyncio

        in_flight += 1
        peak = max(peak, in_flight)
        await asyncio.sleep(0.001)
        in_flight -= 1
        first = json.loads(request.content)["args"]["vectors"][0]["id"]
        return success(first)

    async with cam.AsyncClient(
        url=URL, http_client=httpx.AsyncClient(transport=httpx.MockTransport(handle))
    ) as client:
        results = await cam.aupsert_vectors_in_batches(
            client,
            path="m:upsert",
            items=[{"id": f"v{i}", "vector": [1.0, 2.0]} for i in range(10)],
            max_items=2,
            concurrency=3,
        )
    assert results == ["v0", "v2", "v4", "v6", "v8"]
    assert 1 < peak <= 3


async def test_async_messages_are_sent_one_call_at_a_time() -> None:
    seen: list[int] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(len(json.loads(request.content)["args"]["messages"]))
        return success(None)

    async with cam.AsyncClient(
        url=URL, http_client=httpx.AsyncClient(transport=httpx.MockTransport(handle))
    ) as client:
        await cam.asave_messages_in_batches(
            client, messages=[message(i) for i in range(1_200)], extra_args={"threadId": "t"}
        )
    assert seen == [1_000, 200]


async def test_async_failure_cancels_the_rest_and_reports_progress() -> None:
    calls = 0

    def handle(request: httpx.Request) -> httpx.Response:
        nonlocal calls
        calls += 1
        return success(None) if calls == 1 else httpx.Response(400, text="bad")

    async with cam.AsyncClient(
        url=URL, http_client=httpx.AsyncClient(transport=httpx.MockTransport(handle))
    ) as client:
        with pytest.raises(cam.APIStatusError) as caught:
            await cam.asave_in_batches(
                client, path="m:f", items=list(range(10)), arg_name="xs", max_items=2,
            )  # fmt: skip
    assert calls == 2
    assert any("2 items were saved" in n for n in caught.value.__notes__)
