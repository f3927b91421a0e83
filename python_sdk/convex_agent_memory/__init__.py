"""Typed Python SDK for convex-agent-memory."""

__version__ = "0.1.0"
