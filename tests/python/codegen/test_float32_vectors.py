"""Vector fields named in ``float32_vectors``: where a function takes float64 numbers or packed
float32 bytes (``v.union(v.array(v.float64()), v.bytes())``), the generated method takes a
numpy array, numbers or bytes and sends packed little-endian float32."""

from __future__ import annotations

import array
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from convex_agent_memory import InvalidArgumentError
from convex_py_codegen.errors import ConfigError

from .helpers import Recorder, build_sdk, build_sdk_with_plan, fake_clients, mypy_strict

VECTOR = {
    "type": "union",
    "value": [{"type": "array", "value": {"type": "number"}}, {"type": "bytes"}],
}
NUMBERS = {"type": "array", "value": {"type": "number"}}


def field(validator: dict[str, Any], optional: bool = False) -> dict[str, Any]:
    return {"fieldType": validator, "optional": optional}


SPEC = {
    "functions": [
        {
            "identifier": "embeddings.js:put",
            "functionType": "Mutation",
            "visibility": {"kind": "public"},
            "args": {
                "type": "object",
                "value": {
                    "items": field(
                        {
                            "type": "array",
                            "value": {
                                "type": "object",
                                "value": {"id": field({"type": "string"}), "vector": field(VECTOR)},
                            },
                        }
                    ),
                    "probe": field(VECTOR, optional=True),
                },
            },
            "returns": {"type": "null"},
        },
        {
            "identifier": "embeddings.js:get",
            "functionType": "Query",
            "visibility": {"kind": "public"},
            "args": {"type": "object", "value": {"id": field({"type": "string"})}},
            # the same name, another shape (what comes back): left as it is
            "returns": {"type": "object", "value": {"vector": field(NUMBERS)}},
        },
        {
            "identifier": "other.js:raw",
            "functionType": "Mutation",
            "visibility": {"kind": "public"},
            "args": {"type": "object", "value": {"vector": field(VECTOR)}},
            "returns": {"type": "null"},
        },
    ]
}


def packed(*values: float) -> bytes:
    return array.array("f", values).tobytes()


@pytest.fixture(scope="module")
def sdk_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    tmp = tmp_path_factory.mktemp("vectors")
    build_sdk(
        tmp,
        SPEC,
        package="vectors_sdk",
        component=False,
        float32_vectors=("embeddings:vector", "embeddings:probe"),
    )
    return tmp


def test_named_vector_fields_are_float32_vectors(sdk_dir: Path) -> None:
    models = (sdk_dir / "vectors_sdk" / "_generated" / "models.py").read_text()
    assert "vector: Float32Vector" in models and "probe: Float32Vector | None" in models
    assert "vector: list[float]\n" in models  # the result's own vector field: numbers
    assert "vector: list[float] | bytes" in models  # other.js: not named, left as it is


@pytest.mark.parametrize(
    "vector",
    [np.array([1.5, -2.0], dtype=np.float32), np.array([1.5, -2.0]), [1.5, -2], packed(1.5, -2.0)],
    ids=["numpy-f32", "numpy-f64", "list", "bytes"],
)
def test_a_vector_goes_as_packed_float32(sdk_dir: Path, vector: Any) -> None:
    recorder = Recorder({"embeddings:put": None, "other:raw": None})
    client, _ = fake_clients("vectors_sdk", recorder)
    client.embeddings.put(items=[{"id": "a", "vector": vector}], probe=vector)
    args = recorder.calls[-1][2]
    assert args["items"][0]["vector"] == packed(1.5, -2.0)
    assert args["probe"] == packed(1.5, -2.0)
    client.embeddings.put(items=[])
    assert "probe" not in recorder.calls[-1][2]  # optional: absent unless given


def test_an_unnamed_field_of_that_shape_keeps_its_union(sdk_dir: Path) -> None:
    recorder = Recorder({"other:raw": None})
    client, _ = fake_clients("vectors_sdk", recorder)
    client.other.raw(vector=[1.5, 2.0])
    assert recorder.calls[-1][2]["vector"] == [1.5, 2.0]  # JSON numbers, as given


@pytest.mark.parametrize("vector", [["x"], "text", [float("inf")], np.zeros((2, 2))])
def test_what_is_not_a_vector_is_refused_before_sending(sdk_dir: Path, vector: Any) -> None:
    recorder = Recorder({"embeddings:put": None})
    client, _ = fake_clients("vectors_sdk", recorder)
    with pytest.raises(InvalidArgumentError):
        client.embeddings.put(items=[{"id": "a", "vector": vector}])
    assert recorder.calls == []


def test_numpy_arrays_type_check(sdk_dir: Path) -> None:
    (sdk_dir / "use_vectors.py").write_text(
        "import numpy as np\n"
        "from vectors_sdk._generated import GeneratedClient\n\n\n"
        "def use(client: GeneratedClient) -> None:\n"
        "    row = np.zeros(4, dtype=np.float32)\n"
        '    client.embeddings.put(items=[{"id": "a", "vector": row}], probe=row)\n'
        "    client.embeddings.put(items=[], probe=[0.5, 1.0])\n"
        '    client.embeddings.put(items=[], probe=b"\\x00\\x00\\x00\\x00")\n'
    )
    checked = mypy_strict(sdk_dir, "use_vectors.py")
    assert checked.returncode == 0, checked.stdout + checked.stderr


@pytest.mark.parametrize(
    "patterns",
    [("embeddings:nothing",), ("embeddings:id",), ("get:vector",)],
    ids=["no-such-field", "a-string-field", "another-module"],
)
def test_a_pattern_that_names_no_vector_field_is_a_config_error(
    tmp_path: Path, patterns: tuple[str, ...]
) -> None:
    with pytest.raises(ConfigError, match="float32_vectors"):
        build_sdk_with_plan(
            tmp_path, SPEC, package="bad_vectors_sdk", component=False, float32_vectors=patterns
        )
