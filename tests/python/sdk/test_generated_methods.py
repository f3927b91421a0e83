"""The generated SDK as a user meets it (sync and async, a fake deployment behind httpx):
unknown keys refused, ints where values are whole, only the SDK's own exceptions, the
bulk methods of the vectors and messages resources, and the public models module."""

from __future__ import annotations

import inspect
import json
from typing import Any

import convex_agent_memory as cam
import numpy as np
import pytest
from convex_agent_memory import (
    AgentMemoryError,
    APIResponseValidationError,
    InvalidArgumentError,
)
from convex_agent_memory.types import Index, SaveMessagesMessage, Thread, UpsertVector

from .fakes import FakeDeployment, Harness, success

THREAD = {"id": "t1", "resourceId": "u1", "createdAt": 1.0, "updatedAt": 2.0}
INDEX = {
    "name": "docs",
    "dimension": 384.0,
    "metric": "cosine",
    "filterableKeys": [],
    "count": 3.0,
    "createdAt": 1.0,
    "updatedAt": 2.0,
}


def message(i: int, **extra: Any) -> dict[str, Any]:
    return {
        "id": f"m{i}",
        "threadId": "t1",
        "role": "user",
        "content": {"format": 2, "parts": [{"type": "text", "text": f"hi {i}"}]},
        **extra,
    }


async def run(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value


# --- arguments ----------------------------------------------------------------------------


async def test_an_unknown_key_in_a_dict_argument_is_refused_naming_it(harness: Harness) -> None:
    client = harness.client
    with pytest.raises(InvalidArgumentError, match=r"unknown field 'bogus'") as refused:
        await run(client.messages.save_messages(messages=[message(1, bogus=1)]))
    assert refused.value.errors[0]["loc"] == ("messages", 0)
    nested = message(2)
    nested["content"]["colour"] = "red"
    with pytest.raises(
        InvalidArgumentError, match=r"messages\.0\.content: .*unknown field 'colour'"
    ):
        await run(client.messages.save_messages(messages=[nested]))
    # snake_case keys are the Python names of the same fields: accepted
    harness.deployment.reply(success([]))
    snake = {"id": "m3", "thread_id": "t1", "role": "user", "content": {"format": 2, "parts": []}}
    await run(client.messages.save_messages(messages=[snake]))
    (body,) = harness.deployment.bodies
    assert body["args"]["messages"][0]["threadId"] == "t1"


async def test_results_ignore_unknown_fields(harness: Harness) -> None:
    harness.deployment.reply(success({**THREAD, "addedLater": True}))
    thread = await run(harness.client.threads.get_thread(id="t1"))
    assert isinstance(thread, Thread) and thread.id == "t1"


# --- ints -----------------------------------------------------------------------------------


async def test_whole_numbers_are_ints_in_python_and_float64_on_the_wire(harness: Harness) -> None:
    client, deployment = harness.client, harness.deployment
    deployment.reply(success(3.0), success(INDEX), success({"created": True, "index": INDEX}))
    count = await run(client.threads.count_threads(resource_id="u1"))
    assert count == 3 and type(count) is int
    index = await run(client.vectors.describe_index(index_name="docs"))
    assert isinstance(index, Index) and type(index.dimension) is int and type(index.count) is int
    await run(client.vectors.create_index(name="docs", dimension=384))
    sent = deployment.requests[-1].content.decode()
    assert '"dimension":384.0' in sent  # a JSON float64, never {"$integer": ...}


@pytest.mark.parametrize("dimension", [384.5, 2**60, "many"])
async def test_ints_a_float64_cannot_hold_are_refused_before_sending(
    harness: Harness, dimension: Any
) -> None:
    with pytest.raises(InvalidArgumentError):
        await run(harness.client.vectors.create_index(name="docs", dimension=dimension))
    assert harness.deployment.requests == []


async def test_a_fractional_count_from_the_server_is_a_typed_error(harness: Harness) -> None:
    harness.deployment.reply(success(2.5))
    with pytest.raises(APIResponseValidationError, match="the result does not match"):
        await run(harness.client.threads.count_threads(resource_id="u1"))


# --- only the SDK's own exceptions -----------------------------------------------------------


def deep(levels: int) -> Any:
    value: Any = "bottom"
    for _ in range(levels):
        value = {"a": value}
    return value


@pytest.mark.parametrize(
    "metadata",
    [
        {"tags": {"a", "b"}},  # a set
        {"when": object()},  # not a Convex value
        {"$ref": "x"},  # a field name Convex refuses
        {"n": 2**60},  # an int a float64 cannot hold (untyped values are JavaScript numbers)
        deep(20_000),  # deeper than Python's recursion limit
    ],
    ids=["set", "object", "dollar-key", "big-int", "deep"],
)
async def test_values_that_cannot_be_encoded_are_invalid_arguments_before_sending(
    harness: Harness, metadata: Any
) -> None:
    with pytest.raises(InvalidArgumentError):
        await run(harness.client.threads.save_thread(id="t1", resource_id="u1", metadata=metadata))
    assert harness.deployment.requests == []


@pytest.mark.parametrize(
    "snapshot", [float("nan"), {1, 2}, deep(20_000)], ids=["nan", "set", "deep"]
)
async def test_json_text_that_cannot_be_written_is_an_invalid_argument(
    harness: Harness, snapshot: Any
) -> None:
    with pytest.raises(InvalidArgumentError):
        await run(
            harness.client.workflows.persist_workflow_snapshot(
                workflow_name="w", run_id="r", snapshot=snapshot
            )
        )
    assert harness.deployment.requests == []


def raw(body: str) -> Any:
    import httpx

    return httpx.Response(200, content=body.encode(), headers={"content-type": "application/json"})


@pytest.mark.parametrize(
    "reply",
    [
        '{"status":"success","value":' + "[" * 200_000 + "]" * 200_000 + "}",
        '{"status":"success","value":' + '{"a":' * 5_000 + "1" + "}" * 5_000 + "}",
        '{"status":"success","value":{"id":5}}',
        '{"status":"success","value":"not a thread"}',
    ],
    ids=["deep-json", "deep-object", "wrong-field-type", "wrong-type"],
)
async def test_results_that_cannot_be_read_are_typed_errors(
    harness: Harness, deployment: FakeDeployment, reply: str
) -> None:
    deployment.reply(raw(reply))
    with pytest.raises(APIResponseValidationError):
        await run(harness.client.threads.get_thread(id="t1"))


@pytest.mark.parametrize(
    "text", ["not json", "[" * 100_000 + "]" * 100_000], ids=["not-json", "deep-json-text"]
)
async def test_json_text_results_that_cannot_be_parsed_are_typed_errors(
    harness: Harness, text: str
) -> None:
    harness.deployment.reply(success(text))
    with pytest.raises(APIResponseValidationError):
        await run(harness.client.workflows.load_workflow_snapshot(workflow_name="w", run_id="r"))


async def test_every_refusal_is_an_sdk_error(harness: Harness) -> None:
    assert issubclass(InvalidArgumentError, AgentMemoryError)
    assert issubclass(APIResponseValidationError, AgentMemoryError)


# --- bulk methods -----------------------------------------------------------------------------


async def test_vectors_upsert_many_takes_numpy_rows_and_models(harness: Harness) -> None:
    deployment = harness.deployment

    def answer(request: Any) -> Any:
        vectors = json.loads(request.content)["args"]["vectors"]
        return success({"ids": [v["id"] for v in vectors]})

    deployment.reply(answer, answer, answer)
    rows = np.arange(5 * 4, dtype=np.float32).reshape(5, 4) + 1
    items: list[Any] = [{"id": f"v{i}", "vector": row} for i, row in enumerate(rows[:4])]
    items.append(UpsertVector(vector=[1.0, 2.0, 3.0, 4.0], metadata={"n": 1}))
    results = await run(
        harness.client.vectors.upsert_many(index_name="docs", items=items, max_items=2)
    )
    assert [len(r.ids) for r in results] == [2, 2, 1]
    assert results[0].ids == ["v0", "v1"]
    bodies = deployment.bodies
    assert {b["path"] for b in bodies} == {"memory:upsert"}
    assert bodies[0]["args"]["indexName"] == "docs"
    assert bodies[0]["args"]["vectors"][0]["vector"] == [1.0, 2.0, 3.0, 4.0]
    last = bodies[2]["args"]["vectors"][0]
    assert last["metadata"] == {"n": 1.0} and last["id"]  # an id given before sending


async def test_messages_save_many_checks_each_message_before_its_batch(harness: Harness) -> None:
    deployment = harness.deployment
    deployment.reply(success([]), success([]))
    messages: list[Any] = [message(i) for i in range(3)]
    messages.append(
        SaveMessagesMessage.model_validate(message(3, createdAt=5))  # a model is fine too
    )
    results = await run(harness.client.messages.save_many(messages=messages, max_items=2))
    assert results == [[], []]
    sent = [m["id"] for b in deployment.bodies for m in b["args"]["messages"]]
    assert sent == ["m0", "m1", "m2", "m3"]
    assert deployment.bodies[1]["args"]["messages"][1]["createdAt"] == 5.0
    with pytest.raises(InvalidArgumentError, match="unknown field 'bogus'"):
        await run(harness.client.messages.save_many(messages=[message(9, bogus=True)]))
    assert len(deployment.requests) == 2  # the bad message never left


# --- the public models module -------------------------------------------------------------------


def test_models_are_public_in_convex_agent_memory_types() -> None:
    assert Thread.__module__ == "convex_agent_memory.types"
    assert "Thread" in cam.types.__all__ and cam.types.Thread is Thread
    client = cam.Client(url="http://127.0.0.1:9")
    classes = [type(getattr(client, ns)).__name__ for ns in ("resources", "threads", "vectors")]
    assert classes == ["Resources", "Threads", "Vectors"]  # no ResourcesResource
    client.close()


@pytest.mark.parametrize(
    ("failure", "error_class"),
    [
        (lambda: __import__("httpx").DecodingError("bad gzip"), APIResponseValidationError),
        (lambda: __import__("httpx").TooManyRedirects("loop"), cam.APIConnectionError),
    ],
    ids=["undecodable-reply", "redirect-loop"],
)
async def test_httpx_errors_that_are_not_transport_errors_are_sdk_errors(
    harness: Harness, failure: Any, error_class: type
) -> None:
    harness.deployment.reply(failure())
    with pytest.raises(error_class):
        await run(harness.client.threads.get_thread(id="t1"))


async def test_bulk_methods_pass_the_functions_other_arguments_checked(harness: Harness) -> None:
    """Whatever else the batch function takes (an owner's resource id, ...) goes with every
    call, by its Python name, checked before the first call like the method's own."""
    with pytest.raises(InvalidArgumentError, match="unknown field 'shard'"):
        await run(harness.client.messages.save_many(messages=[message(1)], shard=3))
    with pytest.raises(InvalidArgumentError, match="unknown field 'namespace'"):
        await run(harness.client.vectors.upsert_many(index_name="docs", items=[], namespace="x"))
    assert harness.deployment.requests == []
