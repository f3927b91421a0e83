"""Property-based (hypothesis), through the SDK against the deployment: JSON payloads come
back exactly, after any sequence of snapshot writes and merges.

Documents hold integers far beyond 2^53 (and beyond 64 bits), floats, any unicode, keys such
as ``__proto__``, ``constructor``, dotted, ``$``-prefixed and empty, nested deep and wide.
The model of a merge is a Python dict: ``update_workflow_state`` is ``snapshot.update(opts)``
(an existing key keeps its place, a new one goes last), ``update_workflow_results`` sets
``snapshot["context"][step_id]`` and updates ``snapshot["requestContext"]`` the same way.
Reads are compared by value and by their JSON text (so key order and ``-0.0`` count too).
"""

from __future__ import annotations

import json
from typing import Any

import convex_agent_memory as cam
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import Deployment, uid

KEYS = ["__proto__", "constructor", "prototype", "toString", "a.b", "a.b.c", "$ref", "$integer",
        "$bytes", "_id", "", " ", "é", "😀", "\u0000", "status2"]  # fmt: skip
#: Unicode without lone surrogates (a Python str that holds one cannot be sent as UTF-8).
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=12)
KEY = st.one_of(st.sampled_from(KEYS), TEXT)
SCALAR = st.one_of(
    st.none(),
    st.booleans(),
    st.integers(min_value=-(10**30), max_value=10**30),
    st.sampled_from([2**53 + 1, -(2**63) - 1, 2**64 + 7, 10**25]),
    st.floats(allow_nan=False, allow_infinity=False),
    TEXT,
)
VALUE = st.recursive(
    SCALAR,
    lambda inner: st.one_of(st.lists(inner, max_size=5), st.dictionaries(KEY, inner, max_size=5)),
    max_leaves=25,
)
NOT_RESERVED = KEY.filter(lambda k: k not in ("status", "context", "requestContext"))
STATUS = st.sampled_from(["running", "success", "failed", "waiting ⏳"])
MEMBERS = st.dictionaries(KEY, VALUE, max_size=5)


@st.composite
def snapshots(draw: st.DrawFn) -> dict[str, Any]:
    snapshot: dict[str, Any] = {}
    if draw(st.booleans()):
        snapshot["status"] = draw(STATUS)
    snapshot.update(draw(st.dictionaries(NOT_RESERVED, VALUE, max_size=5)))
    for name in ("context", "requestContext"):
        if draw(st.booleans()):
            snapshot[name] = draw(MEMBERS)
    return snapshot


OPS = st.lists(
    st.one_of(
        st.tuples(st.just("persist"), snapshots()),
        st.tuples(
            st.just("results"),
            st.tuples(KEY.filter(bool), VALUE, st.one_of(st.none(), MEMBERS)),
        ),
        st.tuples(
            st.just("state"),
            st.tuples(
                st.dictionaries(NOT_RESERVED, VALUE, max_size=4), st.one_of(st.none(), STATUS)
            ),
        ),
    ),
    max_size=6,
)

SETTINGS = settings(
    max_examples=40,
    deadline=None,
    derandomize=True,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


def same(got: Any, expected: Any) -> None:
    assert got == expected
    assert json.dumps(got) == json.dumps(expected)  # key order, -0.0 and ints as written


@pytest.fixture(scope="module")
def client(deployment: Deployment) -> Any:
    with cam.Client(url=deployment.url, token=deployment.token_a) as c:
        yield c


@SETTINGS
@given(first=snapshots(), ops=OPS)
def test_snapshot_writes_and_merges_come_back_exactly(
    client: Any, deployment: Deployment, first: dict[str, Any], ops: list[Any]
) -> None:
    key = {"resource_id": deployment.user_a, "workflow_name": "exact", "run_id": uid("run")}
    model: dict[str, Any] = {}
    for kind, arg in [("persist", first), *ops]:
        if kind == "persist":
            model = json.loads(json.dumps(arg))
            client.workflows.persist_workflow_snapshot(**key, snapshot=arg)
        elif kind == "results":
            step_id, result, request_context = arg
            context = model.get("context")
            if not isinstance(context, dict):
                context = model["context"] = {}
            context[step_id] = result
            extra: dict[str, Any] = {}
            if request_context is not None:
                rc = model.get("requestContext")
                if not isinstance(rc, dict):
                    rc = model["requestContext"] = {}
                rc.update(request_context)
                extra["request_context"] = request_context
            returned = client.workflows.update_workflow_results(
                **key, step_id=step_id, result=result, **extra
            )
            same(returned, context)  # the merged context (JSON text, parsed by the SDK)
        else:
            opts, status = arg
            if status is not None:
                opts = {**opts, "status": status}
            model.update(opts)
            same(client.workflows.update_workflow_state(**key, opts=opts), model)
        same(client.workflows.load_workflow_snapshot(**key), model)
        run = client.workflows.get_workflow_run_by_id(**key)
        assert run is not None
        same(run.snapshot, model)
        assert run.status == (model.get("status") or "pending")


@SETTINGS
@given(input=VALUE, output=VALUE, attributes=VALUE)
def test_score_and_span_payloads_come_back_exactly(
    client: Any, deployment: Deployment, input: Any, output: Any, attributes: Any
) -> None:
    owner = deployment.user_a
    score = client.scores.save_score(
        resource_id=owner, scorer_id="exact", entity_id="e", entity_type="agent", run_id="r",
        score=1.0, source="TEST", input=input, output=output, metadata=attributes,
    )  # fmt: skip
    got = client.scores.get_score_by_id(resource_id=owner, id=score.id)
    assert got is not None
    same([got.input, got.output, got.metadata], [input, output, attributes])
    trace = uid("trace")
    client.traces.create_spans(
        resource_id=owner,
        spans=[{"traceId": trace, "spanId": "s", "name": "n", "spanType": "x", "startedAt": 1.0,
                "attributes": attributes, "input": input, "output": output}],
    )  # fmt: skip
    got_trace = client.traces.get_trace(resource_id=owner, trace_id=trace)
    assert got_trace is not None
    (span,) = got_trace.spans
    same([span.attributes, span.input, span.output], [attributes, input, output])


def test_deep_and_wide_documents_merge_exactly(client: Any, deployment: Deployment) -> None:
    # Python's own json module nests about 1,000 levels; the component takes any depth
    # (tests/component/json-exact.property.test.ts goes to 50,000).
    deep: Any = 2**70
    for _ in range(400):
        deep = [deep]
    wide = {f"k{i}.$": 10**20 + i for i in range(5_000)}
    key = {"resource_id": deployment.user_a, "workflow_name": "exact", "run_id": uid("deep")}
    client.workflows.persist_workflow_snapshot(
        **key, snapshot={"status": "running", "deep": deep, "context": {"wide": wide}}
    )
    context = client.workflows.update_workflow_results(**key, step_id="__proto__", result=deep)
    same(context, {"wide": wide, "__proto__": deep})
    merged = client.workflows.update_workflow_state(
        **key, opts={"constructor": wide, "status": "success"}
    )
    expected = {
        "status": "success",
        "deep": deep,
        "context": context,
        "constructor": wide,
    }
    same(merged, expected)
    same(client.workflows.load_workflow_snapshot(**key), expected)
