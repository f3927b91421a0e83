"""A fake deployment behind httpx.MockTransport, and a harness running sync and async clients."""

from __future__ import annotations

import inspect
import json
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

import httpx
from convex_agent_memory import AsyncClient, Client
from convex_agent_memory._encoding import encode_value
from convex_agent_memory._types import FunctionKind

URL = "https://happy-animal-123.convex.cloud"

Reply = httpx.Response | Exception | Callable[[httpx.Request], httpx.Response]


def success(value: Any, status_code: int = 200) -> httpx.Response:
    return httpx.Response(status_code, json={"status": "success", "value": encode_value(value)})


def function_error(
    message: str, data: Any = None, *, status_code: int = 200, error_message: str | None = None
) -> httpx.Response:
    body: dict[str, Any] = {"status": "error", "errorMessage": error_message or message}
    if data is not None:
        body["errorData"] = encode_value(data)
    return httpx.Response(status_code, json=body)


def coded_error(code: str, message: str, **details: Any) -> httpx.Response:
    data = {**details, "code": code, "message": message}
    return function_error(json.dumps(data), data)


@dataclass
class FakeDeployment:
    """Answers requests from a queue of replies and keeps every request it saw."""

    replies: list[Reply] = field(default_factory=list)
    requests: list[httpx.Request] = field(default_factory=list)

    def reply(self, *replies: Reply) -> None:
        self.replies.extend(replies)

    def handle(self, request: httpx.Request) -> httpx.Response:
        self.requests.append(request)
        if not self.replies:
            raise AssertionError(f"unexpected request #{len(self.requests)}")
        reply = self.replies.pop(0)
        if isinstance(reply, Exception):
            raise reply
        if isinstance(reply, httpx.Response):
            return reply
        return reply(request)

    @property
    def bodies(self) -> list[Any]:
        return [json.loads(r.content) for r in self.requests]

    @property
    def tokens(self) -> list[str | None]:
        return [r.headers.get("authorization") for r in self.requests]


@dataclass
class Harness:
    """One client (sync or async) wired to the fake deployment; sleeps are recorded."""

    client: Client | AsyncClient
    deployment: FakeDeployment
    sleeps: list[float]

    @property
    def is_async(self) -> bool:
        return isinstance(self.client, AsyncClient)

    async def call(
        self,
        kind: FunctionKind,
        path: str = "memory:fn",
        args: dict[str, Any] | None = None,
        *,
        idempotent: bool = False,
    ) -> Any:
        result = self.client._call(kind, path, args or {}, idempotent=idempotent)
        if inspect.isawaitable(result):
            result = await result
        return result

    async def close(self) -> None:
        if isinstance(self.client, AsyncClient):
            await self.client.aclose()
        else:
            self.client.close()


MakeHarness = Callable[..., Harness]
