"""One Convex function as the generated methods call it.

A generated method is its signature plus one line: ``return _NOTES__LIST.call(self._client,
{...})``. Everything else (checking the arguments, the call, reading the result, pages,
live subscriptions) is here, written once.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cached_property
from typing import TYPE_CHECKING, Any, Generic, TypeVar

from pydantic import TypeAdapter

from ._encoding import ints_as_float64
from ._exceptions import InvalidArgumentError
from ._models import ConvexModel, encode_args, read_value
from ._pagination import AsyncPaginator, PageResult, SyncPaginator
from ._types import FunctionKind, Omit

if TYPE_CHECKING:
    from ._base_client import AsyncAPIClient, SyncAPIClient
    from ._live import AsyncSubscription, Subscription

__all__ = ["FunctionRef"]

R = TypeVar("R")


class FunctionRef(Generic[R]):
    """A deployment function: its kind, its path (``module:name``), its arguments model (None
    when it declares no argument validator) and its result type ``R``."""

    def __init__(
        self,
        kind: FunctionKind,
        path: str,
        args_model: type[ConvexModel] | None,
        result_type: Any,
        *,
        idempotent: bool = False,
    ) -> None:
        self.kind: FunctionKind = kind
        self.path = path
        self.args_model = args_model
        self.result_type = result_type
        self.idempotent = idempotent

    def __repr__(self) -> str:
        return f"FunctionRef({self.kind} {self.path})"

    @cached_property
    def result(self) -> TypeAdapter[R]:
        """Built on first use, so that importing the SDK stays cheap."""
        return TypeAdapter(self.result_type)

    def encode(self, values: Mapping[str, Any] | Omit) -> dict[str, Any]:
        """The arguments as sent (InvalidArgumentError when they cannot be)."""
        if self.args_model is not None:
            assert not isinstance(values, Omit)
            return encode_args(self.args_model, values, path=self.path, kind=self.kind)
        if isinstance(values, Omit):
            return {}
        try:  # no validator: any Convex value; ints as the numbers JavaScript sees
            encoded: dict[str, Any] = ints_as_float64(dict(values))
        except (ValueError, TypeError, RecursionError) as error:
            raise InvalidArgumentError(
                f"arguments cannot be sent: {error}",
                code="INVALID_ARGUMENT",
                path=self.path,
                kind=self.kind,
            ) from error
        return encoded

    def read(self, value: Any) -> R:
        """A value the function returned, as ``R`` (APIResponseValidationError otherwise)."""
        return read_value(self.result, value, path=self.path, kind=self.kind)

    def call(self, client: SyncAPIClient, values: Mapping[str, Any] | Omit) -> R:
        raw = client._call(self.kind, self.path, self.encode(values), idempotent=self.idempotent)
        return self.read(raw)

    async def acall(self, client: AsyncAPIClient, values: Mapping[str, Any] | Omit) -> R:
        raw = await client._call(
            self.kind, self.path, self.encode(values), idempotent=self.idempotent
        )
        return self.read(raw)

    # --- paginated queries ({page, isDone, continueCursor}) ---------------------------------

    def _with_page(self, values: Mapping[str, Any], size: int, cursor: str | None) -> Any:
        return {**values, "paginationOpts": {"numItems": size, "cursor": cursor}}

    def paginate(
        self,
        client: SyncAPIClient,
        values: Mapping[str, Any],
        *,
        page_size: int,
        cursor: str | None,
    ) -> SyncPaginator[Any]:
        def fetch_page(next_cursor: str | None) -> PageResult[Any]:
            page: Any = self.call(client, self._with_page(values, page_size, next_cursor))
            return PageResult(page.page, page.is_done, page.continue_cursor)

        return SyncPaginator(fetch_page, cursor=cursor)

    def apaginate(
        self,
        client: AsyncAPIClient,
        values: Mapping[str, Any],
        *,
        page_size: int,
        cursor: str | None,
    ) -> AsyncPaginator[Any]:
        async def fetch_page(next_cursor: str | None) -> PageResult[Any]:
            page: Any = await self.acall(client, self._with_page(values, page_size, next_cursor))
            return PageResult(page.page, page.is_done, page.continue_cursor)

        return AsyncPaginator(fetch_page, cursor=cursor)

    # --- live queries -----------------------------------------------------------------------

    def subscribe(self, client: SyncAPIClient, values: Mapping[str, Any]) -> Subscription[R]:
        from ._live import subscribe

        return subscribe(client, self.path, self.encode(values), self.result)

    def asubscribe(self, client: AsyncAPIClient, values: Mapping[str, Any]) -> AsyncSubscription[R]:
        from ._live import asubscribe

        return asubscribe(client, self.path, self.encode(values), self.result)
