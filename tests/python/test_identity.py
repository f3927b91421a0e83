"""Identity without an admin key, end to end (issue 14): the Python SDK against the local
backend serving the example app with its own auth.config.ts, configured only by the
environment variable that `convex-agent-memory keys new` prints.

The tests start their own backend (rotation changes the deployment's environment), and call
live queries too, so they live beside the other live tests rather than in tests/e2e/.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import convex_agent_memory as cam
import httpx
import jwt
import pytest
from convex_agent_memory import ServiceCredentials
from convex_agent_memory._keys import parse_jwks_data_uri

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def text_message(thread_id: str, text: str) -> dict[str, Any]:
    return {
        "id": uid("msg"),
        "threadId": thread_id,
        "role": "user",
        "content": {"format": 2, "parts": [{"type": "text", "text": text}], "content": text},
    }


KEYS_COMMAND = [sys.executable, "-m", "convex_agent_memory._keys", "keys"]
V1 = [1.0] + [0.0] * 127
V2 = [0.0, 1.0] + [0.0] * 126

pytestmark = pytest.mark.skipif(
    bool(os.environ.get("CONVEX_URL")), reason="needs the local backend (its environment)"
)


def keys(*args: str, env: dict[str, str] | None = None) -> dict[str, Any]:
    """`convex-agent-memory keys ... --json`, run as a user runs it."""
    out = subprocess.run(
        [*KEYS_COMMAND, *args, "--json"],
        check=True,
        capture_output=True,
        text=True,
        env={**os.environ, **(env or {})},
    )
    result: dict[str, Any] = json.loads(out.stdout)
    return result


@pytest.fixture(scope="module")
def made() -> dict[str, Any]:
    return keys("new")


@pytest.fixture(scope="module")
def backend(made: dict[str, Any]) -> Iterator[Any]:
    from convex_agent_memory._keys import ServiceKey

    from local_backend.launcher import LocalBackend

    public = parse_jwks_data_uri(made["jwks"])[0]
    key = ServiceKey(
        private_key=made["private_key"], kid=made["kid"], alg=made["alg"], public_jwk=public
    )
    with LocalBackend.start(key=key) as started:
        assert started.env == {"AGENT_MEMORY_JWKS": made["jwks"]}  # nothing else configured
        yield started


def test_keys_from_the_command_give_a_service_that_writes_indexes_and_a_user_that_cannot(
    backend: Any, made: dict[str, Any]
) -> None:
    # The private key alone: kid, issuer and audience default to what the app expects.
    service_creds = ServiceCredentials(private_key=made["private_key"], subject="svc-indexer")
    user_creds = ServiceCredentials(
        private_key=made["private_key"], subject="user-1", service=False
    )
    assert service_creds.kid == made["kid"]
    with (
        cam.Client(url=backend.url, token_provider=service_creds) as service,
        cam.Client(url=backend.url, token_provider=user_creds) as user,
    ):
        name = uid("idx")
        service.vectors.create_index(name=name, dimension=128)
        service.vectors.upsert(index_name=name, vectors=[{"id": "a", "vector": V1}])
        with pytest.raises(cam.ForbiddenError):
            user.vectors.create_index(name=uid("idx"), dimension=128)
        with pytest.raises(cam.ForbiddenError):
            user.vectors.upsert(index_name=name, vectors=[{"id": "b", "vector": V2}])
        hits = user.vectors.query(index_name=name, query_vector=V1, top_k=1)
        assert [hit.id for hit in hits.results] == ["a"]
        # The user acts on its own resource (its `sub`), never another's.
        user.threads.save_thread(id=uid("t"), resource_id="user-1")
        with pytest.raises(cam.ForbiddenError):
            user.threads.save_thread(id=uid("t"), resource_id="user-2")


def _signed(backend: Any, **overrides: Any) -> str:
    return str(backend.token("user-1", **overrides))


def test_tokens_a_deployment_refuses_are_refused(backend: Any) -> None:
    from cryptography.hazmat.primitives.asymmetric import rsa

    now = int(time.time())
    payload = jwt.decode(_signed(backend), options={"verify_signature": False})
    rsa_key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    refused = {
        "no kid": jwt.encode(payload, backend.key.private_key, algorithm=backend.key.alg),
        "another algorithm": jwt.encode(
            payload, rsa_key, algorithm="RS256", headers={"kid": backend.key.kid}
        ),
        "expired beyond the leeway": _signed(backend, exp=now - 10),
        "another issuer": _signed(backend, iss="https://someone-else.example.com"),
        "another audience": _signed(backend, aud="another-app"),
    }
    for why, token in refused.items():
        with cam.Client(url=backend.url, token=token, max_retries=0) as client:
            with pytest.raises(cam.UnauthenticatedError) as caught:
                client.vectors.list_indexes()
            assert caught.value.status_code == 401, why
    # The 5 s leeway: 3 s past exp is accepted, 10 s past refused.
    with cam.Client(url=backend.url, token=_signed(backend, exp=int(time.time()) - 3)) as late:
        late.vectors.list_indexes()
    later = cam.Client(url=backend.url, token=_signed(backend, exp=int(time.time()) - 10))
    with later, pytest.raises(cam.UnauthenticatedError):
        later.vectors.list_indexes()


def test_rotation(backend: Any, made: dict[str, Any]) -> None:
    old = made
    rotated = keys("rotate", "--jwks", old["jwks"])
    assert rotated["alg"] == old["alg"] and rotated["kid"] != old["kid"]

    def works(key: dict[str, Any]) -> bool:
        creds = ServiceCredentials(private_key=key["private_key"], subject="svc-rotating")
        with cam.Client(url=backend.url, token_provider=creds, max_retries=0) as client:
            try:
                client.vectors.list_indexes()
            except cam.UnauthenticatedError:
                return False
            return True

    try:
        assert (works(old), works(rotated)) == (True, False)
        backend.set_env(AGENT_MEMORY_JWKS=rotated["jwks"])  # old and new
        assert (works(old), works(rotated)) == (True, True)
        removed = keys("remove", "--kid", old["kid"], env={"AGENT_MEMORY_JWKS": rotated["jwks"]})
        backend.set_env(AGENT_MEMORY_JWKS=removed["jwks"])  # the new only
        assert (works(old), works(rotated)) == (False, True)
    finally:
        backend.set_env(AGENT_MEMORY_JWKS=old["jwks"])


# --- subscriptions whose tokens expire every 5 s ----------------------------------------

PERIOD = 30.0
TTL = 5.0


def _writer(
    backend: Any, owner: str, thread: str, stop: threading.Event, written: list[int]
) -> None:
    """Saves a message every 0.5 s until told to stop; notes how many it saved."""
    with cam.Client(url=backend.url, token_provider=backend.credentials("svc-writer")) as svc:
        while not stop.wait(0.5):
            message = text_message(thread, f"tick {len(written)}")
            svc.messages.save_messages(resource_id=owner, messages=[message])
            written.append(len(written) + 1)


def _counts_over_period(
    backend: Any, owner: str, thread: str, receive: Callable[[float], int | None]
) -> tuple[list[tuple[float, int]], int]:
    """Runs the writer for PERIOD s while `receive(timeout)` yields message counts."""
    stop, written = threading.Event(), []  # type: ignore[var-annotated]
    writer = threading.Thread(target=_writer, args=(backend, owner, thread, stop, written))
    start = time.monotonic()
    writer.start()
    seen: list[tuple[float, int]] = []
    try:
        while time.monotonic() - start < PERIOD:
            count = receive(5.0)
            if count is not None:
                seen.append((time.monotonic() - start, count))
    finally:
        stop.set()
        writer.join()
    total = len(written)
    while not seen or seen[-1][1] != total:
        count = receive(10.0)
        assert count is not None, f"the last write never arrived ({seen[-3:]} of {total})"
        seen.append((time.monotonic() - start, count))
    return seen, total


def _assert_kept_delivering(seen: list[tuple[float, int]], total: int) -> None:
    assert total >= 40
    # Updates kept coming in every 5 s window, i.e. across every token's expiry.
    for window in range(int(PERIOD // TTL)):
        assert any(window * TTL <= at < (window + 1) * TTL for at, _ in seen), (window, seen)
    assert [c for _, c in seen] == sorted(c for _, c in seen)


def test_a_sdk_subscription_outlives_its_tokens(backend: Any) -> None:
    minted: list[str] = []
    creds = backend.credentials("user-live", service=False, ttl=TTL)

    def provider() -> str:
        token = str(creds())
        if not minted or minted[-1] != token:
            minted.append(token)
        return token

    thread = uid("live")
    with cam.Client(url=backend.url, token_provider=provider) as client:
        client.threads.save_thread(id=thread, resource_id="user-live")
        with client.messages.watch_messages(
            resource_id="user-live", thread_id=thread, limit=1000
        ) as sub:

            def receive(timeout: float) -> int | None:
                try:
                    return len(sub.next(timeout=timeout))
                except TimeoutError:
                    return None

            seen, total = _counts_over_period(backend, "user-live", thread, receive)
    _assert_kept_delivering(seen, total)
    assert len(minted) >= PERIOD / TTL  # a token per ~4 s, each living 5 s


OFFICIAL_CLIENT = """
import asyncio, json, sys, time
import convex
from convex_agent_memory import ServiceCredentials

url, key, kid, thread = sys.argv[1:5]
period = float(sys.argv[5])
creds = ServiceCredentials(private_key=key, kid=kid, subject="user-official", service=False, ttl=5)
client = convex.ConvexClient(url)
client.set_auth(creds.mint())

async def refresh():
    # The official Python client takes a token, not a fetcher: set a new one before
    # each expires (4 s into its 5 s).
    while True:
        await asyncio.sleep(4)
        client.set_auth(creds.mint())

async def main():
    refresher = asyncio.ensure_future(refresh())
    args = {"resourceId": "user-official", "threadId": thread, "limit": 1000.0}
    sub = client.subscribe("memory:watchMessages", args)
    start = time.monotonic()
    while True:
        value = await asyncio.wait_for(sub.__anext__(), 20)
        print(json.dumps([time.monotonic() - start, len(value)]), flush=True)
        if time.monotonic() - start > period + 15:
            break
    refresher.cancel()

asyncio.run(main())
"""


def test_an_official_client_subscription_outlives_its_tokens(backend: Any) -> None:
    thread = uid("official")
    with cam.Client(url=backend.url, token_provider=backend.credentials("svc-setup")) as setup:
        setup.threads.save_thread(id=thread, resource_id="user-official")
    child = subprocess.Popen(
        [sys.executable, "-c", OFFICIAL_CLIENT, backend.url, backend.key.private_key,
         backend.key.kid, thread, str(PERIOD)],
        stdout=subprocess.PIPE, text=True, cwd=ROOT,
    )  # fmt: skip
    assert child.stdout is not None
    lines = iter(child.stdout)

    def receive(timeout: float) -> int | None:
        line = next(lines, None)
        assert line is not None, "the official client's subscription ended"
        return int(json.loads(line)[1])

    try:
        seen, total = _counts_over_period(backend, "user-official", thread, receive)
    finally:
        child.kill()
        child.wait()
    _assert_kept_delivering(seen, total)


def test_a_provider_that_turns_bad_ends_the_subscription(backend: Any) -> None:
    from cryptography.hazmat.primitives.asymmetric import ec

    good = backend.credentials("user-turning", service=False, ttl=3)
    bad = ServiceCredentials(
        private_key=ec.generate_private_key(ec.SECP256R1()), kid=backend.key.kid,
        subject="user-turning", service=False, ttl=3,
    )  # fmt: skip
    calls = [0]

    def provider() -> str:
        calls[0] += 1
        return str(good() if calls[0] == 1 else bad())

    thread = uid("turning")
    with cam.Client(url=backend.url, token_provider=provider, max_retries=0) as client:
        client.threads.save_thread(id=thread, resource_id="user-turning")
        with client.messages.watch_messages(resource_id="user-turning", thread_id=thread) as sub:
            assert next(sub) == []
            with pytest.raises(cam.UnauthenticatedError):
                sub.next(timeout=20)
            assert sub.closed


# --- a scoped service token ---------------------------------------------------------------


def test_a_scoped_service_token_cannot_act_outside_its_resources(backend: Any) -> None:
    """Every function the example app exposes, tried by a service token scoped to one
    resource on another resource's data (and on shared vector indexes and unowned rows)."""
    mine, theirs = uid("res-mine"), uid("res-theirs")
    full = cam.Client(url=backend.url, token_provider=backend.credentials("svc-full"))
    scoped = cam.Client(
        url=backend.url,
        token_provider=backend.credentials("svc-scoped", resources=[mine]),
        max_retries=0,
    )
    with full, scoped:
        thread, run, trace, index = uid("t"), uid("run"), uid("trace"), uid("idx")
        full.threads.save_thread(id=thread, resource_id=theirs, title="theirs")
        msgs = [text_message(thread, f"m{i}") for i in range(2)]
        full.messages.save_messages(resource_id=theirs, messages=msgs)
        full.resources.save_resource(resource_id=theirs, working_memory="theirs")
        full.workflows.persist_workflow_snapshot(
            workflow_name="wf", run_id=run, snapshot={"s": 1}, resource_id=theirs
        )
        unowned_run = uid("run-unowned")
        full.workflows.persist_workflow_snapshot(
            workflow_name="wf", run_id=unowned_run, snapshot={}
        )
        score = full.scores.save_score(
            scorer_id="sc", entity_id="e", entity_type="agent", run_id=run, score=1.0,
            source="LIVE", resource_id=theirs, trace_id=trace, span_id="root",
        )  # fmt: skip
        span = {"traceId": trace, "spanId": "root", "name": "n", "spanType": "agent",
                "startedAt": 1.0}  # fmt: skip
        full.traces.create_spans(spans=[span], resource_id=theirs)
        full.vectors.create_index(name=index, dimension=128)
        vector = {"id": "v", "vector": V1}
        full.vectors.upsert(index_name=index, vectors=[vector])
        s = scoped
        attempts: dict[str, Callable[[], Any]] = {
            "getThread": lambda: s.threads.get_thread(resource_id=theirs, id=thread),
            "saveThread": lambda: s.threads.save_thread(id=uid("t"), resource_id=theirs),
            "updateThread": lambda: s.threads.update_thread(
                resource_id=theirs, id=thread, title="x"
            ),
            "deleteThread": lambda: s.threads.delete_thread(resource_id=theirs, id=thread),
            "listThreads": lambda: s.threads.list_threads(resource_id=theirs),
            "countThreads": lambda: s.threads.count_threads(resource_id=theirs),
            "watchThread": lambda: s.threads.watch_thread(resource_id=theirs, id=thread),
            "watchThreadsByResource": lambda: s.threads.watch_threads_by_resource(
                resource_id=theirs
            ),
            "saveMessages": lambda: s.messages.save_messages(
                resource_id=theirs, messages=[text_message(thread, "x")]
            ),
            "getMessagesByIds": lambda: s.messages.get_messages_by_ids(
                resource_id=theirs, ids=[msgs[0]["id"]]
            ),
            "listMessages": lambda: s.messages.list_messages(resource_id=theirs, thread_id=thread),
            "listMessagesByResource": lambda: s.messages.list_messages_by_resource(
                resource_id=theirs
            ),
            "updateMessages": lambda: s.messages.update_messages(
                resource_id=theirs, messages=[{"id": msgs[0]["id"], "role": "system"}]
            ),
            "deleteMessages": lambda: s.messages.delete_messages(
                resource_id=theirs, ids=[msgs[0]["id"]]
            ),
            "countMessages": lambda: s.messages.count_messages(
                resource_id=theirs, thread_id=thread
            ),
            "watchMessages": lambda: s.messages.watch_messages(
                resource_id=theirs, thread_id=thread
            ),
            "recallMessages": lambda: s.recall.recall_messages(
                resource_id=theirs, query_vector=V1, top_k=1
            ),
            "setMessageEmbeddings": lambda: s.recall.set_message_embeddings(
                resource_id=theirs, embeddings=[{"id": msgs[0]["id"], "embedding": V1}]
            ),
            "countMessageEmbeddings": lambda: s.recall.count_message_embeddings(resource_id=theirs),
            "getResource": lambda: s.resources.get_resource(resource_id=theirs),
            "saveResource": lambda: s.resources.save_resource(
                resource_id=theirs, working_memory="x"
            ),
            "updateResource": lambda: s.resources.update_resource(
                resource_id=theirs, working_memory="x"
            ),
            "createIndex": lambda: s.vectors.create_index(name=uid("idx"), dimension=128),
            "deleteIndex": lambda: s.vectors.delete_index(index_name=index),
            "truncateIndex": lambda: s.vectors.truncate_index(index_name=index),
            "upsert": lambda: s.vectors.upsert(index_name=index, vectors=[vector]),
            "updateVector": lambda: s.vectors.update_vector(index_name=index, id="v", metadata={}),
            "deleteVectors": lambda: s.vectors.delete_vectors(index_name=index, ids=["v"]),
            "persistWorkflowSnapshot": lambda: s.workflows.persist_workflow_snapshot(
                workflow_name="wf", run_id=run, snapshot={}, resource_id=theirs
            ),
            "loadWorkflowSnapshot": lambda: s.workflows.load_workflow_snapshot(
                workflow_name="wf", run_id=run, resource_id=theirs
            ),
            "getWorkflowRunById": lambda: s.workflows.get_workflow_run_by_id(run_id=unowned_run),
            "listWorkflowRuns": lambda: s.workflows.list_workflow_runs(resource_id=theirs),
            "countWorkflowRuns": lambda: s.workflows.count_workflow_runs(resource_id=theirs),
            "deleteWorkflowRunById": lambda: s.workflows.delete_workflow_run_by_id(
                run_id=run, resource_id=theirs
            ),
            "updateWorkflowResults": lambda: s.workflows.update_workflow_results(
                workflow_name="wf", run_id=run, step_id="s", result={}, resource_id=theirs
            ),
            "updateWorkflowState": lambda: s.workflows.update_workflow_state(
                workflow_name="wf", run_id=run, opts={"status": "x"}, resource_id=theirs
            ),
            "watchWorkflowRun": lambda: s.workflows.watch_workflow_run(
                run_id=run, resource_id=theirs
            ),
            "watchWorkflowRuns": lambda: s.workflows.watch_workflow_runs(resource_id=theirs),
            "saveScore": lambda: s.scores.save_score(
                scorer_id="sc",
                entity_id="e",
                entity_type="agent",
                run_id=run,
                score=0.0,
                source="LIVE",
                resource_id=theirs,
            ),
            **langgraph_attempts(s, theirs),
            "getScoreById": lambda: s.scores.get_score_by_id(id=score.id, resource_id=theirs),
            "listScoresByScorerId": lambda: s.scores.list_scores_by_scorer_id(
                scorer_id="sc", resource_id=theirs
            ),
            "listScoresByRunId": lambda: s.scores.list_scores_by_run_id(
                run_id=run, resource_id=theirs
            ),
            "listScoresByEntityId": lambda: s.scores.list_scores_by_entity_id(
                entity_id="e", entity_type="agent", resource_id=theirs
            ),
            "listScoresBySpan": lambda: s.scores.list_scores_by_span(
                trace_id=trace, span_id="root", resource_id=theirs
            ),
            "createSpans": lambda: s.traces.create_spans(
                spans=[{**span, "spanId": "other"}], resource_id=theirs
            ),
            "updateSpans": lambda: s.traces.update_spans(
                updates=[{"traceId": trace, "spanId": "root", "name": "x"}],
                resource_id=theirs,
            ),
            "getTrace": lambda: s.traces.get_trace(trace_id=trace, resource_id=theirs),
            "listTraces": lambda: s.traces.list_traces(resource_id=theirs),
            "deleteTraces": lambda: s.traces.delete_traces(trace_ids=[trace], resource_id=theirs),
        }
        # Shared vector indexes stay readable, as for any authenticated caller.
        reads_allowed: dict[str, Callable[[], Any]] = {
            "listIndexes": lambda: s.vectors.list_indexes(),
            "describeIndex": lambda: s.vectors.describe_index(index_name=index),
            "getVectors": lambda: s.vectors.get_vectors(index_name=index, ids=["v"]),
            "query": lambda: s.vectors.query(index_name=index, query_vector=V1, top_k=1),
        }
        exposed = {
            f["path"].split(":")[1]
            for f in httpx.get(f"{backend.url}/_local_backend/functions").json()["app"]["functions"]
            if f["path"].startswith("memory:") and f["visibility"] == "public"
        }
        assert set(attempts) | set(reads_allowed) == exposed
        outcomes = {}
        for name, call in attempts.items():
            try:
                result = call()
                if isinstance(result, cam.Subscription):
                    result.close()
                outcomes[name] = "allowed"
            except cam.APIError as error:
                outcomes[name] = error.code or type(error).__name__
        assert outcomes == dict.fromkeys(attempts, "FORBIDDEN")
        for call in reads_allowed.values():
            call()
        # Nothing of theirs changed; in its own resource the scoped token works.
        assert full.messages.count_messages(resource_id=theirs, thread_id=thread) == 2
        got = full.threads.get_thread(resource_id=theirs, id=thread)
        assert got is not None and got.title == "theirs"
        assert full.vectors.describe_index(index_name=index).count == 1
        s.threads.save_thread(id=uid("t"), resource_id=mine)


async def test_an_async_subscription_outlives_its_tokens_and_ends_on_a_bad_one(
    backend: Any,
) -> None:
    import asyncio

    from cryptography.hazmat.primitives.asymmetric import ec

    good = backend.credentials("user-async", service=False, ttl=3)
    bad = ServiceCredentials(
        private_key=ec.generate_private_key(ec.SECP256R1()), kid=backend.key.kid,
        subject="user-async", service=False, ttl=3,
    )  # fmt: skip
    minted: list[str] = []
    turned = [False]

    def provider() -> str:
        token = str(bad() if turned[0] else good())
        if not minted or minted[-1] != token:
            minted.append(token)
        return token

    thread = uid("async")
    writer = cam.AsyncClient(url=backend.url, token_provider=backend.credentials("svc-w"))
    async with cam.AsyncClient(url=backend.url, token_provider=provider) as client, writer:
        await client.threads.save_thread(id=thread, resource_id="user-async")
        async with client.messages.watch_messages(
            resource_id="user-async", thread_id=thread, limit=100
        ) as sub:
            assert await sub.next(timeout=10) == []
            for i in range(16):  # 8 s: past two expiries of 3 s tokens
                await writer.messages.save_messages(
                    resource_id="user-async", messages=[text_message(thread, f"a{i}")]
                )
                await asyncio.sleep(0.5)
            while len(await sub.next(timeout=10)) != 16:
                pass
            assert len(minted) >= 3
            turned[0] = True
            with pytest.raises(cam.UnauthenticatedError):
                while True:
                    await sub.next(timeout=10)
            assert sub.closed


def langgraph_attempts(s: Any, theirs: str) -> dict[str, Callable[[], Any]]:
    """The LangGraph domains' exposed functions (checkpoints, store), naming another owner."""
    thread = {"resource_id": theirs, "thread_id": "t"}
    item = {"namespace": ["ns"], "key": "k"}
    blob = {"channel": "c", "version": "1", "type": "msgpack", "data": b"v"}
    checkpoint = {**thread, "checkpoint_ns": "", "checkpoint_id": "cp"}
    return {
        "putCheckpoint": lambda: s.checkpoints.put_checkpoint(
            **checkpoint,
            type="msgpack",
            checkpoint=b"x",
            metadata={},
            channel_versions=[],
            blobs=[],
        ),
        "putCheckpointBlobs": lambda: s.checkpoints.put_checkpoint_blobs(
            **thread, checkpoint_ns="", blobs=[blob]
        ),
        "putCheckpointWrites": lambda: s.checkpoints.put_checkpoint_writes(
            **checkpoint, task_id="t", task_path="", writes=[]
        ),
        "getCheckpoint": lambda: s.checkpoints.get_checkpoint(**thread, checkpoint_ns=""),
        "listCheckpoints": lambda: s.checkpoints.list_checkpoints(**thread, checkpoint_ns=""),
        "listCheckpointWrites": lambda: s.checkpoints.list_checkpoint_writes(
            **thread, checkpoint_ns="", from_checkpoint_id="a", to_checkpoint_id="z"
        ),
        "getCheckpointValues": lambda: s.checkpoints.get_checkpoint_values(
            **thread, blobs=[], writes=[]
        ),
        "countCheckpoints": lambda: s.checkpoints.count_checkpoints(**thread, checkpoint_ns=""),
        "listCheckpointNamespaces": lambda: s.checkpoints.list_checkpoint_namespaces(**thread),
        "listCheckpointThreads": lambda: s.checkpoints.list_checkpoint_threads(resource_id=theirs),
        "deleteCheckpointThread": lambda: s.checkpoints.delete_checkpoint_thread(**thread),
        "deleteCheckpointsForRuns": lambda: s.checkpoints.delete_checkpoints_for_runs(
            resource_id=theirs, run_ids=["r"]
        ),
        "copyCheckpointThread": lambda: s.checkpoints.copy_checkpoint_thread(
            resource_id=theirs, source_thread_id="t", target_thread_id="u"
        ),
        "pruneCheckpoints": lambda: s.checkpoints.prune_checkpoints(
            resource_id=theirs, thread_ids=["t"], strategy="delete"
        ),
        "putStoreItems": lambda: s.store.put_store_items(resource_id=theirs, ops=[item]),
        "getStoreItems": lambda: s.store.get_store_items(resource_id=theirs, items=[item]),
        "touchStoreItems": lambda: s.store.touch_store_items(resource_id=theirs, items=[item]),
        "searchStoreItems": lambda: s.store.search_store_items(
            resource_id=theirs, namespace_prefix=[]
        ),
        "searchStoreByVector": lambda: s.store.search_store_by_vector(
            resource_id=theirs, namespace_prefix=[], query_vector=V1, limit=1
        ),
        "listStoreNamespaces": lambda: s.store.list_store_namespaces(resource_id=theirs),
        "countStoreItems": lambda: s.store.count_store_items(resource_id=theirs, namespace=["ns"]),
    }
