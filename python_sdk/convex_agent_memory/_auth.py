"""Where a client's bearer token comes from: a fixed token, or a provider asked again on refusal."""

from __future__ import annotations

import asyncio
import inspect
import threading
from collections.abc import Awaitable, Callable

__all__ = ["AsyncTokenProvider", "AsyncTokenSource", "TokenProvider", "TokenSource"]

#: Returns the token to send (a JWT), or None to call without one. Called for the first
#: call and again once whenever the deployment answers UNAUTHENTICATED, so it should
#: return a fresh token when asked (e.g. refresh one that has expired).
TokenProvider = Callable[[], str | None]
#: Same, for the async client: a plain callable or a coroutine function.
AsyncTokenProvider = Callable[[], str | None] | Callable[[], Awaitable[str | None]]


class TokenSource:
    """Caches the provider's token; re-asks it at most once per refused token."""

    def __init__(self, token: str | None, provider: TokenProvider | None) -> None:
        self._token = token
        self._provider = provider
        self._asked = provider is None
        self._lock = threading.Lock()

    @property
    def can_refresh(self) -> bool:
        return self._provider is not None

    def fixed_token(self) -> str | None:
        """The token given at construction (None when a provider supplies them)."""
        return None if self._provider is not None else self._token

    def get(self) -> str | None:
        if not self._asked:
            with self._lock:
                if not self._asked:
                    assert self._provider is not None
                    self._token = self._provider()
                    self._asked = True
        return self._token

    def refresh(self, refused: str | None) -> str | None:
        """A fresh token after ``refused`` was refused (another caller may have got it)."""
        if self._provider is None:
            return self._token
        with self._lock:
            if self._token == refused:
                self._token = self._provider()
                self._asked = True
            return self._token


class AsyncTokenSource:
    """The async twin of :class:`TokenSource`; the provider may be sync or async."""

    def __init__(self, token: str | None, provider: AsyncTokenProvider | None) -> None:
        self._token = token
        self._provider = provider
        self._asked = provider is None
        self._lock: asyncio.Lock | None = None

    @property
    def can_refresh(self) -> bool:
        return self._provider is not None

    def fixed_token(self) -> str | None:
        """The token given at construction (None when a provider supplies them)."""
        return None if self._provider is not None else self._token

    async def _ask(self) -> str | None:
        assert self._provider is not None
        result = self._provider()
        if inspect.isawaitable(result):
            return await result
        return result

    def _get_lock(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    async def get(self) -> str | None:
        if not self._asked:
            async with self._get_lock():
                if not self._asked:
                    self._token = await self._ask()
                    self._asked = True
        return self._token

    async def refresh(self, refused: str | None) -> str | None:
        if self._provider is None:
            return self._token
        async with self._get_lock():
            if self._token == refused:
                self._token = await self._ask()
                self._asked = True
            return self._token
