"""A new user's flow, as the README tells it: a fresh Convex app with its own functions
(two modules with a `list` each) beside part of the memory API it exposes; `init`,
`generate`, typed use under mypy --strict; a signature changes, `check` fails naming exactly
the files that changed; regenerate; the new argument is typed.

The app's node_modules holds only what `npm install convex convex-agent-memory` brings to
the extractor (convex and its esbuild): no TypeScript loader, nothing else."""

from __future__ import annotations

import json
import subprocess
from pathlib import Path

import pytest
from convex_py_codegen.cli import main

from .helpers import ROOT, mypy_strict

SERVER = """import {
  actionGeneric, mutationGeneric, queryGeneric,
  internalActionGeneric, internalMutationGeneric, internalQueryGeneric,
} from "convex/server";
export const query = queryGeneric;
export const mutation = mutationGeneric;
export const action = actionGeneric;
export const internalQuery = internalQueryGeneric;
export const internalMutation = internalMutationGeneric;
export const internalAction = internalActionGeneric;
"""
API = """import { anyApi, componentsGeneric } from "convex/server";
export const api = anyApi;
export const internal = anyApi;
export const components = componentsGeneric();
"""
CONFIG = """import { defineApp } from "convex/server";
import agentMemory from "convex-agent-memory/convex.config";
const app = defineApp();
app.use(agentMemory);
export default app;
"""
NOTES = """import { v } from "convex/values";
import { mutation, query } from "./_generated/server";

const note = v.object({ _id: v.id("notes"), _creationTime: v.number(), text: v.string() });

/** The notes of an author, newest first. */
export const list = query({
  args: { author: v.string(), limit: v.optional(v.number()) },
  returns: v.array(note),
  handler: async () => [],
});

/** Adds a note. */
export const add = mutation({
  args: { author: v.string(), text: v.string() },
  returns: v.id("notes"),
  handler: async () => "n1" as never,
});
"""
TODOS = """import { v } from "convex/values";
import { query } from "./_generated/server";

export const list = query({
  args: { done: v.optional(v.boolean()) },
  returns: v.array(v.object({ _id: v.id("todos"), title: v.string(), done: v.boolean() })),
  handler: async () => [],
});
"""
MEMORY = """import { defaultPolicy, exposeApi } from "convex-agent-memory/client";
import { components } from "./_generated/api";

const memory = exposeApi(components.agentMemory, {
  authorize: defaultPolicy({ resourceIdClaim: "subject", serviceClaim: "agent_memory_service" }),
});

// Only part of the memory API: threads and messages.
export const { getThread, saveThread, saveMessages, listMessages, countMessages } = memory;
"""
USE = """from __future__ import annotations

from notes_app import Client, NotFoundError
from notes_app.types import NoteId


def use(client: Client) -> list[str]:
    note: NoteId = client.notes.add(author="ada", text="hello")
    texts = [n.text for n in client.notes.list(author="ada", limit=10)]
    done = [t.title for t in client.todos.list(done=True)]
    thread = client.memory.save_thread(id="t1", resource_id="ada", title="Trip")
    count: int = client.memory.count_messages(resource_id="ada", thread_id=thread.id)
    try:
        client.memory.get_thread(resource_id="ada", id="nope")
    except NotFoundError:
        pass
    return [note, *texts, *done, str(count)]
"""
USE_PINNED = USE.replace('text="hello")', 'text="hello", pinned=True)')
USE_PINNED_WRONGLY = USE.replace('text="hello")', 'text="hello", pinned="yes")')


def make_app(tmp: Path) -> Path:
    app = tmp / "notes-app"
    (app / "convex" / "_generated").mkdir(parents=True)
    (app / "package.json").write_text('{"name": "notes-app", "private": true}\n')
    files = {
        "_generated/server.ts": SERVER,
        "_generated/api.ts": API,
        "convex.config.ts": CONFIG,
        "notes.ts": NOTES,
        "todos.ts": TODOS,
        "memory.ts": MEMORY,
    }
    for rel, text in files.items():
        (app / "convex" / rel).write_text(text)
    modules = app / "node_modules"
    modules.mkdir()
    for name in ("convex", "esbuild", "@esbuild"):
        (modules / name).symlink_to(ROOT / "node_modules" / name)
    # The package as an app sees it, its exports pointing at the TypeScript sources (the
    # `@convex-dev/component-source` condition's targets): this repository has no dist/ unless
    # packed, and the packed package is tests/package's subject.
    package = modules / "convex-agent-memory"
    package.mkdir()
    exports = {
        f"./{name}": f"./{source}"
        for name, source in (
            ("client", "client/index.ts"),
            ("convex.config", "component/convex.config.ts"),
            ("convex.config.js", "component/convex.config.ts"),
        )
    }
    manifest = {"name": "convex-agent-memory", "type": "module", "exports": exports}
    (package / "package.json").write_text(json.dumps(manifest))
    for folder in ("client", "component"):
        (package / folder).symlink_to(ROOT / folder)
    return app


def mypy(folder: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    return mypy_strict(folder, *targets)


def test_a_new_users_flow(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    app = make_app(tmp_path)
    assert not (app / "node_modules" / "tsx").exists()

    # init: a config and a package skeleton
    assert main(["init", "--dir", str(app)]) == 0
    out = capsys.readouterr().out
    assert "wrote convex-py-codegen.toml" in out and "next: convex-py-codegen generate" in out
    package = app / "python" / "notes_app"
    assert {p.name for p in package.iterdir()} == {"__init__.py", "types.py", "py.typed"}
    assert (app / "python" / "pyproject.toml").exists()
    assert main(["init", "--dir", str(app)]) == 2  # never overwrites without --force

    # generate (from the app's folder, as a user runs it)
    config = str(app / "convex-py-codegen.toml")
    assert main(["generate", "--config", config]) == 0
    assert "generated 8 files into python/notes_app/_generated" in capsys.readouterr().out
    resources = package / "_generated" / "resources"
    assert {p.name for p in resources.iterdir() if p.suffix == ".py"} == {
        "__init__.py",
        "memory.py",
        "notes.py",
        "todos.py",
    }

    # typed use under mypy --strict
    python = app / "python"
    (python / "use_app.py").write_text(USE)
    checked = mypy(python, "notes_app", "use_app.py")
    assert checked.returncode == 0, checked.stdout + checked.stderr

    # a signature changes: check fails naming exactly the files that changed
    notes = app / "convex" / "notes.ts"
    notes.write_text(
        notes.read_text().replace(
            "args: { author: v.string(), text: v.string() },",
            "args: { author: v.string(), text: v.string(), pinned: v.optional(v.boolean()) },",
        )
    )
    assert main(["check", "--config", config]) == 1
    lines = capsys.readouterr().out.splitlines()
    assert lines[0] == "python/notes_app/_generated is stale: 3 of 8 files differ"
    assert lines[1:4] == [
        "  changed: _spec.py",
        "  changed: models.py",
        "  changed: resources/notes.py",
    ]
    assert lines[4] == "regenerate with: convex-py-codegen generate --config convex-py-codegen.toml"

    # regenerate: check passes, the new argument is typed
    assert main(["generate", "--config", config]) == 0
    assert main(["check", "--config", config]) == 0
    (python / "use_app.py").write_text(USE_PINNED)
    checked = mypy(python, "notes_app", "use_app.py")
    assert checked.returncode == 0, checked.stdout + checked.stderr
    (python / "use_app.py").write_text(USE_PINNED_WRONGLY)
    refused = mypy(python, "use_app.py")
    assert refused.returncode == 1
    assert 'Argument "pinned" to "add" of "Notes" has incompatible type "str"' in refused.stdout


def test_the_readme_documents_every_config_key_and_its_example_parses(tmp_path: Path) -> None:
    import re

    from convex_py_codegen.config import KNOWN_KEYS, load_config

    readme = (ROOT / "README.md").read_text()
    section = readme[readme.index("### Generating a Python SDK for your own app") :]
    table = section[section.index("**Config keys**") : section.index("**What the SDK looks like**")]
    documented = set(re.findall(r"`(?:\[codegen\.)?([a-z0-9_]+)(?:[.\]][^`]*)?`", table))
    assert documented >= KNOWN_KEYS, sorted(KNOWN_KEYS - documented)
    example = re.search(r"```toml\n(# convex-py-codegen\.toml.*?)```", section, re.S)
    assert example is not None
    (tmp_path / "convex-py-codegen.toml").write_text(example.group(1))
    config = load_config(tmp_path / "convex-py-codegen.toml")
    assert config.package == "notes_app" and config.idempotent.matches("memory", "saveThread")
