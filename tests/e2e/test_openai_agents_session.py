"""ConvexSession against the tests the OpenAI Agents SDK ships for its own sessions
(openai-agents 0.24.0's sdist, ``tests/memory/test_session.py`` and ``test_session_limit.py``;
and the tie-breaking tests of ``tests/extensions/memory/test_sqlalchemy_session.py``),
adapted: a ConvexSession in place of SQLiteSession, the deployment in place of a temporary
file, and both ways of connecting it (an AsyncClient, or a sync Client whose calls run in a
worker thread). Left out, having no counterpart here: the tests of SQLite's internals
(connections per worker thread, file and write locks, rollbacks, corrupt rows, its
``_await_mutation`` cancellation helper, ``close()``), and two tests that never touch a
session (``test_session_memory_disabled_parametrized``, ``test_session_settings_resolve``).
Then: items kept exactly (owners: test_adapter_owners.py). An agent run that continues its
conversation in a second process: the README's program, run twice by
test_readme_recall_frameworks.py."""

from __future__ import annotations

import asyncio
import concurrent.futures
import os
from collections.abc import AsyncIterator, Callable
from typing import Any, cast

import convex_agent_memory as cam
import pytest
from agents import (
    Agent,
    RunConfig,
    Runner,
    SessionSettings,
    TResponseInputItem,
    set_tracing_disabled,
)
from agents.testing import ScriptedModel
from convex_agent_memory.openai_agents import ConvexSession
from openai.types.responses import ResponseOutputMessage, ResponseOutputText

from .conftest import Deployment, uid

NOT_IN_REDACTED_RUN = pytest.mark.skipif(
    os.environ.get("LOCAL_BACKEND_REDACT_ERRORS") == "1", reason="raises no errors; run once"
)
pytestmark = NOT_IN_REDACTED_RUN

set_tracing_disabled(True)


def get_text_message(content: str) -> ResponseOutputMessage:
    """As the SDK's tests/test_responses.py builds a model's text reply."""
    return ResponseOutputMessage(
        id="1",
        type="message",
        role="assistant",
        content=[ResponseOutputText(text=content, type="output_text", annotations=[], logprobs=[])],
        status="completed",
    )


SessionFactory = Callable[..., ConvexSession]


@pytest.fixture(params=["async_client", "client"])
async def make_session(
    request: pytest.FixtureRequest, deployment: Deployment
) -> AsyncIterator[SessionFactory]:
    """Sessions of user A, over an AsyncClient or over a sync Client."""
    sync = cam.Client(url=deployment.url, token=deployment.token_a)
    async_client = cam.AsyncClient(url=deployment.url, token=deployment.token_a)
    run = uid("run")

    def make(session_id: str, **options: Any) -> ConvexSession:
        connection = (
            {"client": sync} if request.param == "client" else {"async_client": async_client}
        )
        return ConvexSession(
            f"{run}-{session_id}", resource_id=deployment.user_a, **connection, **options
        )

    make.flavour = request.param  # type: ignore[attr-defined]
    yield make
    sync.close()
    await async_client.aclose()


def _run_sync_wrapper(agent: Agent[Any], input_data: Any, **kwargs: Any) -> Any:
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)
    try:
        return Runner.run_sync(agent, input_data, **kwargs)
    finally:
        loop.close()


async def run_agent_async(
    runner_method: str, agent: Agent[Any], input_data: Any, **kwargs: Any
) -> Any:
    if runner_method == "run":
        return await Runner.run(agent, input_data, **kwargs)
    if runner_method == "run_sync":
        return await asyncio.to_thread(_run_sync_wrapper, agent, input_data, **kwargs)
    result = Runner.run_streamed(agent, input_data, **kwargs)
    async for _event in result.stream_events():
        pass
    return result


RUNNERS = pytest.mark.parametrize("runner_method", ["run", "run_sync", "run_streamed"])


def runnable(make_session: SessionFactory, runner_method: str) -> None:
    # Runner.run_sync runs in another thread with its own event loop: an AsyncClient belongs
    # to one loop, so that runner needs the session over a sync Client (as documented).
    if runner_method == "run_sync" and make_session.flavour == "async_client":  # type: ignore[attr-defined]
        pytest.skip("an AsyncClient belongs to one event loop; run_sync uses client=")


# --- tests/memory/test_session.py ------------------------------------------------------


@RUNNERS
async def test_session_memory_basic_functionality_parametrized(
    make_session: SessionFactory, runner_method: str
) -> None:
    runnable(make_session, runner_method)
    session = make_session("test_session_123")
    model = ScriptedModel()
    agent = Agent(name="test", model=model)
    model.enqueue([get_text_message("San Francisco")])
    result1 = await run_agent_async(
        runner_method, agent, "What city is the Golden Gate Bridge in?", session=session
    )
    assert result1.final_output == "San Francisco"
    model.enqueue([get_text_message("California")])
    result2 = await run_agent_async(runner_method, agent, "What state is it in?", session=session)
    assert result2.final_output == "California"
    last_input = model.calls[-1].input
    assert len(last_input) > 1


@RUNNERS
async def test_session_memory_with_explicit_instance_parametrized(
    make_session: SessionFactory, runner_method: str
) -> None:
    runnable(make_session, runner_method)
    session = make_session("test_session_456")
    model = ScriptedModel()
    agent = Agent(name="test", model=model)
    model.enqueue([get_text_message("Hello")])
    result1 = await run_agent_async(runner_method, agent, "Hi there", session=session)
    assert result1.final_output == "Hello"
    model.enqueue([get_text_message("I remember you said hi")])
    result2 = await run_agent_async(
        runner_method, agent, "Do you remember what I said?", session=session
    )
    assert result2.final_output == "I remember you said hi"


@RUNNERS
async def test_session_memory_different_sessions_parametrized(
    make_session: SessionFactory, runner_method: str
) -> None:
    runnable(make_session, runner_method)
    model = ScriptedModel()
    agent = Agent(name="test", model=model)
    session_1 = make_session("session_1")
    model.enqueue([get_text_message("I like cats")])
    result1 = await run_agent_async(runner_method, agent, "I like cats", session=session_1)
    assert result1.final_output == "I like cats"
    session_2 = make_session("session_2")
    model.enqueue([get_text_message("I like dogs")])
    result2 = await run_agent_async(runner_method, agent, "I like dogs", session=session_2)
    assert result2.final_output == "I like dogs"
    model.enqueue([get_text_message("Yes, you mentioned cats")])
    result3 = await run_agent_async(
        runner_method, agent, "What did I say I like?", session=session_1
    )
    assert result3.final_output == "Yes, you mentioned cats"
    # The history the model saw is session 1's only.
    seen = [item.get("content") for item in model.calls[-1].input if item.get("role") == "user"]
    assert seen == ["I like cats", "What did I say I like?"]


async def test_sqlite_session_memory_direct(make_session: SessionFactory) -> None:
    session = make_session("direct_test")
    items: list[TResponseInputItem] = [
        {"role": "user", "content": "Hello"},
        {"role": "assistant", "content": "Hi there!"},
    ]
    await session.add_items(items)
    retrieved = await session.get_items()
    assert len(retrieved) == 2
    assert retrieved[0].get("role") == "user"
    assert retrieved[0].get("content") == "Hello"
    assert retrieved[1].get("role") == "assistant"
    assert retrieved[1].get("content") == "Hi there!"
    await session.clear_session()
    assert len(await session.get_items()) == 0


async def test_session_closed_rejects_nothing_on_empty_add_items(
    make_session: SessionFactory,
) -> None:
    # Counterpart of test_sqlite_session_closed_rejects_empty_add_items: ours has no close();
    # an empty add is a no-op that saves nothing.
    session = make_session("empty_add")
    await session.add_items([])
    assert await session.get_items() == []


async def test_sqlite_session_memory_pop_item(make_session: SessionFactory) -> None:
    session = make_session("pop_test")
    assert await session.pop_item() is None
    items: list[TResponseInputItem] = [
        {"role": "user", "content": "Hello"},
        {"role": "assistant", "content": "Hi there!"},
        {"role": "user", "content": "How are you?"},
    ]
    await session.add_items(items)
    assert len(await session.get_items()) == 3
    popped = await session.pop_item()
    assert popped is not None
    assert popped.get("role") == "user"
    assert popped.get("content") == "How are you?"
    retrieved_after_pop = await session.get_items()
    assert len(retrieved_after_pop) == 2
    assert retrieved_after_pop[-1].get("content") == "Hi there!"
    popped2 = await session.pop_item()
    assert popped2 is not None
    assert popped2.get("role") == "assistant"
    assert popped2.get("content") == "Hi there!"
    popped3 = await session.pop_item()
    assert popped3 is not None
    assert popped3.get("content") == "Hello"
    assert await session.pop_item() is None
    assert len(await session.get_items()) == 0


async def test_session_memory_pop_different_sessions(make_session: SessionFactory) -> None:
    session_1 = make_session("session_1")
    session_2 = make_session("session_2")
    await session_1.add_items([{"role": "user", "content": "Session 1 message"}])
    await session_2.add_items(
        [
            {"role": "user", "content": "Session 2 message 1"},
            {"role": "user", "content": "Session 2 message 2"},
        ]
    )
    popped = await session_2.pop_item()
    assert popped is not None
    assert popped.get("content") == "Session 2 message 2"
    session_1_items = await session_1.get_items()
    assert len(session_1_items) == 1
    assert session_1_items[0].get("content") == "Session 1 message"
    session_2_items = await session_2.get_items()
    assert len(session_2_items) == 1
    assert session_2_items[0].get("content") == "Session 2 message 1"


async def test_sqlite_session_get_items_with_limit(make_session: SessionFactory) -> None:
    session = make_session("count_test")
    items: list[TResponseInputItem] = [
        {"role": "user", "content": "Message 1"},
        {"role": "assistant", "content": "Response 1"},
        {"role": "user", "content": "Message 2"},
        {"role": "assistant", "content": "Response 2"},
        {"role": "user", "content": "Message 3"},
        {"role": "assistant", "content": "Response 3"},
    ]
    await session.add_items(items)
    all_items = await session.get_items()
    assert len(all_items) == 6
    assert all_items[0].get("content") == "Message 1"
    assert all_items[-1].get("content") == "Response 3"
    latest_2 = await session.get_items(limit=2)
    assert [i.get("content") for i in latest_2] == ["Message 3", "Response 3"]
    latest_4 = await session.get_items(limit=4)
    assert [i.get("content") for i in latest_4] == [
        "Message 2",
        "Response 2",
        "Message 3",
        "Response 3",
    ]
    latest_10 = await session.get_items(limit=10)
    assert len(latest_10) == 6
    assert latest_10[0].get("content") == "Message 1"
    assert latest_10[-1].get("content") == "Response 3"
    assert len(await session.get_items(limit=0)) == 0


@RUNNERS
async def test_session_memory_appends_list_input_by_default(
    make_session: SessionFactory, runner_method: str
) -> None:
    runnable(make_session, runner_method)
    session = make_session("test_validation_parametrized")
    model = ScriptedModel()
    agent = Agent(name="test", model=model)
    initial_history: list[TResponseInputItem] = [
        {"role": "user", "content": "Earlier message"},
        {"role": "assistant", "content": "Saved reply"},
    ]
    await session.add_items(initial_history)
    list_input = [{"role": "user", "content": "Test message"}]
    model.enqueue([get_text_message("This should run")])
    await run_agent_async(runner_method, agent, list_input, session=session)
    assert model.calls[-1].input == initial_history + list_input


@RUNNERS
async def test_session_callback_prepared_input(
    make_session: SessionFactory, runner_method: str
) -> None:
    runnable(make_session, runner_method)
    model = ScriptedModel()
    agent = Agent(name="test", model=model)
    session = make_session("session_1")
    initial_history: list[TResponseInputItem] = [
        {"role": "user", "content": "Hello there."},
        {"role": "assistant", "content": "Hi, I'm here to assist you."},
    ]
    await session.add_items(initial_history)

    def filter_assistant_messages(history: list[Any], new_input: list[Any]) -> list[Any]:
        return [item for item in history if item["role"] == "user"] + new_input

    new_turn_input = [{"role": "user", "content": "What your name?"}]
    model.enqueue([get_text_message("I'm gpt-4o")])
    await run_agent_async(
        runner_method, agent, new_turn_input, session=session,
        run_config=RunConfig(session_input_callback=filter_assistant_messages),
    )  # fmt: skip
    assert model.calls[-1].input == [initial_history[0], new_turn_input[0]]


@RUNNERS
async def test_session_callback_repeating_history_does_not_grow_session(
    make_session: SessionFactory, runner_method: str
) -> None:
    runnable(make_session, runner_method)
    model = ScriptedModel()
    agent = Agent(name="test", model=model)
    session = make_session("session_repeat")

    def repeat_first(history: list[Any], new_input: list[Any]) -> list[Any]:
        if not history:
            return new_input
        return [*history, history[0], *new_input]

    for turn in range(3):
        model.enqueue([get_text_message(f"assistant {turn}")])
        await run_agent_async(
            runner_method, agent, f"user {turn}", session=session,
            run_config=RunConfig(session_input_callback=repeat_first),
        )  # fmt: skip
    stored = await session.get_items()
    assert [item.get("content") for item in stored if item.get("role") == "user"] == [
        "user 0",
        "user 1",
        "user 2",
    ]
    assert len(stored) == 6


async def test_sqlite_session_unicode_content(make_session: SessionFactory) -> None:
    session = make_session("unicode_test")
    await session.add_items(
        [
            {"role": "user", "content": "こんにちは"},
            {"role": "assistant", "content": "😊👍"},
            {"role": "user", "content": "Привет"},
        ]
    )
    retrieved = await session.get_items()
    assert [i.get("content") for i in retrieved] == ["こんにちは", "😊👍", "Привет"]


async def test_sqlite_session_special_characters_and_sql_injection(
    make_session: SessionFactory,
) -> None:
    session = make_session("special_chars_test")
    items: list[TResponseInputItem] = [
        {"role": "user", "content": "O'Reilly"},
        {"role": "assistant", "content": "DROP TABLE sessions;"},
        {"role": "user", "content": '"SELECT * FROM users WHERE name = "admin";"'},
        {"role": "assistant", "content": "Robert'); DROP TABLE students;--"},
        {"role": "user", "content": "Normal message"},
    ]
    await session.add_items(items)
    retrieved = await session.get_items()
    assert retrieved == items


async def test_sqlite_session_concurrent_access(make_session: SessionFactory) -> None:
    if make_session.flavour == "async_client":  # type: ignore[attr-defined]
        pytest.skip(
            "an AsyncClient belongs to one event loop; threads with their own loops use client="
        )
    session = make_session("concurrent_test")
    items: list[TResponseInputItem] = [
        {"role": "user", "content": f"Message {i}"} for i in range(10)
    ]

    def add_item(item: TResponseInputItem) -> None:
        loop = asyncio.new_event_loop()
        asyncio.set_event_loop(loop)
        loop.run_until_complete(session.add_items([item]))
        loop.close()

    with concurrent.futures.ThreadPoolExecutor(max_workers=5) as executor:
        list(executor.map(add_item, items))
    retrieved = await session.get_items()
    assert {item.get("content") for item in retrieved} == {f"Message {i}" for i in range(10)}


async def test_concurrent_adds_and_pops_in_one_loop(make_session: SessionFactory) -> None:
    # The same, for an AsyncClient: 10 adds at once, then 10 pops at once, each item once.
    session = make_session("concurrent_async")
    await asyncio.gather(
        *(session.add_items([{"role": "user", "content": f"Message {i}"}]) for i in range(10))
    )
    popped = await asyncio.gather(*(session.pop_item() for _ in range(10)))
    assert sorted(cast(str, p["content"]) for p in popped if p is not None) == sorted(
        f"Message {i}" for i in range(10)
    )
    assert await session.get_items() == []


async def test_failed_add_items_saves_nothing(make_session: SessionFactory) -> None:
    # Counterpart of test_sqlite_session_failed_add_items_releases_write_lock.
    session = make_session("rollback_test")
    unserializable = cast(TResponseInputItem, {"role": "user", "content": object()})
    with pytest.raises(TypeError):
        await session.add_items([{"role": "user", "content": "first"}, unserializable])
    assert await session.get_items() == []
    await session.add_items([{"role": "user", "content": "after failure"}])
    assert [item.get("content") for item in await session.get_items()] == ["after failure"]


async def test_session_add_items_exception_propagates_in_streamed(
    make_session: SessionFactory,
) -> None:
    session = make_session("test_exception_session")

    async def _failing_add_items(_items: Any) -> None:
        raise RuntimeError("Simulated session.add_items failure")

    session.add_items = _failing_add_items  # type: ignore[method-assign]
    model = ScriptedModel()
    agent = Agent(name="test", model=model)
    model.enqueue([get_text_message("This should not be reached")])
    result = Runner.run_streamed(agent, "Hello", session=session)

    async def consume_stream() -> None:
        async for _event in result.stream_events():
            pass

    with pytest.raises(RuntimeError, match=r"Simulated session.add_items failure"):
        await asyncio.wait_for(consume_stream(), timeout=30.0)


async def test_session_settings_default(make_session: SessionFactory) -> None:
    session = make_session("default_settings_test")
    assert isinstance(session.session_settings, SessionSettings)
    assert session.session_settings.limit is None


async def test_session_settings_constructor(make_session: SessionFactory) -> None:
    session = make_session("constructor_settings_test", session_settings=SessionSettings(limit=5))
    assert session.session_settings is not None
    assert session.session_settings.limit == 5


async def test_session_settings_constructor_normalizes_dictionary(
    make_session: SessionFactory,
) -> None:
    session = make_session("dictionary_settings_test", session_settings={"limit": 0})
    assert isinstance(session.session_settings, SessionSettings)
    assert session.session_settings.limit == 0
    assert session.session_settings.resolve({"limit": 4}).limit == 4


async def test_session_settings_rejects_unknown_dictionary_fields(
    make_session: SessionFactory,
) -> None:
    with pytest.raises(TypeError, match="Unknown session settings: limitt"):
        make_session("invalid_settings_test", session_settings={"limitt": 1})


async def test_get_items_uses_session_settings_limit(make_session: SessionFactory) -> None:
    session = make_session("uses_settings_limit_test", session_settings=SessionSettings(limit=3))
    await session.add_items([{"role": "user", "content": f"Message {i}"} for i in range(5)])
    retrieved = await session.get_items()
    assert [i.get("content") for i in retrieved] == ["Message 2", "Message 3", "Message 4"]


async def test_get_items_explicit_limit_overrides_session_settings(
    make_session: SessionFactory,
) -> None:
    session = make_session("explicit_override_test", session_settings=SessionSettings(limit=5))
    await session.add_items([{"role": "user", "content": f"Message {i}"} for i in range(10)])
    retrieved = await session.get_items(limit=2)
    assert [i.get("content") for i in retrieved] == ["Message 8", "Message 9"]


async def test_runner_with_session_settings_override(make_session: SessionFactory) -> None:
    session = make_session("runner_override_test", session_settings=SessionSettings(limit=100))
    await session.add_items([{"role": "user", "content": f"Turn {i}"} for i in range(10)])
    model = ScriptedModel()
    agent = Agent(name="test", model=model)
    model.enqueue([get_text_message("Got it")])
    await Runner.run(
        agent, "New question", session=session,
        run_config=RunConfig(session_settings=SessionSettings(limit=2)),
    )  # fmt: skip
    last_input = model.calls[-1].input
    history_items = [item for item in last_input if item.get("content") != "New question"]
    assert [i.get("content") for i in history_items] == ["Turn 8", "Turn 9"]


# --- tests/memory/test_session_limit.py ------------------------------------------------


@RUNNERS
async def test_session_limit_parameter(make_session: SessionFactory, runner_method: str) -> None:
    runnable(make_session, runner_method)
    session = make_session("limit_test")
    model = ScriptedModel()
    agent = Agent(name="test", model=model)
    for i in (1, 2, 3):
        model.enqueue([get_text_message(f"Reply {i}")])
        await run_agent_async(runner_method, agent, f"Message {i}", session=session)
    assert len(await session.get_items()) == 6
    model.enqueue([get_text_message("Reply 4")])
    await run_agent_async(
        runner_method, agent, "Message 4", session=session,
        run_config=RunConfig(session_settings=SessionSettings(limit=2)),
    )  # fmt: skip
    last_input = model.calls[-1].input
    assert len(last_input) == 3
    assert last_input[0].get("content") == "Message 3"
    assert last_input[1].get("content")[0]["text"] == "Reply 3"
    assert last_input[2].get("content") == "Message 4"


@RUNNERS
async def test_session_limit_drops_unmatched_history_function_call_output(
    make_session: SessionFactory, runner_method: str
) -> None:
    runnable(make_session, runner_method)
    session = make_session("limit_tool_pair")
    history = cast(
        list[TResponseInputItem],
        [
            {"role": "user", "content": "What is the weather?"},
            {
                "type": "function_call",
                "call_id": "call_1",
                "name": "get_weather",
                "arguments": "{}",
            },
            {"type": "function_call_output", "call_id": "call_1", "output": "sunny"},
            {
                "type": "message",
                "role": "assistant",
                "content": [{"type": "output_text", "text": "It is sunny.", "annotations": []}],
            },
        ],
    )
    await session.add_items(history)
    assert await session.get_items(limit=2) == history[-2:]
    model = ScriptedModel()
    model.enqueue([get_text_message("Tomorrow is sunny too.")])
    agent = Agent(name="test", model=model)
    await run_agent_async(
        runner_method, agent, "What about tomorrow?", session=session,
        run_config=RunConfig(session_settings=SessionSettings(limit=2)),
    )  # fmt: skip
    assert model.calls[-1].input == [
        history[-1],
        {"role": "user", "content": "What about tomorrow?"},
    ]


@RUNNERS
async def test_session_limit_zero(make_session: SessionFactory, runner_method: str) -> None:
    runnable(make_session, runner_method)
    session = make_session("limit_zero_test")
    model = ScriptedModel()
    agent = Agent(name="test", model=model)
    for i in (1, 2):
        model.enqueue([get_text_message(f"Reply {i}")])
        await run_agent_async(runner_method, agent, f"Message {i}", session=session)
    model.enqueue([get_text_message("Reply 3")])
    await run_agent_async(
        runner_method, agent, "Message 3", session=session,
        run_config=RunConfig(session_settings=SessionSettings(limit=0)),
    )  # fmt: skip
    last_input = model.calls[-1].input
    assert len(last_input) == 1
    assert last_input[0].get("content") == "Message 3"


@RUNNERS
async def test_session_limit_none_gets_all_history(
    make_session: SessionFactory, runner_method: str
) -> None:
    runnable(make_session, runner_method)
    session = make_session("limit_none_test")
    model = ScriptedModel()
    agent = Agent(name="test", model=model)
    for i in range(1, 6):
        model.enqueue([get_text_message(f"Reply {i}")])
        await run_agent_async(runner_method, agent, f"Message {i}", session=session)
    assert len(await session.get_items()) == 10
    model.enqueue([get_text_message("Reply 6")])
    await run_agent_async(
        runner_method, agent, "Message 6", session=session,
        run_config=RunConfig(session_settings=SessionSettings(limit=None)),
    )  # fmt: skip
    last_input = model.calls[-1].input
    assert len(last_input) == 11
    assert last_input[0].get("content") == "Message 1"
    assert last_input[-1].get("content") == "Message 6"


@RUNNERS
async def test_session_limit_larger_than_history(
    make_session: SessionFactory, runner_method: str
) -> None:
    runnable(make_session, runner_method)
    session = make_session("limit_large_test")
    model = ScriptedModel()
    agent = Agent(name="test", model=model)
    model.enqueue([get_text_message("Reply 1")])
    await run_agent_async(runner_method, agent, "Message 1", session=session)
    model.enqueue([get_text_message("Reply 2")])
    await run_agent_async(
        runner_method, agent, "Message 2", session=session,
        run_config=RunConfig(session_settings=SessionSettings(limit=100)),
    )  # fmt: skip
    last_input = model.calls[-1].input
    assert len(last_input) == 3
    assert last_input[0].get("content") == "Message 1"
    assert last_input[1].get("content")[0]["text"] == "Reply 1"
    assert last_input[2].get("content") == "Message 2"


# --- tests/extensions/memory/test_sqlalchemy_session.py: ties of time -----------------------
# Items added in one call share one createdAt; the insertion order breaks the tie (the
# SQLAlchemy session's tests force equal timestamps in its table; ours have them naturally).


def _reasoning_item(item_id: str, text: str) -> TResponseInputItem:
    return cast(
        TResponseInputItem,
        {"type": "reasoning", "id": item_id, "summary": [{"type": "summary_text", "text": text}]},
    )


def _message_item(item_id: str, text: str) -> TResponseInputItem:
    return cast(
        TResponseInputItem,
        {
            "id": item_id,
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [{"type": "output_text", "text": text, "annotations": [], "logprobs": []}],
        },
    )


def _item_ids(items: list[TResponseInputItem]) -> list[str]:
    return [cast(dict[str, Any], item)["id"] for item in items]


async def test_get_items_same_timestamp_consistent_order(make_session: SessionFactory) -> None:
    session = make_session("same_timestamp_test")
    await session.add_items([_message_item("older_same_ts", "old")])
    await session.add_items(
        [_reasoning_item("rs_same_ts", "..."), _message_item("msg_same_ts", "...")]
    )
    retrieved = await session.get_items()
    assert _item_ids(retrieved) == ["older_same_ts", "rs_same_ts", "msg_same_ts"]
    latest_two = await session.get_items(limit=2)
    assert _item_ids(latest_two) == ["rs_same_ts", "msg_same_ts"]


async def test_pop_item_same_timestamp_returns_latest(make_session: SessionFactory) -> None:
    session = make_session("same_timestamp_pop_test")
    await session.add_items(
        [_reasoning_item("rs_pop_same_ts", "..."), _message_item("msg_pop_same_ts", "...")]
    )
    popped = await session.pop_item()
    assert popped is not None
    assert cast(dict[str, Any], popped)["id"] == "msg_pop_same_ts"
    remaining = await session.get_items()
    assert _item_ids(remaining) == ["rs_pop_same_ts"]


async def test_get_items_limit_returns_fewer_when_history_exhausted(
    make_session: SessionFactory,
) -> None:
    session = make_session("limit_exhausted_test")
    await session.add_items([{"role": "user", "content": "only"}])
    assert [i.get("content") for i in await session.get_items(limit=5)] == ["only"]


# --- beyond the SDK's tests ------------------------------------------------------------

EXACT_ITEMS = cast(
    list[TResponseInputItem],
    [
        {"role": "developer", "content": "Be brief."},
        {"role": "user", "content": [{"type": "input_text", "text": "Weather in Paris?"}]},
        {
            "type": "reasoning",
            "id": "rs_1",
            "summary": [{"type": "summary_text", "text": "Need a tool."}],
        },
        {
            "type": "function_call",
            "call_id": "call_9",
            "name": "weather",
            "arguments": '{"city": "Paris", "days": 3}',
            "id": "fc_1",
            "status": "completed",
        },
        {
            "type": "function_call_output",
            "call_id": "call_9",
            "output": '{"temp": 21.5, "$unit": "C"}',
        },
        {
            "id": "msg_1",
            "type": "message",
            "role": "assistant",
            "status": "completed",
            "content": [
                {"type": "output_text", "text": "21.5 °C", "annotations": [], "logprobs": []}
            ],
        },
        {"role": "user", "content": ""},
    ],
)


async def test_items_come_back_exactly_and_readable(
    make_session: SessionFactory, deployment: Deployment
) -> None:
    session = make_session("exact")
    await session.add_items(EXACT_ITEMS)
    assert await session.get_items() == EXACT_ITEMS
    with cam.Client(url=deployment.url, token=deployment.token_a) as client:
        stored = client.messages.list_messages(
            resource_id=session.resource_id, thread_id=session.session_id
        ).page
    assert [m.role for m in stored] == [
        "system",
        "user",
        "assistant",
        "assistant",
        "tool",
        "assistant",
        "user",
    ]
    assert stored[3].content.parts == [
        {
            "type": "tool-invocation",
            "toolInvocation": {
                "state": "call",
                "toolCallId": "call_9",
                "toolName": "weather",
                "args": {"city": "Paris", "days": 3.0},
            },
        }
    ]
    assert stored[5].content.parts == [{"type": "text", "text": "21.5 °C"}]
