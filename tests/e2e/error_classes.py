"""Compares the errors two end-to-end runs raised (``E2E_ERROR_LOG`` of tests/e2e/conftest.py).

    python tests/e2e/error_classes.py development.json production.json

Run once against the local backend as a development deployment answers and once with
``LOCAL_BACKEND_REDACT_ERRORS=1`` (as production answers clients): every test must raise the
same errors, class and code, in both. Exits 1 naming each test where they differ.
"""

from __future__ import annotations

import json
import sys
from collections import Counter
from pathlib import Path


def differences(first: dict[str, list[str]], second: dict[str, list[str]]) -> list[str]:
    problems = []
    for test in sorted(set(first) | set(second)):
        a, b = Counter(first.get(test, [])), Counter(second.get(test, []))
        if a != b:
            only_a = sorted((a - b).elements())
            only_b = sorted((b - a).elements())
            problems.append(f"{test}:\n    first only: {only_a}\n    second only: {only_b}")
    return problems


def main(argv: list[str]) -> int:
    if len(argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    first, second = (json.loads(Path(name).read_text()) for name in argv)
    problems = differences(first, second)
    total = sum(len(errors) for errors in first.values())
    if problems:
        print(f"{len(problems)} tests raised different errors:", file=sys.stderr)
        print("\n".join(problems), file=sys.stderr)
        return 1
    print(f"the same {total} errors in {len(first)} tests, class and code, in both runs")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
