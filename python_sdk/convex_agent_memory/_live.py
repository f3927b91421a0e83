"""Live queries: typed subscriptions over Convex's WebSocket sync protocol.

The generated ``watch_*`` methods (the live queries listed under ``live`` in the codegen
config) return a :class:`Subscription` on :class:`~convex_agent_memory.Client` and an
:class:`AsyncSubscription` on :class:`~convex_agent_memory.AsyncClient`::

    with client.messages.watch_messages(resource_id=me, thread_id="t1", limit=50) as sub:
        for messages in sub:          # list[Message]: the current value, then every change
            ...

    async with client.messages.watch_messages(resource_id=me, thread_id="t1") as sub:
        async for messages in sub:
            ...

Built on the official ``convex`` package (``pip install 'convex-agent-memory[live]'``):
one ``convex.ConvexClient`` per SDK client, created on the first subscription with the
same URL and token.

That client's blocking calls hold the GIL and wait forever when the deployment does not
answer (even ``subscribe()`` itself). So a subscription starts with one ordinary HTTP
read of the same query through the SDK's transport: an unreachable URL, a refused token
or a refused authorization raises the SDK's usual exceptions (``APIConnectionError``,
``UnauthenticatedError``, ``ForbiddenError``, ...) at once, and that read's result is the
subscription's first value. Only then is the WebSocket subscription made. Later values
are awaited without holding the GIL (``__anext__`` of the official subscription, on a
private event loop thread for the sync API) and, while waiting, the deployment is probed
over HTTP every ``liveness_interval`` seconds: when it stops answering, iteration raises
``APIConnectionError`` instead of hanging.

Tokens that expire: the deployment ends a WebSocket session whose token has expired. With a
``token_provider`` (e.g. :class:`~convex_agent_memory.ServiceCredentials`), a subscription
asks the provider for a new token before the one in use expires (a fifth of its lifetime
ahead, at most a minute), checks it with one HTTP read of the same query, and hands it to
the WebSocket: the subscription goes on, unbroken. A provider whose new token is refused
ends the subscription with ``UnauthenticatedError``; so does a fixed ``token`` that expires.
"""

from __future__ import annotations

import asyncio
import concurrent.futures
import contextlib
import threading
import time
import weakref
from collections.abc import Mapping
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Generic, Self, TypeVar

import httpx
from pydantic import TypeAdapter

from ._auth import refresh_due_at
from ._exceptions import (
    AgentMemoryError,
    APIConnectionError,
    APIError,
    UnauthenticatedError,
    error_from_reply,
)
from ._models import read_value

if TYPE_CHECKING:
    import convex

    from ._base_client import AsyncAPIClient, SyncAPIClient

__all__ = [
    "DEFAULT_LIVENESS_INTERVAL",
    "AsyncSubscription",
    "LiveConnection",
    "Subscription",
    "asubscribe",
    "subscribe",
]

T = TypeVar("T")

#: Seconds between reachability probes while a subscription waits for a change.
DEFAULT_LIVENESS_INTERVAL: Final = 15.0
_PROBE_TIMEOUT: Final = 5.0
#: After a provider gave back the token in use, wait this long before asking it again.
_REFRESH_RETRY: Final = 1.0
_MISSING: Any = object()


def _import_convex() -> Any:
    try:
        import convex
    except ImportError as error:  # pragma: no cover - depends on the environment
        raise AgentMemoryError(
            "live queries (watch_* methods) need the official `convex` package: "
            "pip install 'convex-agent-memory[live]'"
        ) from error
    return convex


class LiveConnection:
    """One ``convex.ConvexClient`` (one WebSocket) for one SDK client.

    Created on the client's first subscription and closed with the client. The sync API
    waits for values on a private event loop thread, started on first use.
    """

    def __init__(self, url: str) -> None:
        self._convex = _import_convex()
        self.url = url
        self.client: convex.ConvexClient = self._convex.ConvexClient(url)
        self._token: str | None = None
        self._lock = threading.Lock()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._thread: threading.Thread | None = None
        self._subscriptions: weakref.WeakSet[Subscription[Any] | AsyncSubscription[Any]] = (
            weakref.WeakSet()
        )
        self.closed = False

    @property
    def token(self) -> str | None:
        """The token the WebSocket carries."""
        return self._token

    def set_auth(self, token: str | None) -> None:
        """Sends ``token`` over the WebSocket when it differs from the one in use."""
        with self._lock:
            if token != self._token:
                self.client.set_auth(token)  # type: ignore[arg-type]  # None clears it
                self._token = token

    def subscribe(self, path: str, args: Mapping[str, Any]) -> convex.QuerySubscription:
        if self.closed:
            raise AgentMemoryError("the client is closed")
        return self.client.subscribe(path, dict(args))

    def loop(self) -> asyncio.AbstractEventLoop:
        """The private event loop the sync API waits on (a daemon thread)."""
        with self._lock:
            if self._loop is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(
                    target=loop.run_forever, name="convex-agent-memory-live", daemon=True
                )
                thread.start()
                self._loop, self._thread = loop, thread
            return self._loop

    def track(self, subscription: Subscription[Any] | AsyncSubscription[Any]) -> None:
        self._subscriptions.add(subscription)

    def close(self) -> None:
        """Closes every subscription made through this connection and drops the client."""
        if self.closed:
            return
        self.closed = True
        for subscription in list(self._subscriptions):
            subscription._close_inner()
        loop, thread = self._loop, self._thread
        if loop is not None and thread is not None:
            loop.call_soon_threadsafe(loop.stop)
            thread.join(timeout=2)
            if not thread.is_alive():
                loop.close()
        # The official client closes its WebSocket when it is garbage-collected.
        del self.client


def _live_connection(client: SyncAPIClient | AsyncAPIClient) -> LiveConnection:
    connection = client._live
    if connection is None or connection.closed:
        connection = LiveConnection(client.url)
        client._live = connection
    return connection


def _exp_of(token: str | None, default: float) -> float:
    """The ``exp`` of a JWT (``default`` when it has none)."""
    from ._auth import _claims

    claims = _claims(token) if token is not None else None
    exp = claims.get("exp") if claims is not None else None
    return float(exp) if isinstance(exp, int | float) and not isinstance(exp, bool) else default


def _translate(error: BaseException, path: str) -> BaseException:
    """An error of the official client as the SDK's exception."""
    if isinstance(error, APIError | TimeoutError):
        return error
    convex = _import_convex()
    if isinstance(error, convex.ConvexError):
        return error_from_reply(str(error), error.data, path=path, kind="query", status_code=200)
    if isinstance(error, Exception):
        return error_from_reply(str(error), None, path=path, kind="query", status_code=200)
    return error


def _unreachable(url: str, path: str, cause: BaseException) -> APIConnectionError:
    return APIConnectionError(
        f"live query: the deployment at {url} stopped answering ({cause!r}); "
        "the subscription is closed",
        path=path,
        kind="query",
    )


class _SubscriptionBase(Generic[T]):
    def __init__(
        self,
        path: str,
        args: Mapping[str, Any],
        adapter: TypeAdapter[T],
        liveness_interval: float,
    ) -> None:
        self.path = path
        self.args: dict[str, Any] = dict(args)
        self._adapter = adapter
        self.liveness_interval = liveness_interval
        self._inner: convex.QuerySubscription | None = None
        self._connection: LiveConnection | None = None
        self._undelivered: Any = _MISSING  # a value received but not yet handed out
        self._latest: Any = _MISSING  # the last value handed out
        self._closed = False
        self._refresh_not_before = 0.0  # time.time() before which no refresh is tried
        self._failure: BaseException | None = None  # set by the token refresher

    @property
    def closed(self) -> bool:
        return self._closed

    def _validate(self, raw: Any) -> T:
        # A value the models cannot read is APIResponseValidationError, as for plain calls.
        return read_value(self._adapter, raw, path=self.path, kind="query")

    def _offer(self, value: T) -> bool:
        """Queues a value unless it equals the last one handed out; True when queued."""
        last = self._undelivered if self._undelivered is not _MISSING else self._latest
        if last is not _MISSING and last == value:
            return False
        self._undelivered = value
        return True

    def _deliver(self) -> T:
        value: T = self._undelivered
        self._undelivered = _MISSING
        self._latest = value
        return value

    def _refresh_due(self) -> float | None:
        """When (``time.time()``) the WebSocket's token must be replaced; None: never."""
        if self._connection is None or self._closed:
            return None
        due = refresh_due_at(self._connection.token)
        return None if due is None else max(due, self._refresh_not_before)

    def _seconds_to_refresh(self) -> float:
        due = self._refresh_due()
        return float("inf") if due is None else max(due - time.time(), 0.0)

    def _expired_without_provider(self) -> UnauthenticatedError:
        return UnauthenticatedError(
            f"live query {self.path}: the client's token expired and the client has no "
            "token_provider to get another; the subscription is closed",
            code="UNAUTHENTICATED",
            path=self.path,
            kind="query",
        )

    def close(self) -> None:  # pragma: no cover - overridden
        raise NotImplementedError

    def _close_inner(self) -> None:
        self._closed = True
        inner, self._inner = self._inner, None
        if inner is not None:
            # Not inner.unsubscribe(): after a cancelled wait it would re-subscribe first.
            inner.invalidated = True
            with contextlib.suppress(Exception):  # already dropped
                if inner.inner.exists():
                    inner.inner.unsubscribe()

    def __repr__(self) -> str:
        state = "closed" if self._closed else "open"
        return f"<{type(self).__name__} {self.path} {self.args!r} {state}>"


class Subscription(_SubscriptionBase[T]):
    """A live query of the sync :class:`~convex_agent_memory.Client`.

    Iterating yields the query's current value, then a new value each time it changes
    (consecutive equal values are yielded once). ``next(timeout=...)`` waits at most that
    long (``TimeoutError``); :meth:`current` returns the newest value without waiting.
    Close it with :meth:`close` or a ``with`` block (closing the client closes it too).

    Errors: the SDK's exceptions (``ForbiddenError`` when access is revoked, ...);
    ``APIConnectionError`` when the deployment stops answering.
    """

    def __init__(
        self,
        client: SyncAPIClient,
        path: str,
        args: Mapping[str, Any],
        adapter: TypeAdapter[T],
        *,
        liveness_interval: float = DEFAULT_LIVENESS_INTERVAL,
    ) -> None:
        super().__init__(path, args, adapter, liveness_interval)
        self._client = client
        self._future: concurrent.futures.Future[Any] | None = None
        # One HTTP read first: fails fast (unreachable, token, authorization) and is the
        # first value; the WebSocket subscription is made only after it succeeded.
        self._offer(self._validate(client._call("query", path, self.args)))
        connection = _live_connection(client)
        connection.set_auth(client._auth.get())
        self._inner = connection.subscribe(path, self.args)
        self._connection = connection
        connection.track(self)
        # Keeps the WebSocket's token fresh while the subscription lives, iterated or not.
        self._stop = threading.Event()
        self._failed: concurrent.futures.Future[None] = concurrent.futures.Future()
        self._refresher: threading.Thread | None = None
        if self._refresh_due() is not None:
            self._refresher = threading.Thread(
                target=self._refresh_loop, name="convex-agent-memory-token", daemon=True
            )
            self._refresher.start()

    def __iter__(self) -> Self:
        return self

    def __next__(self) -> T:
        if self._failure is None and self._closed and self._undelivered is _MISSING:
            raise StopIteration
        return self.next()

    def next(self, timeout: float | None = None) -> T:
        """The next value (the current one first): waits for a change, at most ``timeout``
        seconds when given (then ``TimeoutError``)."""
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._undelivered is _MISSING:
            if self._failure is not None:
                raise self._failure
            self._receive(deadline)
        return self._deliver()

    def current(self) -> T:
        """The newest value received so far, without waiting (handed out as if by ``next``)."""
        while self._poll():
            pass
        if self._undelivered is not _MISSING:
            return self._deliver()
        value: T = self._latest
        return value

    def _start(self) -> concurrent.futures.Future[Any]:
        if self._future is None:
            if self._closed or self._inner is None or self._connection is None:
                raise AgentMemoryError(f"the subscription to {self.path} is closed")
            self._future = asyncio.run_coroutine_threadsafe(
                self._inner.__anext__(), self._connection.loop()
            )
        return self._future

    def _take(self, future: concurrent.futures.Future[Any]) -> bool:
        self._future = None
        try:
            raw = future.result()
        except BaseException as error:
            self.close()
            if self._failure is not None:
                raise self._failure from None
            raise _translate(error, self.path) from error
        return self._offer(self._validate(raw))

    def _poll(self) -> bool:
        """Takes a value that already arrived; True if one was queued."""
        if self._closed or self._inner is None:
            return False
        future = self._start()
        return future.done() and self._take(future)

    def _receive(self, deadline: float | None) -> None:
        future = self._start()
        next_probe = time.monotonic() + self.liveness_interval
        while True:
            now = time.monotonic()
            wait = next_probe - now
            if deadline is not None:
                if deadline - now <= 0:
                    raise TimeoutError(f"no new value of {self.path} in time")
                wait = min(wait, deadline - now)
            done, _ = concurrent.futures.wait(
                [future, self._failed],
                timeout=max(wait, 0.0),
                return_when=concurrent.futures.FIRST_COMPLETED,
            )
            if self._failure is not None:
                raise self._failure
            if done:
                self._take(future)
                return
            if time.monotonic() >= next_probe:
                self._probe()
                next_probe = time.monotonic() + self.liveness_interval

    def _refresh_loop(self) -> None:
        """The refresher thread: replaces the token when due, until closed or refused."""
        while not self._stop.is_set():
            wait = self._seconds_to_refresh()
            if wait == float("inf"):
                return
            if self._stop.wait(timeout=wait):
                return
            try:
                self._refresh_token()
            except BaseException as error:
                # The failure first: a consumer woken by the close must find it.
                self._failure = error
                self.close()
                self._failed.set_result(None)
                return

    def _refresh_token(self) -> None:
        """Replaces the WebSocket's token when it is due (see the module's docstring)."""
        due = self._refresh_due()
        if due is None or time.time() < due or self._connection is None:
            return
        connection = self._connection
        if not self._client._auth.can_refresh:
            # A fixed token: nothing to do until it has actually expired.
            expires = _exp_of(connection.token, due)
            if time.time() < expires:
                self._refresh_not_before = expires
                return
            raise self._expired_without_provider()
        old = connection.token
        # The provider's next token (asked by the token source, which sees it due),
        # checked by one ordinary read before the WebSocket gets it.
        self._client._call("query", self.path, self.args)
        token = self._client._auth.get()
        if token == old:
            self._refresh_not_before = time.time() + _REFRESH_RETRY
            return
        connection.set_auth(token)

    def _probe(self) -> None:
        try:
            self._client._http.get(self._client.url + "/", timeout=_PROBE_TIMEOUT)
        except httpx.TransportError as error:
            self.close()
            raise _unreachable(self._client.url, self.path, error) from error

    def close(self) -> None:
        """Unsubscribes (idempotent). Iteration then stops."""
        future, self._future = self._future, None
        self._close_inner()
        self._stop.set()
        if future is not None:
            future.cancel()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


class AsyncSubscription(_SubscriptionBase[T]):
    """A live query of the :class:`~convex_agent_memory.AsyncClient`.

    Starts on ``async with``, ``await``, the first ``async for`` step or ``await next()``::

        async with client.messages.watch_messages(resource_id=me, thread_id="t1") as sub:
            async for messages in sub:
                ...

    The same values, errors and closing as :class:`Subscription`; ``await aclose()`` (or
    ``close()``) unsubscribes.
    """

    def __init__(
        self,
        client: AsyncAPIClient,
        path: str,
        args: Mapping[str, Any],
        adapter: TypeAdapter[T],
        *,
        liveness_interval: float = DEFAULT_LIVENESS_INTERVAL,
    ) -> None:
        super().__init__(path, args, adapter, liveness_interval)
        self._client = client
        self._task: asyncio.Future[Any] | None = None
        self._started = False
        self._refresher: asyncio.Task[None] | None = None
        self._failed: asyncio.Future[None] | None = None

    async def start(self) -> Self:
        """Reads the current value over HTTP (failing fast) and subscribes. Idempotent."""
        if self._started:
            return self
        if self._closed:
            raise AgentMemoryError(f"the subscription to {self.path} is closed")
        self._started = True
        self._offer(self._validate(await self._client._call("query", self.path, self.args)))
        connection = _live_connection(self._client)
        connection.set_auth(await self._client._auth.get())
        self._inner = connection.subscribe(self.path, self.args)
        self._connection = connection
        connection.track(self)
        # Keeps the WebSocket's token fresh while the subscription lives, iterated or not.
        self._failed = asyncio.get_running_loop().create_future()
        if self._refresh_due() is not None:
            self._refresher = asyncio.ensure_future(self._refresh_loop())
        return self

    def __await__(self) -> Any:
        return self.start().__await__()

    def __aiter__(self) -> Self:
        return self

    async def __anext__(self) -> T:
        if self._failure is None and self._closed and self._undelivered is _MISSING:
            raise StopAsyncIteration
        return await self.next()

    async def next(self, timeout: float | None = None) -> T:
        """The next value (the current one first); ``TimeoutError`` after ``timeout`` s."""
        await self.start()
        deadline = None if timeout is None else time.monotonic() + timeout
        while self._undelivered is _MISSING:
            if self._failure is not None:
                raise self._failure
            await self._receive(deadline)
        return self._deliver()

    async def current(self) -> T:
        """The newest value received so far, without waiting for a change."""
        await self.start()
        while self._poll():
            pass
        if self._undelivered is not _MISSING:
            return self._deliver()
        value: T = self._latest
        return value

    def _start_task(self) -> asyncio.Future[Any]:
        if self._task is None:
            if self._closed or self._inner is None:
                raise AgentMemoryError(f"the subscription to {self.path} is closed")
            self._task = asyncio.ensure_future(self._inner.__anext__())
        return self._task

    def _take(self, task: asyncio.Future[Any]) -> bool:
        self._task = None
        try:
            raw = task.result()
        except BaseException as error:
            self.close()
            if self._failure is not None:
                raise self._failure from None
            raise _translate(error, self.path) from error
        return self._offer(self._validate(raw))

    def _poll(self) -> bool:
        if self._closed or self._inner is None:
            return False
        task = self._start_task()
        return task.done() and self._take(task)

    async def _receive(self, deadline: float | None) -> None:
        task = self._start_task()
        assert self._failed is not None
        next_probe = time.monotonic() + self.liveness_interval
        while True:
            now = time.monotonic()
            wait = next_probe - now
            if deadline is not None:
                if deadline - now <= 0:
                    raise TimeoutError(f"no new value of {self.path} in time")
                wait = min(wait, deadline - now)
            done, _ = await asyncio.wait(
                [task, self._failed], timeout=max(wait, 0.0), return_when=asyncio.FIRST_COMPLETED
            )
            if self._failure is not None:
                raise self._failure
            if task in done:
                self._take(task)
                return
            if time.monotonic() >= next_probe:
                await self._probe()
                next_probe = time.monotonic() + self.liveness_interval

    async def _refresh_loop(self) -> None:
        """The refresher task: replaces the token when due, until closed or refused."""
        while not self._closed:
            wait = self._seconds_to_refresh()
            if wait == float("inf"):
                return
            await asyncio.sleep(wait)
            if self._closed:
                return
            try:
                await self._refresh_token()
            except Exception as error:
                # The failure first: a consumer woken by the close must find it.
                self._failure = error
                self.close()
                if self._failed is not None and not self._failed.done():
                    self._failed.set_result(None)
                return

    async def _refresh_token(self) -> None:
        """Replaces the WebSocket's token when it is due (see the module's docstring)."""
        due = self._refresh_due()
        if due is None or time.time() < due or self._connection is None:
            return
        connection = self._connection
        if not self._client._auth.can_refresh:
            expires = _exp_of(connection.token, due)
            if time.time() < expires:
                self._refresh_not_before = expires
                return
            raise self._expired_without_provider()
        old = connection.token
        await self._client._call("query", self.path, self.args)
        token = await self._client._auth.get()
        if token == old:
            self._refresh_not_before = time.time() + _REFRESH_RETRY
            return
        connection.set_auth(token)

    async def _probe(self) -> None:
        try:
            await self._client._http.get(self._client.url + "/", timeout=_PROBE_TIMEOUT)
        except httpx.TransportError as error:
            self.close()
            raise _unreachable(self._client.url, self.path, error) from error

    def close(self) -> None:
        """Unsubscribes (idempotent). Iteration then stops."""
        task, self._task = self._task, None
        self._close_inner()
        if task is not None:
            task.cancel()
        refresher, self._refresher = self._refresher, None
        if refresher is not None and not refresher.done():
            try:
                current = asyncio.current_task()
            except RuntimeError:  # no running loop (closed from another thread)
                current = None
            if refresher is not current:
                refresher.cancel()

    async def aclose(self) -> None:
        self.close()

    async def __aenter__(self) -> Self:
        return await self.start()

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


def subscribe(
    client: SyncAPIClient, path: str, args: Mapping[str, Any], adapter: TypeAdapter[T]
) -> Subscription[T]:
    """What the generated sync ``watch_*`` methods return."""
    return Subscription(client, path, args, adapter)


def asubscribe(
    client: AsyncAPIClient, path: str, args: Mapping[str, Any], adapter: TypeAdapter[T]
) -> AsyncSubscription[T]:
    """What the generated async ``watch_*`` methods return (started when first used)."""
    return AsyncSubscription(client, path, args, adapter)
