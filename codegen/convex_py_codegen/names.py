"""Names for generated Python code, and escaping of text that came from the input."""

from __future__ import annotations

import keyword
import re

_WORD_BOUNDARY = re.compile(r"(?<=[a-z0-9])(?=[A-Z])|(?<=[A-Z])(?=[A-Z][a-z])")
_NON_WORD = re.compile(r"[^0-9A-Za-z]+")


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


def python_identifier(name: str) -> str:
    """A snake_case name that is a valid parameter or method name."""
    ident = snakecase(name)
    if ident[0].isdigit():
        ident = "v_" + ident
    if keyword.iskeyword(ident) or keyword.issoftkeyword(ident) or ident in {"self", "cls"}:
        ident += "_"
    return ident


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
    """A Python string literal (double-quoted) holding ``text``."""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n") + '"'
