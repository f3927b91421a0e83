"""The TOML config: what to read, where to write, how the SDK calls the functions.

Every key is documented in the README ("Generating a Python SDK for your own app"); `init`
writes a commented one.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from .errors import ConfigError
from .types import DEFAULT_INTEGER_FIELDS, FieldRule, IntegerRule

__all__ = ["DEFAULT_CONFIG_NAME", "Config", "Extension", "Selector", "WrapperRule", "load_config"]

DEFAULT_CONFIG_NAME = "convex-py-codegen.toml"

KNOWN_KEYS = frozenset(
    {
        "project_root",
        "functions_dir",
        "spec",
        "exclude",
        "component",
        "wrapper_module",
        "wrappers",
        "not_exposed",
        "output_dir",
        "package",
        "runtime_package",
        "default_page_size",
        "idempotent",
        "live",
        "json_text",
        "integers",
        "default_integers",
        "float32_vectors",
        "extensions",
        "model_names",
    }
)


@dataclass(frozen=True)
class Selector:
    """Functions named in the config: ``name`` (in any module) or ``module:name``."""

    entries: frozenset[str] = frozenset()

    def matches(self, module: str, name: str) -> bool:
        return name in self.entries or f"{module}:{name}" in self.entries

    def unknown(self, functions: list[tuple[str, str]]) -> list[str]:
        """Entries that match none of ``functions`` ((module, name) pairs)."""
        names = {n for _, n in functions} | {f"{m}:{n}" for m, n in functions}
        return sorted(self.entries - names)


@dataclass(frozen=True)
class WrapperRule:
    """Component mode: the app function that exposes each component function.

    ``module`` is the app module for every function (``"{module}"`` stands for the component
    module's own path); ``overrides`` maps a component module or ``module:function`` to an app
    module or ``appModule:appFunction``. The function keeps its name unless an override
    names another.
    """

    module: str = "memory"
    overrides: Mapping[str, str] = field(default_factory=dict)

    def path(self, module: str, name: str) -> str:
        target = self.overrides.get(f"{module}:{name}") or self.overrides.get(module)
        if target is None:
            target = self.module
        app_module, sep, app_name = target.partition(":")
        app_module = app_module.replace("{module}", module)
        return f"{app_module}:{app_name if sep and app_name else name}"


@dataclass(frozen=True)
class Extension:
    """Hand-written methods mixed into one generated resource class (sync and async)."""

    sync: str  # "package.module:ClassName"
    async_: str
    functions: tuple[str, ...]  # Convex functions of that module the methods call, by name


@dataclass(frozen=True)
class Config:
    path: Path
    project_root: Path
    functions_dir: Path | None  # extract from this folder ...
    spec_file: Path | None  # ... or read this function-spec JSON
    exclude: tuple[str, ...]
    component: bool
    wrappers: WrapperRule
    output_dir: Path
    package: str
    runtime_package: str
    idempotent: Selector
    live: Selector  # queries the SDK offers as live subscriptions (watch_* methods)
    not_exposed: Selector  # component functions the host app's wrappers do not expose
    json_text: dict[str, frozenset[str]]  # module -> string fields that carry JSON text
    json_text_results: frozenset[str]  # functions whose whole result is JSON text
    integers: IntegerRule
    float32_vectors: FieldRule  # vector fields sent as packed float32 bytes
    extensions: dict[str, Extension]  # namespace ("threads", "dir/notes") -> mixins
    default_page_size: int
    model_names: dict[str, str]  # a model's generated name -> the name it takes instead

    def display(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.project_root).as_posix()
        except ValueError:
            return path.as_posix()


def _strings(section: Mapping[str, Any], key: str, where: Path) -> list[str]:
    value = section.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        raise ConfigError(f"{where}: `{key}` must be a list of strings")
    return value


def load_config(path: Path) -> Config:
    path = path.resolve()
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError as error:
        raise ConfigError(
            f"no config at {path}: run `convex-py-codegen init` in your app's folder first"
        ) from error
    except tomllib.TOMLDecodeError as error:
        raise ConfigError(f"{path}: not valid TOML: {error}") from error
    section = data.get("codegen", data)
    unknown = sorted(set(section) - KNOWN_KEYS)
    if unknown:
        raise ConfigError(
            f"{path}: unknown keys {unknown} (known: {', '.join(sorted(KNOWN_KEYS))})"
        )
    root = (path.parent / section.get("project_root", ".")).resolve()

    def rel(key: str) -> Path | None:
        value = section.get(key)
        return (root / value).resolve() if value else None

    functions_dir, spec_file = rel("functions_dir"), rel("spec")
    if (functions_dir is None) == (spec_file is None):
        raise ConfigError(f"{path}: set exactly one of `functions_dir` and `spec`")
    output_dir = rel("output_dir")
    if output_dir is None:
        raise ConfigError(f"{path}: `output_dir` is required")
    package = section.get("package")
    if not package or not isinstance(package, str):
        raise ConfigError(f"{path}: `package` is required (the import name of the SDK)")
    json_text_section = section.get("json_text", {})
    if not isinstance(json_text_section, dict):
        raise ConfigError(f"{path}: `[codegen.json_text]` must be a table of module = [fields]")
    wrappers = section.get("wrappers", {})
    if not isinstance(wrappers, dict) or not all(isinstance(v, str) for v in wrappers.values()):
        raise ConfigError(f"{path}: `[codegen.wrappers]` maps modules or functions to strings")
    patterns = tuple(_strings(section, "integers", path))
    if section.get("default_integers", True):
        patterns = DEFAULT_INTEGER_FIELDS + patterns
    model_names = section.get("model_names", {})
    if not isinstance(model_names, dict) or not all(
        isinstance(k, str) and isinstance(v, str) for k, v in model_names.items()
    ):
        raise ConfigError(
            f"{path}: `[codegen.model_names]` maps generated model names to names (strings)"
        )
    extensions: dict[str, Extension] = {}
    for namespace, spec in section.get("extensions", {}).items():
        if not isinstance(spec, dict) or not {"sync", "async"} <= set(spec):
            raise ConfigError(
                f"{path}: `[codegen.extensions.{namespace}]` needs `sync` and `async` "
                '("package.module:Class")'
            )
        extensions[namespace] = Extension(
            sync=str(spec["sync"]),
            async_=str(spec["async"]),
            functions=tuple(_strings(spec, "functions", path)),
        )
    return Config(
        path=path,
        project_root=root,
        functions_dir=functions_dir,
        spec_file=spec_file,
        exclude=tuple(_strings(section, "exclude", path)),
        component=bool(section.get("component", False)),
        wrappers=WrapperRule(str(section.get("wrapper_module", "memory")), dict(wrappers)),
        output_dir=output_dir,
        package=package,
        runtime_package=str(section.get("runtime_package", "convex_agent_memory")),
        idempotent=Selector(frozenset(_strings(section, "idempotent", path))),
        live=Selector(frozenset(_strings(section, "live", path))),
        not_exposed=Selector(frozenset(_strings(section, "not_exposed", path))),
        json_text={
            module: frozenset(fields)
            for module, fields in json_text_section.items()
            if isinstance(fields, list) and module != "results"
        },
        json_text_results=frozenset(_strings(json_text_section, "results", path)),
        integers=IntegerRule(patterns),
        float32_vectors=FieldRule(tuple(_strings(section, "float32_vectors", path))),
        extensions=extensions,
        default_page_size=int(section.get("default_page_size", 100)),
        model_names=dict(model_names),
    )
