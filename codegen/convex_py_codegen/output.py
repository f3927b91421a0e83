"""Writing an SDK: ruff formats the files, a fresh tree replaces the old one, and ``check``
compares a fresh generation with what is on disk."""

from __future__ import annotations

import difflib
import subprocess
import sys
import tempfile
from dataclasses import dataclass
from pathlib import Path

from .errors import FormatError

__all__ = ["Staleness", "compare_tree", "format_files", "write_tree"]


def _ruff_binary() -> str:
    try:
        from ruff.__main__ import find_ruff_bin  # type: ignore[import-untyped]

        return str(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        candidate = Path(sys.executable).parent / "ruff"
        return str(candidate) if candidate.exists() else "ruff"


def format_tree(root: Path, line_length: int, first_party: str) -> None:
    """ruff: drop unused imports, sort them, apply pyupgrade-able syntax, then format; settings
    pinned here so the output does not depend on whichever pyproject is around (the SDK's own
    package is first-party for import sorting)."""
    common = [
        "--isolated",
        "--line-length",
        str(line_length),
        "--target-version",
        "py311",
        "--config",
        f"lint.isort.known-first-party = [{first_party!r}]",
    ]
    ruff = _ruff_binary()
    check = subprocess.run(
        [ruff, "check", "--fix", "--quiet", *common, "--select", "F401,I,UP,RUF022",
         "--exit-zero", str(root)],
        capture_output=True, text=True, check=False,
    )  # fmt: skip
    if check.returncode != 0:
        raise FormatError(f"ruff check --fix failed:\n{check.stderr}{check.stdout}")
    fmt = subprocess.run(
        [ruff, "format", "--quiet", *common, str(root)], capture_output=True, text=True, check=False
    )
    if fmt.returncode != 0:
        raise FormatError(
            "ruff format failed (the generated code is not valid Python?):\n"
            f"{fmt.stderr}{fmt.stdout}"
        )


def format_files(files: dict[str, str], line_length: int, first_party: str) -> dict[str, str]:
    """The files (relative path -> text) formatted by ruff."""
    with tempfile.TemporaryDirectory(prefix="convex-py-codegen-") as tmp:
        stage = Path(tmp) / "_generated"
        for rel, text in files.items():
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        format_tree(stage, line_length, first_party)
        return {rel: (stage / rel).read_text(encoding="utf-8") for rel in sorted(files)}


def write_tree(formatted: dict[str, str], out_dir: Path) -> None:
    """Makes ``out_dir`` hold exactly these files (others of its ``*.py`` are removed);
    files whose content is unchanged are not rewritten."""
    for old in sorted(out_dir.rglob("*.py")) if out_dir.exists() else []:
        if old.relative_to(out_dir).as_posix() not in formatted:
            old.unlink()
    for rel, text in formatted.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")


@dataclass(frozen=True)
class Staleness:
    changed: list[str]  # files whose content differs
    added: list[str]  # files a fresh generation has and the tree lacks
    removed: list[str]  # files the tree has and a fresh generation lacks
    diff: str

    @property
    def files(self) -> list[str]:
        return sorted(self.changed + self.added + self.removed)


def compare_tree(fresh: dict[str, str], out_dir: Path, *, max_diff_lines: int = 60) -> Staleness:
    current = (
        {
            p.relative_to(out_dir).as_posix(): p.read_text(encoding="utf-8")
            for p in out_dir.rglob("*.py")
        }
        if out_dir.exists()
        else {}
    )
    changed = sorted(r for r in fresh if r in current and fresh[r] != current[r])
    added = sorted(r for r in fresh if r not in current)
    removed = sorted(r for r in current if r not in fresh)
    lines: list[str] = []
    for rel in sorted(changed + added + removed):
        diff = difflib.unified_diff(
            current.get(rel, "").splitlines(keepends=True),
            fresh.get(rel, "").splitlines(keepends=True),
            f"on disk/{rel}",
            f"fresh/{rel}",
            n=1,
        )
        lines += list(diff)[:max_diff_lines]
    return Staleness(changed, added, removed, "".join(lines))
