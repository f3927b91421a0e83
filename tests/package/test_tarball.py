"""The package as a stranger meets it: ``npm pack``, installed into a fresh app outside the
repository, type-checked, bundled by the convex CLI itself, served by the local backend from
``node_modules`` and called from the Python SDK; and the same checks made to fail on copies of
the package with a hyphenated module or a missing export.

The app is built once per module (pack, ``npm install``, codegen); each mutation works on a
hard-linked copy of it whose package alone is a real copy.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import tarfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from local_backend.launcher import LocalBackend
from tests.package.tarball import (
    PACKAGE,
    ROOT,
    App,
    copy_app,
    make_app,
    pack,
    readme_command,
    readme_section,
    run,
)

pytestmark = pytest.mark.skipif(
    not (ROOT / "node_modules" / "tsx").exists(), reason="needs the repository's npm install"
)

#: The exports an app that follows the README imports (convex.config.js, client, test), or its
#: generated api.d.ts (_generated/component.js), or that the README offers (validators).
EXPORTS_USED = [
    "./convex.config.js",
    "./client",
    "./_generated/component.js",
    "./validators",
    "./test",
]

#: Type-level checks on the app, compiled with it (two dots: the CLI does not push it). An `any`
#: (or an unresolved import, which skipLibCheck turns into one silently) makes an assignment
#: below pass, and the unused @ts-expect-error then fails the type check.
TYPE_TEST = """\
import type { FunctionReference } from "convex/server";
import type { Message, Thread } from "convex-agent-memory/validators";
import type { api, components } from "./_generated/api";

type C = typeof components.agentMemory;
type Args<F> = F extends FunctionReference<any, any, infer A, any> ? A : never;
type Returns<F> = F extends FunctionReference<any, any, any, infer R> ? R : never;

// No exposed or component function has `any` arguments or results (names the leaks if any).
type IsAny<T> = [T] extends [never]
  ? false
  : [T] extends [{ readonly __never: unique symbol }] ? true : false;
type Leaks<M> = {
  [K in keyof M]: IsAny<Args<M[K]>> extends true
    ? K
    : IsAny<Returns<M[K]>> extends true ? K : never;
}[keyof M];
type None<L> = [L] extends [never] ? "none" : L;

// Never called: only compiled (the local backend loads every file of convex/ as a module).
export function typeChecks(value: <T>() => T): unknown[] {
  return [
    // components.agentMemory is the package's ComponentApi: typed, not any.
    // @ts-expect-error a ComponentApi is not a string
    value<C>() satisfies string,
    // @ts-expect-error a component function's arguments are an object type
    value<Args<C["threads"]["getThread"]>>() satisfies number,
    // @ts-expect-error ... and its result is typed
    value<Returns<C["messages"]["getMessagesByIds"]>>() satisfies number,
    value<Returns<C["messages"]["getMessagesByIds"]>>() satisfies Message[],
    // The app's exposed functions: typed arguments and results.
    // @ts-expect-error getThread takes { id: string }
    value<Args<typeof api.memory.getThread>>() satisfies number,
    // @ts-expect-error getThread returns a thread or null
    value<Returns<typeof api.memory.getThread>>() satisfies number,
    value<Returns<typeof api.memory.getThread>>() satisfies Thread | null,
    // @ts-expect-error a title is a string
    value<NonNullable<Returns<typeof api.memory.getThread>>["title"]>() satisfies number,
    "none" satisfies None<Leaks<typeof api.memory>>,
    "none" satisfies None<{ [D in keyof C]: Leaks<C[D]> }[keyof C]>,
  ];
}
"""


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> App:
    base = tmp_path_factory.mktemp("tarball")
    assert not base.resolve().is_relative_to(ROOT)
    tarball = pack(base / "pack")
    installed = make_app(base / "my-app", tarball)
    (installed.convex_dir / "exposed.typetest.ts").write_text(TYPE_TEST)
    return installed


@pytest.fixture(scope="module")
def push_request(app: App) -> dict[str, Any]:
    result, request = app.bundle()
    assert request is not None, f"the convex CLI could not bundle the app:\n{result.stderr}"
    return request


def test_tarball_ships_dist_sources_and_exports(app: App) -> None:
    tarballs = list((app.dir.parent / "pack").glob("*.tgz"))
    assert len(tarballs) == 1
    with tarfile.open(tarballs[0]) as tar:
        names = {n.removeprefix("package/") for n in tar.getnames()}
    for needed in [
        "dist/component/convex.config.js",
        "dist/component/_generated/component.d.ts",
        "dist/client/index.js",
        "dist/client/index.d.ts",
        "dist/client/test.js",
        "component/convex.config.ts",
        "component/_generated/component.ts",
        "client/index.ts",
    ]:
        assert needed in names, needed
    assert not [n for n in names if n.endswith(".test.ts")]
    exports = json.loads((app.package_dir / "package.json").read_text())["exports"]
    for key in [*EXPORTS_USED, "./convex.config"]:
        entry = exports[key]
        source = entry["@convex-dev/component-source"]
        assert source.endswith(".ts") and (app.package_dir / source).exists(), key
        assert (app.package_dir / entry["types"]).exists(), key
        if "default" in entry:
            assert (app.package_dir / entry["default"]).exists(), key


def test_app_type_checks_with_no_any_leaking(app: App) -> None:
    # (That the type checks bite is shown by test_a_missing_export_fails[_generated/component.js].)
    result = app.typecheck()
    assert result.returncode == 0, result.stdout + result.stderr


def test_cli_bundles_app_and_component_from_node_modules(push_request: dict[str, Any]) -> None:
    app_part, components = push_request["app"], push_request["components"]
    assert push_request["invalid"] == []
    assert app_part["dependencies"] == [f"../node_modules/{PACKAGE}/dist/component"]
    assert sorted(m["path"] for m in app_part["modules"]) == ["auth.config.js", "memory.js"]
    [component] = components
    assert component["definitionPath"] == f"../node_modules/{PACKAGE}/dist/component"
    assert component["hasSchema"]
    modules = set(component["modules"])
    for domain in ["threads", "messages", "resources", "vectors", "workflows", "scores", "traces"]:
        assert f"{domain}.js" in modules
    assert not [m for m in modules if m.startswith("_generated/")]
    # The app's own bundle takes the client helper and shared validators from the package, and no
    # component function module (nothing that imports the component's _generated/server).
    [memory] = [m for m in app_part["modules"] if m["path"] == "memory.js"]
    package_sources = [s for s in memory["sources"] if f"{PACKAGE}/" in s]
    assert any("/client/" in s for s in package_sources)
    assert not [s for s in package_sources if "_generated/server" in s]


def test_local_backend_serves_installed_package_to_python_sdk(app: App) -> None:
    from convex_agent_memory import Client, ForbiddenError

    component = f"agentMemory={app.component_dir}"
    with LocalBackend.start(app_dir=app.convex_dir, extra_args=["--component", component]) as lb:
        loaded = httpx.get(f"{lb.url}/_local_backend/functions").text
        assert str(app.component_dir) in loaded and str(app.convex_dir) in loaded
        with Client(url=lb.url, token=lb.token("user-1")) as client:
            saved = client.threads.save_thread(resource_id="user-1", id="t-1", title="Hello")
            assert saved.title == "Hello"
            client.messages.save_messages(
                resource_id="user-1",
                messages=[
                    {
                        "id": f"m-{i}",
                        "threadId": "t-1",
                        "role": "user",
                        "content": {"format": 2, "parts": [{"type": "text", "text": str(i)}]},
                    }
                    for i in range(3)
                ],
            )
            assert client.messages.count_messages(resource_id="user-1", thread_id="t-1") == 3
            texts = [
                m.content.parts[0]["text"]
                for m in client.messages.list_messages_all(resource_id="user-1", thread_id="t-1")
            ]
            assert texts == ["0", "1", "2"]
            with pytest.raises(ForbiddenError):
                client.threads.list_threads(resource_id="user-2", page_size=1)
        with Client(url=lb.url, token=lb.token("svc", service=True)) as service:
            unit = [1.0] + [0.0] * 127
            service.vectors.create_index(name="docs", dimension=128)
            service.vectors.upsert(index_name="docs", vectors=[{"id": "a", "vector": unit}])
            [hit] = service.vectors.query(index_name="docs", query_vector=unit, top_k=1).results
            assert hit.id == "a"


def test_readme_local_backend_command_runs_the_readme_python(app: App) -> None:
    command = readme_command(readme_section(), "local_backend.launcher run")
    script = "\n".join(line for line in command.splitlines() if not line.startswith("APP="))
    env = {**os.environ, "APP": str(app.dir)}
    result = subprocess.run(
        ["bash", "-euo", "pipefail", "-c", script],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert result.returncode == 0, result.stdout + result.stderr
    assert result.stdout.strip() == "Trip planning"


def test_register_helper_in_the_apps_own_convex_test(app: App) -> None:
    vitest = app.dir / "node_modules" / "vitest" / "vitest.mjs"
    result = run(["node", str(vitest), "run"], app.dir)
    assert result.returncode == 0, result.stdout + result.stderr
    assert re.search(r"Tests\s+1 passed", result.stdout), result.stdout


# --- the same checks fail on broken copies of the package -----------------------------------


@pytest.fixture
def broken_copy(app: App, tmp_path: Path) -> Iterator[App]:
    yield copy_app(app, tmp_path / "my-app")


def test_a_hyphenated_module_fails(broken_copy: App) -> None:
    # The module name the component had before it was renamed: vector-filter, not vectorFilter.
    model = broken_copy.component_dir / "model"
    (model / "vectorFilter.js").rename(model / "vector-filter.js")
    for js in broken_copy.component_dir.rglob("*.js"):
        text = js.read_text()
        if "vectorFilter.js" in text:
            js.write_text(text.replace("vectorFilter.js", "vector-filter.js"))
    problems = broken_copy.problems(typecheck=False)  # types do not come from dist/*.js
    assert problems == [
        "module path model/vector-filter.js: Path component vector-filter.js can only contain "
        "alphanumeric characters, underscores, or periods."
    ]


@pytest.mark.parametrize("export", EXPORTS_USED)
def test_a_missing_export_fails(broken_copy: App, export: str) -> None:
    manifest = broken_copy.package_dir / "package.json"
    package = json.loads(manifest.read_text())
    del package["exports"][export]
    manifest.write_text(json.dumps(package, indent=2))
    # Every app file that imports the package is type-checked; the CLI's bundle is what a
    # missing convex.config export breaks first.
    problems = "\n".join(broken_copy.problems(bundle=export == "./convex.config.js"))
    assert problems, f"nothing failed without the {export} export"
    if export == "./_generated/component.js":
        # Only the generated api.d.ts imports it, and skipLibCheck hides the unresolved import:
        # components.agentMemory silently becomes `any`, which the type checks catch.
        assert "exposed.typetest.ts(" in problems and "Unused '@ts-expect-error'" in problems
    else:
        assert f"{PACKAGE}/{export.removeprefix('./')}" in problems, problems
