"""The models of every object the component's functions take or return (generated):
``from convex_agent_memory.types import Thread, Message``."""

from ._generated.models import *  # noqa: F403
from ._generated.models import __all__ as __all__

# Reprs, tracebacks and pickles name this public module, not the generated file.
for _name in __all__:
    _obj = globals()[_name]
    if isinstance(_obj, type) and _obj.__module__.endswith("._generated.models"):
        _obj.__module__ = __name__
del _name, _obj
