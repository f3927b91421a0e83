"""Fields configured as JSON text: Python values in, text on the wire, Python values out."""

from typing import Any

import pytest

from .helpers import Recorder, build_sdk, fake_clients

STR = {"type": "string"}


def field(validator: dict[str, Any], optional: bool = False) -> dict[str, Any]:
    return {"fieldType": validator, "optional": optional}


RUN = {
    "type": "object",
    "value": {"runId": field(STR), "snapshot": field(STR), "label": field(STR, optional=True)},
}
SPEC = {
    "functions": [
        {
            "identifier": "runs.js:saveRun",
            "functionType": "Mutation",
            "visibility": {"kind": "public"},
            "args": {"type": "object", "value": {"runId": field(STR), "snapshot": field(STR)}},
            "returns": RUN,
        },
        {
            "identifier": "runs.js:loadSnapshot",
            "functionType": "Query",
            "visibility": {"kind": "public"},
            "args": {"type": "object", "value": {"runId": field(STR)}},
            "returns": {"type": "union", "value": [STR, {"type": "null"}]},
        },
        {
            "identifier": "other.js:echo",
            "functionType": "Query",
            "visibility": {"kind": "public"},
            "args": {"type": "object", "value": {"snapshot": field(STR)}},
            "returns": STR,
        },
    ]
}
SNAPSHOT = {"$schema": "x", "_private": [1, 2.5, None], "status": "running"}


@pytest.fixture(scope="module")
def sdk(tmp_path_factory: pytest.TempPathFactory) -> Any:
    build_sdk(
        tmp_path_factory.mktemp("jsontext"),
        SPEC,
        package="jsontext_sdk",
        component=False,
        json_text={"runs": frozenset({"snapshot"})},
        json_text_results=frozenset({"loadSnapshot"}),
    )
    import jsontext_sdk._generated as generated

    return generated


def test_json_text_is_sent_as_text_and_read_back_as_values(sdk: Any) -> None:
    stored: dict[str, str] = {}

    def save(args: dict[str, Any]) -> dict[str, Any]:
        stored[args["runId"]] = args["snapshot"]
        return {"runId": args["runId"], "snapshot": args["snapshot"]}

    recorder = Recorder(
        {"runs:saveRun": save, "runs:loadSnapshot": lambda args: stored.get(args["runId"])}
    )
    client, _ = fake_clients("jsontext_sdk", recorder)
    run = client.runs.save_run(run_id="r1", snapshot=SNAPSHOT)
    sent = recorder.calls[-1][2]["snapshot"]
    assert isinstance(sent, str) and '"$schema":"x"' in sent  # text on the wire
    assert run.snapshot == SNAPSHOT  # a value again in the result model
    assert client.runs.load_snapshot(run_id="r1") == SNAPSHOT  # a whole result that is text
    assert client.runs.load_snapshot(run_id="missing") is None


def test_only_the_configured_module_is_affected(sdk: Any) -> None:
    recorder = Recorder({"other:echo": lambda args: args["snapshot"]})
    client, _ = fake_clients("jsontext_sdk", recorder)
    assert client.other.echo(snapshot="plain text") == "plain text"
    assert recorder.calls[-1][2]["snapshot"] == "plain text"
