"""The input: a function spec, as the extractor or ``npx convex function-spec`` prints it."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from .errors import SpecError

__all__ = [
    "FailedModule",
    "Function",
    "Spec",
    "Validator",
    "canonical_json",
    "load_spec_file",
    "parse_spec",
]

Validator = dict[str, Any]

FUNCTION_TYPES = {"Query": "query", "Mutation": "mutation", "Action": "action"}


@dataclass(frozen=True)
class Function:
    identifier: str  # "dir/module.js:name"
    module: str  # "dir/module"
    name: str
    kind: str  # "query" | "mutation" | "action"
    args: Validator
    returns: Validator | None  # None: declared no `returns`
    description: str

    @property
    def path(self) -> str:
        """How clients name it: ``dir/module:name``."""
        return f"{self.module}:{self.name}"


@dataclass(frozen=True)
class FailedModule:
    module: str
    error: str


@dataclass(frozen=True)
class Spec:
    component: str | None
    functions: tuple[Function, ...]
    digest: str  # sha256 of the canonical spec: names the input in the generated _spec.py
    skipped: tuple[str, ...]  # internal functions and HTTP actions
    failed_modules: tuple[FailedModule, ...] = ()


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


def _validator(value: Any, identifier: str, what: str) -> Any:
    if isinstance(value, str):  # exportArgs() itself is a JSON string
        try:
            value = json.loads(value)
        except json.JSONDecodeError as error:
            raise SpecError(f"{identifier}: its {what} are not JSON: {error}") from error
    if value is not None and not (isinstance(value, dict) and isinstance(value.get("type"), str)):
        raise SpecError(f"{identifier}: its {what} are not a validator: {str(value)[:200]}")
    return value


def parse_spec(data: Any, *, component: str | None = None) -> Spec:
    """Reads the extractor's ``{component, functions, failedModules}`` or a function-spec's
    ``{url, functions}`` (or a bare list of functions)."""
    failed: list[Any] = []
    found_component: str | None = None
    if isinstance(data, list):
        entries = data
    elif isinstance(data, dict) and isinstance(data.get("functions"), list):
        entries = data["functions"]
        if isinstance(data.get("component"), str):
            found_component = data["component"]
        failed = list(data.get("failedModules") or [])
    else:
        raise SpecError("a function spec is a list of functions or an object with `functions`")
    functions: list[Function] = []
    skipped: list[str] = []
    kept_entries: list[Any] = []
    for entry in entries:
        if not isinstance(entry, dict):
            raise SpecError(f"a function spec entry is an object, not {str(entry)[:100]}")
        function_type = entry.get("functionType")
        identifier = (
            entry.get("identifier") or f"{entry.get('method', '?')} {entry.get('path', '?')}"
        )
        visibility = (entry.get("visibility") or {}).get("kind", "public")
        if function_type not in FUNCTION_TYPES or visibility != "public":
            skipped.append(identifier)
            continue
        module, name = _module_and_name(identifier)
        args = _validator(entry.get("args"), identifier, "args")
        returns = _validator(entry.get("returns"), identifier, "returns")
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
    component_name = component if component is not None else found_component
    digest = hashlib.sha256(
        canonical_json(
            {
                "component": component_name,
                "functions": sorted(kept_entries, key=lambda e: str(e["identifier"])),
            }
        ).encode()
    ).hexdigest()
    failed_modules = tuple(
        FailedModule(str(f.get("module")), str(f.get("error")))
        for f in failed
        if isinstance(f, dict)
    )
    return Spec(component_name, tuple(functions), digest, tuple(sorted(skipped)), failed_modules)


def load_spec_file(path: Path) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as error:
        raise SpecError(f"cannot read the function spec {path}: {error}") from error
