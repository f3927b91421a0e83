"""`generate` and `check` through the CLI: a change to a component function makes `check`
fail until the SDK is regenerated; generation is byte-for-byte deterministic."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from convex_py_codegen.cli import main

from .helpers import FIXTURES, ROOT


@pytest.fixture
def project(tmp_path: Path) -> Path:
    """A scratch project: the fixture component, node_modules, a config."""
    shutil.copytree(FIXTURES / "component", tmp_path / "component")
    (tmp_path / "node_modules").symlink_to(ROOT / "node_modules")
    (tmp_path / "codegen.toml").write_text("""
[codegen]
functions_dir = "component"
component = true
wrapper_module = "memory"
output_dir = "sdk/scratch_sdk/_generated"
package = "scratch_sdk"
runtime_package = "convex_agent_memory"
""")
    return tmp_path


def test_new_optional_argument_check_fails_then_regenerate_shows_it(
    project: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    config = str(project / "codegen.toml")
    assert main(["generate", "--config", config]) == 0
    assert main(["check", "--config", config]) == 0
    threads = project / "sdk" / "scratch_sdk" / "_generated" / "resources" / "threads.py"
    assert "include_archived" not in threads.read_text()

    source = project / "component" / "threads.ts"
    text = source.read_text()
    text = text.replace(
        '    order: v.optional(v.union(v.literal("asc"), v.literal("desc"))),\n',
        '    order: v.optional(v.union(v.literal("asc"), v.literal("desc"))),\n'
        "    includeArchived: v.optional(v.boolean()),\n",
        1,
    )
    source.write_text(text)

    capsys.readouterr()
    assert main(["check", "--config", config]) == 1
    out = capsys.readouterr().out
    # The summary comes first and names exactly the files whose content changed.
    assert out.splitlines()[0] == "sdk/scratch_sdk/_generated is stale: 3 of 8 files differ"
    assert out.splitlines()[1:4] == [
        "  changed: _spec.py",
        "  changed: models.py",
        "  changed: resources/threads.py",
    ]

    assert main(["generate", "--config", config]) == 0
    regenerated = threads.read_text()
    assert "include_archived: bool | Omit = omit" in regenerated
    assert '"includeArchived": include_archived' in regenerated
    assert main(["check", "--config", config]) == 0


def test_generation_is_deterministic(project: Path) -> None:
    config = str(project / "codegen.toml")
    out = project / "sdk" / "scratch_sdk" / "_generated"
    assert main(["generate", "--config", config]) == 0
    first = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*.py"))}
    shutil.rmtree(out)
    assert main(["generate", "--config", config]) == 0
    second = {p.relative_to(out): p.read_bytes() for p in sorted(out.rglob("*.py"))}
    assert first == second and len(first) >= 6


def test_a_function_spec_file_can_replace_extraction(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (tmp_path / "app.toml").write_text(f"""
[codegen]
spec = "{FIXTURES / "app_function_spec.json"}"
output_dir = "out/app_pkg/_generated"
package = "app_pkg"
runtime_package = "convex_agent_memory"
""")
    assert main(["generate", "--config", str(tmp_path / "app.toml")]) == 0
    assert "warning: legacy.js:doStuff declares no `returns`" in capsys.readouterr().err
    client = (tmp_path / "out" / "app_pkg" / "_generated" / "client.py").read_text()
    assert "def agents(self) -> Agents:" in client


def test_the_committed_sdk_is_fresh() -> None:
    """The same check scripts/test runs: python_sdk/.../_generated matches the component."""
    assert main(["check", "--config", str(ROOT / "codegen" / "agent_memory.toml")]) == 0
