"""convex-agent-memory quickstart: a user's thread, its messages, and a searchable corpus.

Run against the local backend (what ``./scripts/demo`` does)::

    .venv/bin/python -m local_backend.launcher run --user demo-user -- \\
        .venv/bin/python examples/quickstart.py

or against a real deployment that exposes the component (``example/convex/memory.ts``)::

    export CONVEX_URL=https://<your-deployment>.convex.cloud
    export CONVEX_AUTH_TOKEN=<a user's JWT>                 # the thread and messages
    export AGENT_MEMORY_SERVICE_TOKEN=<a service's JWT>     # the vector index (a service writes)
    python examples/quickstart.py

The user's resource id is the token's ``sub`` claim (or ``$AGENT_MEMORY_USER``).
"""

from __future__ import annotations

import base64
import json
import os
import sys
import textwrap
import time
import uuid
from pathlib import Path

from convex_agent_memory import Client, omit

sys.path.insert(0, str(Path(__file__).resolve().parent))
from embedders import load_embedder

CORPUS = Path(__file__).resolve().parent / "corpus"
WIDTH = 96

CONVERSATION = [
    ("user", "Hi! I'm planning a trip to Lisbon in May."),
    ("assistant", "Lovely. How many days will you stay, and what do you enjoy most?"),
    ("user", "Five days. I like food markets, old trams and viewpoints."),
    ("assistant", "Then ride tram 28 early in the morning, before the crowds."),
    ("user", "Good tip. Where should I eat on the first evening?"),
    ("assistant", "Time Out Market near Cais do Sodre has many small stalls under one roof."),
    ("user", "I'm vegetarian, by the way."),
    ("assistant", "Noted. Most stalls there have a vegetarian dish; I'll keep that in mind."),
    ("user", "Which viewpoint has the best sunset?"),
    ("assistant", "Miradouro da Senhora do Monte: it faces west over the castle and the river."),
    ("user", "Is a day trip to Sintra worth it?"),
    ("assistant", "Yes. Take the train from Rossio; it takes about forty minutes."),
    ("user", "Should I book the palaces in advance?"),
    ("assistant", "For Pena Palace, yes: timed tickets sell out in spring."),
    ("user", "What about Belem?"),
    ("assistant", "Visit the monastery in the morning and try a custard tart nearby."),
    ("user", "Are custard tarts vegetarian?"),
    ("assistant", "They are made with eggs, milk and sugar, so they suit a vegetarian diet."),
    ("user", "How do I get from the airport to the centre?"),
    ("assistant", "The metro red line reaches the centre in about twenty minutes."),
    ("user", "Thanks! Can you summarise the plan?"),
    ("assistant", "Tram 28, Time Out Market, a sunset viewpoint, Sintra by train, then Belem."),
    ("user", "Perfect. Remember that I'm vegetarian for next time."),
    ("assistant", "I will: it's saved to your working memory."),
    ("user", "See you in May!"),
]

QUESTIONS = [
    ("How can an agent remember a user's preferences between conversations?", None),
    ("How are very large deletions kept within transaction limits?", {"topic": "convex"}),
]


# --- output helpers ------------------------------------------------------------------


def step(number: int, title: str) -> None:
    print()
    print(f"{number}. {title}")
    print("-" * WIDTH)


def row(label: str, value: object) -> None:
    print(f"   {label:<22} {value}")


def short(text: str, width: int) -> str:
    return textwrap.shorten(text, width=width, placeholder="...")


def subject_of(token: str) -> str | None:
    """The ``sub`` claim of a JWT (read only to name the user; the server verifies it)."""
    try:
        payload = token.split(".")[1]
        claims = json.loads(base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        subject = claims.get("sub")
        return subject if isinstance(subject, str) else None
    except (IndexError, ValueError):
        return None


def load_corpus() -> list[dict[str, str]]:
    """Every non-empty line of examples/corpus/<topic>.txt, with a stable id."""
    passages = []
    for path in sorted(CORPUS.glob("*.txt")):
        lines = [line.strip() for line in path.read_text().splitlines() if line.strip()]
        for number, text in enumerate(lines, start=1):
            passages.append({"id": f"{path.stem}-{number:02d}", "topic": path.stem, "text": text})
    return passages


# --- the walk-through ----------------------------------------------------------------


def main() -> int:
    url = os.environ.get("CONVEX_URL")
    user_token = os.environ.get("CONVEX_AUTH_TOKEN")
    service_token = os.environ.get("AGENT_MEMORY_SERVICE_TOKEN")
    if not (url and user_token and service_token):
        print(
            "Set CONVEX_URL, CONVEX_AUTH_TOKEN and AGENT_MEMORY_SERVICE_TOKEN, or run me with\n"
            "  .venv/bin/python -m local_backend.launcher run -- .venv/bin/python "
            "examples/quickstart.py",
            file=sys.stderr,
        )
        return 2
    user = os.environ.get("AGENT_MEMORY_USER") or subject_of(user_token) or "demo-user"
    started = time.perf_counter()

    print("=" * WIDTH)
    print("convex-agent-memory quickstart")
    print("=" * WIDTH)
    row("deployment", url)
    row("user (resource id)", user)

    # The user's client owns the conversation; a service identity manages vector indexes.
    with (
        Client(url=url, token=user_token) as client,
        Client(url=url, token=service_token) as service,
    ):
        # 1. A thread -------------------------------------------------------------------
        step(1, f"A thread for {user}")
        thread_id = f"quickstart-{uuid.uuid4().hex[:8]}"
        thread = client.threads.save_thread(
            id=thread_id, resource_id=user, title="Planning a trip to Lisbon",
            metadata={"source": "quickstart"},
        )  # fmt: skip
        row("id", thread.id)
        row("title", thread.title)
        row("threads of this user", client.threads.count_threads(resource_id=user))

        # 2. Messages -------------------------------------------------------------------
        step(2, f"{len(CONVERSATION)} messages saved in one call")
        base = time.time() * 1000 - len(CONVERSATION) * 60_000
        saved = client.messages.save_messages(
            resource_id=user,
            messages=[
                {
                    "id": f"{thread_id}-m{number:02d}",
                    "threadId": thread_id,
                    "role": role,
                    "content": {"format": 2, "parts": [{"type": "text", "text": text}],
                                "content": text},
                    "createdAt": base + number * 60_000.0,  # one a minute
                }
                for number, (role, text) in enumerate(CONVERSATION, start=1)
            ]
        )  # fmt: skip
        row("saved", f"{len(saved)} messages, {saved[0].id} .. {saved[-1].id}")

        # 3. Paging ---------------------------------------------------------------------
        step(3, "Paged through, 10 at a time (the paginator follows the cursors)")
        pages = client.messages.list_messages_all(
            resource_id=user, thread_id=thread_id, page_size=10
        ).pages()
        for page_number, page in enumerate(pages, start=1):
            first = page.items[0]
            text = first.content.content or ""
            print(
                f"   page {page_number}: {len(page.items):>2} messages   first: "
                f"{first.role:<9} {short(text, 56)}"
            )
        row(
            "count (exact, O(1))",
            client.messages.count_messages(resource_id=user, thread_id=thread_id),
        )

        # 4. A vector index -------------------------------------------------------------
        print("\n   loading the embedder ...", end="", flush=True)
        t0 = time.perf_counter()
        embedder, why = load_embedder()
        print(f" ready in {time.perf_counter() - t0:.1f} s")
        index_name = f"quickstart-{'minilm' if 'MiniLM' in embedder.name else 'hashing'}"
        step(4, "A vector index (created with the service token)")
        created = service.vectors.create_index(
            name=index_name, dimension=embedder.dimension, filterable_keys=["topic"]
        )
        row("index", created.index.name)
        row("dimension", created.index.dimension)
        row("filterable keys", ", ".join(created.index.filterable_keys))
        row("created now", created.created)

        # 5. Embed and upsert -----------------------------------------------------------
        passages = load_corpus()
        topics = sorted({p["topic"] for p in passages})
        step(5, f"{len(passages)} passages from examples/corpus/ embedded and upserted")
        row("embedder", embedder.name)
        row("why this one", why)
        row("topics", ", ".join(topics))
        t0 = time.perf_counter()
        vectors = embedder.embed([p["text"] for p in passages])
        row("embedding time", f"{time.perf_counter() - t0:.2f} s")
        items = [
            {"id": p["id"], "vector": vector, "metadata": {"topic": p["topic"], "text": p["text"]}}
            for p, vector in zip(passages, vectors, strict=True)
        ]
        t0 = time.perf_counter()
        # Small calls on purpose so the bar moves; the default is 1,000 items / 8 MiB a call.
        results = service.vectors.upsert_many(
            index_name=index_name, items=items, max_items=8, progress=True
        )
        sys.stderr.flush()
        row("upserted", f"{len(items)} vectors in {len(results)} calls, "
                        f"{time.perf_counter() - t0:.2f} s")  # fmt: skip
        described = service.vectors.describe_index(index_name=index_name)
        row("vectors in the index", described.count)

        # 6. Questions ------------------------------------------------------------------
        step(6, "Questions answered by vector search (top 3, cosine similarity)")
        for question, where in QUESTIONS:
            (query_vector,) = embedder.embed([question])
            answer = client.vectors.query(
                index_name=index_name, query_vector=query_vector, top_k=3, filter=where or omit
            )
            print(f"   Q: {question}")
            if where:
                print(f"      filter: {json.dumps(where)}")
            print(f"      {'rank':<5}{'score':>6}  {'topic':<8} passage")
            for rank, hit in enumerate(answer.results, start=1):
                lines = textwrap.wrap(str(hit.metadata.get("text", "")), width=WIDTH - 28)
                topic = str(hit.metadata.get("topic", ""))
                print(f"      {rank:<5}{hit.score:>6.3f}  {topic:<8} {lines[0] if lines else ''}")
                for line in lines[1:]:
                    print(f"{'':<28}{line}")
            print()

    print("-" * WIDTH)
    print(f"Done in {time.perf_counter() - started:.1f} s. Thread {thread_id} and index "
          f"{index_name} stay in the deployment.")  # fmt: skip
    return 0


if __name__ == "__main__":
    sys.exit(main())
