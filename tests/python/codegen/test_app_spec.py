"""An app's function-spec JSON (not this component's): folders in identifiers become nested
namespaces, an HTTP action and an internal function are skipped, a function without
`returns` is typed as any value with a warning (app or component alike)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from .helpers import FIXTURES, Recorder, build_sdk, fake_clients


@pytest.fixture(scope="module")
def app_sdk(tmp_path_factory: pytest.TempPathFactory) -> str:
    spec = json.loads((FIXTURES / "app_function_spec.json").read_text())
    with pytest.warns(UserWarning, match="legacy.js:doStuff declares no `returns`"):
        build_sdk(tmp_path_factory.mktemp("app"), spec, package="app_sdk", component=False)
    return "app_sdk"


def test_nested_namespaces_and_own_paths(app_sdk: str) -> None:
    recorder = Recorder(
        {
            "agents/memory:remember": "fact1",
            "agents/memory:recall": [{"_id": "fact1", "fact": "sky is blue"}],
            "agents:list": ["a1", "a2"],
            "legacy:doStuff": {"anything": [1, "two"]},
        }
    )
    client, _ = fake_clients(app_sdk, recorder)
    assert client.agents.memory.remember(agent_id="a1", fact="sky is blue") == "fact1"
    assert recorder.calls[-1] == (
        "mutation",
        "agents/memory:remember",
        {"agentId": "a1", "fact": "sky is blue"},
        False,
    )
    facts = client.agents.memory.recall(agent_id="a1")
    assert facts[0].fact == "sky is blue" and facts[0].weight is None
    assert facts[0].id == "fact1"  # `_id` -> id, alias "_id"
    assert facts[0].model_dump(by_alias=True)["_id"] == "fact1"
    assert client.agents.list() == ["a1", "a2"]
    assert recorder.calls[-1][:3] == ("query", "agents:list", {})
    assert client.legacy.do_stuff(args={"x": 1}) == {"anything": [1.0, "two"]}
    assert recorder.calls[-1][:3] == ("action", "legacy:doStuff", {"x": 1})


def test_internal_and_http_functions_are_skipped(app_sdk: str) -> None:
    client, _ = fake_clients(app_sdk, Recorder())
    assert not hasattr(client.agents.memory, "compact")
    assert not hasattr(client, "webhook")


def test_ids_are_distinct_types_per_table(app_sdk: str) -> None:
    from app_sdk._generated import models

    assert models.AgentId.__supertype__ is str and models.FactId.__supertype__ is str
    assert models.AgentId is not models.FactId


async def test_async_nested_namespace(app_sdk: str) -> None:
    recorder = Recorder({"agents/memory:remember": "f9"})
    _, async_client = fake_clients(app_sdk, recorder)
    assert type(async_client.agents.memory).__name__ == "AsyncAgentsMemory"
    assert await async_client.agents.memory.remember(agent_id="a1", fact="x", weight=2) == "f9"
    assert recorder.calls[-1][2]["weight"] == 2.0


def test_a_component_function_without_returns_is_any_value_with_a_warning(tmp_path: Any) -> None:
    spec = {
        "component": "c",
        "functions": [
            {
                "identifier": "things.js:get",
                "functionType": "Query",
                "visibility": {"kind": "public"},
                "args": {"type": "object", "value": {}},
                "returns": None,
            }
        ],
    }
    with pytest.warns(UserWarning, match=r"things\.js:get declares no `returns`"):
        build_sdk(tmp_path, spec, package="noreturns_sdk", component=True)
    client, _ = fake_clients("noreturns_sdk", Recorder({"memory:get": {"x": [1, {"y": None}]}}))
    assert client.things.get() == {"x": [1.0, {"y": None}]}
    assert "ConvexAny" in (tmp_path / "noreturns_sdk/_generated/resources/things.py").read_text()
