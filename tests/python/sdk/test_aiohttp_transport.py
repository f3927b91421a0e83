"""The aiohttp transport (DefaultAioHttpClient) keeps the retry rules: a dropped connection
after the request was sent may have run the function (a mutation is not repeated), a refused
connection never reached it (repeated); replies decode as on httpx's transport."""

from __future__ import annotations

import asyncio
import json
import socket
from collections.abc import AsyncIterator, Awaitable, Callable
from contextlib import asynccontextmanager

import convex_agent_memory as cam
import pytest

pytest.importorskip("httpx_aiohttp")

Handler = Callable[[asyncio.StreamReader, asyncio.StreamWriter], Awaitable[None]]


@asynccontextmanager
async def serve(handler: Handler) -> AsyncIterator[tuple[str, list[bytes]]]:
    requests: list[bytes] = []

    async def record(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        head = await reader.readuntil(b"\r\n\r\n")
        length = next(
            int(line.split(b":")[1])
            for line in head.split(b"\r\n")
            if line.lower().startswith(b"content-length")
        )
        requests.append(await reader.readexactly(length))
        await handler(reader, writer)

    server = await asyncio.start_server(record, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        yield f"http://127.0.0.1:{port}", requests
    finally:
        server.close()
        await server.wait_closed()


async def drop(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    writer.close()  # the request arrived; no reply


async def reply(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
    body = json.dumps({"status": "success", "value": {"$integer": "BQAAAAAAAAA="}}).encode()
    writer.write(
        b"HTTP/1.1 200 OK\r\ncontent-type: application/json\r\ncontent-length: "
        + str(len(body)).encode()
        + b"\r\n\r\n"
        + body
    )
    await writer.drain()


def client(url: str) -> cam.AsyncClient:
    async_client = cam.AsyncClient(
        url=url, token="t", max_retries=2, http_client=cam.DefaultAioHttpClient()
    )

    async def no_wait(seconds: float) -> None:
        return None

    async_client._sleep = no_wait
    return async_client


async def test_replies_decode_as_on_httpx() -> None:
    async with serve(reply) as (url, requests), client(url) as sdk:
        assert await sdk._call("query", "m:f", {"n": 1.0}) == 5
    assert json.loads(requests[0]) == {
        "path": "m:f",
        "args": {"n": 1.0},
        "format": "convex_encoded_json",
    }


async def test_a_dropped_connection_is_not_repeated_for_a_mutation() -> None:
    async with serve(drop) as (url, requests), client(url) as sdk:
        with pytest.raises(cam.APIConnectionError):
            await sdk._call("mutation", "m:f", {})
        assert len(requests) == 1  # it may have run: not sent again
        with pytest.raises(cam.APIConnectionError):
            await sdk._call("query", "m:q", {})
        assert len(requests) == 1 + 3  # a query is repeated


async def test_a_refused_connection_is_repeated_even_for_a_mutation() -> None:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    attempts = 0
    async with client(f"http://127.0.0.1:{port}") as sdk:
        original = sdk._sleep

        async def counting(seconds: float) -> None:
            nonlocal attempts
            attempts += 1
            await original(seconds)

        sdk._sleep = counting
        with pytest.raises(cam.APIConnectionError):
            await sdk._call("mutation", "m:f", {})
    assert attempts == 2  # never sent: both retries made
