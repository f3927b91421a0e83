"""The error codes the component throws are the ones the README documents."""

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def component_error_codes() -> list[str]:
    source = (ROOT / "component" / "model" / "errors.ts").read_text()
    block = re.search(r"ERROR_CODES = \[(.*?)\] as const", source, re.S)
    assert block is not None
    return re.findall(r'"([A-Z_]+)"', block.group(1))


def test_component_declares_the_six_codes() -> None:
    assert component_error_codes() == [
        "NOT_FOUND",
        "INVALID_ARGUMENT",
        "UNAUTHENTICATED",
        "FORBIDDEN",
        "CONFLICT",
        "LIMIT_EXCEEDED",
    ]


def test_readme_documents_every_code() -> None:
    readme = (ROOT / "README.md").read_text()
    for code in component_error_codes():
        assert f"`{code}`" in readme, code
