"""The README's LangGraph program, run as a user would copy it."""

from __future__ import annotations

import os
import re
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


def readme_program() -> str:
    readme = (ROOT / "README.md").read_text()
    # The section (a `###` of "Frameworks"), up to the next heading of its level or above.
    section = readme.split("\n### LangGraph: checkpointer and store\n", 1)[1]
    section = re.split(r"\n#{1,3} ", section, maxsplit=1)[0]
    match = re.search(r"```python\n(.*?)```", section, re.S)
    assert match is not None
    return match.group(1)


@NOT_IN_REDACTED_RUN
def test_the_readme_program_runs(deployment: Deployment, tmp_path: Path) -> None:
    program = tmp_path / "lg.py"
    program.write_text(readme_program())
    env = {
        **os.environ,
        "CONVEX_URL": deployment.url,
        "CONVEX_AUTH_TOKEN": deployment.token_a,
        "AGENT_MEMORY_USER": deployment.user_a,
    }
    done = subprocess.run(
        [sys.executable, str(program)], env=env, capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert done.stdout.splitlines() == [
        "Hello! How can I help?",
        "diet the user eats vegetarian food",
    ]
