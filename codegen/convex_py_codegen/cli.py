"""``convex-py-codegen init | generate | check | extract``.

``init`` writes a config and a package skeleton for the Convex app in the current folder;
``generate`` (re)writes the SDK; ``check`` exits 1, naming the files whose content changed,
when the SDK on disk is stale. Exit code 2: the generation cannot be done (the message says
why and what to do).
"""

from __future__ import annotations

import argparse
import json
import sys
import time
import warnings
from pathlib import Path

from .config import DEFAULT_CONFIG_NAME, Config, load_config
from .errors import CodegenError, ConfigError
from .extractor import run_extractor
from .generator import generate_files
from .ir import Options, Plan
from .output import compare_tree, write_tree
from .scaffold import init_project
from .spec import Spec, load_spec_file, parse_spec

__all__ = ["main", "options_for", "read_spec", "render", "stale_files"]


def read_spec(config: Config, spec_override: Path | None = None) -> Spec:
    if spec_override is not None:
        return parse_spec(load_spec_file(spec_override))
    if config.spec_file is not None:
        return parse_spec(load_spec_file(config.spec_file))
    assert config.functions_dir is not None
    data = run_extractor(config.functions_dir, exclude=config.exclude, cwd=config.project_root)
    return parse_spec(data)


def options_for(config: Config, spec: Spec) -> Options:
    source = config.display(config.functions_dir or config.spec_file or config.path)
    if spec.component:
        source += f" (component {spec.component})"
    return Options(
        package=config.package,
        runtime_package=config.runtime_package,
        component=config.component,
        wrappers=config.wrappers,
        idempotent=config.idempotent,
        live=config.live,
        not_exposed=config.not_exposed,
        json_text=config.json_text,
        json_text_results=config.json_text_results,
        integers=config.integers,
        float32_vectors=config.float32_vectors,
        extensions=config.extensions,
        default_page_size=config.default_page_size,
        model_names=config.model_names,
        source_label=source,
        regenerate_command=f"convex-py-codegen generate --config {config.display(config.path)}",
    )


def render(config: Config, spec: Spec) -> tuple[dict[str, str], Plan]:
    if config.component and not spec.component and config.functions_dir is not None:
        raise ConfigError(
            f"{config.display(config.functions_dir)} has no convex.config.ts with "
            "defineComponent(...), but `component = true`"
        )
    with warnings.catch_warnings():  # printed by _warn, once
        warnings.simplefilter("ignore")
        return generate_files(spec, options_for(config, spec))


def _warn(spec: Spec, plan: Plan) -> None:
    for failed in spec.failed_modules:
        print(
            f"warning: module {failed.module} {failed.error}\n"
            f"  (its functions are missing from the SDK; the other modules were read)",
            file=sys.stderr,
        )
    for note in plan.warnings:
        print(f"warning: {note}", file=sys.stderr)


def stale_files(config: Config) -> list[str]:
    """Files of the output dir whose content differs from a fresh generation."""
    files, _ = render(config, read_spec(config))
    return compare_tree(files, config.output_dir).files


def _generate(config: Config, spec_override: Path | None) -> int:
    started = time.perf_counter()
    spec = read_spec(config, spec_override)
    files, plan = render(config, spec)
    _warn(spec, plan)
    write_tree(files, config.output_dir)
    print(
        f"generated {len(files)} files into {config.display(config.output_dir)} "
        f"({len(spec.functions)} functions, {len(spec.skipped)} internal or HTTP skipped, "
        f"{len(spec.failed_modules)} modules failed) in {time.perf_counter() - started:.1f}s"
    )
    return 0


def _check(config: Config) -> int:
    spec = read_spec(config)
    files, plan = render(config, spec)
    staleness = compare_tree(files, config.output_dir)
    out = config.display(config.output_dir)
    if not staleness.files:
        _warn(spec, plan)
        print(f"{out} is up to date ({len(files)} files)")
        return 0
    print(f"{out} is stale: {len(staleness.files)} of {len(files)} files differ")
    for label, names in (
        ("changed", staleness.changed),
        ("new", staleness.added),
        ("removed", staleness.removed),
    ):
        for name in names:
            print(f"  {label}: {name}")
    print(f"regenerate with: convex-py-codegen generate --config {config.display(config.path)}")
    _warn(spec, plan)
    sys.stderr.write(staleness.diff)
    return 1


def _extract(functions_dir: Path, out: Path | None) -> int:
    data = run_extractor(functions_dir)
    text = json.dumps(data, indent=2, sort_keys=True) + "\n"
    if out is None:
        sys.stdout.write(text)
    else:
        out.write_text(text, encoding="utf-8")
    return 0


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        prog="convex-py-codegen", description="Generate a typed Python SDK for Convex functions."
    )
    sub = parser.add_subparsers(dest="command", required=True)
    init = sub.add_parser("init", help="write a config and a package skeleton for this app")
    init.add_argument("--dir", type=Path, default=Path("."), help="the app's folder (default .)")
    init.add_argument("--package", help="the Python package's import name")
    init.add_argument(
        "--functions-dir", help="the Convex functions folder (default: convex.json's, or convex)"
    )
    init.add_argument(
        "--python-dir", default="python", help="where the package goes (default python)"
    )
    init.add_argument("--force", action="store_true", help="overwrite existing files")
    for name, text in (("generate", "write the SDK"), ("check", "fail when the SDK is stale")):
        cmd = sub.add_parser(name, help=text)
        cmd.add_argument(
            "--config",
            type=Path,
            default=Path(DEFAULT_CONFIG_NAME),
            help=f"default ./{DEFAULT_CONFIG_NAME}",
        )
    sub.choices["generate"].add_argument(
        "--spec", type=Path, help="read this function-spec JSON instead"
    )
    extract = sub.add_parser("extract", help="print the function spec of a functions folder")
    extract.add_argument("--functions-dir", type=Path, required=True)
    extract.add_argument("--out", type=Path)
    args = parser.parse_args(argv)
    try:
        if args.command == "init":
            return init_project(
                args.dir,
                package=args.package,
                functions_dir=args.functions_dir,
                python_dir=args.python_dir,
                force=args.force,
            )
        if args.command == "extract":
            return _extract(args.functions_dir, args.out)
        config = load_config(args.config)
        if args.command == "generate":
            return _generate(config, args.spec)
        return _check(config)
    except CodegenError as error:
        print(f"convex-py-codegen: {error}", file=sys.stderr)
        return 2


if __name__ == "__main__":
    raise SystemExit(main())
