"""Runs the Node extractor this package ships (``node/run.mjs``) on a functions folder.

The app needs Node.js and its own ``convex`` npm package, nothing else: the extractor
compiles the app's TypeScript with the esbuild that ``convex`` depends on.
"""

from __future__ import annotations

import json
import shutil
import subprocess
from pathlib import Path
from typing import Any

from .errors import ExtractionError

__all__ = ["EXTRACTOR", "run_extractor"]

EXTRACTOR = Path(__file__).resolve().parent / "node" / "run.mjs"


def run_extractor(
    functions_dir: Path, *, exclude: tuple[str, ...] = (), cwd: Path | None = None
) -> Any:
    """The extractor's JSON for ``functions_dir``: ``{component, functions, failedModules}``."""
    node = shutil.which("node")
    if node is None:
        raise ExtractionError(
            "convex-py-codegen reads the functions with Node.js, which is not on PATH: install "
            "Node.js 18 or newer (the same Node the Convex CLI needs)"
        )
    functions_dir = functions_dir.resolve()
    if not functions_dir.is_dir():
        raise ExtractionError(f"the functions folder {functions_dir} does not exist")
    command = [node, str(EXTRACTOR), "--functions-dir", str(functions_dir)]
    if exclude:
        command += ["--exclude", ",".join(exclude)]
    done = subprocess.run(
        command, cwd=cwd or functions_dir, capture_output=True, text=True, check=False
    )
    if done.returncode != 0:
        raise ExtractionError(done.stderr.strip() or f"the extractor exited {done.returncode}")
    try:
        return json.loads(done.stdout)
    except json.JSONDecodeError as error:
        raise ExtractionError(
            f"the extractor printed something that is not JSON: {error}"
        ) from error
