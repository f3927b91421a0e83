"""The SDK against a local backend that answers as a development deployment does, and as a
production deployment answers clients (``--redact-errors``: ``[Request ID: …] Server Error``,
``errorData`` kept). Every error has the same class, code and data in both; only the text the
server chose to show differs.
"""

from __future__ import annotations

import re
import shutil
import uuid
from collections.abc import Iterator
from typing import Any

import convex_agent_memory as cam
import httpx
import pytest

from local_backend.launcher import LocalBackend

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None, reason="needs Node to run the local backend"
)

REDACTED = re.compile(r"^\[Request ID: [0-9a-f]{16}\] Server Error$")


@pytest.fixture(scope="module", params=["development", "production"])
def deployment(request: pytest.FixtureRequest) -> Iterator[tuple[str, LocalBackend]]:
    with LocalBackend.start(redact_errors=request.param == "production") as backend:
        yield request.param, backend


@pytest.fixture
def client(deployment: tuple[str, LocalBackend]) -> Iterator[tuple[str, str, Any]]:
    mode, backend = deployment
    user = f"user-{uuid.uuid4().hex[:8]}"
    with cam.Client(url=backend.url, token=backend.token(user)) as sdk:
        yield mode, user, sdk


def test_a_coded_error_keeps_its_class_code_and_data(client: tuple[str, str, Any]) -> None:
    mode, _, sdk = client
    with pytest.raises(cam.ForbiddenError) as caught:
        sdk.threads.save_thread(id=f"t-{uuid.uuid4().hex}", resource_id="someone-else")
    error = caught.value
    assert error.code == "FORBIDDEN" and error.data["code"] == "FORBIDDEN"
    assert error.message == error.data["message"]  # the message comes from errorData
    assert error.request_id is not None and re.fullmatch(r"[0-9a-f]{16}", error.request_id)
    if mode == "production":
        assert error.error_message is not None and REDACTED.match(error.error_message)
    else:
        assert error.error_message is not None and "Uncaught ConvexError" in error.error_message


def test_convex_s_own_refusal_is_a_function_error_in_both(client: tuple[str, str, Any]) -> None:
    """1,024 fields per object: just under is saved byte-exact, just over is refused by the
    deployment before the function runs (no errorData: a FunctionError, whatever the text)."""
    mode, user, sdk = client
    thread = f"t-{uuid.uuid4().hex}"
    fields = {f"k{i}": i + 0.5 for i in range(1024)}
    saved = sdk.threads.save_thread(id=thread, resource_id=user, metadata=fields)
    assert saved.metadata == fields
    with pytest.raises(cam.FunctionError) as caught:
        sdk.threads.save_thread(id=thread, resource_id=user, metadata={**fields, "k1024": 1.5})
    error = caught.value
    assert type(error) is cam.FunctionError and error.code is None and error.data is None
    if mode == "production":
        assert error.error_message is not None and REDACTED.match(error.error_message)
    else:
        assert "Object has too many fields (1025 > maximum number 1024)" in error.message
    kept = sdk.threads.get_thread(resource_id=user, id=thread)
    assert kept is not None and kept.metadata == fields  # the refused call wrote nothing


def test_a_lone_surrogate_is_refused_before_sending_and_by_the_deployment(
    client: tuple[str, str, Any], deployment: tuple[str, LocalBackend]
) -> None:
    mode, user, sdk = client
    with pytest.raises(cam.InvalidArgumentError) as caught:
        sdk.threads.save_thread(id=f"t-{uuid.uuid4().hex}", resource_id=user, title="\ud800")
    assert caught.value.status_code is None  # nothing was sent
    # What the deployment answers a client that sends one anyway.
    args = '{"id": "t", "resourceId": "r", "title": "\\ud800"}'
    body = f'{{"path": "memory:saveThread", "args": {args}}}'
    reply = httpx.post(
        f"{deployment[1].url}/api/mutation",
        content=body,
        headers={"Content-Type": "application/json"},
    ).json()
    assert reply["status"] == "error" and "errorData" not in reply
    if mode == "production":
        assert REDACTED.match(reply["errorMessage"])
    else:
        assert reply["errorMessage"].endswith("\nInvalid arguments provided")
