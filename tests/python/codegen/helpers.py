"""Generating SDKs into scratch packages, a fake transport, and a test-only wire codec."""

from __future__ import annotations

import base64
import importlib
import json
import math
import shutil
import struct
import subprocess
import sys
from collections.abc import Mapping
from pathlib import Path
from typing import Any

from convex_py_codegen.config import Selector, WrapperRule
from convex_py_codegen.generator import generate_files
from convex_py_codegen.ir import Options, Plan
from convex_py_codegen.output import write_tree
from convex_py_codegen.spec import parse_spec
from convex_py_codegen.types import FieldRule, IntegerRule

ROOT = Path(__file__).resolve().parents[3]
FIXTURES = ROOT / "tests" / "fixtures" / "codegen"
RUNTIME = ROOT / "python_sdk" / "convex_agent_memory"


def build_sdk(tmp: Path, spec_data: Any, **options: Any) -> Path:
    """Generates ``<tmp>/<package>/_generated`` and puts ``tmp`` on sys.path (see
    :func:`build_sdk_with_plan`)."""
    return build_sdk_with_plan(tmp, spec_data, **options)[0]


def build_sdk_with_plan(
    tmp: Path,
    spec_data: Any,
    *,
    package: str,
    component: bool,
    idempotent: frozenset[str] = frozenset(),
    live: frozenset[str] = frozenset(),
    own_runtime: bool = False,
    json_text: dict[str, frozenset[str]] | None = None,
    json_text_results: frozenset[str] = frozenset(),
    integers: IntegerRule | None = None,
    float32_vectors: tuple[str, ...] = (),
    wrappers: WrapperRule | None = None,
    model_names: dict[str, str] | None = None,
) -> tuple[Path, Plan]:
    """Generates ``<tmp>/<package>/_generated``, puts ``tmp`` on sys.path, and returns the
    package's folder and the plan it was generated from.

    ``own_runtime``: copy the hand-written runtime into the package, as in the real SDK;
    otherwise the generated code imports ``convex_agent_memory``.
    """
    spec = parse_spec(spec_data)
    pkg = tmp / package
    pkg.mkdir(parents=True, exist_ok=True)
    if own_runtime:
        for source in [*RUNTIME.glob("*.py"), RUNTIME / "py.typed"]:
            shutil.copy(source, pkg / source.name)
    else:
        (pkg / "__init__.py").write_text("")
        (pkg / "py.typed").write_text("")
    options = Options(
        package=package,
        runtime_package=package if own_runtime else "convex_agent_memory",
        component=component,
        idempotent=Selector(idempotent),
        live=Selector(live),
        json_text=json_text or {},
        json_text_results=json_text_results,
        integers=integers if integers is not None else IntegerRule(),
        float32_vectors=FieldRule(float32_vectors),
        wrappers=wrappers if wrappers is not None else WrapperRule(),
        model_names=model_names or {},
        source_label="a test spec",
    )
    files, plan = generate_files(spec, options)
    write_tree(files, pkg / "_generated")
    if str(tmp) not in sys.path:
        sys.path.insert(0, str(tmp))
    for name in [m for m in sys.modules if m == package or m.startswith(package + ".")]:
        del sys.modules[name]
    importlib.invalidate_caches()
    return pkg, plan


#: One mypy cache for every type check the codegen tests run: pydantic, the runtime and the
#: standard library are analysed once per session instead of once per check.
MYPY_CACHE = ROOT / ".mypy_cache" / "codegen-tests"


def mypy_strict(cwd: Path, *targets: str) -> subprocess.CompletedProcess[str]:
    """``mypy --strict`` with the repository's settings, run in ``cwd``."""
    return subprocess.run(
        [sys.executable, "-m", "mypy", "--strict", "--config-file", str(ROOT / "pyproject.toml"),
         "--cache-dir", str(MYPY_CACHE), *targets],
        cwd=cwd, capture_output=True, text=True, check=False,
    )  # fmt: skip


class Recorder:
    """What a fake transport saw, and the canned values it answers with."""

    def __init__(self, answers: Mapping[str, Any] | None = None) -> None:
        self.calls: list[tuple[str, str, dict[str, Any], bool]] = []
        self.answers: dict[str, Any] = dict(answers or {})

    def answer(self, kind: str, path: str, args: Mapping[str, Any], idempotent: bool) -> Any:
        self.calls.append((kind, path, dict(args), idempotent))
        value = self.answers[path]
        # What crosses the wire: encoded, JSON, decoded, as the real runtime would.
        return decode(
            json.loads(json.dumps(encode(value(dict(args)) if callable(value) else value)))
        )


def fake_clients(package: str, recorder: Recorder) -> tuple[Any, Any]:
    generated = importlib.import_module(f"{package}._generated")

    class FakeClient(generated.GeneratedClient):  # type: ignore[misc,name-defined]
        def _call(
            self, kind: str, path: str, args: Mapping[str, Any], *, idempotent: bool = False
        ) -> Any:
            return recorder.answer(
                kind, path, decode(json.loads(json.dumps(encode(args)))), idempotent
            )

    class FakeAsyncClient(generated.AsyncGeneratedClient):  # type: ignore[misc,name-defined]
        async def _call(
            self, kind: str, path: str, args: Mapping[str, Any], *, idempotent: bool = False
        ) -> Any:
            return recorder.answer(
                kind, path, decode(json.loads(json.dumps(encode(args)))), idempotent
            )

    # The real base classes want a deployment URL; nothing is ever sent to it.
    url = "http://127.0.0.1:9"
    return FakeClient(url=url), FakeAsyncClient(url=url)


# ---- a test-only Convex wire codec (the runtime's own lives in _encoding.py) ----------------


def encode(value: Any) -> Any:
    if value is None or isinstance(value, (bool, str)):
        return value
    if isinstance(value, int):
        return {"$integer": base64.b64encode(struct.pack("<q", value)).decode()}
    if isinstance(value, float):
        if math.isnan(value) or math.isinf(value) or (value == 0 and math.copysign(1, value) < 0):
            return {"$float": base64.b64encode(struct.pack("<d", value)).decode()}
        return value
    if isinstance(value, bytes):
        return {"$bytes": base64.b64encode(value).decode()}
    if isinstance(value, list):
        return [encode(v) for v in value]
    if isinstance(value, dict):
        return {k: encode(v) for k, v in value.items()}
    raise TypeError(f"not a Convex value: {value!r}")


def decode(value: Any) -> Any:
    if isinstance(value, bool) or value is None or isinstance(value, str):
        return value
    if isinstance(value, (int, float)):
        return float(value)  # JSON numbers are float64
    if isinstance(value, list):
        return [decode(v) for v in value]
    if isinstance(value, dict):
        if set(value) == {"$integer"}:
            return struct.unpack("<q", base64.b64decode(value["$integer"]))[0]
        if set(value) == {"$float"}:
            return struct.unpack("<d", base64.b64decode(value["$float"]))[0]
        if set(value) == {"$bytes"}:
            return base64.b64decode(value["$bytes"])
        return {k: decode(v) for k, v in value.items()}
    raise TypeError(value)


def extract_fixture(functions_dir: Path) -> Any:
    from convex_py_codegen.extractor import run_extractor

    return run_extractor(functions_dir)
