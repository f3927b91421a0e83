"""Names for generated Python code, and escaping of text that came from the input.

One rule everywhere a Convex name becomes a Python one (modules, functions, arguments,
fields): the PEP 8 spelling (``snake_case`` / ``PascalCase``) unless two names of the same
scope would get the same spelling; then the name that already is that spelling keeps it and
the others keep their Convex spelling verbatim (``fooBar`` beside ``foo_bar``), so that no
name is ever numbered or silently merged. When even that clashes, :class:`NamingError`.
"""

from __future__ import annotations

import builtins
import keyword
import re
from collections.abc import Callable, Iterable, Mapping
from typing import TypeVar

from .errors import NamingError

__all__ = [
    "PYTHON_BUILTINS",
    "docstring_text",
    "is_plural",
    "pascalcase",
    "python_identifier",
    "singular",
    "snakecase",
    "string_literal",
    "unique_spellings",
    "words",
]

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9A-Za-z]+")
_IDENTIFIER = re.compile(r"^[A-Za-z][A-Za-z0-9_]*$")

#: Every builtin name: generated names never take one (they are used in annotations).
PYTHON_BUILTINS = frozenset(dir(builtins))

K = TypeVar("K")


def words(name: str) -> list[str]:
    """``getThreadById`` -> ``["get", "Thread", "By", "Id"]``; ``tool-call`` -> two words."""
    out: list[str] = []
    for part in _NON_WORD.split(name):
        out.extend(w for w in _WORD_BOUNDARY.split(part) if w)
    return out


def snakecase(name: str) -> str:
    return "_".join(w.lower() for w in words(name)) or "_"


def pascalcase(name: str) -> str:
    text = "".join(w[:1].upper() + w[1:] for w in words(name))
    if not text or text[0].isdigit():
        text = "V" + text
    return text


def _fix(ident: str, reserved: frozenset[str] | set[str]) -> str:
    if ident[0].isdigit():
        ident = "v_" + ident
    while keyword.iskeyword(ident) or keyword.issoftkeyword(ident) or ident in reserved:
        ident += "_"
    return ident


def python_identifier(name: str, reserved: frozenset[str] | set[str] = frozenset()) -> str:
    """A snake_case name that is a valid parameter, method or attribute name (never starting
    with ``_``, never a keyword or a name in ``reserved``: a trailing ``_`` is added)."""
    return _fix(snakecase(name), reserved | {"self", "cls"})


def verbatim_identifier(name: str, reserved: frozenset[str] | set[str] = frozenset()) -> str | None:
    """``name`` itself when it can be a Python identifier; a system name (``_id``) keeps its
    snake_case spelling with a trailing ``_`` (``id_``: no public Python name starts with
    ``_``); None otherwise."""
    if name.startswith("_") and _IDENTIFIER.match(name.lstrip("_") or "-"):
        return _fix(snakecase(name) + "_", reserved | {"self", "cls"})
    if not _IDENTIFIER.match(name):
        return None
    return _fix(name, reserved | {"self", "cls"})


def unique_spellings(
    items: Mapping[K, str],
    spell: Callable[[str], str],
    *,
    verbatim: Callable[[str], str | None] = lambda name: verbatim_identifier(name),
    taken: Iterable[str] = (),
    scope: str,
) -> dict[K, str]:
    """Python spellings of ``items`` (key -> Convex name), unique within one scope.

    Each gets ``spell(name)``; where several would share a spelling, the one whose Convex name
    already is that spelling keeps it and the others use their verbatim name. Spellings in
    ``taken`` (other kinds of names in the same scope) count as clashes too.
    """
    taken_set = set(taken)
    spelled = {key: spell(name) for key, name in items.items()}
    groups: dict[str, list[K]] = {}
    for key, text in spelled.items():
        groups.setdefault(text, []).append(key)
    out: dict[K, str] = {}
    for text, keys in groups.items():
        if len(keys) == 1 and text not in taken_set:
            out[keys[0]] = text
            continue
        # The name that already is this spelling (or whose verbatim form is) keeps it.
        owners = [k for k in keys if items[k] == text] or [
            k for k in keys if verbatim(items[k]) == text
        ]
        owner = owners[0] if len(owners) == 1 and text not in taken_set else None
        for key in keys:
            if key == owner:
                out[key] = text
                continue
            name = items[key]
            alternative = verbatim(name)
            if alternative is None or alternative == text:
                others = ", ".join(repr(items[k]) for k in sorted(keys, key=str) if k != key)
                raise NamingError(
                    f"{scope}: {name!r} and {others or 'a generated name'} would all be "
                    f"spelled {text!r} in Python; rename one of them"
                )
            out[key] = alternative
    final: dict[str, K] = {}
    for key, text in out.items():
        if text in final or text in taken_set:
            other = items[final[text]] if text in final else "a generated name"
            raise NamingError(
                f"{scope}: {items[key]!r} and {other!r} would both be spelled {text!r} in "
                "Python; rename one of them"
            )
        final[text] = key
    return out


def singular(word: str) -> str:
    """A plain English singular, good enough for field and table names."""
    lower = word.lower()
    if lower.endswith("ies") and len(word) > 3:
        return word[:-3] + ("Y" if word[-3].isupper() else "y")
    if lower.endswith(("sses", "shes", "ches", "xes")):
        return word[:-2]
    if lower.endswith("s") and not lower.endswith(("ss", "us", "is")) and len(word) > 1:
        return word[:-1]
    return word


def is_plural(word: str) -> bool:
    return singular(word) != word


def docstring_text(text: str) -> str:
    """Text from the input made safe inside a triple-quoted docstring."""
    return text.replace("\\", "\\\\").replace('"""', '\\"\\"\\"').strip()


def string_literal(text: str) -> str:
    """A Python string literal holding exactly ``text`` (any content: quotes, newlines,
    control characters, lone surrogates)."""
    literal = repr(text)
    if literal.startswith("'") and '"' not in text and "\\" not in literal[1:-1].replace("\\'", ""):
        return '"' + literal[1:-1].replace("\\'", "'") + '"'
    return literal
