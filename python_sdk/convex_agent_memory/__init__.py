"""Typed Python SDK for convex-agent-memory."""

from . import types  # the generated models: convex_agent_memory.types.Thread, ...
from ._aiohttp import DefaultAioHttpClient
from ._auth import AsyncTokenProvider, ServiceCredentials, TokenProvider
from ._bulk import (
    MAX_BATCH_BYTES,
    MAX_BATCH_ITEMS,
    MAX_UPSERT_STORED_BYTES,
    VectorFormat,
    as_float_list,
    asave_in_batches,
    asave_messages_in_batches,
    aupsert_vectors_in_batches,
    save_in_batches,
    save_messages_in_batches,
    split_into_batches,
    upsert_vectors_in_batches,
)
from ._client import AsyncClient, Client
from ._constants import DEFAULT_MAX_RETRIES, DEFAULT_TIMEOUT
from ._constants import VERSION as __version__
from ._encoding import pack_float32, unpack_float32
from ._exceptions import (
    AgentMemoryError,
    APIConnectionError,
    APIError,
    APIResponseValidationError,
    APIStatusError,
    APITimeoutError,
    ConflictError,
    ForbiddenError,
    FunctionError,
    InvalidArgumentError,
    LimitExceededError,
    NotFoundError,
    UnauthenticatedError,
)
from ._live import AsyncSubscription, Subscription
from ._pagination import AsyncPaginator, PageResult, SyncPaginator
from ._types import Omit, omit

__all__ = [
    "DEFAULT_MAX_RETRIES",
    "DEFAULT_TIMEOUT",
    "MAX_BATCH_BYTES",
    "MAX_BATCH_ITEMS",
    "MAX_UPSERT_STORED_BYTES",
    "APIConnectionError",
    "APIError",
    "APIResponseValidationError",
    "APIStatusError",
    "APITimeoutError",
    "AgentMemoryError",
    "AsyncClient",
    "AsyncPaginator",
    "AsyncSubscription",
    "AsyncTokenProvider",
    "Client",
    "ConflictError",
    "DefaultAioHttpClient",
    "ForbiddenError",
    "FunctionError",
    "InvalidArgumentError",
    "LimitExceededError",
    "NotFoundError",
    "Omit",
    "PageResult",
    "ServiceCredentials",
    "Subscription",
    "SyncPaginator",
    "TokenProvider",
    "UnauthenticatedError",
    "VectorFormat",
    "__version__",
    "as_float_list",
    "asave_in_batches",
    "asave_messages_in_batches",
    "aupsert_vectors_in_batches",
    "omit",
    "pack_float32",
    "save_in_batches",
    "save_messages_in_batches",
    "split_into_batches",
    "types",
    "unpack_float32",
    "upsert_vectors_in_batches",
]

# Tracebacks and reprs name the public module (convex_agent_memory.NotFoundError), not
# the private file a class happens to live in.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.startswith(__name__ + "._"):
        _obj.__module__ = __name__
del _name, _obj
