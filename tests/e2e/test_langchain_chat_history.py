"""ConvexChatMessageHistory, by a suite modelled on LangChain's own chat-history tests
(langchain-core ``tests/unit_tests/chat_history/test_chat_history.py`` and
``test_file_chat_message_history.py``: one message at a time and in bulk, the async
interface, clearing, a second history object on the same thread), then what a stored
history adds: every message type with tool calls back exactly, messages other clients
wrote, a runnable that keeps its history, bulk adds as few calls (owners:
test_adapter_owners.py)."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from typing import Any

import convex_agent_memory as cam
import httpx
import pytest
from convex_agent_memory.langchain import ConvexChatMessageHistory
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import (
    AIMessage,
    AIMessageChunk,
    BaseMessage,
    ChatMessage,
    FunctionMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
)
from langchain_core.prompts import ChatPromptTemplate, MessagesPlaceholder
from langchain_core.runnables.history import RunnableWithMessageHistory

from .conftest import Deployment, uid

NOT_IN_REDACTED_RUN = pytest.mark.skipif(
    os.environ.get("LOCAL_BACKEND_REDACT_ERRORS") == "1", reason="raises no errors; run once"
)
pytestmark = NOT_IN_REDACTED_RUN


@pytest.fixture
def client(deployment: Deployment) -> Iterator[cam.Client]:
    with cam.Client(url=deployment.url, token=deployment.token_a) as client:
        yield client


@pytest.fixture
def history(client: cam.Client, deployment: Deployment) -> ConvexChatMessageHistory:
    return ConvexChatMessageHistory(
        client=client, resource_id=deployment.user_a, thread_id=uid("h")
    )


class CountingCalls(httpx.BaseTransport):
    """Forwards requests and counts the calls of each function."""

    def __init__(self) -> None:
        self.inner = httpx.HTTPTransport()
        self.paths: list[str] = []

    def handle_request(self, request: httpx.Request) -> httpx.Response:
        self.paths.append(json.loads(request.content)["path"])
        return self.inner.handle_request(request)

    def count(self, path: str) -> int:
        return self.paths.count(path)


@pytest.fixture
def counted(deployment: Deployment) -> Iterator[tuple[ConvexChatMessageHistory, CountingCalls]]:
    """A history whose client counts the calls it makes."""
    calls = CountingCalls()
    with cam.Client(
        url=deployment.url,
        token=deployment.token_a,
        http_client=httpx.Client(transport=calls, timeout=120.0),
    ) as client:
        yield (
            ConvexChatMessageHistory(
                client=client, resource_id=deployment.user_a, thread_id=uid("h")
            ),
            calls,
        )


# --- modelled on LangChain's chat-history tests ---------------------------------------


def test_add_message_then_add_messages(history: ConvexChatMessageHistory) -> None:
    history.add_message(HumanMessage(content="Hello"))
    assert history.messages == [HumanMessage(content="Hello")]
    history.add_message(HumanMessage(content="World"))
    assert history.messages[1] == HumanMessage(content="World")
    history.add_messages([HumanMessage(content="Hello"), HumanMessage(content="World")])
    stored = history.messages
    assert len(stored) == 4
    assert stored[2] == HumanMessage(content="Hello")
    assert stored[3] == HumanMessage(content="World")


def test_add_user_and_ai_messages(history: ConvexChatMessageHistory) -> None:
    history.add_user_message("Hello!")
    history.add_ai_message("Hi there!")
    messages = history.messages
    assert len(messages) == 2
    assert isinstance(messages[0], HumanMessage)
    assert isinstance(messages[1], AIMessage)
    assert messages[0].content == "Hello!"
    assert messages[1].content == "Hi there!"


def test_clear_messages(history: ConvexChatMessageHistory) -> None:
    history.add_user_message("Hello!")
    history.add_ai_message("Hi there!")
    history.clear()
    assert history.messages == []
    history.add_user_message("again")  # the thread is usable at once
    assert history.messages == [HumanMessage("again")]


def test_multiple_sessions(history: ConvexChatMessageHistory, client: cam.Client) -> None:
    conversation = [
        "Hello, AI!",
        "Hello, how can I help you?",
        "Tell me a joke.",
        "Why did the chicken cross the road? To get to the other side!",
    ]
    for i, text in enumerate(conversation):
        (history.add_user_message if i % 2 == 0 else history.add_ai_message)(text)
    assert [m.content for m in history.messages] == conversation
    # A second history object (another process, later) on the same thread.
    second = ConvexChatMessageHistory(
        client=client, resource_id=history.resource_id, thread_id=history.thread_id
    )
    assert [m.content for m in second.messages] == conversation


async def test_async_interface(deployment: Deployment) -> None:
    async with cam.AsyncClient(url=deployment.url, token=deployment.token_a) as client:
        history = ConvexChatMessageHistory(
            async_client=client, resource_id=deployment.user_a, thread_id=uid("h")
        )
        await history.aadd_messages([HumanMessage(content="Hello"), HumanMessage(content="World")])
        assert await history.aget_messages() == [
            HumanMessage(content="Hello"),
            HumanMessage(content="World"),
        ]
        await history.aadd_messages([HumanMessage(content="!")])
        assert await history.aget_messages() == [
            HumanMessage(content="Hello"),
            HumanMessage(content="World"),
            HumanMessage(content="!"),
        ]
        await history.aclear()
        assert await history.aget_messages() == []
        with pytest.raises(RuntimeError, match="async"):
            _ = history.messages  # no sync client


async def test_async_methods_over_a_sync_client(history: ConvexChatMessageHistory) -> None:
    await history.aadd_messages([HumanMessage("a"), AIMessage("b")])
    assert await history.aget_messages() == [HumanMessage("a"), AIMessage("b")]
    await history.aclear()
    assert history.messages == []


# --- what a stored history adds -------------------------------------------------------

EVERY_KIND: list[BaseMessage] = [
    SystemMessage("You are terse.", id="sys-1"),
    HumanMessage("What is 6 x 7?", name="ada", additional_kwargs={"$odd key": {"n": 1}}),
    AIMessage(
        "",
        tool_calls=[
            {"name": "multiply", "args": {"a": 6, "b": 7}, "id": "call-1", "type": "tool_call"},
            {"name": "log", "args": {"$weird": [1, 2]}, "id": "call-2", "type": "tool_call"},
        ],
        usage_metadata={"input_tokens": 10, "output_tokens": 3, "total_tokens": 13},
        response_metadata={"model": "fake", "seed": 12345678901234567},
        id="run-1",
    ),
    ToolMessage("42", tool_call_id="call-1", name="multiply", artifact={"raw": 42}),
    ToolMessage(
        content=[{"type": "text", "text": "logged"}], tool_call_id="call-2", status="error"
    ),
    AIMessage(
        content=[
            "Six times seven is ",
            {"type": "text", "text": "42."},
            {"type": "image_url", "image_url": {"url": "data:x"}},
        ]
    ),
    AIMessageChunk(content="partial", id="chunk-1"),
    ChatMessage(content="critique", role="critic"),
    FunctionMessage(content="done", name="legacy_fn"),
    HumanMessage(""),
    HumanMessage("ünïcödé ✓ 🚀"),
]


def test_every_message_type_comes_back_exactly(history: ConvexChatMessageHistory) -> None:
    history.add_messages(EVERY_KIND)
    back = history.messages
    assert back == EVERY_KIND
    assert [type(m) for m in back] == [type(m) for m in EVERY_KIND]
    assert back[2].usage_metadata == {"input_tokens": 10, "output_tokens": 3, "total_tokens": 13}
    assert type(back[2].tool_calls[0]["args"]["a"]) is int


def test_stored_parts_are_readable_by_other_clients(
    history: ConvexChatMessageHistory, client: cam.Client
) -> None:
    history.add_messages(EVERY_KIND[:4])
    stored = client.messages.list_messages(
        resource_id=history.resource_id, thread_id=history.thread_id
    ).page
    assert [m.role for m in stored] == ["system", "user", "assistant", "tool"]
    assert stored[1].content.parts == [{"type": "text", "text": "What is 6 x 7?"}]
    call = stored[2].content.parts[0]
    assert call == {
        "type": "tool-invocation",
        "toolInvocation": {
            "state": "call",
            "toolCallId": "call-1",
            "toolName": "multiply",
            "args": {"a": 6.0, "b": 7.0},
        },
    }
    assert "args" not in stored[2].content.parts[1]["toolInvocation"]  # "$weird" is no Convex key
    assert stored[3].content.parts[-1]["toolInvocation"] == {
        "state": "result", "toolCallId": "call-1", "toolName": "multiply",
    }  # fmt: skip


def test_messages_other_clients_wrote(
    history: ConvexChatMessageHistory, client: cam.Client
) -> None:
    thread = history.thread_id
    client.threads.save_thread(resource_id=history.resource_id, id=thread)
    text = lambda t: {"type": "text", "text": t}  # noqa: E731
    client.messages.save_messages(
        resource_id=history.resource_id,
        messages=[
            {"id": uid("m"), "threadId": thread, "role": "user", "content": {"format": 2, "parts": [text("hi"), text("there")]}},  # noqa: E501
            {"id": uid("m"), "threadId": thread, "role": "assistant", "content": {"format": 2, "parts": [  # noqa: E501
                text("Let me look."),
                {"type": "tool-invocation", "toolInvocation": {"state": "call", "toolCallId": "c9", "toolName": "search", "args": {"q": "x"}}},  # noqa: E501
            ]}},
            {"id": uid("m"), "threadId": thread, "role": "tool", "content": {"format": 2, "parts": [
                {"type": "tool-invocation", "toolInvocation": {"state": "result", "toolCallId": "c9", "toolName": "search", "result": "found"}},  # noqa: E501
            ]}},
            {"id": uid("m"), "threadId": thread, "role": "system", "content": {"format": 2, "parts": [], "content": "be brief"}},  # noqa: E501
        ],
    )  # fmt: skip
    human, ai, tool, system = history.messages
    assert isinstance(human, HumanMessage) and human.content == "hi\nthere"
    assert isinstance(ai, AIMessage) and ai.content == "Let me look."
    assert [(c["name"], c["args"], c["id"]) for c in ai.tool_calls] == [
        ("search", {"q": "x"}, "c9")
    ]
    assert isinstance(tool, ToolMessage) and (tool.content, tool.tool_call_id) == ("found", "c9")
    assert isinstance(system, SystemMessage) and system.content == "be brief"


@pytest.mark.filterwarnings("ignore:RunnableWithMessageHistory is deprecated")
@pytest.mark.parametrize("flavour", ["sync", "async"])
async def test_a_runnable_keeps_its_history(
    flavour: str, client: cam.Client, deployment: Deployment
) -> None:
    model = GenericFakeChatModel(
        messages=iter([AIMessage("Nice to meet you, Ada."), AIMessage("You are Ada.")])
    )
    prompt = ChatPromptTemplate.from_messages(
        [("system", "Be helpful."), MessagesPlaceholder("history"), ("human", "{question}")]
    )
    seen: list[list[BaseMessage]] = []

    def record(value: Any) -> Any:
        seen.append(value.to_messages())
        return value

    histories: dict[str, ConvexChatMessageHistory] = {}

    def history_for(session_id: str) -> ConvexChatMessageHistory:
        return histories.setdefault(
            session_id,
            ConvexChatMessageHistory(
                client=client, resource_id=deployment.user_a, thread_id=session_id
            ),
        )

    chain = RunnableWithMessageHistory(
        prompt | record | model,  # type: ignore[operator]
        history_for,
        input_messages_key="question",
        history_messages_key="history",
    )
    config = {"configurable": {"session_id": uid("chain")}}
    if flavour == "sync":
        chain.invoke({"question": "I am Ada."}, config=config)  # type: ignore[arg-type]
        answer = chain.invoke({"question": "Who am I?"}, config=config)  # type: ignore[arg-type]
    else:
        await chain.ainvoke({"question": "I am Ada."}, config=config)  # type: ignore[arg-type]
        answer = await chain.ainvoke({"question": "Who am I?"}, config=config)  # type: ignore[arg-type]
    assert answer.content == "You are Ada."
    assert [m.content for m in seen[1]] == [
        "Be helpful.",
        "I am Ada.",
        "Nice to meet you, Ada.",
        "Who am I?",
    ]
    [history] = histories.values()
    assert [m.content for m in history.messages] == [
        "I am Ada.", "Nice to meet you, Ada.", "Who am I?", "You are Ada.",
    ]  # fmt: skip


def test_add_messages_is_one_call(
    counted: tuple[ConvexChatMessageHistory, CountingCalls],
) -> None:
    # After LangChain's test_bulk_message_implementation_only: add_messages is the bulk path,
    # and add_message goes through it; here a bulk add (tool calls included) is one call.
    history, calls = counted
    history.add_messages(EVERY_KIND[:5])
    assert calls.count("memory:saveMessages") == 1
    history.add_message(HumanMessage("one more"))
    assert calls.count("memory:saveMessages") == 2
    assert history.messages == [*EVERY_KIND[:5], HumanMessage("one more")]


@pytest.mark.e2e_heavy
def test_bulk_add_of_many_messages(
    counted: tuple[ConvexChatMessageHistory, CountingCalls], client: cam.Client
) -> None:
    history, calls = counted
    many = [
        HumanMessage(f"message {i}") if i % 2 == 0 else AIMessage(f"reply {i}")
        for i in range(2_500)
    ]
    history.add_messages(many)
    assert calls.count("memory:saveMessages") == 3  # 1,000 messages a call
    assert history.messages == many
    assert (
        client.messages.count_messages(resource_id=history.resource_id, thread_id=history.thread_id)
        == 2_500
    )
    history.clear()
    assert history.messages == []
