"""Bulk writes as methods of their resources: ``client.vectors.upsert_many(...)``,
``client.messages.save_many(...)``.

These classes are mixed into the generated ``Vectors``/``Messages`` resources by the codegen's
extension hook (``[codegen.extensions]`` in codegen/agent_memory.toml): the generated class
supplies ``_client`` and ``_functions`` (the Convex functions named in the config, as
:class:`FunctionRef`), and its type arguments are those functions' result types. The work
itself is :mod:`._bulk`'s (batches under Convex's limits, retries of upserts by id).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar

from pydantic import BaseModel

from ._bulk import (
    MAX_BATCH_BYTES,
    MAX_BATCH_ITEMS,
    asave_in_batches,
    aupsert_vectors_in_batches,
    save_in_batches,
    upsert_vectors_in_batches,
)

if TYPE_CHECKING:
    from ._base_client import AsyncAPIClient, SyncAPIClient
    from ._functions import FunctionRef

__all__ = ["AsyncMessagesBulk", "AsyncVectorsBulk", "MessagesBulk", "VectorsBulk"]

ResultT = TypeVar("ResultT")


class _Mapped:
    """``items`` mapped lazily, keeping their length when they have one (progress totals)."""

    def __init__(self, items: Iterable[Any], fn: Callable[[Any], Any]) -> None:
        self._items = items
        self._fn = fn

    def __iter__(self) -> Iterator[Any]:
        return map(self._fn, self._items)

    def __len__(self) -> int:
        return len(self._items)  # type: ignore[arg-type]  # TypeError: no total known


def _as_mapping(item: Any) -> Any:
    """A model becomes the mapping the wire takes (camelCase, unset fields left out)."""
    return (
        item.model_dump(by_alias=True, exclude_unset=True) if isinstance(item, BaseModel) else item
    )


def _as_mappings(items: Iterable[Any]) -> _Mapped:
    return _Mapped(items, _as_mapping)


def _other_arguments(
    ref: FunctionRef[Any], batch: str, arguments: Mapping[str, Any]
) -> dict[str, Any]:
    """The function's arguments besides the batch, by Python or Convex name, checked and
    encoded as its generated method would (whatever the function takes besides the batch:
    ``resource_id``, ``index_name``, ...)."""
    encoded = ref.encode({**arguments, batch: []})
    encoded.pop(batch)
    return encoded


def _checked_messages(
    ref: FunctionRef[Any], messages: Iterable[Any], arguments: Mapping[str, Any]
) -> _Mapped:
    """Each message checked and encoded as the single-call method would (unknown keys,
    snake_case keys, types), before its batch is sent."""
    return _Mapped(
        messages,
        lambda message: ref.encode({**arguments, "messages": [message]})["messages"][0],
    )


class VectorsBulk(Generic[ResultT]):
    """``upsert_many``: many vectors, as few calls as Convex's limits allow."""

    _client: SyncAPIClient
    _functions: ClassVar[Mapping[str, FunctionRef[Any]]]

    def upsert_many(
        self,
        *,
        index_name: str,
        items: Iterable[Mapping[str, Any] | BaseModel],
        progress: bool = False,
        max_items: int = MAX_BATCH_ITEMS,
        max_bytes: int = MAX_BATCH_BYTES,
        **arguments: Any,
    ) -> list[ResultT]:
        """Upserts ``{id?, vector, metadata?}`` items into ``index_name``, in order, in calls of
        at most ``max_items`` items and ``max_bytes`` bytes.

        Args:
            index_name (str): The vector index.
            items (Iterable[Mapping[str, Any] | BaseModel]): The vectors: mappings (a
                ``vector`` may be a numpy array of any dtype) or ``UpsertVector`` models; a
                generator is fine. An item without an id gets a random one before it is
                sent, so every call is an upsert by id and is retried when it failed in
                transit.
            progress (bool): Show a tqdm bar (the ``progress`` extra).
            max_items (int): Items per call at most.
            max_bytes (int): Request body bytes per call at most.
            arguments (Any): Any other argument ``upsert`` takes, by its Python name, sent
                with every call (checked before the first).

        Returns:
            list[ResultT]: What each call returned (the ids it wrote), in order.
        """
        ref = self._functions["upsert"]
        extra = _other_arguments(ref, "vectors", {**arguments, "indexName": index_name})
        results = upsert_vectors_in_batches(
            self._client, items=_as_mappings(items), path=ref.path, extra_args=extra,
            progress=progress, max_items=max_items, max_bytes=max_bytes,
        )  # fmt: skip
        return [ref.read(result) for result in results]


class AsyncVectorsBulk(Generic[ResultT]):
    """The async twin of :class:`VectorsBulk` (several calls in flight)."""

    _client: AsyncAPIClient
    _functions: ClassVar[Mapping[str, FunctionRef[Any]]]

    async def upsert_many(
        self,
        *,
        index_name: str,
        items: Iterable[Mapping[str, Any] | BaseModel],
        progress: bool = False,
        max_items: int = MAX_BATCH_ITEMS,
        max_bytes: int = MAX_BATCH_BYTES,
        concurrency: int = 4,
        **arguments: Any,
    ) -> list[ResultT]:
        """The async twin of ``Vectors.upsert_many``; ``concurrency`` calls in flight.

        Args:
            index_name (str): The vector index.
            items (Iterable[Mapping[str, Any] | BaseModel]): The vectors (see the sync method).
            progress (bool): Show a tqdm bar (the ``progress`` extra).
            max_items (int): Items per call at most.
            max_bytes (int): Request body bytes per call at most.
            concurrency (int): Calls in flight at once.
            arguments (Any): Any other argument ``upsert`` takes (see the sync method).

        Returns:
            list[ResultT]: What each call returned, in batch order.
        """
        ref = self._functions["upsert"]
        extra = _other_arguments(ref, "vectors", {**arguments, "indexName": index_name})
        results = await aupsert_vectors_in_batches(
            self._client, items=_as_mappings(items), path=ref.path, extra_args=extra,
            progress=progress, max_items=max_items, max_bytes=max_bytes, concurrency=concurrency,
        )  # fmt: skip
        return [ref.read(result) for result in results]


class MessagesBulk(Generic[ResultT]):
    """``save_many``: many messages, in order, as few calls as Convex's limits allow."""

    _client: SyncAPIClient
    _functions: ClassVar[Mapping[str, FunctionRef[Any]]]

    def save_many(
        self,
        *,
        messages: Iterable[Mapping[str, Any] | BaseModel],
        progress: bool = False,
        max_items: int = MAX_BATCH_ITEMS,
        max_bytes: int = MAX_BATCH_BYTES,
        **arguments: Any,
    ) -> list[ResultT]:
        """Saves many messages in order, batch by batch (``saveMessages`` upserts by the
        messages' own ids, so a batch that failed in transit is retried).

        Args:
            messages (Iterable[Mapping[str, Any] | BaseModel]): What ``save_messages`` takes
                one list of: ``SaveMessagesMessage`` models or mappings (camelCase or
                snake_case keys), each checked before its batch is sent.
            progress (bool): Show a tqdm bar (the ``progress`` extra).
            max_items (int): Messages per call at most.
            max_bytes (int): Request body bytes per call at most.
            arguments (Any): Any other argument ``saveMessages`` takes, by its Python name
                (e.g. the owner's ``resource_id``), sent with every call.

        Returns:
            list[ResultT]: What each call returned (the messages it saved), in order.
        """
        ref = self._functions["saveMessages"]
        extra = _other_arguments(ref, "messages", arguments)
        results = save_in_batches(
            self._client, path=ref.path, items=_checked_messages(ref, messages, arguments),
            arg_name="messages", extra_args=extra, idempotent=ref.idempotent,
            progress=progress, max_items=max_items, max_bytes=max_bytes,
        )  # fmt: skip
        return [ref.read(result) for result in results]


class AsyncMessagesBulk(Generic[ResultT]):
    """The async twin of :class:`MessagesBulk` (one call at a time: order matters)."""

    _client: AsyncAPIClient
    _functions: ClassVar[Mapping[str, FunctionRef[Any]]]

    async def save_many(
        self,
        *,
        messages: Iterable[Mapping[str, Any] | BaseModel],
        progress: bool = False,
        max_items: int = MAX_BATCH_ITEMS,
        max_bytes: int = MAX_BATCH_BYTES,
        **arguments: Any,
    ) -> list[ResultT]:
        """The async twin of ``Messages.save_many``.

        Args:
            messages (Iterable[Mapping[str, Any] | BaseModel]): The messages (see the sync
                method).
            progress (bool): Show a tqdm bar (the ``progress`` extra).
            max_items (int): Messages per call at most.
            max_bytes (int): Request body bytes per call at most.
            arguments (Any): Any other argument ``saveMessages`` takes (see the sync method).

        Returns:
            list[ResultT]: What each call returned, in order.
        """
        ref = self._functions["saveMessages"]
        extra = _other_arguments(ref, "messages", arguments)
        results = await asave_in_batches(
            self._client, path=ref.path, items=_checked_messages(ref, messages, arguments),
            arg_name="messages", extra_args=extra, idempotent=ref.idempotent,
            progress=progress, max_items=max_items, max_bytes=max_bytes,
        )  # fmt: skip
        return [ref.read(result) for result in results]
