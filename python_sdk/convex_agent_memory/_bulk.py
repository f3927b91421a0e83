"""Large writes split into calls that stay under Convex's per-transaction limits.

One call of a batch function (``saveMessages``, a vector ``upsert``, ...) carries at most
``max_items`` items (default 1,000) and at most ``max_bytes`` bytes of request body
(default 8 MiB, measured on the exact JSON sent), and, where items have a ``weigh``t (the
bytes a vector upsert stores, which at high dimensions exceeds what it sends), at most
``max_weight`` of it. Items are encoded once, streamed from any iterable (a generator of
20,000 vectors is fine), and sent in order.

Vectors go as packed little-endian float32 bytes by default (``vector_format="float32"``:
about 5.3 bytes a number on the wire against about 20 as JSON text); the component stores
exactly those float32 values. ``vector_format="float64"`` sends JSON numbers instead.

These helpers take the function's path rather than a generated method, so they work for
any batch function whose arguments are ``{**extra_args, arg_name: [item, ...]}``.
If a call fails, the calls before it have been applied; the exception carries a note
saying how many items were saved.
"""

from __future__ import annotations

import asyncio
import binascii
import json
import uuid
from collections.abc import AsyncIterator, Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from typing import Any, Literal, Protocol, TypeAlias

from ._base_client import AsyncAPIClient, SyncAPIClient
from ._encoding import check_field_name, encode_value, ints_as_float64, pack_float32, serialize
from ._exceptions import InvalidArgumentError, LimitExceededError
from ._limits import (
    BYTES_PER_STORED_FLOAT,
    EMBEDDING_DOC_OVERHEAD,
    MAX_BATCH_BYTES,
    MAX_BATCH_ITEMS,
    MAX_EMBEDDING_BYTES_PER_CALL,
    MAX_SEARCH_TEXT,
    MAX_UPSERT_STORED_BYTES,
    SEARCH_ROW_OVERHEAD,
)
from ._types import FunctionKind

__all__ = [
    "MAX_BATCH_BYTES",
    "MAX_BATCH_ITEMS",
    "MAX_EMBEDDING_BYTES_PER_CALL",
    "MAX_UPSERT_STORED_BYTES",
    "Batch",
    "VectorFormat",
    "as_float_list",
    "asave_in_batches",
    "asave_messages_in_batches",
    "aupsert_vectors_in_batches",
    "save_in_batches",
    "save_messages_in_batches",
    "split_into_batches",
    "upsert_vectors_in_batches",
]

#: How the vector helpers send vectors: packed float32 bytes, or JSON float64 numbers.
VectorFormat: TypeAlias = Literal["float32", "float64"]


class Batch:
    """One call's worth of items: their count and the exact request body to send."""

    __slots__ = ("body", "count", "first_index")

    def __init__(self, body: bytes, count: int, first_index: int) -> None:
        self.body = body
        self.count = count
        self.first_index = first_index

    def __repr__(self) -> str:
        last = self.first_index + self.count - 1
        return f"Batch(items {self.first_index}..{last}, {len(self.body)} bytes)"


class _EncodedItem:
    """An item a ``prepare`` function already encoded (the vector fast path), with its weight."""

    __slots__ = ("data", "weight")

    def __init__(self, data: bytes, weight: int) -> None:
        self.data = data
        self.weight = weight


def split_into_batches(
    items: Iterable[Any],
    *,
    path: str,
    arg_name: str,
    extra_args: Mapping[str, Any] | None = None,
    max_items: int = MAX_BATCH_ITEMS,
    max_bytes: int = MAX_BATCH_BYTES,
    prepare: Callable[[Any], Any] | None = None,
    weigh: Callable[[Any, int], int] | None = None,
    max_weight: int | None = None,
) -> Iterator[Batch]:
    """Yields request bodies ``{"path", "args": {**extra_args, arg_name: [...]}, "format"}``.

    Each has at most ``max_items`` items and ``len(body) <= max_bytes``. An item too large
    to fit a call on its own raises LimitExceededError; an item that cannot be encoded
    raises InvalidArgumentError naming its index. ``prepare`` maps each item first.
    ``weigh(prepared_item, encoded_length)`` gives an item's share of another per-call
    budget, ``max_weight`` (e.g. the bytes a vector upsert stores).
    """
    if max_items < 1:
        raise ValueError("max_items must be at least 1")
    if (weigh is None) != (max_weight is None):
        raise ValueError("weigh and max_weight go together")
    extra = dict(extra_args or {})
    try:
        name = check_field_name(arg_name)
        if name in extra:
            raise ValueError(f"{name!r} is both arg_name and a key of extra_args")
        encoded_extra = serialize(encode_value(extra))
    except (ValueError, TypeError) as error:
        raise InvalidArgumentError(str(error), code="INVALID_ARGUMENT", path=path) from error
    # {"path":"m:f","format":"convex_encoded_json","args":{<extra>,"name":[<items>]}}
    head = (
        b'{"path":'
        + json.dumps(path).encode()
        + b',"format":"convex_encoded_json","args":'
        + encoded_extra[:-1]
        + (b"," if extra else b"")
        + json.dumps(name).encode()
        + b":["
    )
    tail = b"]}}"
    overhead = len(head) + len(tail)

    chunk: list[bytes] = []
    size = overhead
    weight = 0
    first = 0
    for index, item in enumerate(items):
        try:
            prepared = prepare(item) if prepare else item
            if type(prepared) is _EncodedItem:
                encoded = prepared.data
            else:
                encoded = serialize(encode_value(prepared))
        except (ValueError, TypeError) as error:
            raise InvalidArgumentError(
                f"item {index} cannot be sent: {error}", code="INVALID_ARGUMENT", path=path
            ) from error
        cost = len(encoded) + (1 if chunk else 0)  # the comma before it
        if overhead + len(encoded) > max_bytes:
            raise LimitExceededError(
                f"item {index} is {len(encoded):,} bytes encoded; one call carries at most "
                f"{max_bytes - overhead:,} bytes of items: make it smaller",
                code="LIMIT_EXCEEDED",
                path=path,
            )
        share = 0
        if weigh is not None and max_weight is not None:
            share = (
                prepared.weight if type(prepared) is _EncodedItem else weigh(prepared, len(encoded))
            )
            if share > max_weight:
                raise LimitExceededError(
                    f"item {index} weighs {share:,} (what one call may store is "
                    f"{max_weight:,}): make it smaller",
                    code="LIMIT_EXCEEDED",
                    path=path,
                )
        if chunk and (
            len(chunk) >= max_items
            or size + cost > max_bytes
            or (max_weight is not None and weight + share > max_weight)
        ):
            yield Batch(head + b",".join(chunk) + tail, len(chunk), first)
            chunk, size, weight, first = [], overhead, 0, index
            cost = len(encoded)
        chunk.append(encoded)
        size += cost
        weight += share
    if chunk:
        yield Batch(head + b",".join(chunk) + tail, len(chunk), first)


# --- progress -----------------------------------------------------------------------


class _Progress(Protocol):
    def update(self, n: int) -> object: ...
    def close(self) -> None: ...


class _NoProgress:
    def update(self, n: int) -> None:
        pass

    def close(self) -> None:
        pass


def _total_of(items: Iterable[Any]) -> int | None:
    try:
        return len(items)  # type: ignore[arg-type]
    except TypeError:
        return None


@contextmanager
def _progress_bar(progress: bool, total: int | None, desc: str) -> Iterator[_Progress]:
    if not progress:
        yield _NoProgress()
        return
    try:
        from tqdm.auto import tqdm
    except ImportError as error:  # pragma: no cover - tqdm is in the dev extras
        raise ImportError(
            "progress=True needs tqdm: pip install 'convex-agent-memory[progress]'"
        ) from error
    bar = tqdm(total=total, desc=desc, unit="item", unit_scale=True)
    try:
        yield bar
    finally:
        bar.close()


def _note_progress(error: BaseException, saved: int, calls: int) -> None:
    if calls == 0:
        return
    error.add_note(
        f"{saved:,} items were saved by {calls} earlier call(s) before this one failed; "
        "resume after them"
    )


# --- sync and async drivers ---------------------------------------------------------


def save_in_batches(
    client: SyncAPIClient,
    *,
    path: str,
    items: Iterable[Any],
    arg_name: str,
    extra_args: Mapping[str, Any] | None = None,
    kind: FunctionKind = "mutation",
    idempotent: bool = False,
    max_items: int = MAX_BATCH_ITEMS,
    max_bytes: int = MAX_BATCH_BYTES,
    progress: bool = False,
    prepare: Callable[[Any], Any] | None = None,
    weigh: Callable[[Any, int], int] | None = None,
    max_weight: int | None = None,
) -> list[Any]:
    """Calls ``path`` once per batch of ``items``, in order; returns each call's result.

    ``idempotent=True`` lets a failed batch be retried (an upsert by id). ``progress=True``
    shows a tqdm bar counting items.
    """
    results: list[Any] = []
    saved = 0
    batches = split_into_batches(
        items, path=path, arg_name=arg_name, extra_args=extra_args,
        max_items=max_items, max_bytes=max_bytes, prepare=prepare,
        weigh=weigh, max_weight=max_weight,
    )  # fmt: skip
    with _progress_bar(progress, _total_of(items), path) as bar:
        try:
            for batch in batches:
                results.append(client._call_encoded(kind, path, batch.body, idempotent=idempotent))
                saved += batch.count
                bar.update(batch.count)
        except Exception as error:
            _note_progress(error, saved, len(results))
            raise
    return results


async def asave_in_batches(
    client: AsyncAPIClient,
    *,
    path: str,
    items: Iterable[Any],
    arg_name: str,
    extra_args: Mapping[str, Any] | None = None,
    kind: FunctionKind = "mutation",
    idempotent: bool = False,
    max_items: int = MAX_BATCH_ITEMS,
    max_bytes: int = MAX_BATCH_BYTES,
    progress: bool = False,
    prepare: Callable[[Any], Any] | None = None,
    concurrency: int = 1,
    weigh: Callable[[Any, int], int] | None = None,
    max_weight: int | None = None,
) -> list[Any]:
    """The async twin of :func:`save_in_batches`; results come back in batch order.

    ``concurrency > 1`` keeps that many calls in flight: faster, but batches may commit
    out of order, so keep 1 where order matters (messages of one thread).
    """
    if concurrency < 1:
        raise ValueError("concurrency must be at least 1")
    batches = split_into_batches(
        items, path=path, arg_name=arg_name, extra_args=extra_args,
        max_items=max_items, max_bytes=max_bytes, prepare=prepare,
        weigh=weigh, max_weight=max_weight,
    )  # fmt: skip
    results: dict[int, Any] = {}
    saved = 0

    async def send(number: int, batch: Batch) -> None:
        nonlocal saved
        results[number] = await client._call_encoded(kind, path, batch.body, idempotent=idempotent)
        saved += batch.count
        bar.update(batch.count)

    with _progress_bar(progress, _total_of(items), path) as bar:
        in_flight: set[asyncio.Task[None]] = set()
        try:
            async for number, batch in _numbered(batches):
                if len(in_flight) >= concurrency:
                    done, in_flight = await asyncio.wait(
                        in_flight, return_when=asyncio.FIRST_COMPLETED
                    )
                    for task in done:
                        task.result()
                in_flight.add(asyncio.ensure_future(send(number, batch)))
            if in_flight:
                for outcome in await asyncio.gather(*in_flight, return_exceptions=True):
                    if isinstance(outcome, BaseException):
                        raise outcome
                in_flight = set()
        except Exception as error:
            for task in in_flight:
                task.cancel()
            await asyncio.gather(*in_flight, return_exceptions=True)
            _note_progress(error, saved, len(results))
            raise
    return [results[n] for n in sorted(results)]


async def _numbered(batches: Iterator[Batch]) -> AsyncIterator[tuple[int, Batch]]:
    for number, batch in enumerate(batches):
        yield number, batch
        await asyncio.sleep(0)  # encoding is CPU work: let calls in flight progress


# --- named helpers ------------------------------------------------------------------


def save_messages_in_batches(
    client: SyncAPIClient,
    *,
    messages: Iterable[Any],
    path: str = "memory:saveMessages",
    arg_name: str = "messages",
    extra_args: Mapping[str, Any] | None = None,
    progress: bool = False,
    max_items: int = MAX_BATCH_ITEMS,
    max_bytes: int = MAX_BATCH_BYTES,
) -> list[Any]:
    """Saves many messages (``{id, threadId, role, content, ...}``, camelCase as the function
    takes them) in order, batch by batch.

    ``saveMessages`` upserts by the messages' own ids, so a batch that failed in transit is
    retried. Python ints in the messages are sent as float64 (message fields and parts are
    JavaScript numbers). A message's ``embedding`` (a list, a numpy array) is sent as packed
    float32 bytes, and calls are also cut by the bytes their embeddings store
    (MAX_EMBEDDING_BYTES_PER_CALL, the component's own cap).
    """
    return save_in_batches(
        client, path=path, items=messages, arg_name=arg_name, extra_args=extra_args,
        idempotent=True, progress=progress, max_items=max_items, max_bytes=max_bytes,
        prepare=prepare_message, weigh=message_embedding_weight,
        max_weight=MAX_EMBEDDING_BYTES_PER_CALL,
    )  # fmt: skip


async def asave_messages_in_batches(
    client: AsyncAPIClient,
    *,
    messages: Iterable[Any],
    path: str = "memory:saveMessages",
    arg_name: str = "messages",
    extra_args: Mapping[str, Any] | None = None,
    progress: bool = False,
    max_items: int = MAX_BATCH_ITEMS,
    max_bytes: int = MAX_BATCH_BYTES,
) -> list[Any]:
    """The async twin of :func:`save_messages_in_batches` (one call at a time, in order)."""
    return await asave_in_batches(
        client, path=path, items=messages, arg_name=arg_name, extra_args=extra_args,
        idempotent=True, progress=progress, max_items=max_items, max_bytes=max_bytes,
        prepare=prepare_message, weigh=message_embedding_weight,
        max_weight=MAX_EMBEDDING_BYTES_PER_CALL,
    )  # fmt: skip


def prepare_message(item: Any) -> Any:
    """A message to save: its embedding packed as float32 bytes, other ints as float64."""
    if not isinstance(item, Mapping) or item.get("embedding") is None:
        return ints_as_float64(item)
    embedding = item["embedding"]
    rest = ints_as_float64({k: v for k, v in item.items() if k != "embedding"})
    if not isinstance(embedding, bytes | bytearray | memoryview):
        embedding = pack_float32(embedding)
    return {**rest, "embedding": embedding}


def _search_text_units(content: Any) -> int:
    """UTF-16 units of the text keyword recall indexes for a message, as the component takes
    it (component/model/recallEmbeddings.ts ``searchTextOf``): its text parts joined by
    newlines, else ``content.content``, at most ``MAX_SEARCH_TEXT`` units."""
    if not isinstance(content, Mapping):
        return 0
    texts = [
        part["text"]
        for part in content.get("parts") or ()
        if isinstance(part, Mapping)
        and part.get("type") == "text"
        and isinstance(part.get("text"), str)
    ]
    text = "\n".join(texts) if texts else content.get("content")
    if not isinstance(text, str):
        return 0
    units = len(text.encode("utf-16-le", "surrogatepass")) // 2
    return min(units, MAX_SEARCH_TEXT)


def _stored_embedding_bytes(item: Any, text_units: Callable[[], int]) -> int:
    """What a prepared item's packed ``embedding`` stores as the component counts it
    (component/model/recallEmbeddings.ts ``messageEmbeddingBytes``): the embedding, and the
    row holding the message's search text of ``text_units()`` UTF-16 units; 0 without one."""
    embedding = item.get("embedding") if isinstance(item, Mapping) else None
    if not isinstance(embedding, bytes | bytearray | memoryview):
        return 0
    return (
        BYTES_PER_STORED_FLOAT * (len(embedding) // 4)
        + EMBEDDING_DOC_OVERHEAD
        + SEARCH_ROW_OVERHEAD
        + 3 * text_units()
    )


def message_embedding_weight(item: Any, encoded_length: int) -> int:
    """The bytes a prepared message's embedding stores, counted against
    ``MAX_EMBEDDING_BYTES_PER_CALL``: the embedding and its message's search text."""
    return _stored_embedding_bytes(item, lambda: _search_text_units(item.get("content")))


def embedding_update_weight(item: Any, encoded_length: int) -> int:
    """The most a prepared ``setMessageEmbeddings`` item can store: the SDK does not know the
    message's text, so its search-text row is counted at its largest (``MAX_SEARCH_TEXT``
    units), and every call it cuts is one the component accepts. Removing one stores nothing."""
    return _stored_embedding_bytes(item, lambda: MAX_SEARCH_TEXT)


def _vector_item(
    vector_key: str, id_key: str, vector_format: VectorFormat = "float32"
) -> Callable[[Any], Any]:
    """Vectors packed as float32 bytes (or as float64 numbers); an item without an id gets a
    fresh one here, before sending, so a retried call overwrites what a lost attempt wrote
    instead of adding duplicates.

    Packed ``{id, vector, metadata}`` items are encoded here directly (the id and metadata
    as any value, the bytes as base64), about twice as fast as the generic encoder."""
    if vector_format not in ("float32", "float64"):
        raise ValueError(f"vector_format must be 'float32' or 'float64', not {vector_format!r}")
    packed = vector_format == "float32"
    plain_keys = {id_key, vector_key, "metadata"}
    id_json = json.dumps(check_field_name(id_key)).encode()
    vector_json = json.dumps(check_field_name(vector_key)).encode()

    def prepare(item: Any) -> Any:
        if not isinstance(item, Mapping):
            return item
        item = dict(item)
        metadata = item.get("metadata")
        if metadata:  # untyped: ints go as the numbers JavaScript sees
            item["metadata"] = metadata = ints_as_float64(metadata)
        if item.get(id_key) is None:
            item[id_key] = str(uuid.uuid4())
        vector = item.get(vector_key)
        if vector is None or isinstance(vector, bytes | bytearray | memoryview):
            return item
        vector = pack_float32(vector) if packed else _as_float64(vector)
        if item.keys() - plain_keys or type(item[id_key]) is not str:
            item[vector_key] = vector
            return item
        # {"id":..,"vector":..,"metadata":..}, its parts encoded apart so their sizes are known.
        if packed:
            dimension = len(vector) // 4
            encoded_vector = b'{"$bytes":"' + binascii.b2a_base64(vector, newline=False) + b'"}'
        else:
            dimension = len(vector)
            encoded_vector = serialize(encode_value(vector))
        encoded_id = serialize(item[id_key])
        parts = [b"{", id_json, b":", encoded_id, b",", vector_json, b":", encoded_vector]
        rest = len(encoded_id)
        if "metadata" in item:
            encoded_metadata = serialize(encode_value(metadata))
            parts += [b',"metadata":', encoded_metadata]
            rest += len(encoded_metadata)
        parts.append(b"}")
        weight = BYTES_PER_STORED_FLOAT * dimension + _STORED_OVERHEAD + 2 * rest
        return _EncodedItem(b"".join(parts), weight)

    return prepare


def _as_float64(vector: Any) -> Any:
    if hasattr(vector, "dtype") and hasattr(vector, "astype"):
        if vector.ndim != 1:
            raise ValueError(f"a vector must be one-dimensional, got shape {vector.shape}")
        return vector.astype("float64", copy=False)
    return as_float_list(vector)


#: A stored vector's bytes besides its floats (its embedding document and entry: system
#: fields, namespace, ids), with room to spare; the floats count BYTES_PER_STORED_FLOAT each.
_STORED_OVERHEAD = 300


def _vector_weight(vector_key: str) -> Callable[[Any, int], int]:
    """The bytes the component will store for a prepared item (an upper bound of its own
    estimate): 9 per float plus the metadata, counted twice the length of its JSON."""

    def weigh(item: Any, encoded_length: int) -> int:
        if not isinstance(item, Mapping):
            return encoded_length
        vector = item.get(vector_key)
        if isinstance(vector, bytes | bytearray | memoryview):
            dimension = len(vector) // 4
            rest = encoded_length - 4 * ((len(vector) + 2) // 3)  # less the base64 text
        else:
            dimension = len(vector) if vector is not None else 0
            rest = encoded_length - 4 * dimension  # a JSON number takes 3 bytes and a comma
        return BYTES_PER_STORED_FLOAT * dimension + _STORED_OVERHEAD + 2 * max(0, rest)

    return weigh


def as_float_list(vector: Any) -> list[float]:
    """A vector as a list of float64 (numpy arrays of any dtype, lists, tuples)."""
    if hasattr(vector, "dtype") and hasattr(vector, "tolist"):
        if vector.ndim != 1:
            raise ValueError(f"a vector must be one-dimensional, got shape {vector.shape}")
        values: list[float] = vector.astype("float64").tolist()
        return values
    return [float(x) for x in vector]


def upsert_vectors_in_batches(
    client: SyncAPIClient,
    *,
    items: Iterable[Mapping[str, Any]],
    path: str = "memory:upsert",
    arg_name: str = "vectors",
    vector_key: str = "vector",
    id_key: str = "id",
    extra_args: Mapping[str, Any] | None = None,
    progress: bool = False,
    max_items: int = MAX_BATCH_ITEMS,
    max_bytes: int = MAX_BATCH_BYTES,
    vector_format: VectorFormat = "float32",
    max_stored_bytes: int = MAX_UPSERT_STORED_BYTES,
) -> list[Any]:
    """Upserts many ``{id, vector, metadata}`` items (e.g. ``extra_args={"indexName": ...}``);
    vectors may be numpy arrays (any numeric dtype), lists or already packed bytes.

    Vectors are sent as packed little-endian float32 (``vector_format="float32"``, the
    default: the component stores those float32 values) or as JSON float64 numbers
    (``"float64"``). Calls are cut so that none stores more than ``max_stored_bytes``
    (the component's own cap: at 1,536 dimensions about 900 vectors a call, at 4,096
    about 340). An item without an id gets a random one before it is sent (each call's
    result lists the ids), so every call is an upsert by id: idempotent, and retried when it
    failed in transit.
    """
    return save_in_batches(
        client, path=path, items=items, arg_name=arg_name, extra_args=extra_args,
        idempotent=True, progress=progress, max_items=max_items, max_bytes=max_bytes,
        prepare=_vector_item(vector_key, id_key, vector_format),
        weigh=_vector_weight(vector_key), max_weight=max_stored_bytes,
    )  # fmt: skip


async def aupsert_vectors_in_batches(
    client: AsyncAPIClient,
    *,
    items: Iterable[Mapping[str, Any]],
    path: str = "memory:upsert",
    arg_name: str = "vectors",
    vector_key: str = "vector",
    id_key: str = "id",
    extra_args: Mapping[str, Any] | None = None,
    progress: bool = False,
    max_items: int = MAX_BATCH_ITEMS,
    max_bytes: int = MAX_BATCH_BYTES,
    concurrency: int = 4,
    vector_format: VectorFormat = "float32",
    max_stored_bytes: int = MAX_UPSERT_STORED_BYTES,
) -> list[Any]:
    """The async twin of :func:`upsert_vectors_in_batches`, with calls in flight together."""
    return await asave_in_batches(
        client, path=path, items=items, arg_name=arg_name, extra_args=extra_args,
        idempotent=True, progress=progress, max_items=max_items, max_bytes=max_bytes,
        prepare=_vector_item(vector_key, id_key, vector_format), concurrency=concurrency,
        weigh=_vector_weight(vector_key), max_weight=max_stored_bytes,
    )  # fmt: skip
