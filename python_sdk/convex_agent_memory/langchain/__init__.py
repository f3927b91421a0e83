"""LangChain on convex-agent-memory (``pip install 'convex-agent-memory[langchain]'``):
:class:`ConvexVectorStore` over a vector index and :class:`ConvexChatMessageHistory` over a
thread's messages."""

from __future__ import annotations

try:
    import langchain_core  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "convex_agent_memory.langchain needs langchain-core: "
        "pip install 'convex-agent-memory[langchain]'"
    ) from error

from .chat_history import ConvexChatMessageHistory
from .vectorstore import ConvexVectorStore

__all__ = ["ConvexChatMessageHistory", "ConvexVectorStore"]
