from __future__ import annotations

from typing import Any

import pytest

from .helpers import FIXTURES, extract_fixture


@pytest.fixture(scope="session")
def fixture_component_spec() -> Any:
    """The fixture component's signatures, read by the Node extractor (once per session)."""
    return extract_fixture(FIXTURES / "component")
