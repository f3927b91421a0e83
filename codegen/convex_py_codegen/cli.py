"""``convex-py-codegen generate|check --config FILE``."""

from __future__ import annotations

import argparse
import dataclasses
import difflib
import sys
import tempfile
import time
from pathlib import Path

from .config import Config, load_config
from .generator import Generator, Options, write_tree
from .spec import Spec, SpecError, load_spec_file, parse_spec, run_extractor


def read_spec(config: Config, spec_override: Path | None = None) -> Spec:
    if spec_override is not None:
        spec = parse_spec(load_spec_file(spec_override))
    elif config.spec_file is not None:
        spec = parse_spec(load_spec_file(config.spec_file))
    else:
        assert config.functions_dir is not None
        data = run_extractor(
            extractor=config.extractor,
            functions_dir=config.functions_dir,
            exclude=list(config.exclude),
            cwd=config.project_root,
        )
        spec = parse_spec(data)
    return without_unexposed(spec, config.not_exposed)


def without_unexposed(spec: Spec, not_exposed: frozenset[str]) -> Spec:
    """Drops the functions the host app does not expose (clients could not call them)."""
    unknown = not_exposed - {fn.name for fn in spec.functions}
    if unknown:
        raise SpecError(f"`not_exposed` names functions the spec does not have: {sorted(unknown)}")
    kept = tuple(fn for fn in spec.functions if fn.name not in not_exposed)
    dropped = tuple(fn.identifier for fn in spec.functions if fn.name in not_exposed)
    return dataclasses.replace(spec, functions=kept, skipped=tuple(sorted(spec.skipped + dropped)))


def options_for(config: Config, spec: Spec) -> Options:
    source = config.display(config.functions_dir or config.spec_file or config.path)
    if spec.component:
        source += f" (component {spec.component})"
    return Options(
        package=config.package,
        runtime_package=config.runtime_package,
        component=config.component,
        wrapper_module=config.wrapper_module,
        idempotent=config.idempotent,
        live=config.live,
        json_text=config.json_text,
        json_text_results=config.json_text_results,
        default_page_size=config.default_page_size,
        source_label=source,
        regenerate_command=f"convex-py-codegen generate --config {config.display(config.path)}",
    )


def render(config: Config, spec: Spec) -> dict[str, str]:
    if config.component and not spec.component and config.functions_dir is not None:
        raise SpecError(
            f"{config.display(config.functions_dir)} has no "
            "convex.config.ts with defineComponent(...), but `component = true`"
        )
    return Generator(spec, options_for(config, spec)).render()


def generate(
    config: Config, out_dir: Path | None = None, spec: Spec | None = None
) -> dict[str, str]:
    spec = spec if spec is not None else read_spec(config)
    return write_tree(render(config, spec), out_dir or config.output_dir, 100)


def stale_files(config: Config) -> list[str]:
    """Files of the output dir that differ from a fresh generation (added/removed/changed)."""
    with tempfile.TemporaryDirectory(prefix="convex-py-codegen-check-") as tmp:
        fresh_dir = Path(tmp) / "_generated"
        fresh = generate(config, fresh_dir)
        current = (
            {
                p.relative_to(config.output_dir).as_posix(): p.read_text(encoding="utf-8")
                for p in config.output_dir.rglob("*.py")
            }
            if config.output_dir.exists()
            else {}
        )
        differ: list[str] = []
        for rel in sorted(set(fresh) | set(current)):
            if fresh.get(rel) != current.get(rel):
                differ.append(rel)
                diff = difflib.unified_diff(
                    (current.get(rel) or "").splitlines(keepends=True),
                    (fresh.get(rel) or "").splitlines(keepends=True),
                    f"committed/{rel}",
                    f"fresh/{rel}",
                    n=1,
                )
                sys.stderr.writelines(list(diff)[:40])
        return differ


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="convex-py-codegen", description="Generate a typed Python SDK for Convex functions."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    for name, text in (("generate", "write the SDK"), ("check", "fail when the SDK is stale")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument("--config", type=Path, required=True)
    gen = sub.choices["generate"]
    gen.add_argument("--spec", type=Path, help="read this function-spec JSON instead")
    args = parser.parse_args(argv)
    try:
        config = load_config(args.config)
        started = time.perf_counter()
        if args.command == "generate":
            spec = read_spec(config, args.spec)
            files = generate(config, spec=spec)
            print(
                f"generated {len(files)} files into {config.display(config.output_dir)} "
                f"({len(spec.functions)} functions, skipped {len(spec.skipped)}) "
                f"in {time.perf_counter() - started:.1f}s"
            )
            return 0
        differ = stale_files(config)
        if differ:
            print(f"{config.display(config.output_dir)} is stale; files that differ:")
            for rel in differ:
                print(f"  {rel}")
            print(
                f"regenerate with: convex-py-codegen generate --config "
                f"{config.display(config.path)}"
            )
            return 1
        print(f"{config.display(config.output_dir)} is up to date")
        return 0
    except SpecError as error:
        print(f"convex-py-codegen: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
