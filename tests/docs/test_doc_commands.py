"""Every command of the docs (README.md, CONTRIBUTING.md, bench/README.md, local_backend/README.md)
that can run without a deployment is run: by CI, by a test that reads the doc, or here.

``test_every_command_is_accounted_for`` fails on a command nobody runs (see docs.py for how
each is accounted for); the ``RUNS`` below run the rest, each in a scratch copy of the
checkout or a temporary folder so that nothing here writes into the checkout, side by side
(the whole module takes well under a minute).
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import sysconfig
import tempfile
import time
from collections.abc import Callable, Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path

import httpx
import pytest

from tests.docs.docs import (
    DOCS,
    ROOT,
    Command,
    all_commands,
    logical_lines,
    marked_for_a_deployment,
    named_tests,
    needs_deployment,
    not_run_reason,
    run_by_ci,
    shell_blocks,
)

pytestmark = pytest.mark.skipif(
    not (ROOT / "node_modules" / "tsx").exists(), reason="needs the repository's npm install"
)

VENV_BIN = Path(sys.executable).parent

#: Commands no test runs, and why. Adding one here is a decision a reviewer sees.
NOT_RUN = {
    "npx vitest run --config bench/peers/vitest.config.ts": (
        "about 15 minutes, and it rewrites bench/peers/results.*; this project's column is held"
        " by tests/component/cost-figures.test.ts, which CI runs"
    ),
    "PEERS_ONLY=convex-agent-memory npx vitest run --config bench/peers/vitest.config.ts": (
        "minutes, and it rewrites bench/peers/results.*; the figures it re-measures are held by"
        " tests/component/cost-figures.test.ts, which CI runs"
    ),
}


# --- how commands are run here --------------------------------------------------------------


@dataclass
class Context:
    """What a run gets: a temporary folder, scratch copies of the checkout, and ``sh``/``serve``
    to run a doc's command by its key (its text is taken from the doc, never retyped here)."""

    tmp: Path
    ran: set[str] = field(default_factory=set)

    def env(self, **extra: str) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if not k.startswith("CONVEX_")}
        env["PATH"] = f"{VENV_BIN}{os.pathsep}{env.get('PATH', '')}"
        env.update(NO_COLOR="1", npm_config_update_notifier="false", **extra)
        return env

    def checkout(self) -> Path:
        """A scratch copy of the checkout (tracked and new files) sharing node_modules and .venv."""
        dest = Path(tempfile.mkdtemp(prefix="checkout-", dir=self.tmp))
        listed = subprocess.run(
            ["git", "ls-files", "-z", "--cached", "--others", "--exclude-standard"],
            cwd=ROOT,
            capture_output=True,
            check=True,
        ).stdout.decode()
        for rel in filter(None, listed.split("\0")):
            source = ROOT / rel
            if source.is_file():
                target = dest / rel
                target.parent.mkdir(parents=True, exist_ok=True)
                shutil.copy2(source, target)
        for shared in ("node_modules", ".venv"):
            (dest / shared).symlink_to(ROOT / shared)
        return dest

    def command_text(self, key: str) -> str:
        matches = {c.text for c in all_commands() if c.key == key}
        assert matches, f"no command {key!r} in the docs any more"
        assert len(matches) == 1, f"{key!r} is written several ways: {matches}"
        self.ran.add(key)
        return matches.pop()

    def sh(
        self,
        key: str,
        *,
        cwd: Path,
        replace: dict[str, str] | None = None,
        append: str = "",
        wrap: str = "{}",
        env: dict[str, str] | None = None,
        timeout: float = 300,
    ) -> str:
        """Runs the doc's command (with the given substitutions) and returns its stdout."""
        text = self.command_text(key)
        for old, new in (replace or {}).items():
            assert old in text, f"{old!r} is not in {text!r}"
            text = text.replace(old, new)
        script = wrap.format(text + append)
        done = subprocess.run(
            ["bash", "-euo", "pipefail", "-c", script],
            cwd=cwd,
            env=env or self.env(),
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
        assert done.returncode == 0, (
            f"{script}\nexit {done.returncode}\n{done.stdout}\n{done.stderr}"
        )
        return done.stdout

    def serve(self, key: str, *, cwd: Path, replace: dict[str, str]) -> None:
        """Starts the doc's server command, waits for its ready line, calls it, and stops it the
        way the docs say: stdin closed with --exit-on-stdin-close, else Ctrl-C (SIGINT to its
        process group). It exits 0 (`npx` itself reports the signal), and nothing is left."""
        text = self.command_text(key)
        for old, new in replace.items():
            assert old in text, f"{old!r} is not in {text!r}"
            text = text.replace(old, new)
        process = subprocess.Popen(
            ["bash", "-c", f"exec {text}"],
            cwd=cwd,
            env=self.env(),
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            start_new_session=True,
        )
        try:
            assert process.stdout is not None and process.stdin is not None
            line = process.stdout.readline()
            assert line.startswith("LOCAL_BACKEND_URL=http://127.0.0.1:"), (
                f"{text}\nprinted {line!r}\n{process.stderr.read() if process.stderr else ''}"
            )
            url = line.removeprefix("LOCAL_BACKEND_URL=").strip()
            listing = httpx.get(f"{url}/_local_backend/functions", timeout=30)
            assert listing.status_code == 200 and "memory" in listing.text
            if "--exit-on-stdin-close" in text:
                process.stdin.close()
            else:
                os.killpg(process.pid, signal.SIGINT)
            status = process.wait(timeout=60)
            stderr = process.stderr.read() if process.stderr else ""
            if text.startswith("npx "):
                assert status in (0, -signal.SIGINT) and "stopping (SIGINT)" in stderr, stderr
            else:
                assert status == 0, stderr
            assert _group_ends(process.pid, within=15), "processes of it are left running"
        finally:
            if process.poll() is None:
                os.killpg(process.pid, signal.SIGKILL)
                process.wait()


def _group_ends(pgid: int, *, within: float) -> bool:
    """Whether every process of the group has ended (children such as esbuild's service exit
    a moment after their parent)."""
    deadline = time.monotonic() + within
    while time.monotonic() < deadline:
        try:
            os.killpg(pgid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.2)
    return False


def new_jwks(ctx: Context, kid: str = "docs-key") -> dict[str, str]:
    """A key made by `convex-agent-memory keys new --json` (as the launcher makes its own)."""
    out = subprocess.run(
        [str(VENV_BIN / "convex-agent-memory"), "keys", "new", "--json", "--kid", kid],
        capture_output=True,
        text=True,
        check=True,
        env=ctx.env(),
    ).stdout
    made: dict[str, str] = json.loads(out)
    return made


def jwks_of(printed: str) -> str:
    [line] = [line for line in printed.splitlines() if line.startswith("data:")]
    return line


def kids(jwks_uri: str) -> list[str]:
    import base64

    return [k["kid"] for k in json.loads(base64.b64decode(jwks_uri.split(",", 1)[1]))["keys"]]


RUNS: dict[str, tuple[tuple[str, ...], Callable[[Context], None]]] = {}


def runs(*keys: str) -> Callable[[Callable[[Context], None]], Callable[[Context], None]]:
    """Registers a run of these doc commands (by key); the run must run each of them."""

    def register(fn: Callable[[Context], None]) -> Callable[[Context], None]:
        RUNS[fn.__name__] = (keys, fn)
        return fn

    return register


# README: the two commands, the quickstart, keys, an SDK for your own app ---------------------


@runs("./scripts/demo", ".venv/bin/python examples/quickstart.py")
def demo(ctx: Context) -> None:
    # Everything is installed (scripts/test installs it the very same way, install_all); the
    # model is optional (the demo says so and falls back to its hashing embedder).
    env = ctx.env(DEMO_SKIP_INSTALL="1", DEMO_SKIP_MODEL="1", DEMO_EMBEDDER="hashing")
    checkout = ctx.checkout()
    out = ctx.sh("./scripts/demo", cwd=checkout, env=env)
    assert "chosen with DEMO_EMBEDDER=hashing" in out, out
    assert re.search(r"Done in [\d.]+ s\. Thread quickstart-\w+ and index quickstart-hashing", out)
    # The quickstart the README runs against a deployment is the demo's last step, run with the
    # variables a deployment gives (the launcher sets them for the local backend).
    quickstart = ctx.command_text(".venv/bin/python examples/quickstart.py")
    demo_lines = logical_lines((checkout / "scripts/demo").read_text())
    assert any(
        "local_backend.launcher run" in line and line.endswith(f" -- {quickstart}")
        for line in demo_lines
    ), demo_lines


@runs("convex-agent-memory keys new")
def keys_new(ctx: Context) -> None:
    out = ctx.sh("convex-agent-memory keys new", cwd=ctx.tmp)
    assert "-----BEGIN PRIVATE KEY-----" in out
    assert len(kids(jwks_of(out))) == 1


@runs("convex-agent-memory keys rotate", "convex-agent-memory keys remove --kid OLD")
def key_rotation(ctx: Context) -> None:
    old = new_jwks(ctx, kid="old-key")
    # `npx convex env set AGENT_MEMORY_JWKS ...` between the steps: here, the variable itself.
    rotated = ctx.sh(
        "convex-agent-memory keys rotate", cwd=ctx.tmp, env=ctx.env(AGENT_MEMORY_JWKS=old["jwks"])
    )
    both = jwks_of(rotated)
    assert kids(both)[0] == "old-key" and len(kids(both)) == 2
    removed = ctx.sh(
        "convex-agent-memory keys remove --kid OLD",
        cwd=ctx.tmp,
        replace={"OLD": "old-key"},
        env=ctx.env(AGENT_MEMORY_JWKS=both),
    )
    assert kids(jwks_of(removed)) == kids(both)[1:]


def _notes_app(tmp: Path) -> Path:
    from tests.python.codegen.test_new_user import make_app

    return make_app(tmp)


def _fresh_venv(tmp: Path) -> Path:
    """A new virtual environment that sees the project's (so `pip install -e python` finds its
    dependency, convex-agent-memory, installed) and keeps what it installs to itself."""
    venv = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(venv)], check=True)
    site_packages = next((venv / "lib").glob("python3*/site-packages"))
    project_site = sysconfig.get_paths()["purelib"]
    (site_packages / "project.pth").write_text(f"import site; site.addsitedir({project_site!r})\n")
    # `pip` of this environment: the project's pip module, run by this environment's python.
    pip = venv / "bin" / "pip"
    pip.write_text(
        f"#!{venv / 'bin' / 'python'}\n"
        "import sys\nfrom pip._internal.cli.main import main\nsys.exit(main())\n"
    )
    pip.chmod(0o755)
    return venv


@runs(
    "convex-py-codegen init",
    "convex-py-codegen generate",
    "pip install -e python",
    "convex-py-codegen check",
)
def sdk_for_your_own_app(ctx: Context) -> None:
    app = _notes_app(ctx.tmp)
    venv = _fresh_venv(ctx.tmp)
    env = ctx.env()
    env["PATH"] = f"{venv / 'bin'}{os.pathsep}{env['PATH']}"
    env["PIP_DISABLE_PIP_VERSION_CHECK"] = "1"
    assert "wrote convex-py-codegen.toml" in ctx.sh("convex-py-codegen init", cwd=app, env=env)
    assert "into python/notes_app/_generated" in ctx.sh(
        "convex-py-codegen generate", cwd=app, env=env
    )
    ctx.sh("pip install -e python", cwd=app, env=env, append=" -q")
    ctx.sh("convex-py-codegen check", cwd=app, env=env)
    used = subprocess.run(
        [str(venv / "bin" / "python"), "-c", "from notes_app import Client; print(Client)"],
        cwd=ctx.tmp,  # not the app: the installed package, not the folder
        capture_output=True,
        text=True,
        check=False,
    )
    assert used.returncode == 0 and "Client" in used.stdout, used.stderr


# CONTRIBUTING.md and local_backend/README.md: the local backend, regenerating committed files


def _jwks_replacement(ctx: Context) -> dict[str, str]:
    return {"data:text/plain;charset=utf-8;base64,...": new_jwks(ctx)["jwks"]}


@runs(
    "node --import tsx local_backend/main.ts --port 0 --exit-on-stdin-close --env "
    "AGENT_MEMORY_JWKS=data:text/plain;charset=utf-8;base64,..."
)
def local_backend_one_process(ctx: Context) -> None:
    key = RUNS["local_backend_one_process"][0][0]
    ctx.serve(key, cwd=ctx.checkout(), replace=_jwks_replacement(ctx))


@runs(
    "npx tsx local_backend/main.ts --port 0 --env "
    "AGENT_MEMORY_JWKS=data:text/plain;charset=utf-8;base64,..."
)
def local_backend_tsx(ctx: Context) -> None:
    key = RUNS["local_backend_tsx"][0][0]
    ctx.serve(key, cwd=ctx.checkout(), replace=_jwks_replacement(ctx))


@runs("npx tsx local_backend/main.ts --help")
def local_backend_help(ctx: Context) -> None:
    out = ctx.sh("npx tsx local_backend/main.ts --help", cwd=ctx.checkout())
    assert "--redact-errors" in out and "--env NAME=VALUE" in out


@runs(
    "npx tsx codegen/componentApi.ts",
    "npx tsx codegen/appApi.ts --app example/convex --file-type ts --component "
    "agentMemory=convex-agent-memory",
    "npx tsx codegen/pythonLimits.ts",
    ".venv/bin/convex-py-codegen generate --config codegen/agent_memory.toml",
)
def regenerate_committed_files(ctx: Context) -> None:
    checkout = ctx.checkout()
    for key in RUNS["regenerate_committed_files"][0]:
        ctx.sh(key, cwd=checkout)
    for generated in (
        "component/_generated/component.ts",
        "example/convex/_generated/api.ts",
        "python_sdk/convex_agent_memory/_limits.py",
        "python_sdk/convex_agent_memory/_generated/client.py",
    ):
        assert (checkout / generated).stat().st_size > 0, generated


# bench/README.md: each benchmark, in its one tiny iteration (--smoke) ------------------------


def _bench(key: str, expect: str) -> Callable[[Context], None]:
    def run(ctx: Context) -> None:
        out = ctx.sh(key, cwd=ctx.checkout(), append=" --smoke")
        assert expect in out, out

    return run


for _name, _key, _expect in [
    ("bench_sdk_overhead", ".venv/bin/python bench/sdk_overhead.py", "C. Throughput"),
    ("bench_bulk_upsert", ".venv/bin/python bench/bulk_upsert.py", "Rates:"),
    ("bench_codegen", ".venv/bin/python bench/codegen_bench.py", "fixture x8"),
    ("bench_live_latency", "npx tsx bench/live_latency.ts", "| 2 |"),
    ("bench_live_latency_fixture", "npx tsx bench/live_latency.ts --backend fixture", "| 2 |"),
]:
    _run = _bench(_key, _expect)
    _run.__name__ = _name
    runs(_key)(_run)


# --- the tests ------------------------------------------------------------------------------


def account_for(command: Command) -> str | None:
    """How the command is run, or None."""
    if needs_deployment(command):
        return "needs a deployment"
    ci = run_by_ci(command)
    if ci is not None:
        return f"CI: {ci}"
    tests = named_tests(command.block)
    if tests:
        return f"run by {', '.join(tests)}"
    for name, (keys, _) in RUNS.items():
        if command.key in keys:
            return f"run here: {name}"
    if not_run_reason(command.block) is not None and command.key in NOT_RUN:
        return f"not run: {NOT_RUN[command.key]}"
    return None


def test_the_docs_have_shell_commands() -> None:
    for doc in DOCS:
        assert shell_blocks(doc), f"{doc} has no shell block: is the parser still reading it?"


def test_every_command_is_accounted_for() -> None:
    unaccounted = [str(c) for c in all_commands() if account_for(c) is None]
    assert not unaccounted, (
        "commands that nothing runs: run them in CI (scripts/test), in a test (mark the block"
        " <!-- run by tests/... -->), here (tests/docs/test_doc_commands.py RUNS), or mark the"
        " block <!-- needs a deployment --> if they need one:\n  " + "\n  ".join(unaccounted)
    )


def test_markers_say_true_things() -> None:
    problems: list[str] = []
    for doc in DOCS:
        for block in shell_blocks(doc):
            cmds = [c for c in all_commands() if c.block == block]
            if marked_for_a_deployment(block) and not any(map(needs_deployment, cmds)):
                problems.append(f"{block.where()}: marked as needing a deployment, names none")
            tests = named_tests(block)
            problems += [
                f"{block.where()}: {t} does not exist" for t in tests if not (ROOT / t).is_file()
            ]
            if tests and not any(
                (ROOT / t).is_file() and block.section in (ROOT / t).read_text() for t in tests
            ):
                problems.append(f"{block.where()}: none of {tests} reads {block.section!r}")
            reason = not_run_reason(block)
            if reason is not None:
                problems += [
                    f"{block.where()}: {c.key!r} is not one of the commands allowed to go unrun"
                    for c in cmds
                    if c.key not in NOT_RUN and account_for(c) is None
                ]
    assert not problems, "\n".join(problems)


def test_every_run_here_is_of_a_documented_command() -> None:
    documented = {c.key for c in all_commands()}
    stale = [key for keys, _ in RUNS.values() for key in keys if key not in documented]
    stale += [key for key in NOT_RUN if key not in documented]
    assert not stale, f"no longer in the docs: {stale}"


@pytest.fixture(scope="module")
def outcomes(
    request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[dict[str, BaseException | None]]:
    """The selected runs, side by side (they wait on processes, rarely on the CPU)."""
    selected = [
        item.callspec.params["name"]
        for item in request.session.items
        if getattr(item, "originalname", "") == "test_run"
        and getattr(item, "module", None) is sys.modules[__name__]
    ]

    def attempt(name: str) -> BaseException | None:
        keys, fn = RUNS[name]
        ctx = Context(tmp=tmp_path_factory.mktemp(name))
        began = time.monotonic()
        try:
            fn(ctx)
            missing = set(keys) - ctx.ran
            assert not missing, f"{name} did not run {sorted(missing)}"
        except BaseException as error:  # reported by its own test below
            return error
        finally:
            print(f"  {name}: {time.monotonic() - began:.1f} s")
        return None

    started = time.monotonic()
    with ThreadPoolExecutor(max_workers=3) as pool:
        results = dict(zip(selected, pool.map(attempt, selected), strict=True))
    print(f"doc command runs: {len(selected)} in {time.monotonic() - started:.1f} s")
    yield results


@pytest.mark.parametrize("name", sorted(RUNS))
def test_run(name: str, outcomes: dict[str, BaseException | None]) -> None:
    error = outcomes[name]
    if error is not None:
        raise error
