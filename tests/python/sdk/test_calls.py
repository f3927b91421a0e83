"""What goes on the wire, and what a caller gets back or catches."""

from __future__ import annotations

from typing import Any

import convex_agent_memory as cam
import httpx
import pytest

from .fakes import URL, FakeDeployment, Harness, MakeHarness, coded_error, function_error, success


async def test_a_call_posts_the_convex_http_api_request(harness: Harness) -> None:
    harness.deployment.reply(success(None))
    await harness.call("mutation", "memory:saveThread", {"id": "t1", "limit": 3, "score": 0.5})
    (request,) = harness.deployment.requests
    assert request.method == "POST"
    assert str(request.url) == f"{URL}/api/mutation"
    assert request.headers["authorization"] == "Bearer jwt-1"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"].startswith("convex-agent-memory-python/")
    assert harness.deployment.bodies == [
        {
            "path": "memory:saveThread",
            "args": {"id": "t1", "limit": {"$integer": "AwAAAAAAAAA="}, "score": 0.5},
            "format": "convex_encoded_json",
        }
    ]


@pytest.mark.parametrize("kind", ["query", "mutation", "action"])
async def test_each_kind_has_its_endpoint(make_harness: MakeHarness, kind: Any) -> None:
    harness = make_harness()
    harness.deployment.reply(success(1.0))
    await harness.call(kind)
    assert harness.deployment.requests[0].url.path == f"/api/{kind}"


async def test_without_a_token_no_authorization_is_sent(make_harness: MakeHarness) -> None:
    harness = make_harness()
    harness.deployment.reply(success(None))
    await harness.call("query")
    assert harness.deployment.tokens == [None]


async def test_extra_headers_are_sent(make_harness: MakeHarness) -> None:
    harness = make_harness(headers={"X-Team": "agents"})
    harness.deployment.reply(success(None))
    await harness.call("query")
    assert harness.deployment.requests[0].headers["x-team"] == "agents"


async def test_the_timeout_reaches_the_request(make_harness: MakeHarness) -> None:
    harness = make_harness(timeout=3.0)
    harness.deployment.reply(success(None))
    await harness.call("query")
    assert harness.deployment.requests[0].extensions["timeout"]["read"] == 3.0


async def test_values_come_back_decoded(harness: Harness) -> None:
    harness.deployment.reply(
        httpx.Response(
            200,
            json={
                "status": "success",
                "value": {
                    "count": 3,
                    "big": {"$integer": "Xv08BaIBAAA="},
                    "raw": {"$bytes": "aGk="},
                },
            },
        )
    )
    value = await harness.call("query")
    assert value == {"count": 3.0, "big": 1795384212830, "raw": b"hi"}
    assert type(value["count"]) is float


@pytest.mark.parametrize(
    ("code", "error_class"),
    [
        ("NOT_FOUND", cam.NotFoundError),
        ("UNAUTHENTICATED", cam.UnauthenticatedError),
        ("FORBIDDEN", cam.ForbiddenError),
        ("INVALID_ARGUMENT", cam.InvalidArgumentError),
        ("CONFLICT", cam.ConflictError),
        ("LIMIT_EXCEEDED", cam.LimitExceededError),
    ],
)
@pytest.mark.parametrize("status_code", [200, 560])
async def test_error_codes_raise_errors_by_meaning(
    harness: Harness, code: str, error_class: type[cam.APIError], status_code: int
) -> None:
    data = {"code": code, "message": "thread t9 does not exist", "threadId": "t9", "n": 2}
    harness.deployment.reply(
        function_error("Uncaught ConvexError: ...", data, status_code=status_code)
    )
    with pytest.raises(error_class) as caught:
        await harness.call("query", "memory:getThread", {"threadId": "t9"})
    error = caught.value
    assert type(error) is error_class
    assert isinstance(error, cam.APIError) and isinstance(error, cam.AgentMemoryError)
    assert error.code == code
    assert error.message == "thread t9 does not exist"
    assert error.data == {
        "code": code,
        "message": "thread t9 does not exist",
        "threadId": "t9",
        "n": 2,
    }
    assert error.path == "memory:getThread" and error.kind == "query"
    assert error.status_code == status_code
    assert str(error) == f"{code}: thread t9 does not exist (query memory:getThread)"


async def test_an_unknown_code_is_a_function_error_that_keeps_it(harness: Harness) -> None:
    harness.deployment.reply(coded_error("QUOTA", "monthly quota used up"))
    with pytest.raises(cam.FunctionError) as caught:
        await harness.call("mutation")
    assert caught.value.code == "QUOTA"
    assert caught.value.data["message"] == "monthly quota used up"


async def test_an_uncoded_error_is_a_function_error_with_a_clean_message(harness: Harness) -> None:
    harness.deployment.reply(
        function_error("[Request ID: abc123] Server Error\nUncaught Error: boom\n    at handler")
    )
    with pytest.raises(cam.FunctionError) as caught:
        await harness.call("action")
    error = caught.value
    assert error.code is None and error.data is None
    assert error.message == "boom\n    at handler"
    assert error.request_id == "abc123"
    assert error.error_message is not None and error.error_message.startswith("[Request ID")


async def test_a_string_convex_error_keeps_its_string(harness: Harness) -> None:
    harness.deployment.reply(function_error("Uncaught ConvexError: nope", "nope"))
    with pytest.raises(cam.FunctionError) as caught:
        await harness.call("mutation")
    assert caught.value.message == "nope" and caught.value.data == "nope"


@pytest.mark.parametrize(
    "error_message",
    [
        # a development deployment's argument validation
        "[Request ID: 1f] Server Error\nArgumentValidationError: Object is missing the required "
        "field `threadId`. Consider wrapping the field validator in `v.optional(...)`.\n\n"
        "Object: {}\nValidator: v.object({threadId: v.string()})",
        'ArgumentValidationError: Value does not match validator.\nPath: .limit\nValue: "x"',
        # the same refusal from a production deployment: the message is redacted
        "[Request ID: 1f] Server Error",
        # convex-test's wording
        "Uncaught Error: Validator error: Missing required field `threadId` in object",
    ],
)
async def test_an_error_without_data_is_a_function_error_whatever_its_text(
    harness: Harness, error_message: str
) -> None:
    """The class never depends on the message, which production redacts: Convex's own
    argument validation (no errorData) reads the same in development and production."""
    harness.deployment.reply(function_error(error_message))
    with pytest.raises(cam.FunctionError) as caught:
        await harness.call("query")
    assert type(caught.value) is cam.FunctionError
    assert caught.value.code is None and caught.value.data is None


async def test_return_value_validation_is_the_servers_fault(harness: Harness) -> None:
    harness.deployment.reply(
        function_error(
            'Return value validation failed for query "memory:getThread":\n'
            "Validator error: Expected `string`, got `1`"
        )
    )
    with pytest.raises(cam.FunctionError):
        await harness.call("query")


async def test_arguments_that_cannot_be_encoded_are_refused_before_sending(
    harness: Harness,
) -> None:
    with pytest.raises(cam.InvalidArgumentError, match=r"\$bad") as caught:
        await harness.call("mutation", "memory:saveThread", {"metadata": {"$bad": 1.0}})
    assert isinstance(caught.value.__cause__, ValueError)
    assert caught.value.path == "memory:saveThread"
    with pytest.raises(cam.InvalidArgumentError, match="64-bit"):
        await harness.call("mutation", "memory:saveThread", {"n": 2**64})
    assert harness.deployment.requests == []


@pytest.mark.parametrize(
    ("status_code", "error_class"),
    [(401, cam.UnauthenticatedError), (403, cam.ForbiddenError)],
)
async def test_refused_tokens(harness: Harness, status_code: int, error_class: type) -> None:
    body = {"code": "InvalidAuthHeader", "message": "Could not verify OIDC token claim"}
    harness.deployment.reply(httpx.Response(status_code, json=body))
    with pytest.raises(error_class) as caught:
        await harness.call("query")
    assert caught.value.status_code == status_code
    assert caught.value.message == "Could not verify OIDC token claim"
    assert caught.value.data == body


@pytest.mark.parametrize("status_code", [400, 404, 500, 502])
async def test_other_statuses_are_api_status_errors(harness: Harness, status_code: int) -> None:
    harness.deployment.reply(httpx.Response(status_code, text="BadJsonBody: expected value"))
    with pytest.raises(cam.APIStatusError) as caught:
        await harness.call("mutation")  # a mutation: not retried
    assert caught.value.status_code == status_code
    assert caught.value.body == "BadJsonBody: expected value"
    assert caught.value.response.status_code == status_code


@pytest.mark.parametrize(
    "body",
    [
        {"text": "<html>proxy</html>"},
        {"json": {"status": "weird"}},
        {"json": {"status": "success"}},
        {"json": {"status": "success", "value": {"$set": "AA=="}}},
    ],
)
async def test_malformed_replies(harness: Harness, body: dict[str, Any]) -> None:
    harness.deployment.reply(httpx.Response(200, **body))
    with pytest.raises(cam.APIResponseValidationError):
        await harness.call("query")


async def test_connection_failures(harness: Harness, deployment: FakeDeployment) -> None:
    deployment.reply(httpx.ReadError("reset"))
    with pytest.raises(cam.APIConnectionError) as caught:
        await harness.call("mutation", "memory:saveMessages")
    assert not isinstance(caught.value, cam.APITimeoutError)
    assert caught.value.path == "memory:saveMessages"
    deployment.reply(httpx.ReadTimeout("slow"))
    with pytest.raises(cam.APITimeoutError):
        await harness.call("mutation")


def test_pydantic_refusals_read_like_the_servers() -> None:
    pydantic = pytest.importorskip("pydantic")

    class Args(pydantic.BaseModel):
        thread_id: str
        limit: int

    try:
        Args.model_validate({"thread_id": 3, "limit": "x"})
    except pydantic.ValidationError as refusal:
        error = cam.InvalidArgumentError.from_validation_error(
            refusal, path="memory:listMessages", kind="query"
        )
    assert error.code == "INVALID_ARGUMENT" and error.path == "memory:listMessages"
    assert [e["loc"] for e in error.errors] == [("thread_id",), ("limit",)]
    assert "thread_id" in error.message and "limit" in error.message
