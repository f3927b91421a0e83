"""Semantic recall: what did this user say about X, in any conversation, with the messages
around it?

A user has had three conversations (a trip, work, running). Their messages were saved with
embeddings; today, in a new conversation, the agent recalls what is relevant from the
earlier ones. Run against the local backend::

    .venv/bin/python -m local_backend.launcher run --user demo-user -- \\
        .venv/bin/python examples/recall.py

or against a deployment exposing the component (``CONVEX_URL``, ``CONVEX_AUTH_TOKEN``; the
user is the token's subject or ``$AGENT_MEMORY_USER``). ``DEMO_EMBEDDER=hashing`` (the
default here) uses the deterministic embedder of examples/embedders.py; ``minilm`` the
local all-MiniLM-L6-v2 model (the ``[demo]`` extra).
"""

from __future__ import annotations

import os
import sys
import uuid
from pathlib import Path
from typing import Any

from convex_agent_memory import Client

sys.path.insert(0, str(Path(__file__).resolve().parent))
from embedders import load_embedder

CONVERSATIONS: dict[str, list[tuple[str, str]]] = {
    "trip": [
        ("user", "I'm planning five days in Lisbon in May."),
        ("assistant", "Lovely. What do you enjoy most when you travel?"),
        ("user", "Food markets and old trams. I'm vegetarian, by the way."),
        ("assistant", "Noted: vegetarian. Time Out Market has many vegetarian stalls."),
        ("user", "Should I book Pena Palace tickets in advance?"),
        ("assistant", "Yes, timed tickets for Pena Palace sell out in spring."),
    ],
    "work": [
        ("user", "Schedule the quarterly review with the sales team."),
        ("assistant", "Done: Thursday at 10am, room 4."),
        ("user", "Remind me to file the hotel invoice from the Lisbon trip."),
        ("assistant", "I'll remind you on Friday."),
    ],
    "running": [
        ("user", "I want to run a half marathon in October."),
        ("assistant", "Start with three easy runs a week and a long run on Sundays."),
        ("user", "My knee hurts after long runs downhill."),
        ("assistant", "Shorten the downhill parts and see a physiotherapist if it persists."),
    ],
}
TODAY = [("user", "Can you suggest dinner places for my Lisbon trip?")]
WEEK = 7 * 24 * 3600 * 1000
#: When each conversation happened (ms since the epoch): a week apart, today last.
STARTED = {
    "trip": 1_700_000_000_000,
    "work": 1_700_000_000_000 + WEEK,
    "running": 1_700_000_000_000 + 2 * WEEK,
    "today": 1_700_000_000_000 + 3 * WEEK,
}


def text_of(message: Any) -> str:
    return " ".join(p["text"] for p in message.content.parts if p.get("type") == "text")


def rank(value: int | None) -> str:
    return "-" if value is None else str(value)


def show(found: Any) -> None:
    scores = {hit.id: hit for hit in found.hits}
    for group in found.groups:
        print(f"   [{group.thread_id}] best score {group.score:.3f}")
        for message in group.messages:
            hit = scores.get(message.id)
            mark = f"{hit.score:.3f}" if hit else "     "
            print(f"     {mark} {message.role:<9} {text_of(message)}")


def main() -> int:
    url, token = os.environ.get("CONVEX_URL"), os.environ.get("CONVEX_AUTH_TOKEN")
    if not (url and token):
        print("Set CONVEX_URL and CONVEX_AUTH_TOKEN (see the docstring)", file=sys.stderr)
        return 2
    user = os.environ.get("AGENT_MEMORY_USER", "demo-user")
    embedder, why = load_embedder(os.environ.get("DEMO_EMBEDDER", "hashing"))
    print(f"embedder: {embedder.name} ({why})")
    run = uuid.uuid4().hex[:6]  # fresh thread ids on every run

    def embed(texts: list[str]) -> list[list[float]]:
        return embedder.embed(texts)

    with Client(url=url, token=token) as client:
        # 1. Earlier conversations, saved with an embedding per message -----------------
        for name, lines in {**CONVERSATIONS, "today": TODAY}.items():
            thread_id = f"{name}-{run}"
            client.threads.save_thread(resource_id=user, id=thread_id, title=name)
            vectors = embed([text for _, text in lines])
            client.messages.save_messages(
                resource_id=user,
                messages=[
                    {
                        "id": f"{thread_id}-{i}",
                        "threadId": thread_id,
                        "role": role,
                        "content": {"format": 2, "parts": [{"type": "text", "text": text}]},
                        "createdAt": float(STARTED[name] + i * 60_000),
                        "embedding": vector,
                    }
                    for i, ((role, text), vector) in enumerate(zip(lines, vectors, strict=True))
                ],
            )
        today = f"today-{run}"
        embedded = client.recall.count_message_embeddings(resource_id=user)
        saved = sum(len(lines) for lines in CONVERSATIONS.values()) + len(TODAY)
        print(f"1. {saved} messages saved with embeddings; {embedded} embedded for {user}")

        # 2. Recall across conversations, leaving today's out ---------------------------
        question = "what food does the user eat"
        print(f"2. recall: {question!r} (top 2, one message before and after, not today's)")
        found = client.recall.recall_text(
            embed=embed, resource_id=user, query=question, top_k=2,
            before=1, after=1, exclude_thread_id=today,
        )  # fmt: skip
        show(found)

        # 3. Hybrid: the words matter too ---------------------------------------------
        question = "Pena Palace tickets"
        print(f"3. hybrid recall: {question!r} (vector and keyword rankings fused)")
        found = client.recall.recall_text(
            embed=embed, resource_id=user, query=question, top_k=2, hybrid=True
        )
        texts = {m.id: text_of(m) for group in found.groups for m in group.messages}
        for hit in found.hits:
            ranks = f"vector rank {rank(hit.vector_rank)}, keyword rank {rank(hit.keyword_rank)}"
            print(
                f"   fused {hit.score:.4f} (cosine {hit.vector_score:.3f}; {ranks}) {texts[hit.id]}"
            )

        # 4. One conversation only ----------------------------------------------------
        question = "my knee hurts"
        print(f"4. recall in one thread: {question!r}")
        found = client.recall.recall_text(
            embed=embed, resource_id=user, query=question, top_k=1,
            thread_id=f"running-{run}", after=1,
        )  # fmt: skip
        show(found)

        # 5. Deleting a thread deletes its embeddings ---------------------------------
        def vegetarian() -> list[str]:
            found = client.recall.recall_text(
                embed=embed, resource_id=user, query="I'm vegetarian", top_k=3, min_score=0.3
            )
            return [hit.id for hit in found.hits]

        before = vegetarian()
        client.threads.delete_thread(resource_id=user, id=f"trip-{run}")
        left = client.recall.count_message_embeddings(resource_id=user)
        after = vegetarian()
        gone = embedded - left
        print(f"5. trip deleted: {gone} embeddings gone; recalling \"I'm vegetarian\" "
              f"finds {len(after)} messages (before: {len(before)})")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
