"""Helpers the framework adapters share (not part of the generic runtime: they use the
component's own functions)."""
