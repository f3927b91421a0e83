"""examples/langgraph_agent.py as a user runs it: two processes, one thread, memory in Convex."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from .conftest import Deployment

#: The run against a backend that redacts errors (scripts/test) compares the errors tests
#: raise; this one raises none, and is long, so it runs once.
NOT_IN_REDACTED_RUN = pytest.mark.skipif(
    os.environ.get("LOCAL_BACKEND_REDACT_ERRORS") == "1", reason="raises no errors; run once"
)

ROOT = Path(__file__).resolve().parents[2]


@NOT_IN_REDACTED_RUN
def test_the_example_resumes_in_a_second_process(deployment: Deployment) -> None:
    env = {**os.environ, "CONVEX_URL": deployment.url, "CONVEX_AUTH_TOKEN": deployment.token_a}
    env.pop("AGENT_MEMORY_USER", None)
    done = subprocess.run(
        [sys.executable, "examples/langgraph_agent.py"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    print(done.stdout)
    assert done.returncode == 0, done.stdout + done.stderr
    out = done.stdout
    first, second = out.split("2. Second process", 1)
    pids = {line.split("]")[0] for line in out.splitlines() if line.strip().startswith("[pid")}
    assert len(pids) == 2  # two processes spoke
    assert "stored a memory in Convex: 'I only eat vegetarian food'" in first
    assert "recalled by semantic search: 'I only eat vegetarian food'" in first
    assert "interrupted in node 'approval'" in first
    assert "found the pending interrupt in Convex: Book this table?" in second
    assert "tool result: Booked Green Garden for 2 at 19:30" in second
    assert "resumed result: Done: a table for 2 at Green Garden tonight at 19:30" in second
