"""Wire compatibility: the official Python `convex` package against the local backend.

The package (PyPI `convex`) ships two clients:
- `convex.http_client.ConvexHttpClient`: the legacy pure-HTTP client (requests), which
  speaks `POST /api/query|mutation|action` exactly like our SDK does. Tested here.
- `convex.ConvexClient`: the Rust extension speaking the WebSocket sync protocol
  (`/api/sync`, served by the local backend on the same port). Its blocking calls hang
  forever when nothing answers and hold the GIL while they wait, so it runs in a child
  process under a timeout (`run_in_child`).

The backend is started by the launcher the end-to-end tests use
(`local_backend/launcher.py`), serving the small fixture app without the component.
"""

from __future__ import annotations

import math
import shutil
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path

import httpx
import jwt
import pytest
from convex import ConvexError, ConvexInt64
from convex.http_client import ConvexHttpClient
from cryptography.hazmat.primitives.asymmetric import rsa

from local_backend.launcher import LocalBackend

ROOT = Path(__file__).resolve().parents[2]
FIXTURE_APP = ROOT / "tests" / "fixtures" / "basic_app" / "convex"

pytestmark = pytest.mark.skipif(
    shutil.which("node") is None, reason="needs Node to run the local backend"
)


@pytest.fixture(scope="module")
def backend() -> Iterator[LocalBackend]:
    with LocalBackend.start(app_dir=FIXTURE_APP, extra_args=["--no-components"]) as started:
        yield started


@pytest.fixture(scope="module")
def backend_url(backend: LocalBackend) -> str:
    return backend.url


def test_query_and_mutation_without_a_token(backend_url: str) -> None:
    client = ConvexHttpClient(backend_url)
    count = client.mutation("notes:add", {"text": "from python"})
    assert isinstance(count, float)  # float64 arrives as a float, not an int
    assert {"text": "from python", "author": None} in client.query("notes:list")
    assert client.query("auth:whoami") is None
    assert client.action("notes:addViaAction", {"text": "py action"}) == count + 1


def test_query_and_mutation_with_a_token(backend: LocalBackend) -> None:
    client = ConvexHttpClient(backend.url)
    client.set_auth(backend.token("py-user", service=True))
    client.mutation("notes:add", {"text": "signed"})
    assert {"text": "signed", "author": "py-user"} in client.query("notes:list")
    identity = client.query("auth:whoami")
    assert identity["subject"] == "py-user"
    assert identity["tokenIdentifier"] == f"{backend.issuer}|py-user"
    assert identity["agent_memory_service"] is True


def test_convex_error_data_reaches_the_client(backend_url: str) -> None:
    client = ConvexHttpClient(backend_url)
    with pytest.raises(ConvexError) as caught:
        client.mutation("notes:addThenFail", {"text": "z"})
    assert caught.value.data == {"code": "NOT_FOUND", "message": "no note z", "text": "z"}


def test_values_decode_with_the_official_decoder(backend_url: str) -> None:
    value = ConvexHttpClient(backend_url).query("values:samples")
    assert value["int64"] == ConvexInt64(42)
    assert value["bytes"] == bytes([0, 16, 131])
    assert value["one"] == 1.0 and isinstance(value["one"], float)
    assert value["big"] == 1795384212830.0 and isinstance(value["big"], float)
    assert math.isnan(value["nan"]) and value["inf"] == math.inf
    assert math.copysign(1.0, value["negZero"]) == -1.0


def test_a_bad_signature_is_refused(backend: LocalBackend) -> None:
    payload = jwt.decode(backend.token("intruder"), options={"verify_signature": False})
    other = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    client = ConvexHttpClient(backend.url)
    client.set_auth(jwt.encode(payload, other, algorithm="RS256", headers={"kid": "local"}))
    with pytest.raises(Exception, match="401 InvalidAuthHeader"):
        client.query("notes:list")


def test_raw_http_envelopes(backend_url: str) -> None:
    with httpx.Client(base_url=backend_url) as http:
        ok = http.post("/api/query", json={"path": "notes:count", "args": {}, "format": "json"})
        assert ok.status_code == 200 and ok.json()["status"] == "success"
        assert ok.text.count(".0") >= 1  # integral float64 written as 1.0, like the real backend
        missing = http.post("/api/query", json={"path": "notes:nothing", "args": {}})
        assert missing.status_code == 200
        assert "Could not find public function" in missing.json()["errorMessage"]
        bad = http.post(
            "/api/query", content=b"{not json", headers={"Content-Type": "application/json"}
        )
        assert bad.status_code == 400 and bad.json()["code"] == "BadJsonBody"


def run_in_child(code: str, *argv: str, timeout: float = 45.0) -> str:
    """Runs `code` in a child Python (argv in sys.argv[1:]) under a timeout; returns stdout.
    `faulthandler` dumps the child's stacks if it hangs, so a broken server fails, never hangs."""
    script = (
        "import faulthandler, os, sys\nfaulthandler.dump_traceback_later(%r, exit=True)\n"
        % (timeout - 5)
        + textwrap.dedent(code)
        + "\nprint('CHILD OK', flush=True)\nos._exit(0)\n"
    )
    try:
        done = subprocess.run(
            [sys.executable, "-c", script, *argv],
            capture_output=True,
            text=True,
            timeout=timeout,
            cwd=ROOT,
        )
    except subprocess.TimeoutExpired as e:
        pytest.fail(f"child hung: {e.stdout!r} {e.stderr!r}")
    assert done.returncode == 0 and "CHILD OK" in done.stdout, done.stdout + done.stderr
    return done.stdout


def test_websocket_client(backend: LocalBackend) -> None:
    """The official `convex.ConvexClient` (WebSocket sync protocol): query, mutation, action,
    a live subscription that sees another client's write, auth, ConvexError data, values."""
    run_in_child(
        """
        import math
        import convex

        url, tok = sys.argv[1], sys.argv[2]
        watcher = convex.ConvexClient(url)
        writer = convex.ConvexClient(url)
        sub = watcher.subscribe("notes:count", {})
        first = next(sub)
        n = writer.mutation("notes:add", {"text": "over ws"})
        assert n == first + 1, (n, first)
        assert next(sub) == n
        assert {"text": "over ws", "author": None} in writer.query("notes:list")
        assert writer.action("notes:addViaAction", {"text": "ws action"}) == n + 1
        assert next(sub) == n + 1
        sub.unsubscribe()

        writer.set_auth(tok)
        assert writer.query("auth:whoami")["subject"] == "ws-user"
        writer.mutation("notes:add", {"text": "ws signed"})
        assert {"text": "ws signed", "author": "ws-user"} in writer.query("notes:list")
        try:
            writer.mutation("notes:addThenFail", {"text": "w"})
        except convex.ConvexError as e:
            assert e.data == {"code": "NOT_FOUND", "message": "no note w", "text": "w"}
        else:
            raise AssertionError("no ConvexError")
        values = writer.query("values:samples")
        assert values["bytes"] == bytes([0, 16, 131])
        assert values["big"] == 1795384212830 and math.isnan(values["nan"])
        assert values["int64"] == 42
        """,
        backend.url,
        backend.token("ws-user"),
    )
