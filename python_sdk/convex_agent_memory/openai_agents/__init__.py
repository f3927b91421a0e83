"""The OpenAI Agents SDK on convex-agent-memory: :class:`ConvexSession` keeps an agent's
conversation in a thread (``pip install 'convex-agent-memory[openai-agents]'``)."""

from __future__ import annotations

try:
    import agents  # noqa: F401
except ImportError as error:  # pragma: no cover - depends on the environment
    raise ImportError(
        "convex_agent_memory.openai_agents needs the OpenAI Agents SDK: "
        "pip install 'convex-agent-memory[openai-agents]'"
    ) from error

from .session import ConvexSession

__all__ = ["ConvexSession"]
