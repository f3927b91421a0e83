"""Everything the generated code imports from the runtime, in one place (so a generated
package names one module of its runtime, whatever file each piece lives in)."""

from ._base_client import AsyncAPIClient, SyncAPIClient
from ._functions import FunctionRef
from ._live import AsyncSubscription, Subscription
from ._models import (
    ConvexAny,
    ConvexModel,
    Float32Vector,
    Float64Int,
    Int64,
    JsonText,
    WireFloat,
    float_literal,
)
from ._pagination import AsyncPaginator, SyncPaginator
from ._types import Omit, omit

__all__ = [
    "AsyncAPIClient",
    "AsyncPaginator",
    "AsyncSubscription",
    "ConvexAny",
    "ConvexModel",
    "Float32Vector",
    "Float64Int",
    "FunctionRef",
    "Int64",
    "JsonText",
    "Omit",
    "Subscription",
    "SyncAPIClient",
    "SyncPaginator",
    "WireFloat",
    "float_literal",
    "omit",
]
