"""Every generated method's docstring matches its Python signature: each parameter is listed
with the exact type the signature gives it (``name (type): ...``), none is missing or extra,
and ``Returns:``/``Yields:`` starts with the return type."""

from __future__ import annotations

import ast
import inspect
import json
import re
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import convex_agent_memory
import pytest

from .helpers import FIXTURES, build_sdk

ENTRY = re.compile(r"^    (\w+) \((.*)\): ", re.S)


def normalized(text: str) -> str:
    """A type expression as Python prints it (annotations are stored as the compiler unparses
    them: quotes normalised), whitespace collapsed."""
    text = " ".join(text.split())
    try:
        return ast.unparse(ast.parse(text, mode="eval"))
    except SyntaxError:
        return text


def sections(doc: str) -> dict[str, list[str]]:
    """Google-style sections: name -> entries (continuation lines joined)."""
    out: dict[str, list[str]] = {}
    current: list[str] | None = None
    for line in doc.splitlines():
        if line in ("Args:", "Returns:", "Yields:"):
            current = out.setdefault(line[:-1], [])
        elif current is not None and line.startswith("    ") and not line.startswith("        "):
            current.append(line)
        elif current is not None and line.startswith("        ") and current:
            current[-1] += " " + line.strip()
        elif not line.strip():
            current = None
    return out


def check(method: Any, where: str) -> list[str]:
    problems: list[str] = []
    doc = inspect.cleandoc(method.__doc__ or "")
    signature = inspect.signature(method)
    params = {n: p for n, p in signature.parameters.items() if n != "self"}
    found = sections(doc)
    documented: dict[str, str] = {}
    for entry in found.get("Args", []):
        match = ENTRY.match(entry + " ")
        if match is None:
            problems.append(f"{where}: an Args entry without `name (type):`: {entry!r}")
            continue
        documented[match.group(1)] = normalized(match.group(2))
    if set(documented) != set(params):
        problems.append(f"{where}: documents {sorted(documented)}, takes {sorted(params)}")
    for name, param in params.items():
        annotation = param.annotation if isinstance(param.annotation, str) else None
        if (
            annotation is not None
            and name in documented
            and documented[name] != normalized(annotation)
        ):
            problems.append(f"{where}: {name} is {annotation}, documented {documented[name]}")
    result = found.get("Returns") or found.get("Yields") or []
    returns = signature.return_annotation
    head = result[0].strip().split(": ", 1)[0] if result else ""
    if normalized(head) != normalized(str(returns)):
        problems.append(f"{where}: returns {returns}, documented {result[:1]}")
    return problems


def methods_of(client_class: type) -> Iterator[tuple[str, Any]]:
    seen: set[type] = set()

    def walk(cls: type, path: str) -> Iterator[tuple[str, Any]]:
        if cls in seen:
            return
        seen.add(cls)
        for name in dir(cls):
            if name.startswith("_"):
                continue
            value = getattr(cls, name)
            func = getattr(value, "func", None)  # a namespace (cached_property)
            if func is not None:
                namespace = inspect.get_annotations(func, eval_str=True)["return"]
                yield from walk(namespace, f"{path}.{name}")
            elif inspect.isfunction(value) and "._generated." in value.__module__:
                yield f"{path}.{name}", value

    yield from walk(client_class, client_class.__name__)


def all_problems(client_classes: list[type]) -> tuple[int, list[str]]:
    count, problems = 0, []
    for client_class in client_classes:
        for where, method in methods_of(client_class):
            count += 1
            problems += check(method, where)
    return count, problems


def test_the_sdks_methods_document_their_signatures() -> None:
    count, problems = all_problems([convex_agent_memory.Client, convex_agent_memory.AsyncClient])
    assert count > 100 and problems == []


def test_the_hand_written_resource_methods_do_too() -> None:
    client = convex_agent_memory.Client(url="http://127.0.0.1:9")
    aclient = convex_agent_memory.AsyncClient(url="http://127.0.0.1:9")
    methods = [
        client.vectors.upsert_many,
        client.messages.save_many,
        aclient.vectors.upsert_many,
        aclient.messages.save_many,
        client.recall.set_message_embeddings_many,
        aclient.recall.set_message_embeddings_many,
        client.recall.recall_text,
        aclient.recall.recall_text,
    ]
    for method in methods:
        assert check(method, method.__qualname__) == []
    client.close()


@pytest.mark.parametrize("name", ["agent", "rag", "workflow", "better-auth"])
def test_corpus_sdks_document_their_signatures(tmp_path: Path, name: str) -> None:
    data = json.loads((FIXTURES / "corpus" / f"{name}.json").read_text())
    package = f"docs_{name.replace('-', '_')}"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        build_sdk(tmp_path, data, package=package, component=False)
    generated = __import__(f"{package}._generated", fromlist=["client"])
    count, problems = all_problems([generated.GeneratedClient, generated.AsyncGeneratedClient])
    assert count > 10 and problems == []
