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
    a, b, me, user_b = clients.a, clients.b, clients.user_a, clients.user_b
    thread = uid("thread-b")
    await aw(b.threads.save_thread(id=thread, resource_id=user_b, title="B's"))
    messages = [text_message(thread, f"secret {i}") for i in range(3)]
    await aw(b.messages.save_messages(resource_id=user_b, messages=messages))
    await aw(b.resources.save_resource(resource_id=user_b, working_memory="B's memory"))
    ids = [m["id"] for m in messages]

    # Naming B as the owner is refused before anything is read.
    forbidden: list[Callable[[], Any]] = [
        lambda: a.threads.get_thread(resource_id=user_b, id=thread),
        lambda: a.threads.list_threads(resource_id=user_b),
        lambda: a.threads.count_threads(resource_id=user_b),
        lambda: a.threads.update_thread(resource_id=user_b, id=thread, title="mine now"),
        lambda: a.threads.save_thread(id=uid("t"), resource_id=user_b),
        lambda: a.threads.delete_thread(resource_id=user_b, id=thread),
        lambda: a.messages.get_messages_by_ids(resource_id=user_b, ids=ids[:1]),
        lambda: a.messages.list_messages(resource_id=user_b, thread_id=thread),
        lambda: a.messages.list_messages_by_resource(resource_id=user_b),
        lambda: a.messages.count_messages(resource_id=user_b, thread_id=thread),
        lambda: a.messages.update_messages(
            resource_id=user_b, messages=[{"id": ids[0], "role": "system"}]
        ),
        lambda: a.messages.delete_messages(resource_id=user_b, ids=ids),
        lambda: a.messages.save_messages(
            resource_id=user_b, messages=[text_message(thread, "injected")]
        ),
        lambda: a.resources.get_resource(resource_id=user_b),
        lambda: a.resources.save_resource(resource_id=user_b, working_memory="overwritten"),
        lambda: a.resources.update_resource(resource_id=user_b, metadata={"x": 1.0}),
    ]
    for call in forbidden:
        error = await refused(cam.ForbiddenError, call)
        assert error.code == "FORBIDDEN" and error.data["code"] == "FORBIDDEN"
        assert user_b not in str(error.data)

    # B's ids under A's own owner are simply not A's: as missing as ids nobody has.
    assert await aw(a.threads.get_thread(resource_id=me, id=thread)) is None
    assert await aw(a.messages.get_messages_by_ids(resource_id=me, ids=ids)) == []
    assert await aw(a.messages.count_messages(resource_id=me, thread_id=thread)) == 0
    mine_missing = await refused(
        cam.NotFoundError, lambda: a.threads.update_thread(resource_id=me, id=thread, title="x")
    )
    nobodys = uid("thread-nobody")
    missing = await refused(
        cam.NotFoundError, lambda: a.threads.update_thread(resource_id=me, id=nobodys, title="x")
    )
    assert mine_missing.data == {
        **missing.data,
        "message": missing.data["message"].replace(nobodys, thread),
        "threadId": thread,
    }
    # ... and A may use the same ids for rows of its own, which B never sees.
    await aw(a.threads.save_thread(id=thread, resource_id=me, title="A's"))
    await aw(
        a.messages.save_messages(resource_id=me, messages=[text_message(thread, "A", id=ids[0])])
    )

    # Nothing changed for B.
    got = await aw(b.threads.get_thread(resource_id=user_b, id=thread))
    assert got is not None and got.title == "B's"
    assert await aw(b.messages.count_messages(resource_id=user_b, thread_id=thread)) == 3
    got_messages = await aw(b.messages.get_messages_by_ids(resource_id=user_b, ids=ids))
    assert [m.content.content for m in got_messages] == [f"secret {i}" for i in range(3)]
    resource = await aw(b.resources.get_resource(resource_id=user_b))
    assert resource is not None and resource.working_memory == "B's memory"

    # A service acts on both users' data.
    service = clients.service
    for owner in (user_b, me):
        assert (
            await aw(
                service.threads.update_thread(resource_id=owner, id=thread, title="by service")
            )
        ).title == "by service"
        await aw(
            service.messages.save_messages(
                resource_id=owner, messages=[text_message(thread, "from service")]
            )
        )
    assert await aw(service.messages.count_messages(resource_id=user_b, thread_id=thread)) == 4
    assert await aw(a.messages.count_messages(resource_id=me, thread_id=thread)) == 2
    listed = await collect(service.messages.list_messages_all(resource_id=user_b, thread_id=thread))
    assert len(listed) == 4
    assert (await aw(service.resources.get_resource(resource_id=user_b))) is not None
    await aw(service.threads.delete_thread(resource_id=user_b, id=thread))
    assert await aw(b.threads.get_thread(resource_id=user_b, id=thread)) is None
    assert await aw(a.threads.get_thread(resource_id=me, id=thread)) is not None


async def test_other_domains_are_owned_too(clients: Clients) -> None:
    a, b, me, user_b = clients.a, clients.b, clients.user_a, clients.user_b
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
            resource_id=user_b,
            spans=[
                {
                    "traceId": trace,
                    "spanId": "root",
                    "name": "n",
                    "spanType": "agent",
                    "startedAt": 1.0,
                }
            ],
        )
    )
    # Naming B, or no owner at all (the unowned namespace), is refused.
    calls: list[Callable[[], Any]] = []
    for owner in (user_b, None):
        o: dict[str, Any] = {} if owner is None else {"resource_id": owner}
        calls += [
            lambda o=o: a.workflows.get_workflow_run_by_id(run_id=run, **o),
            lambda o=o: a.workflows.load_workflow_snapshot(workflow_name=workflow, run_id=run, **o),
            lambda o=o: a.workflows.count_workflow_runs(**o),
            lambda o=o: a.workflows.update_workflow_state(
                workflow_name=workflow, run_id=run, opts={"status": "x"}, **o
            ),
            lambda o=o: a.workflows.delete_workflow_run_by_id(run_id=run, **o),
            lambda o=o: a.scores.get_score_by_id(id=score.id, **o),
            lambda o=o: a.traces.get_trace(trace_id=trace, **o),
            lambda o=o: a.traces.delete_traces(trace_ids=[trace], **o),
        ]
    for call in calls:
        await refused(cam.ForbiddenError, call)
    # B's ids under A's own owner find nothing.
    assert await aw(a.workflows.get_workflow_run_by_id(resource_id=me, run_id=run)) is None
    assert await aw(a.scores.get_score_by_id(resource_id=me, id=score.id)) is None
    assert await aw(a.traces.get_trace(resource_id=me, trace_id=trace)) is None
    assert (
        await aw(
            a.workflows.update_workflow_state(
                resource_id=me, workflow_name=workflow, run_id=run, opts={"status": "x"}
            )
        )
        is None
    )
    still = await aw(b.workflows.get_workflow_run_by_id(resource_id=user_b, run_id=run))
    assert still is not None and still.status == "running"
    assert await aw(b.traces.get_trace(resource_id=user_b, trace_id=trace)) is not None


async def test_no_token_and_a_forged_token_are_unauthenticated(clients: Clients) -> None:
    for client in (clients.anonymous, clients.bad_signature):
        for call in (
            lambda c=client: c.threads.get_thread(resource_id=clients.user_a, id=uid("t")),
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
