"""The extractor shipped in the package: Convex's own module rules, a module that fails is
reported by name while the others are read, and what to install when something is missing."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from convex_py_codegen.cli import main
from convex_py_codegen.errors import ExtractionError
from convex_py_codegen.extractor import EXTRACTOR, run_extractor

from .helpers import ROOT

QUERY = """import {{ queryGeneric }} from "convex/server";
import {{ v }} from "convex/values";
{extra}
export const {name} = queryGeneric({{ args: {{}}, returns: v.string(), handler: async () => "x" }});
"""

SCHEMA = 'import { defineSchema } from "convex/server";\nexport default defineSchema({});\n'


def app(tmp: Path, files: dict[str, str]) -> Path:
    """An app folder whose node_modules is the repository's (it has convex and esbuild)."""
    (tmp / "node_modules").symlink_to(ROOT / "node_modules")
    functions = tmp / "convex"
    for rel, text in files.items():
        (functions / rel).parent.mkdir(parents=True, exist_ok=True)
        (functions / rel).write_text(text)
    return functions


def test_the_package_ships_its_extractor() -> None:
    node = EXTRACTOR.parent
    assert {p.name for p in node.iterdir()} >= {"run.mjs", "extract.ts", "convexModules.ts"}
    assert EXTRACTOR.parent.parent.name == "convex_py_codegen"


def test_modules_follow_convexs_rules(tmp_path: Path) -> None:
    functions = app(
        tmp_path,
        {
            "notes.ts": QUERY.format(name="list", extra=""),
            "notes.test.ts": QUERY.format(name="tested", extra=""),
            "types.d.ts": "export type X = 1;\n",
            ".draft.ts": QUERY.format(name="draft", extra=""),
            "my notes.ts": QUERY.format(name="spaced", extra=""),
            "schema.ts": SCHEMA,
            "_generated/api.ts": QUERY.format(name="generated", extra=""),
            "dir/deep.ts": QUERY.format(name="deep", extra=""),
        },
    )
    spec = run_extractor(functions)
    ids = [f["identifier"] for f in spec["functions"]]
    assert ids == ["dir/deep.js:deep", "notes.js:list"]
    assert spec["failedModules"] == []


def test_a_module_that_fails_is_named_and_the_others_are_read(tmp_path: Path) -> None:
    functions = app(
        tmp_path,
        {
            "good.ts": QUERY.format(name="fine", extra=""),
            "throws.ts": QUERY.format(name="never", extra='throw new Error("no API key set");'),
            "missing.ts": QUERY.format(name="gone", extra='import "a-package-nobody-installed";'),
            "other.ts": QUERY.format(name="alsoFine", extra=""),
        },
    )
    spec = run_extractor(functions)
    assert [f["identifier"] for f in spec["functions"]] == ["good.js:fine", "other.js:alsoFine"]
    failed = {f["module"]: f["error"] for f in spec["failedModules"]}
    assert set(failed) == {"missing", "throws"}
    assert "fails to import: no API key set" in failed["throws"]
    assert "cannot be bundled" in failed["missing"]
    assert "a-package-nobody-installed" in failed["missing"]


def test_generate_warns_about_failed_modules_and_still_writes_the_others(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app(
        tmp_path,
        {
            "good.ts": QUERY.format(name="fine", extra=""),
            "throws.ts": QUERY.format(name="never", extra='throw new Error("boom");'),
        },
    )
    (tmp_path / "convex-py-codegen.toml").write_text(
        '[codegen]\nfunctions_dir = "convex"\noutput_dir = "py/app/_generated"\npackage = "app"\n'
    )
    assert main(["generate", "--config", str(tmp_path / "convex-py-codegen.toml")]) == 0
    err = capsys.readouterr().err
    assert "warning: module throws fails to import: boom" in err
    assert (tmp_path / "py" / "app" / "_generated" / "resources" / "good.py").exists()
    assert not (tmp_path / "py" / "app" / "_generated" / "resources" / "throws.py").exists()


def test_a_folder_a_deployment_would_refuse_is_refused_naming_the_file(tmp_path: Path) -> None:
    functions = app(tmp_path, {"my-notes.ts": QUERY.format(name="list", extra="")})
    with pytest.raises(ExtractionError, match=r"my-notes\.ts: the deployment refuses"):
        run_extractor(functions)


def test_without_the_apps_convex_package_the_error_says_what_to_install(tmp_path: Path) -> None:
    functions = tmp_path / "convex"
    functions.mkdir()
    (functions / "notes.ts").write_text(QUERY.format(name="list", extra=""))
    with pytest.raises(ExtractionError, match=r"npm install convex"):
        run_extractor(functions)


def test_without_node_the_error_says_what_to_install(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(shutil, "which", lambda name: None)
    with pytest.raises(ExtractionError, match=r"install Node\.js 18 or newer"):
        run_extractor(tmp_path)
