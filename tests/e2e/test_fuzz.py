"""Fuzz (hypothesis) of every generated SDK method with bad arguments, against the deployment.

Each method is called by a service (authorization passes, so the component's own checks
decide) with valid arguments where one is replaced by a generated bad value: of the right
Python type (empty, huge, NaN, infinite, negative, fractional, not JSON-able...) or of
another. The call either succeeds (some values are fine) or raises a typed SDK exception
(``InvalidArgumentError``, ``NotFoundError``, ``ConflictError``, ``LimitExceededError``);
a refused call changes nothing the owner reads, and the deployment keeps answering.
"""

from __future__ import annotations

import contextlib
import inspect
import math
from typing import Any

import convex_agent_memory as cam
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import WATCH_METHODS, Deployment, uid

TYPED = (cam.InvalidArgumentError, cam.NotFoundError, cam.ConflictError, cam.LimitExceededError)
ID = "fuzz-id"
INDEX = "fuzz-index"
VECTOR = [1.0] + [0.0] * 127


def message(i: int) -> dict[str, Any]:
    return {"id": f"{ID}-m{i}", "threadId": ID, "role": "user",
            "content": {"format": 2, "parts": [{"type": "text", "text": str(i)}]}}  # fmt: skip


def templates(owner: str) -> dict[str, dict[str, Any]]:
    """Valid keyword arguments of every method, by ``namespace.method``."""
    o = {"resource_id": owner}
    score = {"scorer_id": ID, "entity_id": ID, "entity_type": "agent", "run_id": ID, "score": 0.5,
             "source": "LIVE", "input": {"$q": [1]}}  # fmt: skip
    span = {"traceId": ID, "spanId": ID, "name": "n", "spanType": "x", "startedAt": 10.0}
    return {
        "threads.count_threads": o,
        "threads.delete_thread": {**o, "id": ID},
        "threads.get_thread": {**o, "id": ID},
        "threads.list_threads": {**o, "page_size": 10, "order": "asc"},
        "threads.save_thread": {**o, "id": ID, "title": "t", "metadata": {"k": 1.0}},
        "threads.update_thread": {**o, "id": ID, "title": "u"},
        "messages.count_messages": {**o, "thread_id": ID},
        "messages.delete_messages": {**o, "ids": [f"{ID}-m9"]},
        "messages.get_messages_by_ids": {**o, "ids": [f"{ID}-m1"]},
        "messages.list_messages": {
            **o,
            "thread_id": ID,
            "page_size": 10,
            "start_date": 0.0,
            "include": [{"id": f"{ID}-m1", "withNextMessages": 1.0}],
        },
        "messages.list_messages_by_resource": {**o, "page_size": 10},
        "messages.save_messages": {**o, "messages": [message(1), message(2)]},
        "messages.save_many": {**o, "messages": [message(3)]},
        "messages.update_messages": {**o, "messages": [{"id": f"{ID}-m1", "role": "tool"}]},
        "resources.get_resource": o,
        "resources.save_resource": {**o, "working_memory": "w", "metadata": {"k": "v"}},
        "resources.update_resource": {**o, "working_memory": "w2"},
        "workflows.count_workflow_runs": {**o, "workflow_name": "wf"},
        "workflows.delete_workflow_run_by_id": {**o, "run_id": "gone", "workflow_name": "wf"},
        "workflows.get_workflow_run_by_id": {**o, "run_id": ID},
        "workflows.list_workflow_runs": {**o, "workflow_name": "wf", "page_size": 10},
        "workflows.load_workflow_snapshot": {**o, "workflow_name": "wf", "run_id": ID},
        "workflows.persist_workflow_snapshot": {
            **o,
            "workflow_name": "wf",
            "run_id": ID,
            "snapshot": {"status": "running", "context": {}},
        },
        "workflows.update_workflow_results": {
            **o,
            "workflow_name": "wf",
            "run_id": ID,
            "step_id": "s",
            "result": {"n": 2**70},
            "request_context": {"k": 1},
        },
        "workflows.update_workflow_state": {
            **o,
            "workflow_name": "wf",
            "run_id": ID,
            "opts": {"status": "running"},
        },
        "scores.get_score_by_id": {**o, "id": ID},
        "scores.list_scores_by_entity_id": {**o, "entity_id": ID, "entity_type": "agent"},
        "scores.list_scores_by_run_id": {**o, "run_id": ID, "page_size": 5},
        "scores.list_scores_by_scorer_id": {**o, "scorer_id": ID},
        "scores.list_scores_by_span": {**o, "trace_id": ID, "span_id": ID},
        "scores.save_score": {**o, **score, "id": uid("score")},
        "traces.create_spans": {**o, "spans": [{**span, "traceId": uid("t")}]},
        "traces.delete_traces": {**o, "trace_ids": ["gone"]},
        "traces.get_trace": {**o, "trace_id": ID, "limit": 10},
        "traces.list_traces": {**o, "name": "n", "page_size": 10},
        "traces.update_spans": {**o, "updates": [{"traceId": ID, "spanId": ID, "endedAt": 20.0}]},
        "vectors.create_index": {"name": uid("idx"), "dimension": 128},
        "vectors.delete_index": {"index_name": "gone"},
        "vectors.delete_vectors": {"index_name": INDEX, "ids": ["gone"]},
        "vectors.describe_index": {"index_name": INDEX},
        "vectors.get_vectors": {"index_name": INDEX, "ids": ["v1"]},
        "vectors.list_indexes": {"page_size": 10},
        "vectors.query": {"index_name": INDEX, "query_vector": VECTOR, "top_k": 3},
        "vectors.truncate_index": {"index_name": "gone"},
        "vectors.update_vector": {"index_name": INDEX, "id": "v1", "metadata": {"topic": "b"}},
        "vectors.upsert": {"index_name": INDEX, "vectors": [{"id": "v1", "vector": VECTOR}]},
        "vectors.upsert_many": {"index_name": INDEX, "items": [{"id": "v2", "vector": VECTOR}]},
        **checkpoint_templates(o),
        **store_templates(o),
    }


def checkpoint_templates(o: dict[str, Any]) -> dict[str, dict[str, Any]]:
    thread = {**o, "thread_id": ID}
    blob = {"channel": "c", "version": "1", "type": "msgpack", "data": b"v"}
    return {
        "checkpoints.copy_checkpoint_thread": {
            **o,
            "source_thread_id": ID,
            "target_thread_id": uid("copy"),
        },
        "checkpoints.count_checkpoints": {**thread, "checkpoint_ns": ""},
        "checkpoints.delete_checkpoint_thread": {**o, "thread_id": "gone"},
        "checkpoints.delete_checkpoints_for_runs": {**o, "run_ids": ["gone"]},
        "checkpoints.get_checkpoint": {**thread, "checkpoint_ns": ""},
        "checkpoints.get_checkpoint_values": {
            **thread,
            "blobs": [{"checkpointNs": "", "channel": "c", "version": "1"}],
            "writes": [],
        },
        "checkpoints.list_checkpoint_namespaces": {**thread, "page_size": 10},
        "checkpoints.list_checkpoint_threads": {**o, "page_size": 10},
        "checkpoints.list_checkpoint_writes": {
            **thread,
            "checkpoint_ns": "",
            "from_checkpoint_id": "",
            "to_checkpoint_id": "z",
            "page_size": 10,
        },
        "checkpoints.list_checkpoints": {
            **thread,
            "checkpoint_ns": "",
            "filter": {"source": "loop"},
            "page_size": 10,
        },
        "checkpoints.prune_checkpoints": {**o, "thread_ids": ["gone"], "strategy": "keep_latest"},
        "checkpoints.put_checkpoint": {
            **thread,
            "checkpoint_ns": "",
            "checkpoint_id": "cp-1",
            "type": "msgpack",
            "checkpoint": b"state",
            "metadata": {"source": "loop", "step": 1},
            "channel_versions": [{"channel": "c", "version": "1"}],
            "blobs": [blob],
        },
        "checkpoints.put_checkpoint_blobs": {**thread, "checkpoint_ns": "", "blobs": [blob]},
        "checkpoints.put_checkpoint_writes": {
            **thread,
            "checkpoint_ns": "",
            "checkpoint_id": "cp-1",
            "task_id": "t",
            "task_path": "",
            "writes": [{"idx": 0, "channel": "c", "type": "msgpack", "data": b"w"}],
        },
    }


def store_templates(o: dict[str, Any]) -> dict[str, dict[str, Any]]:
    item = {"namespace": ["fuzz", ID], "key": "k"}
    return {
        "store.count_store_items": {**o, "namespace": ["fuzz", ID]},
        "store.get_store_items": {**o, "items": [item]},
        "store.list_store_namespaces": {**o, "prefix": ["fuzz"], "page_size": 10},
        "store.put_store_items": {**o, "ops": [{**item, "value": {"n": 1}}]},
        "store.search_store_by_vector": {
            **o,
            "namespace_prefix": ["fuzz"],
            "query_vector": VECTOR,
            "limit": 3,
        },
        "store.search_store_items": {
            **o,
            "namespace_prefix": ["fuzz"],
            "filter": {"n": {"$gte": 0}},
            "page_size": 10,
        },
        "store.touch_store_items": {**o, "items": [item]},
    }


def method_names(client: Any) -> list[str]:
    """Every public method of every namespace but the live subscriptions and the ``*_all``
    iterators (the same calls as their page methods)."""
    names = []
    for namespace in (
        "threads",
        "messages",
        "resources",
        "workflows",
        "scores",
        "traces",
        "vectors",
        "checkpoints",
        "store",
    ):
        for name, _ in inspect.getmembers(getattr(client, namespace), inspect.ismethod):
            if name.startswith("_") or name in WATCH_METHODS or name.endswith("_all"):
                continue
            names.append(f"{namespace}.{name}")
    return sorted(names)


BAD_STRINGS = ["", " ", "x" * 600, "x" * 100_000, "{", "\x00", "😀" * 300, "__proto__"]
BAD_NUMBERS: list[Any] = [math.nan, math.inf, -math.inf, -1, 0, 0.5, -0.0, 1e300, 10**20, 2**64]
OTHER_TYPES: list[Any] = [None, True, 7, "text", [], {}, [{}], {"$bad": 1}, {1, 2}, b"bytes"]


def bad_values(original: Any) -> list[Any]:
    if isinstance(original, str):
        return BAD_STRINGS + OTHER_TYPES
    if isinstance(original, (int, float)) and not isinstance(original, bool):
        return BAD_NUMBERS + OTHER_TYPES
    if isinstance(original, list):
        if not original:
            return [[{}], [None] * 1_001, *OTHER_TYPES]
        return [[], [original[0]] * 1_001, [original[0], original[0]], *OTHER_TYPES]
    if isinstance(original, dict):
        return [{}, {"x": math.nan}, {"x": {1, 2}}, {"$k": 1}, {"k": 2**70}, *OTHER_TYPES]
    return OTHER_TYPES


@pytest.fixture(scope="module")
def world(deployment: Deployment) -> Any:
    deployment.skip_unless("service")
    owner = uid("fuzz-owner")
    with cam.Client(url=deployment.url, token=deployment.token_service, max_retries=0) as client:
        t = templates(owner)
        for name in ("threads.save_thread", "messages.save_messages", "resources.save_resource",
                     "workflows.persist_workflow_snapshot", "scores.save_score"):  # fmt: skip
            namespace, method = name.split(".")
            getattr(getattr(client, namespace), method)(**t[name])
        client.scores.save_score(**{**t["scores.save_score"], "id": ID})
        span = {"traceId": ID, "spanId": ID, "name": "n", "spanType": "x", "startedAt": 10.0}
        client.traces.create_spans(resource_id=owner, spans=[span])
        with contextlib.suppress(cam.ConflictError):  # another run made it (a shared deployment)
            client.vectors.create_index(name=INDEX, dimension=128)
        client.vectors.upsert(index_name=INDEX, vectors=[{"id": "v1", "vector": VECTOR}])
        client.checkpoints.put_checkpoint(**t["checkpoints.put_checkpoint"])
        client.store.put_store_items(**t["store.put_store_items"])
        yield client, owner


def state(client: Any, owner: str) -> str:
    """What the owner (and the shared index) reads: compared before and after a refusal (as
    text: an accepted call may have stored a NaN, which never equals itself)."""
    o = {"resource_id": owner}
    reads = (
        client.threads.list_threads(**o, page_size=100),
        client.messages.list_messages_by_resource(**o, page_size=100),
        client.resources.get_resource(**o),
        client.workflows.list_workflow_runs(**o, page_size=100),
        client.workflows.load_workflow_snapshot(**o, workflow_name="wf", run_id=ID),
        client.scores.list_scores_by_entity_id(
            **o, entity_id=ID, entity_type="agent", page_size=100
        ),
        client.traces.list_traces(**o, page_size=100),
        client.traces.get_trace(**o, trace_id=ID),
        client.vectors.describe_index(index_name=INDEX).count,
        client.checkpoints.get_checkpoint(**o, thread_id=ID, checkpoint_ns=""),
        client.checkpoints.list_checkpoint_threads(**o, page_size=100),
        client.store.search_store_items(**o, namespace_prefix=[], page_size=100),
    )
    return repr(reads)


@st.composite
def cases(draw: st.DrawFn, names: list[str], owner: str) -> tuple[str, str, dict[str, Any]]:
    name = draw(st.sampled_from(names))
    kwargs = dict(templates(owner)[name])
    field = draw(st.sampled_from(sorted(kwargs)))
    kwargs[field] = draw(st.sampled_from(bad_values(kwargs[field])))
    return name, field, kwargs


def test_the_templates_cover_every_method(world: Any) -> None:
    client, owner = world
    assert method_names(client) == sorted(templates(owner))


def test_every_method_refuses_bad_arguments_with_a_typed_exception(world: Any) -> None:
    client, owner = world
    names = method_names(client)
    outcomes: dict[str, int] = {"accepted": 0, "refused": 0}

    @settings(max_examples=250, deadline=None, derandomize=True,
              suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])  # fmt: skip
    @given(case=cases(names, owner))
    def check(case: tuple[str, str, dict[str, Any]]) -> None:
        name, field, kwargs = case
        namespace, method = name.split(".")
        before = state(client, owner)
        try:
            getattr(getattr(client, namespace), method)(**kwargs)
        except TYPED as error:
            outcomes["refused"] += 1
            codes = {"INVALID_ARGUMENT", "NOT_FOUND", "CONFLICT", "LIMIT_EXCEEDED"}
            assert error.code is None or error.code in codes, (name, field)
            assert "[object Object]" not in error.message or error.code is None, (name, field)
            assert state(client, owner) == before, f"{name}({field}=...) wrote while refused"
        else:
            outcomes["accepted"] += 1
        assert client.threads.count_threads(resource_id=owner) >= 1  # still answering

    check()
    assert outcomes["refused"] > 100
