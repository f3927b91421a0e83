"""End-to-end fixtures: Python SDK -> HTTP -> host app wrappers -> component.

Against the local backend (started once per session) by default; against a real deployment
when ``CONVEX_URL`` and ``CONVEX_AUTH_TOKEN`` are set (user A). Optional there:
``CONVEX_AUTH_TOKEN_B`` (a second user) and ``CONVEX_SERVICE_TOKEN`` (a token with the
service claim); tests that need a missing one are skipped, saying which.

``LOCAL_BACKEND_REDACT_ERRORS=1`` starts the local backend with ``--redact-errors``: errors
read as a production deployment sends them to clients. ``E2E_ERROR_LOG=file.json`` writes
the class and code of every error the SDK raised, per test, for ``tests/e2e/error_classes.py``
to compare two runs (the suite must raise the same errors whatever the deployment redacts).

Every test makes its own ids (uuid), so tests never depend on each other's data and can run
on a shared deployment.
"""

from __future__ import annotations

import inspect
import json
import os
import shutil
import sys
import time
import uuid
from collections.abc import AsyncIterator, Callable, Iterator
from dataclasses import dataclass, field
from functools import wraps
from pathlib import Path
from typing import Any

import convex_agent_memory as cam
import jwt
import pytest
from cryptography.hazmat.primitives.asymmetric import rsa

ROOT = Path(__file__).resolve().parents[2]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

#: Live subscriptions: their generated methods belong to the WebSocket work, not tested here.
WATCH_METHODS = frozenset(
    {
        "watch_thread",
        "watch_messages",
        "watch_threads_by_resource",
        "watch_workflow_run",
        "watch_workflow_runs",
    }
)


# --- the deployment ---------------------------------------------------------------------


@dataclass
class Deployment:
    url: str
    local: bool
    user_a: str
    token_a: str
    user_b: str | None
    token_b: str | None
    token_service: str | None
    bad_token: str
    backend: Any = None

    def skip_unless(self, *needs: str) -> None:
        reasons = {
            "b": (self.token_b, "CONVEX_AUTH_TOKEN_B (a second user's token) is not set"),
            "service": (self.token_service, "CONVEX_SERVICE_TOKEN (a service token) is not set"),
            "local": ("x" if self.local else None, "needs the local backend"),
        }
        for need in needs:
            value, reason = reasons[need]
            if value is None:
                pytest.skip(reason)


def _subject(token: str) -> str:
    claims = jwt.decode(token, options={"verify_signature": False})
    subject = claims.get("sub")
    if not isinstance(subject, str):
        raise RuntimeError("the token has no 'sub' claim to act as a resource id")
    return subject


def _resign_with_another_key(token: str) -> str:
    """The same claims and header, signed by a key the deployment does not know."""
    header = jwt.get_unverified_header(token)
    claims = jwt.decode(token, options={"verify_signature": False})
    claims["exp"] = int(time.time()) + 3600
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    extra = {k: v for k, v in header.items() if k not in ("alg", "typ")}
    return jwt.encode(claims, key, algorithm="RS256", headers=extra)


@pytest.fixture(scope="session")
def deployment() -> Iterator[Deployment]:
    url = os.environ.get("CONVEX_URL")
    token = os.environ.get("CONVEX_AUTH_TOKEN")
    if url and token:
        token_b = os.environ.get("CONVEX_AUTH_TOKEN_B") or None
        yield Deployment(
            url=url,
            local=False,
            user_a=_subject(token),
            token_a=token,
            user_b=_subject(token_b) if token_b else None,
            token_b=token_b,
            token_service=os.environ.get("CONVEX_SERVICE_TOKEN") or None,
            bad_token=_resign_with_another_key(token),
        )
        return
    if shutil.which("node") is None:
        pytest.skip("needs Node for the local backend (or set CONVEX_URL and CONVEX_AUTH_TOKEN)")
    from local_backend.launcher import LocalBackend

    run = uuid.uuid4().hex[:8]
    redact = os.environ.get("LOCAL_BACKEND_REDACT_ERRORS") == "1"
    with LocalBackend.start(redact_errors=redact) as backend:
        user_a, user_b = f"user-a-{run}", f"user-b-{run}"
        token_a = backend.token(user_a)
        yield Deployment(
            url=backend.url,
            local=True,
            user_a=user_a,
            token_a=token_a,
            user_b=user_b,
            token_b=backend.token(user_b),
            token_service=backend.token(f"service-{run}", service=True),
            bad_token=_resign_with_another_key(token_a),
            backend=backend,
        )


# --- which errors the SDK raised --------------------------------------------------------

#: test id -> the errors the SDK raised during it: "Class:code:kind path".
RAISED: dict[str, list[str]] = {}
_CURRENT_TEST: list[str | None] = [None]


@pytest.fixture(scope="session", autouse=True)
def error_recorder() -> Iterator[dict[str, list[str]]]:
    """Notes every ``APIError`` the SDK builds while an e2e test runs; with ``E2E_ERROR_LOG``
    set, writes them out at the end of the session (tests/e2e/error_classes.py compares)."""
    original = cam.APIError.__init__

    def record(self: cam.APIError, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        test = _CURRENT_TEST[0]
        if test is not None:
            RAISED.setdefault(test, []).append(
                f"{type(self).__name__}:{self.code}:{self.kind} {self.path}"
            )

    cam.APIError.__init__ = record  # type: ignore[method-assign]
    yield RAISED
    cam.APIError.__init__ = original  # type: ignore[method-assign]
    target = os.environ.get("E2E_ERROR_LOG")
    if target:
        Path(target).write_text(json.dumps(RAISED, indent=1, sort_keys=True))


@pytest.fixture(autouse=True)
def current_test(request: pytest.FixtureRequest, error_recorder: Any) -> Iterator[None]:
    _CURRENT_TEST[0] = request.node.nodeid
    yield
    _CURRENT_TEST[0] = None


# --- which generated methods the tests call --------------------------------------------


def _resource_classes() -> list[type]:
    classes = []
    for owner in (cam.Client, cam.AsyncClient):
        for name in dir(owner):
            prop = getattr(owner, name)
            func = getattr(prop, "func", None)  # cached_property
            if func is not None:
                classes.append(inspect.get_annotations(func, eval_str=True)["return"])
    return classes


def public_methods(cls: type) -> set[str]:
    return {
        name for name, value in vars(cls).items() if not name.startswith("_") and callable(value)
    }


CALLED: set[tuple[str, str]] = set()
#: True while an e2e test runs: the wrapped methods stay in place for the whole session, and
#: calls made by other suites (which may run in between) must not count.
_RECORDING = [False]


def _record(cls: type, name: str, method: Callable[..., Any]) -> Callable[..., Any]:
    key = (cls.__name__, name)
    if inspect.iscoroutinefunction(method):

        @wraps(method)
        async def record_async(*args: Any, **kwargs: Any) -> Any:
            if _RECORDING[0]:
                CALLED.add(key)
            return await method(*args, **kwargs)

        return record_async

    @wraps(method)
    def record(*args: Any, **kwargs: Any) -> Any:
        if _RECORDING[0]:
            CALLED.add(key)
        return method(*args, **kwargs)

    return record


@pytest.fixture(scope="session", autouse=True)
def method_recorder() -> Iterator[set[tuple[str, str]]]:
    """Wraps every public method of the generated resource classes to note that it ran."""
    originals: list[tuple[type, str, Any]] = []
    for cls in _resource_classes():
        for name in public_methods(cls):
            method = vars(cls)[name]
            originals.append((cls, name, method))
            setattr(cls, name, _record(cls, name, method))
    yield CALLED
    for cls, name, method in originals:
        setattr(cls, name, method)


@pytest.fixture(autouse=True)
def recording_e2e_calls(method_recorder: set[tuple[str, str]]) -> Iterator[None]:
    """Counts calls only while a test of this folder runs."""
    _RECORDING[0] = True
    yield
    _RECORDING[0] = False


def expected_methods() -> set[tuple[str, str]]:
    return {
        (cls.__name__, name)
        for cls in _resource_classes()
        for name in public_methods(cls)
        if name not in WATCH_METHODS
    }


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Heavy tests run after the others (their data would slow an in-memory backend down),
    and the coverage check last of all."""

    def rank(item: pytest.Item) -> int:
        if item.get_closest_marker("e2e_last"):
            return 2
        return 1 if item.get_closest_marker("e2e_heavy") else 0

    items[:] = sorted(items, key=rank)  # stable: the usual order within each rank


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line("markers", "e2e_heavy: a long test, run after the quick ones")
    config.addinivalue_line("markers", "e2e_last: run after every other test")


# --- clients ----------------------------------------------------------------------------


@dataclass
class Clients:
    """The clients of one flavour (sync or async) for each identity."""

    flavour: str
    deployment: Deployment
    make: Callable[[str | None], Any]
    opened: list[Any] = field(default_factory=list)

    def _client(self, token: str | None) -> Any:
        client = self.make(token)
        self.opened.append(client)
        return client

    @property
    def a(self) -> Any:
        return self._cached("a", self.deployment.token_a)

    @property
    def b(self) -> Any:
        self.deployment.skip_unless("b")
        return self._cached("b", self.deployment.token_b)

    @property
    def service(self) -> Any:
        self.deployment.skip_unless("service")
        return self._cached("service", self.deployment.token_service)

    @property
    def anonymous(self) -> Any:
        return self._cached("anonymous", None)

    @property
    def bad_signature(self) -> Any:
        return self._cached("bad", self.deployment.bad_token)

    def _cached(self, name: str, token: str | None) -> Any:
        cache = self.__dict__.setdefault("_cache", {})
        if name not in cache:
            cache[name] = self._client(token)
        return cache[name]

    @property
    def user_a(self) -> str:
        return self.deployment.user_a

    @property
    def user_b(self) -> str:
        self.deployment.skip_unless("b")
        assert self.deployment.user_b is not None
        return self.deployment.user_b


@pytest.fixture(params=["sync", "async"])
async def clients(request: pytest.FixtureRequest, deployment: Deployment) -> AsyncIterator[Clients]:
    """Clients of user A, user B, a service, nobody and a forged token, sync then async."""
    flavour: str = request.param
    cls = cam.Client if flavour == "sync" else cam.AsyncClient
    result = Clients(flavour, deployment, lambda token: cls(url=deployment.url, token=token))
    yield result
    for client in result.opened:
        if flavour == "sync":
            client.close()
        else:
            await client.aclose()


# --- helpers ------------------------------------------------------------------------------


async def aw(value: Any) -> Any:
    """The value of a sync call, or the awaited value of an async one."""
    return await value if inspect.isawaitable(value) else value


async def collect(paginator: Any) -> list[Any]:
    """Every item of a SyncPaginator or an AsyncPaginator."""
    if isinstance(paginator, cam.AsyncPaginator):
        return [item async for item in paginator]
    return list(paginator)


async def collect_pages(paginator: Any) -> list[Any]:
    if isinstance(paginator, cam.AsyncPaginator):
        return [page async for page in paginator.pages()]
    return list(paginator.pages())


def uid(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:12]}"


def text_message(
    thread_id: str, text: str, *, id: str | None = None, role: str = "user", **extra: Any
) -> dict[str, Any]:
    return {
        "id": id or uid("msg"),
        "threadId": thread_id,
        "role": role,
        "content": {"format": 2, "parts": [{"type": "text", "text": text}], "content": text},
        **extra,
    }


def body_of(request: Any) -> dict[str, Any]:
    return json.loads(request.content)  # type: ignore[no-any-return]
