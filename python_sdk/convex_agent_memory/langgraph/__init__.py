"""LangGraph on Convex: a checkpointer and a long-term memory store on the agent-memory component.

Needs the ``langgraph`` extra: ``pip install 'convex-agent-memory[langgraph]'``.
"""

from .checkpoint import ConvexSaver
from .store import ConvexStore

__all__ = ["ConvexSaver", "ConvexStore"]
