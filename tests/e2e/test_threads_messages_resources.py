"""Threads, messages and resources: every exposed function, sync and async, real results."""

from __future__ import annotations

import convex_agent_memory as cam

from .conftest import Clients, aw, collect, collect_pages, text_message, uid


async def test_threads_save_get_update_list_count_delete(clients: Clients) -> None:
    me, a = clients.user_a, clients.a
    before = await aw(a.threads.count_threads(resource_id=me))
    ids = [uid("thread") for _ in range(3)]
    for n, thread_id in enumerate(ids):
        saved = await aw(
            a.threads.save_thread(
                id=thread_id,
                resource_id=me,
                title=f"t{n}",
                metadata={"n": float(n)},
                created_at=1_700_000_000_000.0 + n,
            )
        )
        assert (saved.id, saved.resource_id, saved.title) == (thread_id, me, f"t{n}")
    assert await aw(a.threads.count_threads(resource_id=me)) == before + 3

    got = await aw(a.threads.get_thread(resource_id=me, id=ids[0]))
    assert got is not None and got.metadata == {"n": 0.0} and got.created_at == 1_700_000_000_000.0
    updated = await aw(
        a.threads.update_thread(resource_id=me, id=ids[0], title="renamed", metadata={"k": "v"})
    )
    assert updated.title == "renamed" and updated.metadata == {"n": 0.0, "k": "v"}  # merged
    assert updated.created_at == got.created_at and updated.updated_at >= got.updated_at

    # Resaving replaces title and metadata but keeps createdAt.
    resaved = await aw(a.threads.save_thread(id=ids[1], resource_id=me, title="again"))
    assert resaved.title == "again" and resaved.metadata is None
    assert resaved.created_at == 1_700_000_000_001.0

    page = await aw(a.threads.list_threads(resource_id=me, order="asc", page_size=2))
    assert len(page.page) == 2 and not page.is_done
    ours = [t.id for t in await collect(a.threads.list_threads_all(resource_id=me, order="asc"))]
    assert [i for i in ours if i in ids] == ids  # createdAt ascending
    newest = await collect(a.threads.list_threads_all(resource_id=me, order_by="updatedAt"))
    assert next(t.id for t in newest if t.id in ids) == ids[1]  # resaved last

    assert await aw(a.threads.delete_thread(resource_id=me, id=ids[2])) is None
    assert await aw(a.threads.get_thread(resource_id=me, id=ids[2])) is None
    assert await aw(a.threads.count_threads(resource_id=me)) == before + 2
    assert (
        await aw(a.threads.delete_thread(resource_id=me, id=ids[2])) is None
    )  # a no-op the second time


async def test_messages_round_trip_pages_neighbours_counts(clients: Clients) -> None:
    me, a = clients.user_a, clients.a
    thread_id = uid("thread")
    await aw(a.threads.save_thread(id=thread_id, resource_id=me))
    messages = [
        text_message(
            thread_id,
            f"m{i}",
            id=f"{thread_id}-m{i:02}",
            role="user" if i % 2 == 0 else "assistant",
            createdAt=1_700_000_000_000.0 + i * 1000,
        )
        for i in range(12)
    ]
    saved = await aw(a.messages.save_messages(resource_id=me, messages=messages[:7]))
    assert [m.id for m in saved] == [m["id"] for m in messages[:7]]
    assert saved[0].resource_id == me and saved[0].type == "v2" and saved[1].role == "assistant"
    # typed models are accepted too
    typed = [cam_message(m) for m in messages[7:]]
    await aw(a.messages.save_messages(resource_id=me, messages=typed))
    assert await aw(a.messages.count_messages(resource_id=me, thread_id=thread_id)) == 12

    first = await aw(a.messages.list_messages(resource_id=me, thread_id=thread_id, page_size=5))
    assert [m.content.content for m in first.page] == [f"m{i}" for i in range(5)]
    assert not first.is_done and first.included == []
    second = await aw(
        a.messages.list_messages(
            resource_id=me, thread_id=thread_id, page_size=5, cursor=first.continue_cursor
        )
    )
    assert [m.content.content for m in second.page] == [f"m{i}" for i in range(5, 10)]

    forward = await collect(
        a.messages.list_messages_all(resource_id=me, thread_id=thread_id, page_size=5)
    )
    backward = await collect(
        a.messages.list_messages_all(resource_id=me, thread_id=thread_id, order="desc", page_size=4)
    )
    assert [m.id for m in forward] == [m["id"] for m in messages]
    assert [m.id for m in backward] == [m["id"] for m in reversed(messages)]
    pages = await collect_pages(
        a.messages.list_messages_all(resource_id=me, thread_id=thread_id, page_size=5)
    )
    assert [len(p.items) for p in pages] == [5, 5, 2] and pages[-1].is_done

    window = await aw(
        a.messages.list_messages(
            resource_id=me,
            thread_id=thread_id,
            page_size=1,
            start_date=1_700_000_003_000.0,
            end_date=1_700_000_005_000.0,
            order="asc",
            include=[
                {"id": messages[6]["id"], "withPreviousMessages": 2.0, "withNextMessages": 1.0}
            ],
        )
    )
    assert [m.content.content for m in window.page] == ["m3"]
    assert [m.content.content for m in window.included] == ["m4", "m5", "m6", "m7"]

    by_resource = await collect(a.messages.list_messages_by_resource_all(resource_id=me))
    assert {m["id"] for m in messages} <= {m.id for m in by_resource}
    page = await aw(a.messages.list_messages_by_resource(resource_id=me, order="desc", page_size=3))
    assert len(page.page) == 3

    wanted = [messages[3]["id"], "missing-" + thread_id, messages[1]["id"]]
    got = await aw(a.messages.get_messages_by_ids(resource_id=me, ids=wanted))
    assert [m.id for m in got] == [messages[3]["id"], messages[1]["id"]]

    changed = await aw(
        a.messages.update_messages(
            resource_id=me,
            messages=[
                {
                    "id": messages[0]["id"],
                    "role": "system",
                    "content": {"format": 2, "parts": [], "content": "edited"},
                }
            ],
        )
    )
    assert changed[0].role == "system" and changed[0].content.content == "edited"
    assert changed[0].created_at == 1_700_000_000_000.0

    # Saving again by id replaces, never duplicates.
    await aw(a.messages.save_messages(resource_id=me, messages=[{**messages[5], "role": "tool"}]))
    assert await aw(a.messages.count_messages(resource_id=me, thread_id=thread_id)) == 12
    (again,) = await aw(a.messages.get_messages_by_ids(resource_id=me, ids=[messages[5]["id"]]))
    assert again.role == "tool"

    deleted = await aw(
        a.messages.delete_messages(
            resource_id=me, ids=[messages[0]["id"], messages[1]["id"], "nope-" + thread_id]
        )
    )
    assert deleted == 2
    assert await aw(a.messages.count_messages(resource_id=me, thread_id=thread_id)) == 10

    await aw(a.threads.delete_thread(resource_id=me, id=thread_id))
    assert await aw(a.messages.count_messages(resource_id=me, thread_id=thread_id)) == 0


def cam_message(message: dict[str, object]) -> cam.types.SaveMessagesMessage:
    return cam.types.SaveMessagesMessage.model_validate(message)


async def test_resources_working_memory(clients: Clients) -> None:
    # A user's resource is its own id (its resource_id); a service may keep resources of any id.
    a, me = clients.a, clients.user_a
    saved = await aw(
        a.resources.save_resource(
            resource_id=me, working_memory="# Notes\n- likes tea", metadata={"tz": "UTC"}
        )
    )
    assert saved.id == me and saved.working_memory == "# Notes\n- likes tea"
    updated = await aw(a.resources.update_resource(resource_id=me, metadata={"lang": "en"}))
    assert updated.working_memory == "# Notes\n- likes tea"
    assert updated.metadata == {"tz": "UTC", "lang": "en"}
    got = await aw(a.resources.get_resource(resource_id=me))
    assert got is not None and got.metadata == {"tz": "UTC", "lang": "en"}
    assert got.created_at == saved.created_at

    service = clients.service
    other = uid("tenant")
    assert await aw(service.resources.get_resource(resource_id=other)) is None
    created = await aw(service.resources.update_resource(resource_id=other, working_memory="fresh"))
    assert created.working_memory == "fresh" and created.metadata is None
