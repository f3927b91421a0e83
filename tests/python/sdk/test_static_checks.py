"""The package and its generator type-check under mypy --strict and pass ruff."""

from __future__ import annotations

import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[3]


def run(*command: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(command, cwd=ROOT, capture_output=True, text=True, timeout=300)


def test_mypy_strict() -> None:
    pytest.importorskip("mypy")
    result = run(
        sys.executable, "-m", "mypy", "--strict", "python_sdk", "codegen/convex_py_codegen"
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_ruff() -> None:
    ruff = shutil.which("ruff") or str(Path(sys.executable).with_name("ruff"))
    if not Path(ruff).exists():
        pytest.skip("ruff is not installed")
    targets = ("python_sdk", "codegen", "tests", "bench", "examples")
    result = run(ruff, "check", *targets)
    assert result.returncode == 0, result.stdout + result.stderr
    result = run(ruff, "format", "--check", *targets)
    assert result.returncode == 0, result.stdout + result.stderr
