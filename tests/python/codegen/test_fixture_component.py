"""The fixture component (tests/fixtures/codegen/component), extracted by the Node extractor,
generates an SDK whose methods call the host app's wrappers with the right arguments."""

from __future__ import annotations

import importlib
import inspect
from pathlib import Path
from typing import Any

import pydantic
import pytest

from .helpers import Recorder, build_sdk, fake_clients

THREAD = {"id": "t1", "resourceId": "u1", "createdAt": 1.0, "updatedAt": 2.0}


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory, fixture_component_spec: Any) -> str:
    build_sdk(
        tmp_path_factory.mktemp("fixture"),
        fixture_component_spec,
        package="fixture_sdk",
        component=True,
        idempotent=frozenset({"saveThread", "saveMessages"}),
        own_runtime=True,
    )
    return "fixture_sdk"


def test_extractor_reads_public_internal_and_http_functions(fixture_component_spec: Any) -> None:
    spec = fixture_component_spec
    assert spec["component"] == "agentMemory"
    ids = [f["identifier"] for f in spec["functions"]]
    assert ids == sorted(ids)
    assert "threads.js:purgeBatch" in ids and "vectors.js:webhook" in ids
    kinds = {
        f["identifier"]: (f["functionType"], f["visibility"]["kind"]) for f in spec["functions"]
    }
    assert kinds["threads.js:purgeBatch"] == ("Mutation", "internal")
    assert kinds["vectors.js:webhook"][0] == "HttpAction"
    get_thread = next(f for f in spec["functions"] if f["identifier"] == "threads.js:getThread")
    assert (
        get_thread["description"] == "Returns the thread with this id, or null when there is none."
    )


def test_namespaces_are_component_modules_and_internal_and_http_are_skipped(sdk: str) -> None:
    recorder = Recorder()
    client, _ = fake_clients(sdk, recorder)
    assert type(client.threads).__name__ == "Threads"
    assert client.threads is client.threads  # cached
    assert not hasattr(client.threads, "purge_batch")
    assert not hasattr(client.vectors, "webhook")
    assert {
        "get_thread",
        "save_thread",
        "list_threads",
        "list_threads_all",
        "delete_thread",
    } <= set(dir(client.threads))


def test_calls_go_to_the_wrapper_module_with_camel_case_args(sdk: str) -> None:
    recorder = Recorder({"memory:getThread": THREAD, "memory:saveThread": THREAD})
    client, _ = fake_clients(sdk, recorder)
    thread = client.threads.get_thread(thread_id="t1")
    assert recorder.calls[-1] == ("query", "memory:getThread", {"threadId": "t1"}, False)
    assert type(thread).__name__ == "Thread"
    assert thread.resource_id == "u1" and thread.title is None and thread.created_at == 1.0

    client.threads.save_thread(id="t1", resource_id="u1", metadata={"k": 1})
    kind, path, args, idempotent = recorder.calls[-1]
    # title was omitted: not sent at all; saveThread is an idempotent upsert
    assert (kind, path, idempotent) == ("mutation", "memory:saveThread", True)
    assert args == {"id": "t1", "resourceId": "u1", "metadata": {"k": 1}}


def test_null_result_and_non_idempotent_mutation(sdk: str) -> None:
    recorder = Recorder(
        {"memory:getThread": None, "memory:deleteThread": {"deleted": True, "scheduled": False}}
    )
    client, _ = fake_clients(sdk, recorder)
    assert client.threads.get_thread(thread_id="nope") is None
    result = client.threads.delete_thread(thread_id="t1")
    assert result.deleted is True and recorder.calls[-1][3] is False


def test_none_is_refused_where_the_validator_has_no_null(sdk: str) -> None:
    recorder = Recorder({"memory:saveThread": THREAD})
    client, _ = fake_clients(sdk, recorder)
    errors = importlib.import_module(f"{sdk}._exceptions")
    with pytest.raises(errors.InvalidArgumentError) as refused:
        client.threads.save_thread(id="t1", resource_id=None)
    assert isinstance(refused.value.__cause__, pydantic.ValidationError)
    assert refused.value.errors[0]["loc"] == ("resourceId",)
    with pytest.raises(errors.InvalidArgumentError):
        client.threads.get_thread(thread_id=5)
    assert recorder.calls == []  # nothing was sent


def test_signatures_are_keyword_only_with_omit_defaults(sdk: str) -> None:
    from fixture_sdk._types import omit

    client, _ = fake_clients(sdk, Recorder())
    params = inspect.signature(client.threads.save_thread).parameters
    assert all(p.kind is inspect.Parameter.KEYWORD_ONLY for p in params.values())
    assert params["title"].default is omit and params["id"].default is inspect.Parameter.empty
    listing = inspect.signature(client.messages.list_messages).parameters
    assert list(listing) == ["thread_id", "roles", "after_seq", "page_size", "cursor"]
    assert "None" in str(
        listing["after_seq"].annotation
    )  # v.optional(v.union(v.int64(), v.null()))


def test_nested_models_unions_int64_and_ids(sdk: str) -> None:
    from fixture_sdk.types import MessageContentImage, MessageContentText, SaveMessagesMessage

    recorder = Recorder({"memory:saveMessages": ["doc1", "doc2"]})
    client, _ = fake_clients(sdk, recorder)
    ids = client.messages.save_messages(
        thread_id="t1",
        messages=[
            SaveMessagesMessage(id="m1", role="user", content="hi", seq=2**60),
            SaveMessagesMessage(
                id="m2",
                role="assistant",
                content=[
                    MessageContentText(type="text", text="see"),
                    MessageContentImage(type="image", data=b"\x00\xff"),
                ],
                embedding=None,
            ),
        ],
    )
    assert ids == ["doc1", "doc2"]
    _, path, args, idempotent = recorder.calls[-1]
    assert path == "memory:saveMessages" and idempotent is True
    first, second = args["messages"]
    assert first == {"id": "m1", "role": "user", "content": "hi", "seq": 2**60}
    assert isinstance(first["seq"], int)  # int64 survived the wire as $integer
    assert second["content"] == [
        {"type": "text", "text": "see"},
        {"type": "image", "data": b"\x00\xff"},
    ]
    assert second["embedding"] is None  # nullable optional: an explicit None is sent


def test_pagination_plain_and_all(sdk: str) -> None:
    pages = {
        None: {"page": [THREAD, {**THREAD, "id": "t2"}], "isDone": False, "continueCursor": "c1"},
        "c1": {"page": [{**THREAD, "id": "t3"}], "isDone": True, "continueCursor": "c2"},
    }
    recorder = Recorder(
        {"memory:listThreads": lambda args: pages[args["paginationOpts"]["cursor"]]}
    )
    client, async_client = fake_clients(sdk, recorder)
    first = client.threads.list_threads(resource_id="u1", page_size=2)
    assert [t.id for t in first.page] == ["t1", "t2"] and first.continue_cursor == "c1"
    sent = recorder.calls[-1][2]
    assert sent == {"resourceId": "u1", "paginationOpts": {"numItems": 2.0, "cursor": None}}
    assert isinstance(sent["paginationOpts"]["numItems"], float)  # v.number() is float64

    assert [t.id for t in client.threads.list_threads_all(resource_id="u1", order="desc")] == [
        "t1",
        "t2",
        "t3",
    ]
    assert recorder.calls[-1][2]["order"] == "desc"

    async def collect() -> list[str]:
        return [t.id async for t in async_client.threads.list_threads_all(resource_id="u1")]

    import asyncio

    assert asyncio.run(collect()) == ["t1", "t2", "t3"]


async def test_async_client_awaits_the_transport(sdk: str) -> None:
    recorder = Recorder({"memory:countMessages": 12})
    _, async_client = fake_clients(sdk, recorder)
    count = await async_client.messages.count_messages(thread_id="t1")
    assert count == 12 and isinstance(count, int)
    assert type(async_client.messages).__name__ == "AsyncMessages"


def test_tagged_union_result_is_discriminated(sdk: str) -> None:
    recorder = Recorder(
        {
            "memory:vectorSearch": {
                "results": [{"id": "a", "score": 0.5, "metadata": {"x": 1}}],
                "truncated": False,
                "stats": {"kind": "exact", "scanned": 3},
            }
        }
    )
    client, _ = fake_clients(sdk, recorder)
    found = client.vectors.vector_search(index_name="i", vector=[1, 2], version=2)
    assert type(found.stats).__name__ == "VectorSearchResultStatsExact" and found.stats.scanned == 3
    sent = recorder.calls[-1][2]
    assert sent["vector"] == [1.0, 2.0] and all(isinstance(x, float) for x in sent["vector"])
    assert sent["version"] == 2 and isinstance(sent["version"], int)  # v.literal(2n) is int64
    assert recorder.calls[-1][0] == "action" and recorder.calls[-1][3] is False


def test_generated_files_name_their_source_and_one_file_the_spec_hash(sdk: str) -> None:
    import fixture_sdk
    from fixture_sdk._generated import _spec

    generated = Path(fixture_sdk.__file__).parent / "_generated"
    for path in generated.rglob("*.py"):
        head = path.read_text().splitlines()[:2]
        assert head[0] == "# Generated by convex-py-codegen from a test spec: do not edit.", path
        assert head[1].startswith("# Regenerate: "), path
    holding = [p.name for p in generated.rglob("*.py") if _spec.SPEC_SHA256 in p.read_text()]
    assert holding == ["_spec.py"] and len(_spec.SPEC_SHA256) == 64
