"""A stranger's app: the packed package installed into a fresh Convex app outside the repository.

``pack`` runs ``npm pack`` (its ``prepack`` builds ``dist/``); ``make_app`` creates an app in a
temporary folder with its own ``package.json`` (``convex`` 1.48 from the npm registry or cache,
the tarball, the dev tools the README names), writes the files the README's "Install in your
app" section tells a user to write, and generates ``convex/_generated/`` as ``npx convex dev``
does (``codegen/appApi.ts``: the CLI's own templates; a real ``npx convex dev`` needs a
deployment). ``App.typecheck`` and ``App.bundle`` are the two gates of a push: the CLI's
``tsc --project convex``, and the CLI itself bundling the app and the component from
``node_modules`` (``npx convex deploy --write-push-request``, which writes everything a push would
send and stops before contacting anything).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import subprocess
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[2]
PACKAGE = "convex-agent-memory"
README_SECTION = "Install in your app"

NODE_ENV = {
    **{k: v for k, v in os.environ.items() if not k.startswith("CONVEX_") and k != "FORCE_COLOR"},
    "npm_config_update_notifier": "false",
    "npm_config_fund": "false",
    "npm_config_audit": "false",
    "CONVEX_TELEMETRY_DISABLED": "1",
    "NO_COLOR": "1",
}


def run(
    cmd: list[str], cwd: Path, *, env: dict[str, str] | None = None, timeout: float = 600
) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        cmd,
        cwd=cwd,
        env=env or NODE_ENV,
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )


def must(result: subprocess.CompletedProcess[str]) -> subprocess.CompletedProcess[str]:
    if result.returncode != 0:
        raise AssertionError(
            f"{' '.join(result.args)} failed ({result.returncode}):\n"
            f"{result.stdout}\n{result.stderr}"
        )
    return result


# --- the README -----------------------------------------------------------------------------


def readme_section(title: str = README_SECTION) -> str:
    text = (ROOT / "README.md").read_text()
    start = text.index(f"## {title}\n")
    end = text.find("\n## ", start + 1)
    return text[start : end if end != -1 else len(text)]


def readme_blocks(section: str) -> list[tuple[str, str]]:
    """Fenced code blocks of a README section, as (language, text)."""
    return [(m[1], m[2]) for m in re.finditer(r"```(\w*)\n(.*?)```", section, re.S)]


def readme_files(section: str) -> dict[str, str]:
    """Blocks whose first line names a file (``// convex/memory.ts``, ``# agent.py``)."""
    files: dict[str, str] = {}
    for _, text in readme_blocks(section):
        first = text.split("\n", 1)[0]
        m = re.fullmatch(r"(?://|#) ([\w./-]+\.(?:ts|py))", first)
        if m:
            files[m[1]] = text
    return files


def readme_command(section: str, needle: str) -> str:
    """The bash block of the section that contains ``needle``."""
    for language, text in readme_blocks(section):
        if language == "bash" and needle in text:
            return text
    raise AssertionError(f"no bash block with {needle!r} in README section {README_SECTION!r}")


# --- the package and the app ---------------------------------------------------------------


def pack(dest: Path) -> Path:
    """``npm pack`` of the repository into ``dest``; returns the tarball."""
    dest.mkdir(parents=True, exist_ok=True)
    result = must(run(["npm", "pack", "--pack-destination", str(dest), "--json"], ROOT))
    name: str = json.loads(result.stdout)[0]["filename"]
    return dest / name


def dev_versions() -> dict[str, str]:
    """The versions this repository tests with, for the app's own dev dependencies."""
    package = json.loads((ROOT / "package.json").read_text())
    dev: dict[str, str] = package["devDependencies"]
    wanted = ["typescript", "@types/node", "vitest", "convex-test", "@edge-runtime/vm"]
    return {name: dev[name] for name in wanted}


@dataclass
class App:
    dir: Path

    @property
    def convex_dir(self) -> Path:
        return self.dir / "convex"

    @property
    def package_dir(self) -> Path:
        return self.dir / "node_modules" / PACKAGE

    @property
    def component_dir(self) -> Path:
        """Where the CLI finds the component: the package's ``convex.config.js`` export."""
        return self.package_dir / "dist" / "component"

    def typecheck(self) -> subprocess.CompletedProcess[str]:
        """What the CLI runs before a push completes (cli/lib/typecheck.js: ``tsc -p convex``)."""
        tsc = self.dir / "node_modules" / "typescript" / "bin" / "tsc"
        return run(["node", str(tsc), "--project", "convex"], self.dir)

    def bundle(self) -> tuple[subprocess.CompletedProcess[str], dict[str, Any] | None]:
        """The CLI bundles and writes the push request; returns it inspected, or None."""
        out = self.dir / "push-request"
        out.with_suffix(".json").unlink(missing_ok=True)
        env = {
            **NODE_ENV,
            # Self-hosted credentials for an address where nothing listens: nothing is sent.
            "CONVEX_SELF_HOSTED_URL": "http://127.0.0.1:9",
            "CONVEX_SELF_HOSTED_ADMIN_KEY": "unused",
        }
        cli = self.dir / "node_modules" / "convex" / "bin" / "main.js"
        result = run(
            [
                "node", str(cli), "deploy", "--yes", "--codegen", "disable",
                "--typecheck", "disable", "--push-all-modules", "--write-push-request", str(out),
            ],
            self.dir,
            env=env,
        )  # fmt: skip
        written = out.with_suffix(".json")
        if result.returncode != 0 or not written.exists():
            return result, None
        inspected = must(
            run(
                ["node", "--import", "tsx", "tests/package/pushRequest.ts", str(written)],
                ROOT,
            )
        )
        return result, json.loads(inspected.stdout)

    def problems(self, *, typecheck: bool = True, bundle: bool = True) -> list[str]:
        """Why a push of this app would fail: type errors, bundling errors, illegal module paths.

        ``typecheck``/``bundle`` pick the gates to run (both by default, side by side)."""
        found: list[str] = []
        with ThreadPoolExecutor(max_workers=2) as pool:  # two independent processes
            typechecking = pool.submit(self.typecheck) if typecheck else None
            result, request = self.bundle() if bundle else (None, None)
            checked = typechecking.result() if typechecking is not None else None
        if checked is not None and checked.returncode != 0:
            found.append(f"typecheck: {checked.stdout}{checked.stderr}")
        if result is not None and request is None:
            found.append(f"bundle: {result.stdout}{result.stderr}")
        if request is not None:
            found += [f"module path {bad['path']}: {bad['error']}" for bad in request["invalid"]]
        return found


def write_app_files(app_dir: Path, tarball: Path) -> None:
    app_dir.mkdir(parents=True, exist_ok=True)
    package = {
        "name": "my-app",
        "private": True,
        "type": "module",
        "dependencies": {"convex": "~1.48.0", PACKAGE: f"file:{tarball}"},
        "devDependencies": dev_versions(),
    }
    (app_dir / "package.json").write_text(json.dumps(package, indent=2) + "\n")
    for rel, text in readme_files(readme_section()).items():
        path = app_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(text)


def generate(app: App) -> None:
    """``npx convex dev``'s code generation for the app (and its tsconfig.json), offline."""
    must(
        run(
            [
                "node", "--import", "tsx", "codegen/appApi.ts", "--init",
                "--app", str(app.convex_dir), "--component", f"agentMemory={PACKAGE}",
            ],
            ROOT,
        )
    )  # fmt: skip


def make_app(app_dir: Path, tarball: Path) -> App:
    write_app_files(app_dir, tarball)
    must(run(["npm", "install", "--prefer-offline", "--loglevel=error"], app_dir))
    app = App(app_dir)
    generate(app)
    return app


def copy_app(app: App, dest: Path) -> App:
    """A copy of the app whose installed package can be changed without touching the original:
    everything hard-linked (fast) but the package, which is copied."""
    must(run(["cp", "-al", str(app.dir), str(dest)], app.dir.parent))
    copy = App(dest)
    shutil.rmtree(copy.package_dir)
    shutil.copytree(app.package_dir, copy.package_dir, symlinks=True)
    return copy
