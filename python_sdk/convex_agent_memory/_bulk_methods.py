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
from typing import TYPE_CHECKING, Any, ClassVar, Generic, TypeVar, get_args

from pydantic import BaseModel

from ._bulk import (
    MAX_BATCH_BYTES,
    MAX_BATCH_ITEMS,
    MAX_EMBEDDING_BYTES_PER_CALL,
    MAX_UPSERT_STORED_BYTES,
    VectorFormat,
    asave_in_batches,
    aupsert_vectors_in_batches,
    embedding_update_weight,
    message_embedding_weight,
    prepare_message,
    save_in_batches,
    upsert_vectors_in_batches,
)
from ._exceptions import InvalidArgumentError

if TYPE_CHECKING:
    from ._base_client import AsyncAPIClient, SyncAPIClient
    from ._functions import FunctionRef

__all__ = [
    "AsyncEmbeddingsBulk",
    "AsyncMessagesBulk",
    "AsyncVectorsBulk",
    "EmbeddingsBulk",
    "MessagesBulk",
    "VectorsBulk",
]

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


def refusal(ref: FunctionRef[Any], message: str) -> InvalidArgumentError:
    """The SDK's own INVALID_ARGUMENT for a call of ``ref``, raised before anything is sent."""
    return InvalidArgumentError(
        message,
        code="INVALID_ARGUMENT",
        data={"code": "INVALID_ARGUMENT", "message": message},
        path=ref.path,
        kind=ref.kind,
    )


def _checked_iterable(ref: FunctionRef[Any], name: str, items: Any) -> Iterable[Any]:
    """``items`` if it is a collection or an iterator of items (not text, bytes or a mapping,
    which iterate as characters, numbers or keys)."""
    if isinstance(items, str | bytes | bytearray | memoryview | Mapping) or not isinstance(
        items, Iterable
    ):
        raise refusal(ref, f"{name} must be an iterable of items, not {type(items).__name__}")
    return items


def _item_model(ref: FunctionRef[Any], batch: str) -> type[BaseModel] | None:
    """The model of one item of the batch argument (``UpsertVector``), when there is one."""
    if ref.args_model is None or batch not in ref.args_model.model_fields:
        return None
    for arg in get_args(ref.args_model.model_fields[batch].annotation):
        if isinstance(arg, type) and issubclass(arg, BaseModel):
            return arg
    return None


def _vector_items(ref: FunctionRef[Any], items: Any) -> _Mapped:
    """The vectors as the mappings the bulk encoder takes: a model dumped (camelCase, unset
    fields left out); a mapping checked for keys the function does not take, which are refused
    before its call is sent, as by the single-call method. Values are checked as they are
    encoded."""
    model = _item_model(ref, "vectors")
    wire = {name: info.alias or name for name, info in model.model_fields.items()} if model else {}
    known = frozenset(wire) | frozenset(wire.values())
    renamed = {name: alias for name, alias in wire.items() if name != alias}
    index = -1

    def prepare(item: Any) -> Any:
        nonlocal index
        index += 1
        if type(item) is not dict:
            if isinstance(item, BaseModel):
                return item.model_dump(by_alias=True, exclude_unset=True)
            if not isinstance(item, Mapping):
                raise refusal(ref, f"item {index}: a vector item is a mapping or a model, not "
                                   f"{type(item).__name__}")  # fmt: skip
        if known and not known.issuperset(item):
            unknown = sorted(str(k) for k in item if k not in known)
            takes = ", ".join(sorted(wire.values()))
            raise refusal(
                ref, f"item {index}: unknown field {unknown[0]!r} (an item takes {takes})"
            )
        if renamed and not renamed.keys().isdisjoint(item):  # snake_case keys: Convex names
            return {renamed.get(key, key): value for key, value in item.items()}
        return item

    return _Mapped(_checked_iterable(ref, "items", items), prepare)


def _other_arguments(
    ref: FunctionRef[Any], batch: str, arguments: Mapping[str, Any]
) -> dict[str, Any]:
    """The function's arguments besides the batch, by Python or Convex name, checked and
    encoded as its generated method would (whatever the function takes besides the batch:
    ``resource_id``, ``index_name``, ...)."""
    encoded = ref.encode({**arguments, batch: []})
    encoded.pop(batch)
    return encoded


def _embedded_batches(
    ref: FunctionRef[Any],
    batch: str,
    items: Iterable[Any],
    arguments: Mapping[str, Any],
    weigh: Callable[[Any, int], int],
    **limits: Any,
) -> dict[str, Any]:
    """What :func:`save_in_batches` (or its async twin) takes to send ``items`` that may
    carry an ``embedding`` (``saveMessages``' messages, ``setMessageEmbeddings``' items):
    each item checked and encoded as the single-call method would before its batch is sent,
    the function's other arguments with every call, embeddings packed as float32, and calls
    cut by what ``weigh`` says the embeddings store."""
    return {
        "path": ref.path,
        "items": _Mapped(
            _checked_iterable(ref, batch, items),
            lambda item: ref.encode({**arguments, batch: [item]})[batch][0],
        ),
        "arg_name": batch,
        "extra_args": _other_arguments(ref, batch, arguments),
        "idempotent": ref.idempotent,
        "prepare": prepare_message,
        "weigh": weigh,
        "max_weight": MAX_EMBEDDING_BYTES_PER_CALL,
        **limits,
    }


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
        vector_format: VectorFormat = "float32",
        max_stored_bytes: int = MAX_UPSERT_STORED_BYTES,
        **arguments: Any,
    ) -> list[ResultT]:
        """Upserts ``{id?, vector, metadata?}`` items into ``index_name``, in order, in calls of
        at most ``max_items`` items, ``max_bytes`` bytes of request and ``max_stored_bytes``
        bytes stored.

        Args:
            index_name (str): The vector index.
            items (Iterable[Mapping[str, Any] | BaseModel]): The vectors: mappings (a
                ``vector`` may be a numpy array of any numeric dtype, a sequence of numbers
                or packed float32 bytes) or ``UpsertVector`` models; a generator is fine. An
                item without an id gets a random one before it is sent, so every call is an
                upsert by id and is retried when it failed in transit.
            progress (bool): Show a tqdm bar (the ``progress`` extra).
            max_items (int): Items per call at most.
            max_bytes (int): Request body bytes per call at most.
            vector_format (VectorFormat): ``"float32"`` (the default) sends each vector as
                packed little-endian float32 bytes, stored as exactly those float32 values;
                ``"float64"`` sends JSON numbers, stored as they are (not for ``UpsertVector``
                models, which pack their vector when they are made).
            max_stored_bytes (int): Bytes one call may store at most (the component's cap).
            arguments (Any): Any other argument ``upsert`` takes, by its Python name, sent
                with every call (checked before the first).

        Returns:
            list[ResultT]: What each call returned (the ids it wrote), in order.
        """
        ref = self._functions["upsert"]
        extra = _other_arguments(ref, "vectors", {**arguments, "indexName": index_name})
        results = upsert_vectors_in_batches(
            self._client, items=_vector_items(ref, items), path=ref.path, extra_args=extra,
            progress=progress, max_items=max_items, max_bytes=max_bytes,
            vector_format=vector_format, max_stored_bytes=max_stored_bytes,
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
        vector_format: VectorFormat = "float32",
        max_stored_bytes: int = MAX_UPSERT_STORED_BYTES,
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
            vector_format (VectorFormat): ``"float32"`` (packed bytes, the default) or
                ``"float64"`` (JSON numbers); see the sync method.
            max_stored_bytes (int): Bytes one call may store at most (the component's cap).
            concurrency (int): Calls in flight at once.
            arguments (Any): Any other argument ``upsert`` takes (see the sync method).

        Returns:
            list[ResultT]: What each call returned, in batch order.
        """
        ref = self._functions["upsert"]
        extra = _other_arguments(ref, "vectors", {**arguments, "indexName": index_name})
        results = await aupsert_vectors_in_batches(
            self._client, items=_vector_items(ref, items), path=ref.path, extra_args=extra,
            progress=progress, max_items=max_items, max_bytes=max_bytes,
            vector_format=vector_format, max_stored_bytes=max_stored_bytes,
            concurrency=concurrency,
        )  # fmt: skip
        return [ref.read(result) for result in results]


class MessagesBulk(Generic[ResultT]):
    """``save_many``: many messages, in order, as few calls as Convex's limits allow."""

    _client: SyncAPIClient
    _functions: ClassVar[Mapping[str, FunctionRef[Any]]]

    def save_many(
        self,
        *,
        resource_id: str,
        messages: Iterable[Mapping[str, Any] | BaseModel],
        progress: bool = False,
        max_items: int = MAX_BATCH_ITEMS,
        max_bytes: int = MAX_BATCH_BYTES,
        **arguments: Any,
    ) -> list[ResultT]:
        """Saves many messages in order, batch by batch (``saveMessages`` upserts by the
        messages' own ids, so a batch that failed in transit is retried).

        Args:
            resource_id (str): The owner of the thread the messages go to (every call
                names it; ``resourceId`` on the wire).
            messages (Iterable[Mapping[str, Any] | BaseModel]): What ``save_messages`` takes
                one list of: ``SaveMessagesMessage`` models or mappings (camelCase or
                snake_case keys), each checked before its batch is sent.
            progress (bool): Show a tqdm bar (the ``progress`` extra).
            max_items (int): Messages per call at most.
            max_bytes (int): Request body bytes per call at most.
            arguments (Any): Any other argument ``saveMessages`` takes, by its Python name,
                sent with every call (checked before the first).

        Returns:
            list[ResultT]: What each call returned (the messages it saved), in order.
        """
        ref = self._functions["saveMessages"]
        arguments = {**arguments, "resource_id": resource_id}
        batches = _embedded_batches(
            ref, "messages", messages, arguments, message_embedding_weight,
            progress=progress, max_items=max_items, max_bytes=max_bytes,
        )  # fmt: skip
        results = save_in_batches(self._client, **batches)
        return [ref.read(result) for result in results]


class AsyncMessagesBulk(Generic[ResultT]):
    """The async twin of :class:`MessagesBulk` (one call at a time: order matters)."""

    _client: AsyncAPIClient
    _functions: ClassVar[Mapping[str, FunctionRef[Any]]]

    async def save_many(
        self,
        *,
        resource_id: str,
        messages: Iterable[Mapping[str, Any] | BaseModel],
        progress: bool = False,
        max_items: int = MAX_BATCH_ITEMS,
        max_bytes: int = MAX_BATCH_BYTES,
        **arguments: Any,
    ) -> list[ResultT]:
        """The async twin of ``Messages.save_many``.

        Args:
            resource_id (str): The owner of the thread the messages go to.
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
        arguments = {**arguments, "resource_id": resource_id}
        batches = _embedded_batches(
            ref, "messages", messages, arguments, message_embedding_weight,
            progress=progress, max_items=max_items, max_bytes=max_bytes,
        )  # fmt: skip
        results = await asave_in_batches(self._client, **batches)
        return [ref.read(result) for result in results]


class EmbeddingsBulk(Generic[ResultT]):
    """``set_message_embeddings_many``: many messages' embeddings set (or removed), in calls
    the component accepts whatever the messages' texts."""

    _client: SyncAPIClient
    _functions: ClassVar[Mapping[str, FunctionRef[Any]]]

    def set_message_embeddings_many(
        self,
        *,
        resource_id: str,
        embeddings: Iterable[Mapping[str, Any] | BaseModel],
        progress: bool = False,
        max_items: int = MAX_BATCH_ITEMS,
        max_bytes: int = MAX_BATCH_BYTES,
    ) -> list[ResultT]:
        """Sets many messages' embeddings in order, batch by batch (an absolute set by
        message id, so a batch that failed in transit is retried). Each call stays under the
        component's embedding bytes per call, counting every message's search text at its
        largest (at 1,536 dimensions about 200 embeddings a call).

        Args:
            resource_id (str): The owner of the messages (``resourceId`` on the wire).
            embeddings (Iterable[Mapping[str, Any] | BaseModel]): ``{"id": ..., "embedding":
                ...}`` items (a numpy array, numbers or packed float32 bytes; ``None``
                removes the message's embedding), each checked before its batch is sent.
            progress (bool): Show a tqdm bar (the ``progress`` extra).
            max_items (int): Embeddings per call at most.
            max_bytes (int): Request body bytes per call at most.

        Returns:
            list[ResultT]: What each call returned (how many were set and removed), in order.
        """
        ref = self._functions["setMessageEmbeddings"]
        arguments = {"resource_id": resource_id}
        batches = _embedded_batches(
            ref, "embeddings", embeddings, arguments, embedding_update_weight,
            progress=progress, max_items=max_items, max_bytes=max_bytes,
        )  # fmt: skip
        results = save_in_batches(self._client, **batches)
        return [ref.read(result) for result in results]


class AsyncEmbeddingsBulk(Generic[ResultT]):
    """The async twin of :class:`EmbeddingsBulk` (one call at a time: order matters)."""

    _client: AsyncAPIClient
    _functions: ClassVar[Mapping[str, FunctionRef[Any]]]

    async def set_message_embeddings_many(
        self,
        *,
        resource_id: str,
        embeddings: Iterable[Mapping[str, Any] | BaseModel],
        progress: bool = False,
        max_items: int = MAX_BATCH_ITEMS,
        max_bytes: int = MAX_BATCH_BYTES,
    ) -> list[ResultT]:
        """The async twin of ``Recall.set_message_embeddings_many``.

        Args:
            resource_id (str): The owner of the messages.
            embeddings (Iterable[Mapping[str, Any] | BaseModel]): The ``{id, embedding}``
                items (see the sync method).
            progress (bool): Show a tqdm bar (the ``progress`` extra).
            max_items (int): Embeddings per call at most.
            max_bytes (int): Request body bytes per call at most.

        Returns:
            list[ResultT]: What each call returned, in order.
        """
        ref = self._functions["setMessageEmbeddings"]
        arguments = {"resource_id": resource_id}
        batches = _embedded_batches(
            ref, "embeddings", embeddings, arguments, embedding_update_weight,
            progress=progress, max_items=max_items, max_bytes=max_bytes,
        )  # fmt: skip
        results = await asave_in_batches(self._client, **batches)
        return [ref.read(result) for result in results]
