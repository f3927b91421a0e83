"""The TOML config: what to read, where to write, how the SDK calls the functions."""

from __future__ import annotations

import tomllib
from dataclasses import dataclass
from pathlib import Path

from .spec import SpecError


@dataclass(frozen=True)
class Config:
    path: Path
    project_root: Path
    functions_dir: Path | None  # extract from this folder ...
    spec_file: Path | None  # ... or read this function-spec JSON
    exclude: tuple[str, ...]
    extractor: Path
    component: bool
    wrapper_module: str
    output_dir: Path
    package: str
    runtime_package: str
    idempotent: frozenset[str]
    live: frozenset[str]  # queries the SDK offers as live subscriptions (watch_* methods)
    not_exposed: frozenset[str]  # component functions the host app's wrappers do not expose
    json_text: dict[str, frozenset[str]]  # module -> string fields that carry JSON text
    json_text_results: frozenset[str]  # functions whose whole result is JSON text
    default_page_size: int

    def display(self, path: Path) -> str:
        try:
            return path.resolve().relative_to(self.project_root).as_posix()
        except ValueError:
            return path.as_posix()


def load_config(path: Path) -> Config:
    path = path.resolve()
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    section = data.get("codegen", data)
    root = (path.parent / section.get("project_root", ".")).resolve()

    def rel(key: str) -> Path | None:
        value = section.get(key)
        return (root / value).resolve() if value else None

    functions_dir, spec_file = rel("functions_dir"), rel("spec")
    if (functions_dir is None) == (spec_file is None):
        raise SpecError(f"{path}: set exactly one of `functions_dir` and `spec`")
    output_dir = rel("output_dir")
    if output_dir is None:
        raise SpecError(f"{path}: `output_dir` is required")
    package = section.get("package")
    if not package:
        raise SpecError(f"{path}: `package` is required")
    return Config(
        path=path,
        project_root=root,
        functions_dir=functions_dir,
        spec_file=spec_file,
        exclude=tuple(section.get("exclude", [])),
        extractor=rel("extractor") or (Path(__file__).resolve().parent.parent / "extract.ts"),
        component=bool(section.get("component", False)),
        wrapper_module=section.get("wrapper_module", "memory"),
        output_dir=output_dir,
        package=package,
        runtime_package=section.get("runtime_package", package),
        idempotent=frozenset(section.get("idempotent", [])),
        live=frozenset(section.get("live", [])),
        not_exposed=frozenset(section.get("not_exposed", [])),
        json_text={
            module: frozenset(fields)
            for module, fields in section.get("json_text", {}).items()
            if isinstance(fields, list)
        },
        json_text_results=frozenset(section.get("json_text", {}).get("results", [])),
        default_page_size=int(section.get("default_page_size", 100)),
    )
