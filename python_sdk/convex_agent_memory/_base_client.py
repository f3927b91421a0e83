"""The transport every client is built on.

The generated resource classes only ever call :meth:`SyncAPIClient._call` /
:meth:`AsyncAPIClient._call`; everything about HTTP, auth, retries, encoding and
errors lives behind them.

Contract of ``_call(kind, path, args, *, idempotent=False)``:

- ``kind``: ``"query" | "mutation" | "action"``; ``path``: the host app's function,
  ``"module:function"`` (e.g. ``"memory:getThread"``).
- ``args``: plain Python values keyed by Convex field name (camelCase), optional
  arguments that were not given already left out: dict, list, str, float (float64),
  int (int64, sent as ``{"$integer": ...}``), bool, None, bytes.
- returns the function's value decoded to plain Python (JSON numbers as float,
  ``$integer`` as int, ``$bytes`` as bytes, ``$float`` as float) for the generated code
  to validate into pydantic models.
- raises the exceptions of ``convex_agent_memory._exceptions`` by error code.
- ``idempotent=True`` marks a mutation that may be retried safely (an upsert by id);
  queries are always retryable; actions never by default.

How a call runs is decided once, in :meth:`_BaseClient._plan`, a generator that yields
what to do next (get a token, send, sleep) and is driven by the sync or the async
client's own I/O. So both clients share one request builder, one error mapping and one
retry policy, and differ only in how they wait.
"""

from __future__ import annotations

import asyncio
import logging
import os
import random
import time
from collections.abc import Callable, Generator, Mapping
from dataclasses import dataclass
from types import TracebackType
from typing import TYPE_CHECKING, Any, Final, Generic, Self, TypeAlias, TypeVar

import httpx

from . import _constants
from ._auth import AsyncTokenProvider, AsyncTokenSource, TokenProvider, TokenSource
from ._encoding import dumps, loads
from ._exceptions import (
    AgentMemoryError,
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    ForbiddenError,
    InvalidArgumentError,
    UnauthenticatedError,
    error_from_reply,
)
from ._retry import retry_delay, transient_error, transient_status
from ._types import FunctionKind, Omit, omit

if TYPE_CHECKING:
    from ._live import LiveConnection

__all__ = ["AsyncAPIClient", "SyncAPIClient"]

log = logging.getLogger("convex_agent_memory")

_KINDS: Final = frozenset({"query", "mutation", "action"})


# --- the steps of one call ------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _GetToken:
    """Yield the token to send; with ``refused`` set, a fresh one to replace it."""

    refused: str | None = None
    refresh: bool = False


@dataclass(frozen=True, slots=True)
class _Send:
    """Send the request with this token; yields back an httpx.Response or TransportError."""

    token: str | None


@dataclass(frozen=True, slots=True)
class _Sleep:
    seconds: float


_Step: TypeAlias = _GetToken | _Send | _Sleep
_Outcome: TypeAlias = httpx.Response | httpx.TransportError | str | None
_Plan: TypeAlias = Generator[_Step, _Outcome, Any]

HttpxClientT = TypeVar("HttpxClientT", httpx.Client, httpx.AsyncClient)


class _BaseClient(Generic[HttpxClientT]):
    """Configuration, request building, reply decoding, error mapping and retry policy."""

    _http: HttpxClientT
    _owns_http: bool
    #: The WebSocket client of live queries (``_live.py``), made on the first subscription.
    _live: LiveConnection | None = None

    def _configure(
        self,
        *,
        url: str | None,
        timeout: float | httpx.Timeout | Omit | None,
        max_retries: int,
        headers: Mapping[str, str] | None,
        http_client: HttpxClientT | None,
    ) -> None:
        url = url or os.environ.get(_constants.ENV_URL)
        if not url:
            raise AgentMemoryError(
                f"no deployment URL: pass url=... or set the {_constants.ENV_URL} "
                "environment variable (e.g. https://happy-animal-123.convex.cloud)"
            )
        if not url.startswith(("http://", "https://")):
            raise AgentMemoryError(
                f"the deployment URL must start with http:// or https://: {url!r}"
            )
        if max_retries < 0:
            raise ValueError("max_retries must be >= 0")
        self._url = url.rstrip("/")
        # Parsed once: httpx parses a URL string on every request otherwise.
        self._endpoints = {kind: httpx.URL(f"{self._url}/api/{kind}") for kind in _KINDS}
        if isinstance(timeout, Omit):
            timeout = http_client.timeout if http_client is not None else _constants.DEFAULT_TIMEOUT
        self._timeout: httpx.Timeout = (
            timeout if isinstance(timeout, httpx.Timeout) else httpx.Timeout(timeout)
        )
        self._extensions = {"timeout": self._timeout.as_dict()}
        self._max_retries = max_retries
        self._custom_headers: dict[str, str] = dict(headers or {})
        self._headers = {
            "Content-Type": "application/json",
            "Accept": "application/json",
            "User-Agent": f"convex-agent-memory-python/{_constants.VERSION}",
            **self._custom_headers,
        }
        self._rng: Callable[[], float] = random.random
        self._request_headers: tuple[str | None, httpx.Headers] | None = None

    # --- public read-only configuration ---------------------------------------------

    @property
    def url(self) -> str:
        """The deployment URL calls go to."""
        return self._url

    @property
    def timeout(self) -> httpx.Timeout:
        return self._timeout

    @property
    def max_retries(self) -> int:
        return self._max_retries

    @property
    def http_client(self) -> HttpxClientT:
        """The underlying httpx client (its connection pool)."""
        return self._http

    # --- one call, as a plan of steps ------------------------------------------------

    def _headers_for(self, token: str | None) -> httpx.Headers:
        """The request's headers: the http client's own, then ours; kept for the last token.

        (Performance: building the request here, with headers merged once and a parsed URL,
        costs about 60 % of ``httpx.AsyncClient.post``'s per-call work; ``send`` still runs
        the client's auth, event hooks and transport mounts.)"""
        cached = self._request_headers
        if cached is not None and cached[0] == token:
            return cached[1]
        headers = httpx.Headers(self._http.headers)
        headers.update(self._headers)
        if token is not None:
            headers["Authorization"] = f"Bearer {token}"
        self._request_headers = (token, headers)
        return headers

    def _request(self, kind: FunctionKind, body: bytes, token: str | None) -> httpx.Request:
        return httpx.Request(
            "POST",
            self._endpoints[kind],
            headers=self._headers_for(token),
            content=body,
            extensions=self._extensions,
        )

    def _encode_request(self, kind: FunctionKind, path: str, args: Mapping[str, Any]) -> bytes:
        if kind not in _KINDS:
            raise ValueError(f"kind must be query, mutation or action, not {kind!r}")
        try:
            return dumps({"path": path, "args": dict(args), "format": "convex_encoded_json"})
        except (ValueError, TypeError, RecursionError) as error:
            raise InvalidArgumentError(
                f"arguments cannot be sent: {error}",
                code="INVALID_ARGUMENT",
                path=path,
                kind=kind,
            ) from error

    def _plan(self, kind: FunctionKind, path: str, idempotent: bool) -> _Plan:
        """Runs one call: yields steps, receives their outcomes, returns the decoded value."""
        token = yield _GetToken()
        assert token is None or isinstance(token, str)
        retries_done = 0
        refreshed = False
        while True:
            outcome = yield _Send(token)
            if isinstance(outcome, httpx.TransportError):
                if retries_done < self._max_retries and transient_error(outcome, kind, idempotent):
                    yield _Sleep(self._delay(retries_done, None, path, repr(outcome)))
                    retries_done += 1
                    continue
                raise self._connection_error(outcome, kind, path) from outcome
            assert isinstance(outcome, httpx.Response)
            response = outcome
            if retries_done < self._max_retries and transient_status(
                response.status_code, kind, idempotent
            ):
                reason = f"HTTP {response.status_code}"
                yield _Sleep(self._delay(retries_done, response, path, reason))
                retries_done += 1
                continue
            try:
                return self._read_reply(response, kind, path)
            except UnauthenticatedError:
                if refreshed or not self._can_refresh():
                    raise
                refreshed = True
                fresh = yield _GetToken(refused=token, refresh=True)
                assert fresh is None or isinstance(fresh, str)
                if fresh == token:
                    raise
                log.debug("%s %s: token refused, retrying once with a fresh one", kind, path)
                token = fresh

    def _can_refresh(self) -> bool:
        raise NotImplementedError

    def _delay(
        self, retries_done: int, response: httpx.Response | None, path: str, reason: str
    ) -> float:
        retry_after = response.headers.get("retry-after") if response is not None else None
        seconds = retry_delay(retries_done, retry_after=retry_after, rng=self._rng)
        log.info("%s failed (%s); retry %d in %.2fs", path, reason, retries_done + 1, seconds)
        return seconds

    @staticmethod
    def _connection_error(
        error: httpx.TransportError, kind: FunctionKind, path: str
    ) -> APIConnectionError:
        if isinstance(error, httpx.TimeoutException):
            return APITimeoutError(f"no reply in time: {error!r}", path=path, kind=kind)
        return APIConnectionError(f"connection failed: {error!r}", path=path, kind=kind)

    @staticmethod
    def _unreadable(error: httpx.HTTPError, kind: FunctionKind, path: str) -> APIError:
        """httpx's other errors, as the SDK's own classes (nothing else escapes a call)."""
        if isinstance(error, httpx.DecodingError):
            return APIResponseValidationError(
                f"the reply could not be decoded: {error}", path=path, kind=kind
            )
        return APIConnectionError(f"the request failed: {error!r}", path=path, kind=kind)

    @staticmethod
    def _read_reply(response: httpx.Response, kind: FunctionKind, path: str) -> Any:
        status = response.status_code
        if status in (200, _constants.STATUS_CODE_UDF_FAILED):
            try:
                reply = loads(response.content)
            except (ValueError, RecursionError) as error:  # incl. JSON nested too deep
                raise APIResponseValidationError(
                    f"the reply is not valid convex_encoded_json: {error}",
                    path=path,
                    kind=kind,
                    status_code=status,
                ) from error
            if isinstance(reply, dict):
                if reply.get("status") == "success" and "value" in reply:
                    return reply["value"]
                if reply.get("status") == "error":
                    message = reply.get("errorMessage")
                    raise error_from_reply(
                        message if isinstance(message, str) else "",
                        reply.get("errorData"),
                        path=path,
                        kind=kind,
                        status_code=status,
                    )
            raise APIResponseValidationError(
                f"unexpected reply shape: {response.text[:200]!r}",
                path=path,
                kind=kind,
                status_code=status,
            )
        body: Any
        try:
            body = response.json()
        except ValueError:
            body = response.text
        detail = body.get("message") if isinstance(body, dict) else None
        message = detail if isinstance(detail, str) else f"HTTP {status}: {str(body)[:500]}"
        if status in (401, 403):
            cls = UnauthenticatedError if status == 401 else ForbiddenError
            raise cls(
                message,
                code="UNAUTHENTICATED" if status == 401 else "FORBIDDEN",
                data=body,
                path=path,
                kind=kind,
                status_code=status,
            )
        raise APIStatusError(message, response=response, body=body, path=path, kind=kind)


# --- sync ---------------------------------------------------------------------------


class SyncAPIClient(_BaseClient[httpx.Client]):
    """Base of the sync client: one HTTP connection pool to one deployment.

    Args (keyword-only):
        url: the deployment URL (``https://<name>.convex.cloud``); default ``$CONVEX_URL``.
        token: a bearer token (JWT) sent with every call; None calls unauthenticated.
        token_provider: instead of ``token``, a callable returning one; asked before the
            first call and once more whenever the deployment answers UNAUTHENTICATED.
        timeout: seconds or an ``httpx.Timeout`` (default 120 s, 10 s to connect).
        max_retries: retries of a failed call where repeating is safe (default 2).
        http_client: your own ``httpx.Client`` (proxies, limits, transports); it is not
            closed by :meth:`close`.
        headers: extra headers sent with every call.
    """

    def __init__(
        self,
        *,
        url: str | None = None,
        token: str | None = None,
        token_provider: TokenProvider | None = None,
        timeout: float | httpx.Timeout | Omit | None = omit,
        max_retries: int = _constants.DEFAULT_MAX_RETRIES,
        http_client: httpx.Client | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if token is not None and token_provider is not None:
            raise ValueError("pass token or token_provider, not both")
        self._configure(
            url=url, timeout=timeout, max_retries=max_retries, headers=headers,
            http_client=http_client,
        )  # fmt: skip
        self._token_provider = token_provider
        self._auth = TokenSource(token, token_provider)
        self._owns_http = http_client is None
        self._http = http_client if http_client is not None else httpx.Client(timeout=self._timeout)
        self._sleep: Callable[[float], None] = time.sleep

    def _can_refresh(self) -> bool:
        return self._auth.can_refresh

    def _call(
        self, kind: FunctionKind, path: str, args: Mapping[str, Any], *, idempotent: bool = False
    ) -> Any:
        return self._call_encoded(
            kind, path, self._encode_request(kind, path, args), idempotent=idempotent
        )

    def _call_encoded(
        self, kind: FunctionKind, path: str, body: bytes, *, idempotent: bool = False
    ) -> Any:
        """``_call`` with the request body already encoded (the bulk helpers build it)."""
        plan = self._plan(kind, path, idempotent)
        outcome: _Outcome = None
        try:
            while True:
                step = plan.send(outcome)
                if isinstance(step, _Send):
                    try:
                        outcome = self._http.send(self._request(kind, body, step.token))
                    except httpx.TransportError as error:
                        outcome = error
                    except httpx.HTTPError as error:  # a reply httpx could not read, redirects
                        raise self._unreadable(error, kind, path) from error
                elif isinstance(step, _Sleep):
                    self._sleep(step.seconds)
                    outcome = None
                elif step.refresh:
                    outcome = self._auth.refresh(step.refused)
                else:
                    outcome = self._auth.get()
        except StopIteration as done:
            return done.value
        finally:
            plan.close()

    def with_options(
        self,
        *,
        token: str | Omit | None = omit,
        token_provider: TokenProvider | Omit | None = omit,
        timeout: float | httpx.Timeout | Omit | None = omit,
        max_retries: int | Omit = omit,
        headers: Mapping[str, str] | Omit = omit,
    ) -> Self:
        """A copy with some options changed, sharing this client's connection pool.

        Closing the copy leaves the pool open; close the original when done.
        ``headers`` are added to this client's extra headers.
        """
        if not isinstance(token, Omit) or not isinstance(token_provider, Omit):
            new_token = None if isinstance(token, Omit) else token
            new_provider = None if isinstance(token_provider, Omit) else token_provider
        else:
            new_token, new_provider = self._auth.fixed_token(), self._token_provider
        return type(self)(
            url=self._url,
            token=new_token,
            token_provider=new_provider,
            timeout=self._timeout if isinstance(timeout, Omit) else timeout,
            max_retries=self._max_retries if isinstance(max_retries, Omit) else max_retries,
            http_client=self._http,
            headers={**self._custom_headers, **({} if isinstance(headers, Omit) else headers)},
        )

    def close(self) -> None:
        """Closes the live subscriptions and the connection pool (unless it was handed in
        or belongs to another client)."""
        if self._live is not None:
            self._live.close()
        if self._owns_http:
            self._http.close()

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        self.close()


# --- async --------------------------------------------------------------------------


class AsyncAPIClient(_BaseClient[httpx.AsyncClient]):
    """Base of the async client; the same options as :class:`SyncAPIClient`.

    ``token_provider`` may be a plain callable or a coroutine function; ``http_client``
    an ``httpx.AsyncClient``.
    """

    def __init__(
        self,
        *,
        url: str | None = None,
        token: str | None = None,
        token_provider: AsyncTokenProvider | None = None,
        timeout: float | httpx.Timeout | Omit | None = omit,
        max_retries: int = _constants.DEFAULT_MAX_RETRIES,
        http_client: httpx.AsyncClient | None = None,
        headers: Mapping[str, str] | None = None,
    ) -> None:
        if token is not None and token_provider is not None:
            raise ValueError("pass token or token_provider, not both")
        self._configure(
            url=url, timeout=timeout, max_retries=max_retries, headers=headers,
            http_client=http_client,
        )  # fmt: skip
        self._token_provider = token_provider
        self._auth = AsyncTokenSource(token, token_provider)
        # A DefaultAioHttpClient (the [aiohttp] extra) is made for the SDK: closed with it.
        self._owns_http = http_client is None or getattr(http_client, "_closed_by_sdk", False)
        self._http = (
            http_client if http_client is not None else httpx.AsyncClient(timeout=self._timeout)
        )
        self._sleep: Callable[[float], Any] = _asyncio_sleep

    def _can_refresh(self) -> bool:
        return self._auth.can_refresh

    async def _call(
        self, kind: FunctionKind, path: str, args: Mapping[str, Any], *, idempotent: bool = False
    ) -> Any:
        return await self._call_encoded(
            kind, path, self._encode_request(kind, path, args), idempotent=idempotent
        )

    async def _call_encoded(
        self, kind: FunctionKind, path: str, body: bytes, *, idempotent: bool = False
    ) -> Any:
        """``_call`` with the request body already encoded (the bulk helpers build it)."""
        plan = self._plan(kind, path, idempotent)
        outcome: _Outcome = None
        try:
            while True:
                step = plan.send(outcome)
                if isinstance(step, _Send):
                    try:
                        outcome = await self._http.send(self._request(kind, body, step.token))
                    except httpx.TransportError as error:
                        outcome = error
                    except httpx.HTTPError as error:  # a reply httpx could not read, redirects
                        raise self._unreadable(error, kind, path) from error
                elif isinstance(step, _Sleep):
                    await self._sleep(step.seconds)
                    outcome = None
                elif step.refresh:
                    outcome = await self._auth.refresh(step.refused)
                else:
                    outcome = await self._auth.get()
        except StopIteration as done:
            return done.value
        finally:
            plan.close()

    def with_options(
        self,
        *,
        token: str | Omit | None = omit,
        token_provider: AsyncTokenProvider | Omit | None = omit,
        timeout: float | httpx.Timeout | Omit | None = omit,
        max_retries: int | Omit = omit,
        headers: Mapping[str, str] | Omit = omit,
    ) -> Self:
        """A copy with some options changed, sharing this client's connection pool."""
        if not isinstance(token, Omit) or not isinstance(token_provider, Omit):
            new_token = None if isinstance(token, Omit) else token
            new_provider = None if isinstance(token_provider, Omit) else token_provider
        else:
            new_token, new_provider = self._auth.fixed_token(), self._token_provider
        copy = type(self)(
            url=self._url,
            token=new_token,
            token_provider=new_provider,
            timeout=self._timeout if isinstance(timeout, Omit) else timeout,
            max_retries=self._max_retries if isinstance(max_retries, Omit) else max_retries,
            http_client=self._http,
            headers={**self._custom_headers, **({} if isinstance(headers, Omit) else headers)},
        )
        copy._owns_http = False  # the pool stays this client's
        return copy

    async def aclose(self) -> None:
        """Closes the live subscriptions and the connection pool (unless it was handed in
        or belongs to another client)."""
        if self._live is not None:
            self._live.close()
        if self._owns_http:
            await self._http.aclose()

    close = aclose

    @property
    def is_closed(self) -> bool:
        return self._http.is_closed

    async def __aenter__(self) -> Self:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()


async def _asyncio_sleep(seconds: float) -> None:
    await asyncio.sleep(seconds)
