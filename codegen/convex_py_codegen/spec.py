"""The input: a function spec, as the extractor or ``npx convex function-spec`` prints it."""

from __future__ import annotations

import hashlib
import json
import subprocess
from dataclasses import dataclass
from pathlib import Path
from typing import Any

Validator = dict[str, Any]

FUNCTION_TYPES = {"Query": "query", "Mutation": "mutation", "Action": "action"}


class SpecError(Exception):
    """The spec cannot be turned into an SDK (the message says which function and why)."""


@dataclass(frozen=True)
class Function:
    identifier: str  # "dir/module.js:name"
    module: str  # "dir/module"
    name: str
    kind: str  # "query" | "mutation" | "action"
    args: Validator
    returns: Validator | None  # None: declared no `returns`
    description: str


@dataclass(frozen=True)
class Spec:
    component: str | None
    functions: tuple[Function, ...]
    digest: str  # sha256 of the canonical spec, names the input in generated headers
    skipped: tuple[str, ...]  # internal functions and HTTP actions


def canonical_json(value: Any) -> str:
    return json.dumps(value, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def _module_and_name(identifier: str) -> tuple[str, str]:
    module, sep, name = identifier.rpartition(":")
    if not sep:
        module, name = identifier, "default"
    for suffix in (".js", ".ts", ".mjs", ".cjs", ".jsx", ".tsx"):
        if module.endswith(suffix):
            module = module[: -len(suffix)]
            break
    return module, name


def parse_spec(data: Any, *, component: str | None = None) -> Spec:
    """Reads the extractor's ``{component, functions}`` or a function-spec's ``{url, ...}``."""
    if isinstance(data, list):
        entries, found_component = data, None
    elif isinstance(data, dict) and isinstance(data.get("functions"), list):
        entries, found_component = data["functions"], data.get("component")
    else:
        raise SpecError("a function spec is a list of functions or an object with `functions`")
    functions: list[Function] = []
    skipped: list[str] = []
    kept_entries: list[Any] = []
    for entry in entries:
        function_type = entry.get("functionType")
        identifier = (
            entry.get("identifier") or f"{entry.get('method', '?')} {entry.get('path', '?')}"
        )
        visibility = (entry.get("visibility") or {}).get("kind", "public")
        if function_type not in FUNCTION_TYPES or visibility != "public":
            skipped.append(identifier)
            continue
        module, name = _module_and_name(identifier)
        args = entry.get("args")
        if isinstance(args, str):  # exportArgs() itself is a JSON string
            args = json.loads(args)
        returns = entry.get("returns")
        if isinstance(returns, str):
            returns = json.loads(returns)
        functions.append(
            Function(
                identifier=identifier,
                module=module,
                name=name,
                kind=FUNCTION_TYPES[function_type],
                args=args if args is not None else {"type": "any"},
                returns=returns,
                description=str(entry.get("description") or ""),
            )
        )
        kept_entries.append(
            {
                k: entry.get(k)
                for k in ("identifier", "functionType", "args", "returns", "description")
            }
        )
    functions.sort(key=lambda f: f.identifier)
    name = component if component is not None else found_component
    digest = hashlib.sha256(
        canonical_json(
            {
                "component": name,
                "functions": sorted(kept_entries, key=lambda e: str(e["identifier"])),
            }
        ).encode()
    ).hexdigest()
    return Spec(name, tuple(functions), digest, tuple(sorted(skipped)))


def load_spec_file(path: Path) -> Any:
    return json.loads(path.read_text(encoding="utf-8"))


def run_extractor(*, extractor: Path, functions_dir: Path, exclude: list[str], cwd: Path) -> Any:
    """Runs the Node extractor (tsx) on a functions folder and returns its JSON."""
    tsx = cwd / "node_modules" / ".bin" / "tsx"
    command = [str(tsx)] if tsx.exists() else ["npx", "--no-install", "tsx"]
    command += [str(extractor), "--functions-dir", str(functions_dir)]
    if exclude:
        command += ["--exclude", ",".join(exclude)]
    done = subprocess.run(command, cwd=cwd, capture_output=True, text=True, check=False)
    if done.returncode != 0:
        raise SpecError(f"the extractor failed on {functions_dir}:\n{done.stderr.strip()}")
    return json.loads(done.stdout)
