"""The generated SDK as a user meets it (sync and async, a fake deployment behind httpx):
unknown keys refused, ints where values are whole, only the SDK's own exceptions, the
bulk methods of the vectors and messages resources, and the public models module."""

from __future__ import annotations

import base64
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
        await run(client.messages.save_messages(resource_id="u1", messages=[message(1, bogus=1)]))
    assert refused.value.errors[0]["loc"] == ("messages", 0)
    nested = message(2)
    nested["content"]["colour"] = "red"
    with pytest.raises(
        InvalidArgumentError, match=r"messages\.0\.content: .*unknown field 'colour'"
    ):
        await run(client.messages.save_messages(resource_id="u1", messages=[nested]))
    # snake_case keys are the Python names of the same fields: accepted
    harness.deployment.reply(success([]))
    snake = {"id": "m3", "thread_id": "t1", "role": "user", "content": {"format": 2, "parts": []}}
    await run(client.messages.save_messages(resource_id="u1", messages=[snake]))
    (body,) = harness.deployment.bodies
    assert body["args"]["messages"][0]["threadId"] == "t1"


async def test_results_ignore_unknown_fields(harness: Harness) -> None:
    harness.deployment.reply(success({**THREAD, "addedLater": True}))
    thread = await run(harness.client.threads.get_thread(resource_id="u1", id="t1"))
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


async def test_merged_snapshots_come_back_as_python_values(harness: Harness) -> None:
    """updateWorkflowResults / updateWorkflowState return JSON text: the SDK parses it, as
    it does loadWorkflowSnapshot's, and sends the JSON-text arguments as text."""
    client, deployment = harness.client, harness.deployment
    context = '{"step":{"n":12345678901234567890,"x":-0.0}}'
    deployment.reply(success(context), success('{"status":"done","$ref":1}'), success(None))
    key = {"resource_id": "u1", "workflow_name": "w", "run_id": "r"}
    merged_context = await run(
        client.workflows.update_workflow_results(**key, step_id="step", result={"n": 1})
    )
    assert merged_context == {"step": {"n": 12345678901234567890, "x": -0.0}}
    state = await run(client.workflows.update_workflow_state(**key, opts={"status": "done"}))
    assert state == {"status": "done", "$ref": 1}
    assert await run(client.workflows.update_workflow_state(**key, opts={})) is None
    results_args, state_args, _ = (b["args"] for b in deployment.bodies)
    assert results_args["result"] == '{"n":1.0}' or results_args["result"] == '{"n":1}'
    assert state_args["opts"] == '{"status":"done"}'


async def test_none_in_an_optional_json_text_argument_is_the_text_null(harness: Harness) -> None:
    """An optional JSON-text argument left out is not sent; given None, it is JSON's null."""
    client, deployment = harness.client, harness.deployment
    score = {"id": "s1", "scorerId": "s", "entityId": "e", "entityType": "agent", "runId": "r",
             "score": 1.0, "source": "TEST", "createdAt": 1.0, "updatedAt": 1.0}  # fmt: skip
    deployment.reply(success({**score, "input": "null"}), success(score))
    common = {"resource_id": "u1", "scorer_id": "s", "entity_id": "e", "entity_type": "agent",
              "run_id": "r", "score": 1.0, "source": "TEST"}  # fmt: skip
    saved = await run(client.scores.save_score(**common, input=None))
    assert saved.input is None
    await run(client.scores.save_score(**common))
    given, left_out = (b["args"] for b in deployment.bodies)
    assert given["input"] == "null" and "output" not in given
    assert "input" not in left_out


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
        await run(harness.client.threads.get_thread(resource_id="u1", id="t1"))


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


def sent_vector(value: Any) -> list[float]:
    """A vector as the request carried it: packed float32 bytes, read back as numbers."""
    assert set(value) == {"$bytes"}, value  # never JSON numbers
    return cam.unpack_float32(base64.b64decode(value["$bytes"]))


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
    # packed float32 by default, as the bulk helper sends them
    assert sent_vector(bodies[0]["args"]["vectors"][0]["vector"]) == [1.0, 2.0, 3.0, 4.0]
    last = bodies[2]["args"]["vectors"][0]
    assert last["metadata"] == {"n": 1.0} and last["id"]  # an id given before sending
    assert sent_vector(last["vector"]) == [1.0, 2.0, 3.0, 4.0]


@pytest.mark.parametrize(
    ("items", "match"),
    [
        ([{"id": "a", "vector": [1.0], "colour": "red"}], "item 0: unknown field 'colour'"),
        ([{"id": "a", "vector": [1.0]}, 7], "item 1: a vector item is a mapping"),
        ([{"id": "a", "vector": ["x"]}], "item 0"),
        (None, "items must be an iterable"),
        ("text", "items must be an iterable"),
        ({"id": "a", "vector": [1.0]}, "items must be an iterable"),
    ],
    ids=["unknown-key", "not-a-mapping", "not-numbers", "none", "text", "one-mapping"],
)
async def test_vectors_upsert_many_refuses_what_upsert_would_before_sending(
    harness: Harness, items: Any, match: str
) -> None:
    with pytest.raises(InvalidArgumentError, match=match):
        await run(harness.client.vectors.upsert_many(index_name="docs", items=items))
    assert harness.deployment.requests == []


@pytest.mark.parametrize("messages", [None, 7, "text", {"id": "m1"}], ids=str)
async def test_messages_save_many_refuses_what_is_not_a_list_of_messages(
    harness: Harness, messages: Any
) -> None:
    with pytest.raises(InvalidArgumentError, match="messages must be an iterable"):
        await run(harness.client.messages.save_many(resource_id="u1", messages=messages))
    assert harness.deployment.requests == []


async def test_vectors_upsert_many_sends_json_numbers_when_asked(harness: Harness) -> None:
    harness.deployment.reply(success({"ids": ["a"]}))
    vector = [0.1, 0.2, 0.3]  # not float32 values: kept exactly as float64
    await run(
        harness.client.vectors.upsert_many(
            index_name="docs", items=[{"id": "a", "vector": vector}], vector_format="float64"
        )
    )
    (body,) = harness.deployment.bodies
    assert body["args"]["vectors"][0]["vector"] == vector


@pytest.mark.parametrize(
    "vector",
    [
        np.array([0.5, -1.25, 3.0], dtype=np.float32),
        np.array([0.5, -1.25, 3.0]),  # float64: rounded to float32 (exact here)
        [0.5, -1.25, 3],
        (0.5, -1.25, 3.0),
        cam.pack_float32([0.5, -1.25, 3.0]),
    ],
    ids=["numpy-f32", "numpy-f64", "list", "tuple", "packed"],
)
async def test_vector_arguments_go_as_packed_float32(harness: Harness, vector: Any) -> None:
    """``vector`` and ``query_vector`` take float64 numbers or packed float32 bytes: the
    generated methods take a numpy array, numbers or bytes and send packed float32."""
    client, deployment = harness.client, harness.deployment
    deployment.reply(
        success({"ids": ["a"]}),
        success(None),
        success(
            {"results": [], "postFiltered": False, "mayBeIncomplete": False, "candidates": 0.0}
        ),
    )
    await run(client.vectors.upsert(index_name="docs", vectors=[{"id": "a", "vector": vector}]))
    await run(client.vectors.update_vector(index_name="docs", id="a", vector=vector))
    await run(client.vectors.query(index_name="docs", query_vector=vector, top_k=1))
    upsert, update, query = deployment.bodies
    assert sent_vector(upsert["args"]["vectors"][0]["vector"]) == [0.5, -1.25, 3.0]
    assert sent_vector(update["args"]["vector"]) == [0.5, -1.25, 3.0]
    assert sent_vector(query["args"]["queryVector"]) == [0.5, -1.25, 3.0]


@pytest.mark.parametrize(
    "vector",
    [["a", "b"], "abc", [float("nan"), 1.0], [1e39], np.zeros((2, 2)), {"x": 1.0}, 3.0],
    ids=["text", "str", "nan", "beyond-float32", "2-d", "dict", "scalar"],
)
async def test_a_vector_that_is_not_one_is_refused_before_sending(
    harness: Harness, vector: Any
) -> None:
    with pytest.raises(InvalidArgumentError, match="queryVector"):
        await run(harness.client.vectors.query(index_name="docs", query_vector=vector, top_k=1))
    assert harness.deployment.requests == []


async def test_messages_save_many_checks_each_message_before_its_batch(harness: Harness) -> None:
    deployment = harness.deployment
    deployment.reply(success([]), success([]))
    messages: list[Any] = [message(i) for i in range(3)]
    messages.append(
        SaveMessagesMessage.model_validate(message(3, createdAt=5))  # a model is fine too
    )
    results = await run(
        harness.client.messages.save_many(resource_id="u1", messages=messages, max_items=2)
    )
    assert results == [[], []]
    sent = [m["id"] for b in deployment.bodies for m in b["args"]["messages"]]
    assert sent == ["m0", "m1", "m2", "m3"]
    assert [b["args"]["resourceId"] for b in deployment.bodies] == ["u1", "u1"]  # every call
    assert deployment.bodies[1]["args"]["messages"][1]["createdAt"] == 5.0
    with pytest.raises(InvalidArgumentError, match="unknown field 'bogus'"):
        await run(
            harness.client.messages.save_many(resource_id="u1", messages=[message(9, bogus=True)])
        )
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
        await run(harness.client.threads.get_thread(resource_id="u1", id="t1"))


async def test_bulk_methods_pass_the_functions_other_arguments_checked(harness: Harness) -> None:
    """Whatever else the batch function takes (an owner's resource id, ...) goes with every
    call, by its Python name, checked before the first call like the method's own."""
    with pytest.raises(InvalidArgumentError, match="unknown field 'shard'"):
        await run(
            harness.client.messages.save_many(resource_id="u1", messages=[message(1)], shard=3)
        )
    with pytest.raises(InvalidArgumentError, match="unknown field 'namespace'"):
        await run(harness.client.vectors.upsert_many(index_name="docs", items=[], namespace="x"))
    assert harness.deployment.requests == []
