"""Benchmark of a full SDK regeneration: extract (Node, the shipped extractor with the app's
esbuild) + generate (jinja2) + format (ruff), as `convex-py-codegen generate` runs it. Goal:
under 10 s.

    .venv/bin/python bench/codegen_bench.py [--runs 5] [--config codegen/agent_memory.toml]
                                            [--smoke]

Writes into a temporary folder, never over the committed SDK. Prints the median.
``--smoke``: one run of each (tests/docs runs it to show the benchmark still runs).
"""

from __future__ import annotations

import argparse
import statistics
import tempfile
import time
from pathlib import Path

from convex_py_codegen.cli import read_spec, render
from convex_py_codegen.config import Config, load_config
from convex_py_codegen.output import write_tree
from convex_py_codegen.spec import Spec

ROOT = Path(__file__).resolve().parents[1]


def generate(config: Config, out: Path, *, spec: Spec) -> dict[str, str]:
    files, _ = render(config, spec)
    write_tree(files, out)
    return files


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--config", type=Path, action="append")
    parser.add_argument("--smoke", action="store_true", help="one run of each: it still runs")
    args = parser.parse_args()
    if args.smoke:
        args.runs = 1
    configs = args.config or [
        ROOT / "codegen" / "agent_memory.toml",
        ROOT / "tests" / "fixtures" / "codegen" / "fixture.toml",
    ]
    for path in configs:
        config = load_config(path)
        times: list[float] = []
        functions = files = 0
        for _ in range(args.runs):
            with tempfile.TemporaryDirectory() as tmp:
                started = time.perf_counter()
                spec = read_spec(config)
                written = generate(config, Path(tmp) / "_generated", spec=spec)
                times.append(time.perf_counter() - started)
                functions, files = len(spec.functions), len(written)
        print(
            f"{config.display(path)}: {functions} functions -> {files} files; "
            f"median {statistics.median(times):.2f} s over {args.runs} runs "
            f"(min {min(times):.2f} s, max {max(times):.2f} s)"
        )
    if not args.config:
        scaled(8, args.runs)


def scaled(copies: int, runs: int) -> None:
    """The fixture's functions copied `copies` times (about the real component's size):
    extraction once, then generation + formatting of the larger spec."""
    import dataclasses

    from convex_py_codegen.config import Selector
    from convex_py_codegen.spec import parse_spec

    config = load_config(ROOT / "tests" / "fixtures" / "codegen" / "fixture.toml")
    config = dataclasses.replace(config, idempotent=Selector())  # the copies are renamed
    times: list[float] = []
    for _ in range(runs):
        with tempfile.TemporaryDirectory() as tmp:
            started = time.perf_counter()
            base = read_spec(config)
            data = {
                "component": base.component,
                "functions": [
                    {
                        "identifier": f"{f.module}{i}.js:{f.name}{i}",
                        "functionType": f.kind.capitalize(),
                        "visibility": {"kind": "public"},
                        "args": f.args,
                        "returns": f.returns,
                    }
                    for i in range(copies)
                    for f in base.functions
                ],
            }
            spec = parse_spec(data)
            generate(config, Path(tmp) / "_generated", spec=spec)
            times.append(time.perf_counter() - started)
    print(
        f"fixture x{copies}: {len(spec.functions)} functions; median "
        f"{statistics.median(times):.2f} s over {runs} runs (min {min(times):.2f} s)"
    )


if __name__ == "__main__":
    main()
