"""Each doc says in its first paragraph who it is for, and names only files that exist."""

from __future__ import annotations

import re

import pytest

from tests.docs.docs import DOCS, ROOT, doc_text, first_paragraph

#: Who each doc is for: its first paragraph must say "<This file> is for <them>".
AUDIENCES = {
    "README.md": "developers who use convex-agent-memory",
    "CONTRIBUTING.md": "people who work on convex-agent-memory itself",
    "bench/README.md": "readers of the figures",
    "local_backend/README.md": "people who work on the local backend",
}


def test_every_doc_has_an_audience() -> None:
    assert set(AUDIENCES) == set(DOCS)


@pytest.mark.parametrize("doc", DOCS)
def test_first_paragraph_says_who_the_doc_is_for(doc: str) -> None:
    paragraph = first_paragraph(doc)
    said = re.search(r"\bis for ([^.;:]+)", paragraph)
    assert said is not None, f"{doc}'s first paragraph does not say who it is for: {paragraph!r}"
    assert AUDIENCES[doc] in said.group(1), (doc, said.group(1))


#: Top-level folders of the repository: a path in backticks that starts with one is ours.
REPO_FOLDERS = (
    "bench",
    "client",
    "codegen",
    "component",
    "example",
    "examples",
    "local_backend",
    "python_sdk",
    "scripts",
    "tests",
)


@pytest.mark.parametrize("doc", DOCS)
def test_the_repository_paths_a_doc_names_exist(doc: str) -> None:
    missing: list[str] = []
    for name in re.findall(r"`([^`\s]+)`", doc_text(doc)):
        path = name.rstrip(".,:;").split("::")[0]
        if not path.startswith(tuple(f"{folder}/" for folder in REPO_FOLDERS)):
            continue
        if any(ch in path for ch in "*<>{}"):  # a pattern or a placeholder, not a path
            continue
        if not (ROOT / path).exists():
            missing.append(name)
    assert not missing, f"{doc} names paths that do not exist: {missing}"


# local_backend/README.md: its table of files is the folder's, its flags main.ts's ---------

LOCAL_BACKEND = ROOT / "local_backend"
#: Flags of node itself in the doc's commands, not of main.ts.
NODE_FLAGS = frozenset({"--import"})


def _file_table() -> set[str]:
    """The files the "How it is built" table names (its first column)."""
    text = doc_text("local_backend/README.md")
    table = text[text.index("## How it is built") :].split("\n## ", 1)[0]
    names: set[str] = set()
    for row in re.findall(r"^\| ([^|]+) \|", table, re.M):
        names.update(re.findall(r"`([^`]+)`", row))
    return names


def test_local_backend_readme_names_its_files_as_they_are() -> None:
    names = _file_table()
    assert names, "no file table under '## How it is built'"
    missing = sorted(n for n in names if not (LOCAL_BACKEND / n).exists())
    assert not missing, f"local_backend/README.md names files local_backend/ lacks: {missing}"
    files = {
        str(p.relative_to(LOCAL_BACKEND))
        for p in LOCAL_BACKEND.rglob("*")
        if p.is_file()
        and p.suffix in {".ts", ".mjs", ".py"}
        and p.name != "__init__.py"
        and "__pycache__" not in p.parts
    }
    unnamed = sorted(files - names)
    assert not unnamed, f"local_backend/README.md does not say what these are: {unnamed}"


def test_local_backend_readme_flags_are_main_ts_flags() -> None:
    source = (LOCAL_BACKEND / "main.ts").read_text()
    usage = source[source.index("const USAGE") :].split("`;", 1)[0]  # the text --help prints
    flags = set(re.findall(r"(?<![\w-])(--[a-z][a-z-]+)", doc_text("local_backend/README.md")))
    unknown = sorted(
        f for f in flags - NODE_FLAGS if not re.search(rf"^\s+{re.escape(f)}\b", usage, re.M)
    )
    assert not unknown, f"flags main.ts does not take: {unknown}"
