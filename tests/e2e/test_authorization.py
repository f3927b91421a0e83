"""Authorization through the example app's default policy: users own their resource id,
services act on any, vector indexes are written by services only, tokens are checked."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import Any

import convex_agent_memory as cam
import pytest

from .conftest import Clients, aw, collect, text_message, uid


async def refused(error: type[cam.APIError], call: Callable[[], Any]) -> cam.APIError:
    with pytest.raises(error) as caught:
        await aw(call())
    return caught.value


async def test_a_user_cannot_touch_another_users_threads_messages_resources(
    clients: Clients,
) -> None:
    a, b, user_b = clients.a, clients.b, clients.user_b
    thread = uid("thread-b")
    await aw(b.threads.save_thread(id=thread, resource_id=user_b, title="B's"))
    messages = [text_message(thread, f"secret {i}") for i in range(3)]
    await aw(b.messages.save_messages(messages=messages))
    await aw(b.resources.save_resource(id=user_b, working_memory="B's memory"))
    ids = [m["id"] for m in messages]

    forbidden: list[Callable[[], Any]] = [
        lambda: a.threads.get_thread(id=thread),
        lambda: a.threads.list_threads(resource_id=user_b),
        lambda: a.threads.count_threads(resource_id=user_b),
        lambda: a.threads.update_thread(id=thread, title="mine now"),
        lambda: a.threads.save_thread(id=thread, resource_id=clients.user_a),
        lambda: a.threads.save_thread(id=uid("t"), resource_id=user_b),
        lambda: a.threads.delete_thread(id=thread),
        lambda: a.messages.get_messages_by_ids(ids=ids[:1]),
        lambda: a.messages.list_messages(thread_id=thread),
        lambda: a.messages.list_messages_by_resource(resource_id=user_b),
        lambda: a.messages.count_messages(thread_id=thread),
        lambda: a.messages.update_messages(messages=[{"id": ids[0], "role": "system"}]),
        lambda: a.messages.delete_messages(ids=ids),
        lambda: a.messages.save_messages(messages=[text_message(thread, "injected")]),
        lambda: a.resources.get_resource(id=user_b),
        lambda: a.resources.save_resource(id=user_b, working_memory="overwritten"),
        lambda: a.resources.update_resource(id=user_b, metadata={"x": 1.0}),
    ]
    for call in forbidden:
        error = await refused(cam.ForbiddenError, call)
        assert error.code == "FORBIDDEN" and error.data["code"] == "FORBIDDEN"

    # Nothing changed for B.
    got = await aw(b.threads.get_thread(id=thread))
    assert got is not None and got.title == "B's"
    assert await aw(b.messages.count_messages(thread_id=thread)) == 3
    assert [m.role for m in await aw(b.messages.get_messages_by_ids(ids=ids))] == ["user"] * 3
    resource = await aw(b.resources.get_resource(id=user_b))
    assert resource is not None and resource.working_memory == "B's memory"

    # A service acts on both users' data.
    service = clients.service
    mine = uid("thread-a")
    await aw(a.threads.save_thread(id=mine, resource_id=clients.user_a))
    for thread_id in (thread, mine):
        assert (
            await aw(service.threads.update_thread(id=thread_id, title="by service"))
        ).title == "by service"
        await aw(service.messages.save_messages(messages=[text_message(thread_id, "from service")]))
    assert await aw(service.messages.count_messages(thread_id=thread)) == 4
    assert await aw(a.messages.count_messages(thread_id=mine)) == 1
    assert len(await collect(service.messages.list_messages_all(thread_id=thread))) == 4
    assert (await aw(service.resources.get_resource(id=user_b))) is not None
    await aw(service.threads.delete_thread(id=thread))
    assert await aw(b.threads.get_thread(id=thread)) is None


async def test_other_domains_are_owned_too(clients: Clients) -> None:
    a, b, user_b = clients.a, clients.b, clients.user_b
    workflow, run, trace = uid("wf"), uid("run"), uid("trace")
    await aw(
        b.workflows.persist_workflow_snapshot(
            workflow_name=workflow, run_id=run, snapshot={"status": "running"}, resource_id=user_b
        )
    )
    score = await aw(
        b.scores.save_score(
            scorer_id=uid("s"),
            entity_id="e",
            entity_type="agent",
            run_id=run,
            score=1.0,
            source="LIVE",
            resource_id=user_b,
        )
    )
    await aw(
        b.traces.create_spans(
            spans=[
                {
                    "traceId": trace,
                    "spanId": "root",
                    "name": "n",
                    "spanType": "agent",
                    "resourceId": user_b,
                    "startedAt": 1.0,
                }
            ]
        )
    )
    calls: list[Callable[[], Any]] = [
        lambda: a.workflows.get_workflow_run_by_id(run_id=run),
        lambda: a.workflows.load_workflow_snapshot(workflow_name=workflow, run_id=run),
        lambda: a.workflows.count_workflow_runs(resource_id=user_b),
        lambda: a.workflows.count_workflow_runs(workflow_name=workflow),  # spans owners
        lambda: a.workflows.update_workflow_state(
            workflow_name=workflow, run_id=run, opts={"status": "x"}
        ),
        lambda: a.workflows.delete_workflow_run_by_id(run_id=run),
        lambda: a.scores.get_score_by_id(id=score.id),
        lambda: a.traces.get_trace(trace_id=trace),
        lambda: a.traces.delete_traces(trace_ids=[trace]),
    ]
    for call in calls:
        await refused(cam.ForbiddenError, call)
    still = await aw(b.workflows.get_workflow_run_by_id(run_id=run))
    assert still is not None and still.status == "running"
    assert await aw(b.traces.get_trace(trace_id=trace)) is not None


async def test_no_token_and_a_forged_token_are_unauthenticated(clients: Clients) -> None:
    for client in (clients.anonymous, clients.bad_signature):
        for call in (
            lambda c=client: c.threads.get_thread(id=uid("t")),
            lambda c=client: c.threads.save_thread(id=uid("t"), resource_id=clients.user_a),
            lambda c=client: c.vectors.list_indexes(),
        ):
            error = await refused(cam.UnauthenticatedError, call)
            assert error.code == "UNAUTHENTICATED"
    forged = await refused(
        cam.UnauthenticatedError,
        lambda: clients.bad_signature.threads.count_threads(resource_id=clients.user_a),
    )
    assert forged.status_code == 401  # refused by the deployment before any function ran
    nobody = await refused(
        cam.UnauthenticatedError,
        lambda: clients.anonymous.threads.count_threads(resource_id=clients.user_a),
    )
    assert nobody.data["code"] == "UNAUTHENTICATED"  # refused by the app's authorize hook


async def test_vector_writes_need_a_service(clients: Clients) -> None:
    service, user = clients.service, clients.a
    name = uid("idx")
    await refused(cam.ForbiddenError, lambda: user.vectors.create_index(name=name, dimension=128))
    await aw(service.vectors.create_index(name=name, dimension=128))
    vector = [1.0] + [0.0] * 127
    writes: list[Callable[[], Awaitable[Any] | Any]] = [
        lambda: user.vectors.upsert(index_name=name, vectors=[{"id": "x", "vector": vector}]),
        lambda: user.vectors.update_vector(index_name=name, id="x", metadata={}),
        lambda: user.vectors.delete_vectors(index_name=name, ids=["x"]),
        lambda: user.vectors.truncate_index(index_name=name),
        lambda: user.vectors.delete_index(index_name=name),
    ]
    for call in writes:
        error = await refused(cam.ForbiddenError, call)
        assert error.data.get("indexName") == name
    described = await aw(user.vectors.describe_index(index_name=name))  # reading is allowed
    assert described.count == 0
    await aw(service.vectors.delete_index(index_name=name))
