"""A LangGraph agent whose memory lives in Convex: it pauses for a human's approval, the
process exits, and another process resumes the same thread from Convex.

Two kinds of memory, both in the agent-memory component:

- the thread's state (LangGraph checkpoints) through ``ConvexSaver``: a run interrupted for
  approval is resumed by a different process, which finds the pending interrupt in Convex;
- what the agent knows about the user through ``ConvexStore``: a fact told in one thread is
  found in another by semantic search (deterministic hashing embeddings, 384 dimensions).

The chat model is langchain-core's ``GenericFakeChatModel`` with scripted replies, so the run
is the same every time and needs no API key. Run it against the local backend::

    .venv/bin/python -m local_backend.launcher run -- .venv/bin/python examples/langgraph_agent.py

or against a deployment whose app exposes the component (``example/convex/memory.ts``)::

    export CONVEX_URL=https://<your-deployment>.convex.cloud
    export CONVEX_AUTH_TOKEN=<a user's JWT>      # its ``sub`` is the user (the memories' owner)
    python examples/langgraph_agent.py             # start, then resume in a second process

``start`` and ``resume --thread ID [--decision approve|reject]`` run one half each.
"""

from __future__ import annotations

import argparse
import base64
import json
import os
import subprocess
import sys
import uuid
from pathlib import Path
from typing import Any

from convex_agent_memory import Client
from convex_agent_memory.langgraph import ConvexSaver, ConvexStore
from langchain_core.language_models.fake_chat_models import GenericFakeChatModel
from langchain_core.messages import AIMessage, HumanMessage, SystemMessage, ToolMessage
from langchain_core.runnables import RunnableConfig
from langgraph.graph import END, START, MessagesState, StateGraph
from langgraph.store.base import BaseStore
from langgraph.types import Command, interrupt

sys.path.insert(0, str(Path(__file__).resolve().parent))
from embedders import HashingEmbedder

DIMENSION = HashingEmbedder.dimension

# --- the model's scripted replies -----------------------------------------------------------

BOOKING = {"restaurant": "Green Garden", "party_size": 2, "time": "19:30", "menu": "vegetarian"}
REPLIES = {
    "profile": [AIMessage("Noted, I will keep that in mind.")],
    "dinner": [
        AIMessage("", tool_calls=[{"name": "book_table", "args": BOOKING, "id": "call-book-1"}]),
    ],
    "after-approval": [
        AIMessage(
            "Done: a table for 2 at Green Garden tonight at 19:30, vegetarian menu, as you like it."
        ),
    ],
}


def book_table(restaurant: str, party_size: int, time: str, menu: str) -> str:
    """The tool that needs a human's approval (a real one would call a booking API)."""
    reference = f"GG-{party_size}{time.replace(':', '')}"
    return f"Booked {restaurant} for {party_size} at {time} ({menu} menu), reference {reference}"


# --- the graph ------------------------------------------------------------------------------


def build(model: GenericFakeChatModel, saver: ConvexSaver, store: ConvexStore) -> Any:
    def user_of(config: RunnableConfig) -> str:
        return str(config["configurable"]["user_id"])

    def remember(
        state: MessagesState, config: RunnableConfig, *, store: BaseStore
    ) -> dict[str, Any]:
        """Stores what the user asks the agent to remember, for every later thread."""
        text = str(state["messages"][-1].content)
        if text.lower().startswith("remember that "):
            fact = text[len("remember that ") :].rstrip(".")
            store.put(("memories", user_of(config)), uuid.uuid4().hex[:8], {"text": fact})
            say(f"stored a memory in Convex: {fact!r}")
        return {}

    def recall(state: MessagesState, config: RunnableConfig, *, store: BaseStore) -> dict[str, Any]:
        """Finds what is known about the user by semantic search over the store."""
        query = str(state["messages"][-1].content)
        hits = [
            hit
            for hit in store.search(("memories", user_of(config)), query=query, limit=2)
            if (hit.score or 0) >= 0.2
        ]
        if not hits:
            return {}
        for hit in hits:
            say(f"recalled by semantic search: {hit.value['text']!r} (score {hit.score:.2f})")
        facts = "; ".join(hit.value["text"] for hit in hits)
        return {"messages": [SystemMessage(f"What you know about the user: {facts}.")]}

    def agent(state: MessagesState) -> dict[str, Any]:
        return {"messages": [model.invoke(state["messages"])]}

    def approval(state: MessagesState) -> dict[str, Any]:
        """Pauses until a human decides; the decision comes back with Command(resume=...)."""
        call = state["messages"][-1].tool_calls[0]  # type: ignore[attr-defined]
        decision = interrupt(
            {"question": "Book this table?", "tool": call["name"], "args": call["args"]}
        )
        result = (
            book_table(**call["args"])
            if decision == "approve"
            else "The user declined the booking."
        )
        return {"messages": [ToolMessage(result, tool_call_id=call["id"])]}

    def needs_approval(state: MessagesState) -> str:
        last = state["messages"][-1]
        return "approval" if getattr(last, "tool_calls", None) else END

    graph = StateGraph(MessagesState)
    graph.add_node("remember", remember)
    graph.add_node("recall", recall)
    graph.add_node("agent", agent)
    graph.add_node("approval", approval)
    graph.add_edge(START, "remember")
    graph.add_edge("remember", "recall")
    graph.add_edge("recall", "agent")
    graph.add_conditional_edges("agent", needs_approval, ["approval", END])
    graph.add_edge("approval", "agent")
    return graph.compile(checkpointer=saver, store=store)


# --- the two halves -------------------------------------------------------------------------


def say(text: str) -> None:
    print(f"  [pid {os.getpid()}] {text}", flush=True)


def subject_of(token: str) -> str | None:
    """The ``sub`` claim of a JWT (read only to name the user; the deployment verifies it)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        subject = claims.get("sub")
        return subject if isinstance(subject, str) else None
    except (IndexError, ValueError):
        return None


def memory(client: Client, user: str) -> tuple[ConvexSaver, ConvexStore]:
    embedder = HashingEmbedder()
    saver = ConvexSaver(resource_id=user, client=client)
    store = ConvexStore(
        resource_id=user,
        client=client,
        index={"dims": DIMENSION, "embed": embedder.embed, "fields": ["text"]},
    )
    return saver, store


def start(client: Client, user: str, thread: str) -> None:
    print("1. First process: teach the agent a fact, then ask for something that needs approval")
    saver, store = memory(client, user)
    profile = {"configurable": {"thread_id": f"{thread}-profile", "user_id": user}}
    graph = build(GenericFakeChatModel(messages=iter(REPLIES["profile"])), saver, store)
    out = graph.invoke(
        {"messages": [HumanMessage("Remember that I only eat vegetarian food.")]}, profile
    )
    say(f"agent: {out['messages'][-1].content}")

    store.put(("memories", user), "city", {"text": "lives in Lisbon near the river"})
    store.put(("memories", user), "colour", {"text": "favourite colour is green"})
    dinner = {"configurable": {"thread_id": thread, "user_id": user}}
    graph = build(GenericFakeChatModel(messages=iter(REPLIES["dinner"])), saver, store)
    graph.invoke(
        {"messages": [HumanMessage("Book a table for two tonight, with food I eat.")]}, dinner
    )
    pending = graph.get_state(dinner)
    (task,) = [task for task in pending.tasks if task.interrupts]
    say(f"interrupted in node {task.name!r}: {task.interrupts[0].value}")
    say(f"thread {thread!r} is saved in Convex; this process exits now")


def resume(client: Client, user: str, thread: str, decision: str) -> None:
    print("2. Second process: resume the same thread from Convex")
    saver, store = memory(client, user)
    config = {"configurable": {"thread_id": thread, "user_id": user}}
    graph = build(GenericFakeChatModel(messages=iter(REPLIES["after-approval"])), saver, store)
    state = graph.get_state(config)
    if not state.next:
        raise SystemExit(f"thread {thread!r} has no pending step to resume")
    say(f"found the pending interrupt in Convex: {state.tasks[0].interrupts[0].value['question']}")
    say(f"the human says: {decision}")
    out = graph.invoke(Command(resume=decision), config)
    tool = next(m for m in out["messages"] if isinstance(m, ToolMessage))
    say(f"tool result: {tool.content}")
    print(f"resumed result: {out['messages'][-1].content}")
    history = list(saver.list(config))
    step = history[0].metadata["step"]
    say(f"{len(history)} checkpoints of this thread in Convex; latest step {step}")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    sub = parser.add_subparsers(dest="command")
    sub.add_parser("start")
    resume_parser = sub.add_parser("resume")
    resume_parser.add_argument("--thread", required=True)
    resume_parser.add_argument("--decision", choices=["approve", "reject"], default="approve")
    for p in (parser, *sub.choices.values()):
        p.add_argument("--thread-id", dest="thread_id", default=None, help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    url, token = os.environ.get("CONVEX_URL"), os.environ.get("CONVEX_AUTH_TOKEN")
    if not (url and token):
        print(
            "Set CONVEX_URL and CONVEX_AUTH_TOKEN, or run me with\n"
            "  .venv/bin/python -m local_backend.launcher run -- .venv/bin/python "
            "examples/langgraph_agent.py",
            file=sys.stderr,
        )
        return 2
    user = os.environ.get("AGENT_MEMORY_USER") or subject_of(token) or "demo-user"

    if args.command is None:
        # Both halves, each in its own process: nothing but Convex carries the thread across.
        thread = f"dinner-{uuid.uuid4().hex[:8]}"
        me = [sys.executable, str(Path(__file__).resolve())]
        first = subprocess.run([*me, "start", "--thread-id", thread], check=False)
        if first.returncode != 0:
            return first.returncode
        return subprocess.run([*me, "resume", "--thread", thread], check=False).returncode

    with Client(url=url, token=token) as client:
        if args.command == "start":
            start(client, user, args.thread_id or f"dinner-{uuid.uuid4().hex[:8]}")
            return 0
        resume(client, user, args.thread, args.decision)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
