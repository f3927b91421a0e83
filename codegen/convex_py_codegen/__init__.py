"""Generates a typed Python SDK from Convex function signatures."""
