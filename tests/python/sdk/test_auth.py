"""A token provider is asked once, and once more after UNAUTHENTICATED."""

from __future__ import annotations

import convex_agent_memory as cam
import httpx
import pytest

from .fakes import MakeHarness, coded_error, success


def token_provider(*tokens: str | None) -> tuple[list[str | None], object]:
    handed: list[str | None] = []
    queue = list(tokens)

    def provide() -> str | None:
        handed.append(queue.pop(0))
        return handed[-1]

    return handed, provide


async def test_the_provider_is_asked_once_and_its_token_reused(make_harness: MakeHarness) -> None:
    handed, provide = token_provider("jwt-1")
    harness = make_harness(token_provider=provide)
    harness.deployment.reply(success(None), success(None))
    await harness.call("query")
    await harness.call("mutation")
    assert handed == ["jwt-1"]
    assert harness.deployment.tokens == ["Bearer jwt-1", "Bearer jwt-1"]


@pytest.mark.parametrize(
    "refusal",
    [
        lambda: coded_error("UNAUTHENTICATED", "sign in first"),
        lambda: httpx.Response(401, json={"code": "Unauthenticated", "message": "Token expired"}),
    ],
    ids=["errorData", "HTTP 401"],
)
async def test_after_unauthenticated_a_fresh_token_is_tried_once(
    make_harness: MakeHarness, refusal: object
) -> None:
    handed, provide = token_provider("old", "new")
    harness = make_harness(token_provider=provide)
    harness.deployment.reply(refusal(), success("ok"))  # type: ignore[operator]
    # Even a plain mutation: it was refused before it ran.
    assert await harness.call("mutation") == "ok"
    assert handed == ["old", "new"]
    assert harness.deployment.tokens == ["Bearer old", "Bearer new"]


async def test_a_second_refusal_is_raised(make_harness: MakeHarness) -> None:
    handed, provide = token_provider("old", "new", "newer")
    harness = make_harness(token_provider=provide)
    harness.deployment.reply(
        coded_error("UNAUTHENTICATED", "no"), coded_error("UNAUTHENTICATED", "still no")
    )
    with pytest.raises(cam.UnauthenticatedError, match="still no"):
        await harness.call("query")
    assert handed == ["old", "new"]
    assert len(harness.deployment.requests) == 2


async def test_the_same_token_again_is_not_retried(make_harness: MakeHarness) -> None:
    handed, provide = token_provider("same", "same")
    harness = make_harness(token_provider=provide)
    harness.deployment.reply(coded_error("UNAUTHENTICATED", "no"))
    with pytest.raises(cam.UnauthenticatedError):
        await harness.call("query")
    assert handed == ["same", "same"]
    assert len(harness.deployment.requests) == 1


async def test_a_fixed_token_is_not_retried(make_harness: MakeHarness) -> None:
    harness = make_harness(token="fixed")
    harness.deployment.reply(coded_error("UNAUTHENTICATED", "no"))
    with pytest.raises(cam.UnauthenticatedError):
        await harness.call("query")
    assert len(harness.deployment.requests) == 1


async def test_other_refusals_do_not_ask_for_a_token(make_harness: MakeHarness) -> None:
    handed, provide = token_provider("jwt", "other")
    harness = make_harness(token_provider=provide)
    harness.deployment.reply(coded_error("FORBIDDEN", "not yours"))
    with pytest.raises(cam.ForbiddenError):
        await harness.call("query")
    assert handed == ["jwt"]


async def test_a_provider_may_return_none(make_harness: MakeHarness) -> None:
    _, provide = token_provider(None)
    harness = make_harness(token_provider=provide)
    harness.deployment.reply(success(None))
    await harness.call("query")
    assert harness.deployment.tokens == [None]


async def test_the_async_client_takes_a_coroutine_provider() -> None:
    calls: list[str] = []

    async def provide() -> str:
        calls.append("asked")
        return f"jwt-{len(calls)}"

    replies = [coded_error("UNAUTHENTICATED", "expired"), success("ok")]
    seen: list[str | None] = []

    def handle(request: httpx.Request) -> httpx.Response:
        seen.append(request.headers.get("authorization"))
        return replies.pop(0)

    async with cam.AsyncClient(
        url="http://127.0.0.1:1",
        token_provider=provide,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handle)),
    ) as client:
        assert await client._call("query", "memory:fn", {}) == "ok"
    assert seen == ["Bearer jwt-1", "Bearer jwt-2"]


def test_token_and_provider_are_exclusive() -> None:
    with pytest.raises(ValueError, match="not both"):
        cam.Client(url="http://x", token="a", token_provider=lambda: "b")


async def test_concurrent_refusals_ask_the_provider_once() -> None:
    import asyncio

    asked: list[int] = []

    async def provide() -> str:
        asked.append(1)
        await asyncio.sleep(0)
        return f"jwt-{len(asked)}"

    def handle(request: httpx.Request) -> httpx.Response:
        if request.headers["authorization"] == "Bearer jwt-1":
            return coded_error("UNAUTHENTICATED", "expired")
        return success("ok")

    async with cam.AsyncClient(
        url="http://127.0.0.1:1",
        token_provider=provide,
        http_client=httpx.AsyncClient(transport=httpx.MockTransport(handle)),
    ) as client:
        results = await asyncio.gather(*[client._call("query", "m:f", {}) for _ in range(10)])
    assert results == ["ok"] * 10
    assert len(asked) == 2
