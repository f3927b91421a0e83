"""Fails when a generated SDK method has no end-to-end call (the watch_* subscriptions aside)."""

from __future__ import annotations

from pathlib import Path

import pytest

from .conftest import CALLED, WATCH_METHODS, expected_methods

HERE = Path(__file__).parent


@pytest.mark.e2e_last
def test_every_generated_method_ran_end_to_end(request: pytest.FixtureRequest) -> None:
    session = request.session
    modules = {
        Path(str(item.path)).name for item in session.items if Path(str(item.path)).parent == HERE
    }
    everything = {p.name for p in HERE.glob("test_*.py")}
    if modules != everything or request.config.option.keyword or request.config.option.markexpr:
        pytest.skip("only meaningful when the whole e2e suite runs")
    if session.testsfailed:
        pytest.skip("other e2e tests failed; their calls may not have run")
    expected = expected_methods()
    assert len(expected) > 80  # sync and async namespaces were found
    missing = sorted(expected - CALLED)
    assert missing == [], f"generated methods with no end-to-end call: {missing}"
    assert not any(name in WATCH_METHODS for _, name in CALLED)
