"""Retries only where repeating is safe, with capped, jittered exponential backoff."""

from __future__ import annotations

from typing import Any

import convex_agent_memory as cam
import httpx
import pytest
from convex_agent_memory._retry import retry_delay

from .fakes import Harness, MakeHarness, coded_error, success


def unavailable(**headers: str) -> httpx.Response:
    return httpx.Response(503, text="overloaded", headers=headers)


async def test_a_query_is_retried_until_it_succeeds(harness: Harness) -> None:
    harness.deployment.reply(unavailable(), httpx.ReadTimeout("slow"), success("ok"))
    assert await harness.call("query") == "ok"
    assert len(harness.deployment.requests) == 3
    assert len(harness.sleeps) == 2


async def test_retries_stop_after_max_retries(make_harness: MakeHarness) -> None:
    harness = make_harness(max_retries=3)
    harness.deployment.reply(*[unavailable() for _ in range(4)])
    with pytest.raises(cam.APIStatusError) as caught:
        await harness.call("query")
    assert caught.value.status_code == 503
    assert len(harness.deployment.requests) == 4
    assert len(harness.sleeps) == 3


async def test_max_retries_zero_never_retries(make_harness: MakeHarness) -> None:
    harness = make_harness(max_retries=0)
    harness.deployment.reply(httpx.ConnectError("refused"))
    with pytest.raises(cam.APIConnectionError):
        await harness.call("query")
    assert len(harness.deployment.requests) == 1


async def test_backoff_grows_and_is_jittered_within_bounds(make_harness: MakeHarness) -> None:
    harness = make_harness(max_retries=6)
    harness.deployment.reply(*[unavailable() for _ in range(6)], success(None))
    await harness.call("query")
    for attempt, slept in enumerate(harness.sleeps):
        ceiling = min(0.5 * 2**attempt, 8.0)
        assert 0.75 * ceiling <= slept <= ceiling
    assert max(harness.sleeps) <= 8.0


@pytest.mark.parametrize(
    "failure",
    [
        lambda: unavailable(),
        lambda: httpx.Response(429, text="slow down"),
        lambda: httpx.ReadTimeout("slow"),
        lambda: httpx.RemoteProtocolError("peer closed"),
    ],
    ids=["503", "429", "read timeout", "lost reply"],
)
@pytest.mark.parametrize("kind", ["mutation", "action"])
async def test_writes_that_may_have_run_are_not_repeated(
    harness: Harness, kind: Any, failure: Any
) -> None:
    harness.deployment.reply(failure(), success("should not be reached"))
    with pytest.raises(cam.APIError):
        await harness.call(kind)
    assert len(harness.deployment.requests) == 1
    assert harness.sleeps == []


@pytest.mark.parametrize("kind", ["mutation", "action"])
async def test_idempotent_writes_are_repeated(harness: Harness, kind: Any) -> None:
    harness.deployment.reply(httpx.ReadTimeout("slow"), unavailable(), success(1.0))
    assert await harness.call(kind, "memory:upsertVectors", idempotent=True) == 1.0
    assert len(harness.deployment.requests) == 3
    # The very same request each time: an upsert by id lands once.
    assert len({r.content for r in harness.deployment.requests}) == 1


@pytest.mark.parametrize("kind", ["query", "mutation", "action"])
@pytest.mark.parametrize(
    "never_sent",
    [lambda: httpx.ConnectError("refused"), lambda: httpx.ConnectTimeout("no route")],
    ids=["connect error", "connect timeout"],
)
async def test_requests_that_never_left_are_repeated_for_every_kind(
    harness: Harness, kind: Any, never_sent: Any
) -> None:
    harness.deployment.reply(never_sent(), success("ok"))
    assert await harness.call(kind) == "ok"
    assert len(harness.deployment.requests) == 2


async def test_function_errors_are_never_retried(harness: Harness) -> None:
    harness.deployment.reply(coded_error("NOT_FOUND", "no such thread"))
    with pytest.raises(cam.NotFoundError):
        await harness.call("query")
    assert len(harness.deployment.requests) == 1


async def test_retry_after_is_honoured(harness: Harness) -> None:
    harness.deployment.reply(unavailable(**{"Retry-After": "2"}), success(None))
    await harness.call("query")
    assert harness.sleeps == [2.0]


async def test_an_unreasonable_retry_after_falls_back_to_backoff(harness: Harness) -> None:
    harness.deployment.reply(unavailable(**{"Retry-After": "3600"}), success(None))
    await harness.call("query")
    assert 0.375 <= harness.sleeps[0] <= 0.5


def test_retry_delay_bounds_and_jitter() -> None:
    assert retry_delay(0, rng=lambda: 0.0) == 0.5
    assert retry_delay(0, rng=lambda: 1.0) == 0.375
    assert retry_delay(3, rng=lambda: 0.0) == 4.0
    assert retry_delay(4, rng=lambda: 0.0) == 8.0
    assert retry_delay(50, rng=lambda: 0.0) == 8.0  # capped, and no overflow
    assert retry_delay(1, rng=lambda: 0.5) == pytest.approx(0.875)
    many = {retry_delay(2) for _ in range(50)}
    assert len(many) > 1 and all(1.5 <= d <= 2.0 for d in many)
    assert retry_delay(0, retry_after="1.5") == 1.5
    assert 0.375 <= retry_delay(0, retry_after="soon") <= 0.5
