"""Workflow snapshots, scores and traces through the exposed functions, sync and async."""

from __future__ import annotations

import json

from .conftest import Clients, aw, collect, uid


async def test_workflow_snapshots_with_dollar_keys(clients: Clients) -> None:
    a, me = clients.a, clients.user_a
    workflow = uid("wf")
    runs = [uid("run") for _ in range(3)]
    snapshot = {
        "status": "running",
        "context": {"$input": {"$ref": "#/defs/x", "_private": 1.5}},
        "value": {"step-1": ["a", None, True]},
    }
    stored = await aw(
        a.workflows.persist_workflow_snapshot(
            workflow_name=workflow,
            run_id=runs[0],
            snapshot=snapshot,
            resource_id=me,
            created_at=1_700_000_000_000.0,
        )
    )
    assert (stored.run_id, stored.status, stored.resource_id) == (runs[0], "running", me)
    assert stored.snapshot_bytes == len(json.dumps(snapshot, separators=(",", ":")).encode())
    assert (
        await aw(
            a.workflows.load_workflow_snapshot(
                resource_id=me, workflow_name=workflow, run_id=runs[0]
            )
        )
        == snapshot
    )
    for n, run in enumerate(runs[1:], start=1):
        await aw(
            a.workflows.persist_workflow_snapshot(
                workflow_name=workflow,
                run_id=run,
                snapshot={"status": "success"},
                resource_id=me,
                created_at=1_700_000_000_000.0 + n,
            )
        )

    got = await aw(a.workflows.get_workflow_run_by_id(resource_id=me, run_id=runs[0]))
    assert got is not None and got.snapshot == snapshot and got.workflow_name == workflow
    assert (
        await aw(
            a.workflows.get_workflow_run_by_id(
                resource_id=me, run_id=uid("nope"), workflow_name=workflow
            )
        )
        is None
    )
    assert (
        await aw(
            a.workflows.load_workflow_snapshot(
                resource_id=me, workflow_name=workflow, run_id=uid("n")
            )
        )
        is None
    )

    assert await aw(a.workflows.count_workflow_runs(workflow_name=workflow, resource_id=me)) == 3
    assert (
        await aw(
            a.workflows.count_workflow_runs(
                workflow_name=workflow, resource_id=me, status="success"
            )
        )
        == 2
    )
    page = await aw(
        a.workflows.list_workflow_runs(workflow_name=workflow, resource_id=me, page_size=2)
    )
    assert [r.run_id for r in page.page] == [runs[2], runs[1]] and not page.is_done  # newest first
    everything = await collect(
        a.workflows.list_workflow_runs_all(
            workflow_name=workflow,
            resource_id=me,
            page_size=2,
            from_date=1_700_000_000_000.0,
            to_date=1_700_000_000_001.0,
        )
    )
    assert [r.run_id for r in everything] == [runs[1], runs[0]]

    context = await aw(
        a.workflows.update_workflow_results(
            workflow_name=workflow,
            run_id=runs[0],
            step_id="fetch",
            result={"$rows": [1.0, 2.0]},
            request_context={"user": me},
            resource_id=me,
        )
    )
    assert context == {  # the merged context, parsed from its JSON text
        "$input": {"$ref": "#/defs/x", "_private": 1.5},
        "fetch": {"$rows": [1.0, 2.0]},
    }
    merged = await aw(
        a.workflows.update_workflow_state(
            resource_id=me,
            workflow_name=workflow,
            run_id=runs[0],
            opts={"status": "failed", "error": {"$why": "x"}},
        )
    )
    assert merged is not None
    state = merged
    assert state["status"] == "failed" and state["requestContext"] == {"user": me}
    assert (
        state["context"]["fetch"] == {"$rows": [1.0, 2.0]} and state["value"] == snapshot["value"]
    )
    assert (
        await aw(
            a.workflows.update_workflow_state(
                resource_id=me, workflow_name=workflow, run_id=uid("none"), opts={"a": 1.0}
            )
        )
        is None
    )
    assert (
        await aw(
            a.workflows.count_workflow_runs(workflow_name=workflow, resource_id=me, status="failed")
        )
        == 1
    )

    assert (
        await aw(
            a.workflows.delete_workflow_run_by_id(
                resource_id=me, run_id=runs[0], workflow_name=workflow
            )
        )
        is None
    )
    assert await aw(a.workflows.get_workflow_run_by_id(resource_id=me, run_id=runs[0])) is None
    assert await aw(a.workflows.count_workflow_runs(workflow_name=workflow, resource_id=me)) == 2
    # A service may count across owners.
    assert (
        await aw(
            clients.service.workflows.count_workflow_runs(workflow_name=workflow, resource_id=me)
        )
        == 2
    )


async def test_scores_by_scorer_run_entity_span(clients: Clients) -> None:
    a, me = clients.a, clients.user_a
    scorer, run, entity, trace, span = uid("scorer"), uid("run"), uid("ent"), uid("tr"), uid("sp")
    saved = []
    for n in range(3):
        saved.append(
            await aw(
                a.scores.save_score(
                    scorer_id=scorer,
                    entity_id=entity,
                    entity_type="agent",
                    run_id=run,
                    score=n / 2,
                    source="LIVE",
                    resource_id=me,
                    trace_id=trace,
                    span_id=span if n < 2 else span + "-other",
                    reason=f"because {n}",
                    input={"$q": n},
                    output=[n, "x"],
                    metadata={"k": None},
                    created_at=1_700_000_000_000.0 + n,
                )
            )
        )
    first = saved[0]
    assert first.score == 0.0 and first.input == {"$q": 0} and first.output == [0, "x"]
    assert first.metadata == {"k": None} and first.reason == "because 0" and len(first.id) > 8
    custom = await aw(
        a.scores.save_score(
            id=uid("score"),
            scorer_id=scorer,
            entity_id=uid("other"),
            entity_type="agent",
            run_id=uid("run"),
            score=1.0,
            source="TEST",
            resource_id=me,
        )
    )
    got = await aw(a.scores.get_score_by_id(resource_id=me, id=custom.id))
    assert got is not None and got.source == "TEST" and got.input is None
    assert await aw(a.scores.get_score_by_id(resource_id=me, id=uid("missing"))) is None

    by_scorer = await collect(
        a.scores.list_scores_by_scorer_id_all(scorer_id=scorer, resource_id=me, page_size=2)
    )
    assert [s.id for s in by_scorer] == [custom.id, saved[2].id, saved[1].id, saved[0].id]
    page = await aw(
        a.scores.list_scores_by_scorer_id(scorer_id=scorer, resource_id=me, page_size=2)
    )
    assert len(page.page) == 2 and not page.is_done
    by_run = await collect(a.scores.list_scores_by_run_id_all(resource_id=me, run_id=run))
    assert [s.score for s in by_run] == [1.0, 0.5, 0.0]
    assert (
        len(
            (await aw(a.scores.list_scores_by_run_id(resource_id=me, run_id=run, page_size=1))).page
        )
        == 1
    )
    by_entity = await collect(
        a.scores.list_scores_by_entity_id_all(resource_id=me, entity_id=entity, entity_type="agent")
    )
    assert len(by_entity) == 3
    assert (
        await aw(
            a.scores.list_scores_by_entity_id(resource_id=me, entity_id=entity, entity_type="tool")
        )
    ).page == []
    by_span = await collect(
        a.scores.list_scores_by_span_all(resource_id=me, trace_id=trace, span_id=span)
    )
    assert [s.id for s in by_span] == [saved[1].id, saved[0].id]
    assert (
        len(
            (
                await aw(a.scores.list_scores_by_span(resource_id=me, trace_id=trace, span_id=span))
            ).page
        )
        == 2
    )


async def test_traces_create_update_get_list_delete(clients: Clients) -> None:
    a, me = clients.a, clients.user_a
    trace, name = uid("trace"), uid("agent-run")
    t0 = 1_700_000_000_000.0
    created = await aw(
        a.traces.create_spans(
            resource_id=me,
            spans=[
                {
                    "traceId": trace,
                    "spanId": "root",
                    "name": name,
                    "spanType": "agent",
                    "entityType": "agent",
                    "entityId": "helper",
                    "attributes": {"$model": "gpt"},
                    "input": {"q": "hi"},
                    "startedAt": t0,
                },
                {
                    "traceId": trace,
                    "spanId": "llm",
                    "parentSpanId": "root",
                    "name": "llm",
                    "spanType": "model",
                    "startedAt": t0 + 5,
                },
            ],
        )
    )
    assert created.created == 2
    updated = await aw(
        a.traces.update_spans(
            resource_id=me,
            updates=[
                {
                    "traceId": trace,
                    "spanId": "llm",
                    "output": {"text": "hello"},
                    "endedAt": t0 + 50,
                },
                {
                    "traceId": trace,
                    "spanId": "root",
                    "endedAt": t0 + 60,
                    "metadata": {"tokens": 12.0},
                },
            ],
        )
    )
    assert updated.updated == 2

    got = await aw(a.traces.get_trace(resource_id=me, trace_id=trace))
    assert got is not None and got.truncated is False
    assert [s.span_id for s in got.spans] == ["root", "llm"]
    root, llm = got.spans
    assert root.attributes == {"$model": "gpt"} and root.input == {"q": "hi"}
    assert (
        root.metadata == {"tokens": 12.0} and root.status == "success" and root.ended_at == t0 + 60
    )
    assert llm.output == {"text": "hello"} and llm.parent_span_id == "root"
    limited = await aw(a.traces.get_trace(resource_id=me, trace_id=trace, limit=1))
    assert limited is not None and len(limited.spans) == 1 and limited.truncated is True
    assert await aw(a.traces.get_trace(resource_id=me, trace_id=uid("none"))) is None

    roots = await collect(a.traces.list_traces_all(resource_id=me, name=name))
    assert [(r.trace_id, r.span_id) for r in roots] == [(trace, "root")]
    page = await aw(
        a.traces.list_traces(
            resource_id=me,
            entity_type="agent",
            entity_id="helper",
            from_date=t0 - 1,
            to_date=t0 + 1,
        )
    )
    assert [r.trace_id for r in page.page] == [trace]
    assert (
        await aw(a.traces.list_traces(resource_id=me, status="error", from_date=t0, to_date=t0))
    ).page == []

    assert await aw(a.traces.delete_traces(resource_id=me, trace_ids=[trace])) is None
    assert await aw(a.traces.get_trace(resource_id=me, trace_id=trace)) is None
    assert await collect(a.traces.list_traces_all(resource_id=me, name=name)) == []
