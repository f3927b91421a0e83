"""The generated SDKs are clean under `mypy --strict` (with the pydantic plugin) and `ruff
check`, with the repository's own settings; and a user's code type-checks against them."""

from __future__ import annotations

import json
import subprocess
import sys
import warnings
from pathlib import Path
from typing import Any

from .helpers import FIXTURES, ROOT, build_sdk, mypy_strict
from .test_validator_kinds import SPEC as KINDS_SPEC

USAGE = """
from __future__ import annotations

from fixture_sdk._generated import AsyncGeneratedClient, GeneratedClient
from fixture_sdk.types import MessageContentText, SaveMessagesMessage, Thread


def use(client: GeneratedClient) -> list[str]:
    thread: Thread | None = client.threads.get_thread(thread_id="t1")
    saved: Thread = client.threads.save_thread(id="t1", resource_id="u1", title="hi")
    ids: list[str] = [t.id for t in client.threads.list_threads_all(resource_id="u1")]
    client.messages.save_messages(thread_id="t1", messages=[
        SaveMessagesMessage(
            id="m", role="user", content=[MessageContentText(type="text", text="x")]
        ),
        # a plain dict is accepted too (validated before sending)
        {"id": "m2", "role": "user", "content": [{"type": "text", "text": "y"}]},
    ])
    count: int = client.messages.count_messages(thread_id="t1")
    return ids + [saved.id, str(count), thread.id if thread else ""]


async def use_async(client: AsyncGeneratedClient) -> list[str]:
    page = await client.threads.list_threads(resource_id="u1", page_size=10)
    everything = client.threads.list_threads_all(resource_id="u1")
    return [t.id for t in page.page] + [t.id async for t in everything]
"""


def run(command: list[str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)


def test_generated_code_passes_mypy_strict_and_ruff(
    tmp_path: Path, fixture_component_spec: Any
) -> None:
    build_sdk(
        tmp_path, fixture_component_spec, package="fixture_sdk", component=True, own_runtime=True
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_sdk(
            tmp_path,
            json.loads((FIXTURES / "app_function_spec.json").read_text()),
            package="app_sdk",
            component=False,
        )
    build_sdk(tmp_path, KINDS_SPEC, package="kinds_sdk", component=False)
    (tmp_path / "usage.py").write_text(USAGE)
    generated = [
        str(p / "_generated")
        for p in (tmp_path / "fixture_sdk", tmp_path / "app_sdk", tmp_path / "kinds_sdk")
    ]
    real = ROOT / "python_sdk" / "convex_agent_memory" / "_generated"

    ruff = run(
        [
            sys.executable,
            "-m",
            "ruff",
            "check",
            "--config",
            str(ROOT / "pyproject.toml"),
            *generated,
            str(real),
        ],
        tmp_path,
    )
    assert ruff.returncode == 0, ruff.stdout + ruff.stderr

    mypy = mypy_strict(tmp_path, "fixture_sdk", "app_sdk", "kinds_sdk", "usage.py")
    assert mypy.returncode == 0, mypy.stdout + mypy.stderr
    # (the SDK itself: tests/python/sdk/test_static_checks.py)
