"""``convex-py-codegen init`` reads the app's functions folder from ``convex.json`` and its
name from ``package.json``, and falls back to the defaults when either is missing, is not
JSON or holds something else."""

from __future__ import annotations

import tomllib
from pathlib import Path

import pytest
from convex_py_codegen.errors import ConfigError
from convex_py_codegen.scaffold import init_project


def app(tmp_path: Path, files: dict[str, str], functions: str = "convex") -> Path:
    root = tmp_path / "my-app"
    (root / functions).mkdir(parents=True)
    for name, text in files.items():
        (root / name).write_text(text, encoding="utf-8")
    return root


def codegen_config(root: Path) -> dict[str, object]:
    text = (root / "convex-py-codegen.toml").read_text(encoding="utf-8")
    section: dict[str, object] = tomllib.loads(text)["codegen"]
    return section


@pytest.mark.parametrize(
    ("files", "functions", "package"),
    [
        ({}, "convex", "my_app"),
        ({"convex.json": '{"functions": "src/convex/"}'}, "src/convex", "my_app"),
        ({"package.json": '{"name": "@acme/notes-app"}'}, "convex", "notes_app"),
        ({"convex.json": "{not json", "package.json": "[1, 2]"}, "convex", "my_app"),
        ({"convex.json": '{"functions": ""}', "package.json": '{"name": 3}'}, "convex", "my_app"),
    ],
)
def test_reads_the_app_files(
    tmp_path: Path, files: dict[str, str], functions: str, package: str
) -> None:
    root = app(tmp_path, files, functions)
    assert init_project(root) == 0
    written = codegen_config(root)
    assert written["functions_dir"] == functions
    assert written["package"] == package
    assert (root / "python" / package / "__init__.py").is_file()


def test_a_missing_functions_folder_is_a_config_error(tmp_path: Path) -> None:
    root = app(tmp_path, {"convex.json": '{"functions": "src/convex"}'})
    with pytest.raises(ConfigError, match=r"no Convex functions folder src/convex/"):
        init_project(root)
