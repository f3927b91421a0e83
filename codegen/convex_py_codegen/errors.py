"""What can stop a generation, one class per cause; the CLI prints the message and exits 2."""

from __future__ import annotations

__all__ = [
    "CodegenError",
    "ConfigError",
    "ExtractionError",
    "FormatError",
    "NamingError",
    "SpecError",
    "UnsupportedValidatorError",
]


class CodegenError(Exception):
    """Base of every error the generator raises on purpose (the message says what to do)."""


class ConfigError(CodegenError):
    """The TOML config is missing a key, has a wrong value, or names something the spec lacks."""


class ExtractionError(CodegenError):
    """The Node extractor could not read the functions folder (or Node/convex is missing)."""


class SpecError(CodegenError):
    """The function spec is malformed."""


class UnsupportedValidatorError(SpecError):
    """A validator kind this generator does not know (a newer ``convex`` than it was built for)."""


class NamingError(CodegenError):
    """Two generated things would get the same name and no rule tells them apart; raised
    before anything is written, naming both and the config key that resolves it."""


class FormatError(CodegenError):
    """ruff could not format the output (the generated code would not be valid Python)."""
