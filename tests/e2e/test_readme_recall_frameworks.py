"""The README's programs for recall, LangChain and the OpenAI Agents SDK, run as a user would
copy them (the Agents one twice, in two processes), and examples/recall.py."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Deployment, uid

NOT_IN_REDACTED_RUN = pytest.mark.skipif(
    os.environ.get("LOCAL_BACKEND_REDACT_ERRORS") == "1", reason="raises no errors; run once"
)
pytestmark = NOT_IN_REDACTED_RUN

ROOT = Path(__file__).resolve().parents[2]


def readme_program(heading: str) -> str:
    readme = (ROOT / "README.md").read_text()
    section = readme.split(f"## {heading}\n", 1)[1].split("\n## ", 1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None, heading
    return match.group(1)


def fresh_user(deployment: Deployment) -> dict[str, str]:
    """A user of its own on the local backend (the programs' output then depends on nothing
    else); on a deployment, user A."""
    if deployment.local:
        user = uid("readme-user")
        return {"CONVEX_AUTH_TOKEN": deployment.backend.token(user), "AGENT_MEMORY_USER": user}
    return {"CONVEX_AUTH_TOKEN": deployment.token_a, "AGENT_MEMORY_USER": deployment.user_a}


def run(
    program: Path, deployment: Deployment, user: dict[str, str] | None = None, **env: str
) -> list[str]:
    done = subprocess.run(
        [sys.executable, str(program)],
        env={**os.environ, "CONVEX_URL": deployment.url, **(user or fresh_user(deployment)), **env},
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=180,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    return done.stdout.splitlines()


def test_the_recall_program(deployment: Deployment, tmp_path: Path) -> None:
    program = tmp_path / "recall.py"
    program.write_text(readme_program("Semantic recall"))
    assert run(program, deployment) == [
        "readme-trip ['Lovely, what do you like to eat?', 'I am vegetarian.', 'Noted, vegetarian it is.']"  # noqa: E501
    ]


def test_the_langchain_program(deployment: Deployment, tmp_path: Path) -> None:
    deployment.skip_unless("service")
    assert deployment.token_service is not None
    program = tmp_path / "lc.py"
    program.write_text(readme_program("LangChain: vector store and chat history"))
    lines = run(
        program,
        deployment,
        AGENT_MEMORY_SERVICE_TOKEN=deployment.token_service,
        README_INDEX=uid("readme"),
    )
    assert lines == [
        "Convex keeps vectors per dimension.",
        "['Where are vectors kept?', 'In Convex.']",
    ]


def test_the_openai_agents_program_in_two_processes(deployment: Deployment, tmp_path: Path) -> None:
    program = tmp_path / "agent.py"
    program.write_text(readme_program("OpenAI Agents SDK: session"))
    session, user = uid("readme-session"), fresh_user(deployment)
    assert run(program, deployment, user, SESSION_ID=session) == [
        "turn 1: the model saw ['Message 1'] and answered 'Reply 1'"
    ]
    assert run(program, deployment, user, SESSION_ID=session) == [
        "turn 2: the model saw ['Message 1', 'Reply 1', 'Message 2'] and answered 'Reply 2'"
    ]


def test_examples_recall(deployment: Deployment) -> None:
    lines = run(ROOT / "examples" / "recall.py", deployment, DEMO_EMBEDDER="hashing")
    # Thread ids end with a fresh run id; the rest is deterministic with the hashing embedder.
    text = re.sub(r"-[0-9a-f]{6}\]", "]", "\n".join(lines))
    assert lines[0].startswith("embedder: hashing")
    for expected in [
        "1. 15 messages saved with embeddings;",
        "   [trip] best score 0.318",
        "     0.318 user      Food markets and old trams. I'm vegetarian, by the way.",
        "           assistant Noted: vegetarian. Time Out Market has many vegetarian stalls.",
        "   fused 0.0328 (cosine 0.599; vector rank 1, keyword rank 1) Should I book Pena Palace tickets in advance?",  # noqa: E501
        "   [running] best score 0.642",
        '5. trip deleted: 6 embeddings gone; recalling "I\'m vegetarian" finds 0 messages (before: 2)',  # noqa: E501
    ]:
        assert expected in text, (expected, text)
    assert "[today]" not in text.split("3. hybrid", 1)[0]  # excluded
