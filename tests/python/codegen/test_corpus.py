"""The corpus: the function specs of 24 published ``@convex-dev`` components (extracted from
their npm packages by this package's extractor, committed under
tests/fixtures/codegen/corpus/, rebuilt by build.py there).

Each generates as an app (every module its own namespace, its own paths) and as a component
(called through the host app's wrappers; where its modules clash, the wrapper naming of
``[codegen.wrappers]`` tells them apart), passes ``ruff`` and ``mypy --strict``, and for a
sample of values per function the generated method sends exactly the wire JSON of the
arguments and gives back a result that dumps to exactly the JSON it came from; every one of
those values is then checked in Node against the function's own validators, rebuilt with
``v`` from ``convex/values`` and checked with convex-helpers' ``validate``.
"""

from __future__ import annotations

import importlib
import inspect
import json
import re
import subprocess
import sys
import warnings
from collections.abc import Mapping
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from convex_agent_memory._encoding import decode_value, encode_value, serialize
from convex_py_codegen.config import WrapperRule
from convex_py_codegen.ir import Method, Namespace, Plan
from convex_py_codegen.spec import parse_spec

from .helpers import FIXTURES, ROOT, build_sdk_with_plan, mypy_strict
from .samples import Sampler

CORPUS = sorted((FIXTURES / "corpus").glob("*.json"))
SAMPLES_PER_FUNCTION = 3

#: Component mode: how each component's functions are exposed by the host app, where a flat
#: wrapper module (`<component>:<function>`) would call two functions by one name.
WRAPPERS: dict[str, WrapperRule] = {
    # by module
    "aggregate": WrapperRule(
        "aggregate", {"public": "aggregatePublic", "deadLetter": "aggregateDeadLetter"}
    ),
    "rag": WrapperRule("rag", {"chunks": "ragChunks", "namespaces": "ragNamespaces"}),
    "twilio": WrapperRule("twilio", {"phone_numbers": "twilioPhoneNumbers"}),
    # by function
    "rate-limiter": WrapperRule("rateLimiter", {"time:getServerTime": "rateLimiter:serverTime"}),
    "workflow": WrapperRule("workflow", {"event:create": "workflow:createEvent"}),
    # mirroring the component's module tree under one app folder
    "better-auth": WrapperRule("betterAuth/{module}"),
}


@dataclass
class Built:
    name: str
    spec_data: dict[str, Any]
    app: str
    app_plan: Plan
    component: str
    component_plan: Plan


def _package(name: str, mode: str) -> str:
    return f"corpus_{name.replace('-', '_')}_{mode}"


@pytest.fixture(scope="module")
def corpus(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, list[Built]]:
    tmp = tmp_path_factory.mktemp("corpus")
    built: list[Built] = []
    for path in CORPUS:
        data = json.loads(path.read_text())
        name = path.stem
        wrappers = WRAPPERS.get(name, WrapperRule(data["component"]))
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # functions without `returns` (typed any value)
            _, app_plan = build_sdk_with_plan(
                tmp, data, package=_package(name, "app"), component=False
            )
            _, component_plan = build_sdk_with_plan(
                tmp, data, package=_package(name, "component"), component=True, wrappers=wrappers
            )
        built.append(
            Built(name, data, _package(name, "app"), app_plan, _package(name, "component"),
                  component_plan)
        )  # fmt: skip
    return tmp, built


def test_the_corpus_is_the_published_components() -> None:
    names = [p.stem for p in CORPUS]
    assert len(names) == 24 and {"agent", "rag", "workflow", "workpool", "aggregate"} <= set(names)
    for path in CORPUS:
        data = json.loads(path.read_text())
        assert data["source"]["package"] == f"@convex-dev/{path.stem}"
        assert data["failedModules"] == [], path.stem  # every module of every package loaded


def test_every_component_generates_as_an_app_and_as_a_component(
    corpus: tuple[Path, list[Built]],
) -> None:
    _, built = corpus
    total = 0
    for b in built:
        public = parse_spec(b.spec_data).functions
        assert len(b.app_plan.methods) == len(public) == len(b.component_plan.methods), b.name
        paths = [m.path for m in b.component_plan.methods]
        assert len(paths) == len(set(paths)), b.name  # no two functions behind one wrapper
        total += len(public)
    assert total > 300  # 326 when the corpus was built


def _names_of_generated_classes(plan: Plan) -> list[str]:
    names = [m.name for m in plan.registry.models] + list(plan.registry.ids.values())
    names += [c for root in plan.namespaces for c in root.all_classes]
    return names


def test_names_are_unique_and_never_numbered(corpus: tuple[Path, list[Built]]) -> None:
    """Digits in a generated name come from a Convex name (tables ``embeddings_1536``,
    function ``deleteR2Object``), never from numbering."""
    _, built = corpus
    for b in built:
        source = json.dumps(b.spec_data)
        for plan in (b.app_plan, b.component_plan):
            names = _names_of_generated_classes(plan)
            assert len(names) == len(set(names)), b.name
            for name in names:
                assert "Variant" not in name, (b.name, name)
                for digits in re.findall(r"\d+", name):
                    assert digits in source, (b.name, name)
            assert all(len(n) <= 100 for n in names), [n for n in names if len(n) > 100]


def test_the_corpus_passes_ruff_and_mypy_strict(corpus: tuple[Path, list[Built]]) -> None:
    tmp, built = corpus
    packages = [p for b in built for p in (b.app, b.component)]
    ruff = subprocess.run(
        [sys.executable, "-m", "ruff", "check", "--config", str(ROOT / "pyproject.toml"),
         *packages],
        cwd=tmp, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert ruff.returncode == 0, ruff.stdout[-5000:] + ruff.stderr
    mypy = mypy_strict(tmp, *packages)
    assert mypy.returncode == 0, mypy.stdout[-5000:] + mypy.stderr


# ---- values through the generated methods ----------------------------------------------------


class Transport:
    """Stands in for the runtime's HTTP call: records the arguments, answers with a value as
    the runtime would decode it from the wire."""

    def __init__(self) -> None:
        self.sent: Any = None
        self.reply: Any = None

    def call(self, kind: str, path: str, args: Mapping[str, Any], idempotent: bool) -> Any:
        self.sent = dict(args)
        return decode_value(json.loads(serialize(encode_value(self.reply))))


def _clients(package: str, transport: Transport) -> Any:
    generated = importlib.import_module(f"{package}._generated")

    class Client(generated.GeneratedClient):  # type: ignore[misc,name-defined]
        def _call(
            self, kind: str, path: str, args: Mapping[str, Any], *, idempotent: bool = False
        ) -> Any:
            return transport.call(kind, path, args, idempotent)

    return Client(url="http://127.0.0.1:9")


def _namespaces(plan: Plan) -> dict[int, tuple[list[str], Namespace]]:
    out: dict[int, tuple[list[str], Namespace]] = {}

    def visit(ns: Namespace, chain: list[str]) -> None:
        here = [*chain, ns.attr]
        for method in ns.methods:
            out[id(method)] = (here, ns)
        for child in ns.children:
            visit(child, here)

    for root in plan.namespaces:
        visit(root, [])
    return out


def _kwargs(method: Method, args: dict[str, Any]) -> dict[str, Any]:
    if method.free_args:
        return {"args": args}
    kwargs = {p.python: args[p.convex] for p in method.params if p.convex in args}
    if method.paginated:
        kwargs["page_size"] = int(args["paginationOpts"]["numItems"])
        kwargs["cursor"] = args["paginationOpts"]["cursor"]
    return kwargs


def test_sample_values_round_trip_through_the_methods_and_convex_validators(
    corpus: tuple[Path, list[Built]],
) -> None:
    tmp, built = corpus
    cases: list[dict[str, Any]] = []
    mismatches: list[str] = []
    calls = 0
    for b in built:
        transport = Transport()
        client = _clients(b.app, transport)
        where = _namespaces(b.app_plan)
        for method in b.app_plan.methods:
            chain, _ = where[id(method)]
            target = client
            for attr in chain:
                target = getattr(target, attr)
            call = getattr(target, method.name)
            resources = importlib.import_module(f"{b.app}._generated.resources.{chain[0]}")
            ref = getattr(resources, method.ref)
            fn = method.fn
            for variant in range(SAMPLES_PER_FUNCTION):
                sampler = Sampler(f"{b.name}:{fn.identifier}:{variant}", variant)
                if method.free_args:
                    args: dict[str, Any] = {"free": 1.5, "text": "x"}
                else:
                    args = sampler.sample(method.args_node)
                    if method.paginated:
                        cursor = None if variant == 0 else "cursor-" + str(variant)
                        args["paginationOpts"] = {"numItems": 5.0, "cursor": cursor}
                reply = sampler.sample(method.returns_node) if method.returns_node else 1.5
                transport.reply = reply
                key = f"{b.name} {fn.identifier} #{variant}"
                result = call(**_kwargs(method, args))
                calls += 1
                if inspect.isawaitable(result):  # pragma: no cover - the sync client
                    raise AssertionError(key)
                if encode_value(transport.sent) != encode_value(args):
                    mismatches.append(f"{key}: sent {transport.sent!r}, expected {args!r}")
                dumped = ref.result.dump_python(
                    result, by_alias=True, exclude_unset=True, context={"convex_wire": True}
                )
                if encode_value(dumped) != encode_value(reply):
                    mismatches.append(f"{key}: read back {dumped!r}, the reply was {reply!r}")
                cases.append(
                    {"key": key + " args", "validator": fn.args, "value": encode_value(args)}
                )
                if fn.returns is not None:
                    cases.append(
                        {
                            "key": key + " returns",
                            "validator": fn.returns,
                            "value": encode_value(reply),
                        }
                    )
    assert mismatches == []
    assert calls == SAMPLES_PER_FUNCTION * sum(len(b.app_plan.methods) for b in built)
    (tmp / "cases.json").write_text(json.dumps(cases))
    done = subprocess.run(
        [str(ROOT / "node_modules" / ".bin" / "tsx"),
         str(Path(__file__).parent / "validate_values.ts"), str(tmp / "cases.json")],
        cwd=ROOT, capture_output=True, text=True, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    report = json.loads(done.stdout)
    assert report["checked"] == len(cases) and report["failures"] == []
