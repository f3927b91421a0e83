"""Convex's document limits through the SDK: each written just under (stored, read back
byte-exact) and just over (LimitExceededError whose data says which limit; nothing written;
an array one item too long is refused as an argument already, as a deployment refuses it).

The component checks every stored document as the backend checks it (component/model/limits.ts):
at most 16 levels of nesting (the document is level 1), 1,024 fields per object, 8,192 items per
array, 1 MiB per document (less room for `_id` and `_creationTime`); nested `_` keys are fine.
"""

from __future__ import annotations

from typing import Any

import convex_agent_memory as cam
import pytest

from .conftest import Clients, aw, uid

MAX_NESTING = 16
MAX_FIELDS = 1_024
MAX_ITEMS = 8_192
#: 1 MiB less the largest `_id` (37 characters) and `_creationTime` fields.
MAX_DOCUMENT_BYTES = 1_048_576 - (3 + 1 + 39) - (13 + 1 + 9)


def nested(levels: int) -> dict[str, Any]:
    """``levels`` nested objects: nested(1) == {}, nested(2) == {"k": {}}."""
    value: dict[str, Any] = {}
    for _ in range(levels - 1):
        value = {"k": value}
    return value


def convex_size(value: Any) -> int:
    """A value's size as the backend counts it (crates/value: `impl Size for ConvexValue`)."""
    if value is None or isinstance(value, bool):
        return 1
    if isinstance(value, int | float):
        return 9
    if isinstance(value, str):
        return len(value.encode()) + 2
    if isinstance(value, list):
        return 2 + sum(convex_size(v) for v in value)
    if isinstance(value, dict):
        return 2 + sum(len(k) + 1 + convex_size(v) for k, v in value.items())
    raise TypeError(type(value))


def limit_of(error: cam.LimitExceededError) -> dict[str, Any]:
    data = error.data
    assert isinstance(data, dict) and data["code"] == "LIMIT_EXCEEDED"
    return {k: data[k] for k in ("limit", "max", "actual") if k in data}


async def test_nesting(clients: Clients) -> None:
    a, me = clients.a, clients.user_a
    # Thread metadata is level 2: 14 more levels inside it make 16.
    deepest = {"k": nested(MAX_NESTING - 2)}
    thread = uid("thread")
    saved = await aw(a.threads.save_thread(resource_id=me, id=thread, metadata=deepest))
    assert saved.metadata == deepest
    assert (await aw(a.threads.get_thread(resource_id=me, id=thread))).metadata == deepest

    too_deep = uid("thread")
    with pytest.raises(cam.LimitExceededError) as caught:
        await aw(a.threads.save_thread(resource_id=me, id=too_deep, metadata={"k": [deepest["k"]]}))
    assert limit_of(caught.value) == {"limit": "documentNesting", "max": 16, "actual": 17}
    assert await aw(a.threads.get_thread(resource_id=me, id=too_deep)) is None

    # A message part is level 4 (message > content > parts > part).
    part = {"type": "data", "value": nested(MAX_NESTING - 4)}
    message = {"id": uid("msg"), "threadId": thread, "role": "user"}
    content = {"format": 2, "parts": [part]}
    await aw(a.messages.save_messages(resource_id=me, messages=[{**message, "content": content}]))
    deeper = {"format": 2, "parts": [{"type": "data", "value": nested(MAX_NESTING - 3)}]}
    with pytest.raises(cam.LimitExceededError) as caught:
        refused = {**message, "id": uid("msg"), "content": deeper}
        await aw(a.messages.save_messages(resource_id=me, messages=[refused]))
    assert limit_of(caught.value)["limit"] == "documentNesting"
    assert await aw(a.messages.count_messages(resource_id=me, thread_id=thread)) == 1
    [stored] = await aw(a.messages.get_messages_by_ids(resource_id=me, ids=[message["id"]]))
    assert stored.content.parts == [part]


async def test_fields_per_object_when_a_merge_passes_the_limit(clients: Clients) -> None:
    a, me = clients.a, clients.user_a
    thread = uid("thread")
    metadata = {f"a{i}": i for i in range(600)}
    await aw(a.threads.save_thread(resource_id=me, id=thread, metadata=metadata))
    # Each call is under the limit; merged, the metadata holds exactly 1,024 fields.
    more = {f"b{i}": i for i in range(424)}
    merged = await aw(a.threads.update_thread(resource_id=me, id=thread, metadata=more))
    assert len(merged.metadata) == MAX_FIELDS
    with pytest.raises(cam.LimitExceededError) as caught:
        await aw(a.threads.update_thread(resource_id=me, id=thread, metadata={"one": "more"}))
    assert limit_of(caught.value) == {"limit": "objectFields", "max": MAX_FIELDS, "actual": 1_025}
    assert (await aw(a.threads.get_thread(resource_id=me, id=thread))).metadata == merged.metadata


async def test_items_per_array(clients: Clients) -> None:
    a, me = clients.a, clients.user_a
    resource = me
    items = list(range(MAX_ITEMS))
    await aw(a.resources.save_resource(resource_id=resource, metadata={"items": items}))
    assert (await aw(a.resources.get_resource(resource_id=resource))).metadata == {"items": items}
    # One item more can only come as an argument, which the deployment refuses before any
    # function runs (crates/value/src/array.rs `check_array_len`), as the local backend does;
    # the component refuses it too when a document is built otherwise (tests/component/limits).
    # (Its message, "Array length is too long (8193 > maximum length 8192)", is redacted in
    # production: the class is what a caller can rely on.)
    with pytest.raises(cam.FunctionError):
        await aw(a.resources.update_resource(resource_id=resource, metadata={"items": [*items, 0]}))
    assert (await aw(a.resources.get_resource(resource_id=resource))).metadata == {"items": items}


async def test_document_bytes_to_the_byte(clients: Clients) -> None:
    a, me = clients.a, clients.user_a
    small = await aw(a.resources.save_resource(resource_id=me, working_memory=""))
    stored = small.model_dump(by_alias=True, exclude_none=True)
    room = MAX_DOCUMENT_BYTES - convex_size(stored)
    exact = "é" * (room // 2) + "x" * (room % 2)  # counted in UTF-8 bytes
    saved = await aw(a.resources.save_resource(resource_id=me, working_memory=exact))
    assert convex_size(saved.model_dump(by_alias=True, exclude_none=True)) == MAX_DOCUMENT_BYTES
    assert (await aw(a.resources.get_resource(resource_id=me))).working_memory == exact
    with pytest.raises(cam.LimitExceededError) as caught:
        await aw(a.resources.update_resource(resource_id=me, working_memory=exact + "x"))
    assert limit_of(caught.value) == {
        "limit": "documentBytes",
        "max": MAX_DOCUMENT_BYTES,
        "actual": MAX_DOCUMENT_BYTES + 1,
    }
    assert (await aw(a.resources.get_resource(resource_id=me))).working_memory == exact


async def test_nested_underscore_keys_are_stored(clients: Clients) -> None:
    a, me = clients.a, clients.user_a
    thread = uid("thread")
    metadata = {"_private": {"__typename": "Node", "_id": "not a system field"}}
    await aw(a.threads.save_thread(resource_id=me, id=thread, metadata=metadata))
    assert (await aw(a.threads.get_thread(resource_id=me, id=thread))).metadata == metadata
