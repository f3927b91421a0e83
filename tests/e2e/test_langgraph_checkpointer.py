"""LangGraph's own conformance suite (``langgraph-checkpoint-conformance``, from PyPI) against
ConvexSaver on the deployment: every base capability and every optional one the saver
declares, through the async methods and, a second time, through the sync ones."""

from __future__ import annotations

import asyncio
import os
from collections.abc import AsyncIterator
from typing import Any

import convex_agent_memory as cam
import pytest
from convex_agent_memory.langgraph import ConvexSaver
from langgraph.checkpoint.conformance import checkpointer_test, validate
from langgraph.checkpoint.conformance.capabilities import (
    BASE_CAPABILITIES,
    Capability,
    DetectedCapabilities,
)
from langgraph.checkpoint.conformance.report import ProgressCallbacks

from .conftest import Deployment, uid

#: The run against a backend that redacts errors (scripts/test) compares the errors tests
#: raise; this one raises none, and is long, so it runs once.
NOT_IN_REDACTED_RUN = pytest.mark.skipif(
    os.environ.get("LOCAL_BACKEND_REDACT_ERRORS") == "1", reason="raises no errors; run once"
)

#: The optional capabilities ConvexSaver declares (every one the 4.x suite tests).
OPTIONAL = {Capability.DELETE_FOR_RUNS, Capability.COPY_THREAD, Capability.PRUNE}


class SyncPathSaver(ConvexSaver):
    """ConvexSaver whose async methods run its sync ones (in a thread), so that the
    conformance suite, which calls the async interface, checks the sync one too."""

    async def aget_tuple(self, config: Any) -> Any:
        return await asyncio.to_thread(self.get_tuple, config)

    async def alist(self, config: Any, **kwargs: Any) -> AsyncIterator[Any]:  # type: ignore[override]
        for item in await asyncio.to_thread(lambda: list(self.list(config, **kwargs))):
            yield item

    async def aput(self, *args: Any) -> Any:
        return await asyncio.to_thread(self.put, *args)

    async def aput_writes(self, *args: Any, **kwargs: Any) -> None:
        await asyncio.to_thread(self.put_writes, *args, **kwargs)

    async def adelete_thread(self, thread_id: str) -> None:
        await asyncio.to_thread(self.delete_thread, thread_id)

    async def adelete_for_runs(self, run_ids: Any) -> None:
        await asyncio.to_thread(self.delete_for_runs, run_ids)

    async def acopy_thread(self, source: str, target: str) -> None:
        await asyncio.to_thread(self.copy_thread, source, target)

    async def aprune(self, thread_ids: Any, *, strategy: str = "keep_latest") -> None:
        await asyncio.to_thread(self.prune, thread_ids, strategy=strategy)


@pytest.mark.parametrize("path", ["async", "sync"])
@NOT_IN_REDACTED_RUN
async def test_conformance(path: str, deployment: Deployment) -> None:
    client = cam.Client(url=deployment.url, token=deployment.token_a)
    async_client = cam.AsyncClient(url=deployment.url, token=deployment.token_a)
    cls = ConvexSaver if path == "async" else SyncPathSaver

    @checkpointer_test(name=f"ConvexSaver-{path}-{uid('run')}")
    async def convex_saver() -> AsyncIterator[ConvexSaver]:
        yield cls(resource_id=deployment.user_a, client=client, async_client=async_client)

    try:
        detected = DetectedCapabilities.from_instance(cls(resource_id="x", client=client))
        assert detected.detected == BASE_CAPABILITIES | OPTIONAL
        report = await validate(convex_saver, progress=ProgressCallbacks.verbose())
        report.print_report()
        assert report.passed_all_base(), report.to_dict()
        for capability in OPTIONAL:
            result = report.results[capability.value]
            assert result.detected and result.passed, (capability.value, result)
        assert report.passed_all(), report.to_dict()
    finally:
        client.close()
        await async_client.aclose()
