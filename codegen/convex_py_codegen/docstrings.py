"""Docstrings of generated methods (Google style): what the method calls, and every parameter
with the Python type its signature gives it (``name (type): what it is``)."""

from __future__ import annotations

import textwrap

from .ir import Method, Options, Param
from .names import docstring_text
from .types import Node

__all__ = ["all_doc", "method_doc", "wrap"]


def wrap(text: str, width: int, indent: str = "") -> list[str]:
    lines: list[str] = []
    for paragraph in text.split("\n"):
        if not paragraph.strip():
            lines.append("")
            continue
        lines += textwrap.wrap(
            paragraph,
            width,
            subsequent_indent=indent,
            break_long_words=False,
            break_on_hyphens=False,
        ) or [""]
    return lines


def _what(node: Node | None) -> str:
    """A few words on a value whose type alone does not say it all."""
    if node is None:
        return ""
    k = node.kind
    if k == "jsontext":
        return "any JSON-able Python value (sent as JSON text)"
    if k == "any":
        return "any Convex value"
    if k == "int":
        return "a whole number (a float64 on the wire)"
    if k == "float32vector":
        return (
            "a vector: a numpy array, a sequence of numbers or packed bytes, sent as packed "
            "little-endian float32 (stored as exactly those float32 values)"
        )
    if k == "bigint":
        return "a 64-bit integer" if node.value != "commitTs" else "a commit timestamp (int64)"
    if k == "id":
        return f"an id of the ``{node.value}`` table"
    if k == "union":
        texts = [_what(i) for i in node.items if i.kind != "null"]
        text = next((t for t in texts if t), "")
        return text + (" or None" if text and any(i.kind == "null" for i in node.items) else "")
    if k == "array":
        item = _what(node.items[0])
        return f"a list, each item {item}" if item else ""
    return ""


def _param_line(param: Param, free: bool) -> str:
    if free:
        return "the arguments, by Convex field name (the function declares no validator)"
    parts = []
    what = _what(param.node)
    if what:
        parts.append(what)
    if param.python != param.convex:
        parts.append(f"``{param.convex}`` on the wire")
    if param.optional:
        parts.append("optional: left out unless given")
    text = "; ".join(parts) or "required"
    return text[:1].upper() + text[1:] + "."


def _args_section(method: Method, width: int, *, page_args: bool) -> list[str]:
    entries: list[tuple[str, str, str]] = []
    for param in method.params:
        entries.append((param.python, param.annotation, _param_line(param, method.free_args)))
    if method.paginated and page_args:
        entries.append(("page_size", "int", "Items per page (the server may cap it)."))
        entries.append(
            (
                "cursor",
                "str | None",
                "Where to start: None for the first page, else a ``continue_cursor``.",
            )
        )
    lines: list[str] = []
    if entries:
        lines += ["", "Args:"]
        for name, annotation, text in entries:
            body = docstring_text(f"{name} ({annotation}): {text}")
            lines += [
                "    " + line if i == 0 else line
                for i, line in enumerate(wrap(body, width - 4, "        "))
            ]
    return lines


def method_doc(method: Method, options: Options, *, is_async: bool = False) -> str:
    width = options.line_length - 12
    fn = method.fn
    lines: list[str] = []
    if fn.description:
        lines += wrap(docstring_text(fn.description), width)
        lines.append("")
    if method.live:
        call = f"Subscribes to the query ``{method.path}``"
    else:
        call = f"Calls the {fn.kind} ``{method.path}``"
    if options.component:
        call += f" (component function ``{fn.module}:{fn.name}``)"
    lines += wrap(call + ".", width)
    if method.live:
        lines.append("")
        lines += wrap(
            "Live: returns a subscription; iterating it (``for``, or ``async for`` on the async "
            "client) yields the current value, then a new one after every change (also "
            "``next(timeout=...)`` and ``current()``). Close it with ``close()`` or a ``with`` "
            "block. Needs the ``convex`` package (the ``live`` extra).",
            width,
        )
    lines += _args_section(method, width, page_args=True)
    lines += ["", "Returns:"]
    if method.live:
        kind = "AsyncSubscription" if is_async else "Subscription"
        summary = f"{kind}[{method.returns}]: its values, each a {method.returns}."
    elif method.returns_node is None:
        summary = f"{method.returns}: any value (the function declares no ``returns``)."
    else:
        what = _what(method.returns_node)
        summary = f"{method.returns}: {what or 'what the function returns'}."
        if method.paginated:
            summary = (
                f"{method.returns}: one page (``page``, ``is_done``, ``continue_cursor``); "
                f"``{method.name}_all`` walks every page."
            )
    lines += [
        "    " + line if i == 0 else line
        for i, line in enumerate(wrap(docstring_text(summary), width - 4, "        "))
    ]
    return "\n".join(lines)


def all_doc(method: Method, options: Options, *, is_async: bool) -> str:
    width = options.line_length - 12
    loop = "``async for item in ...``" if is_async else "``for item in ...``"
    lines = wrap(
        f"Iterates every item of :meth:`{method.name}`, one page at a time: {loop} walks the "
        "cursors lazily; ``.pages()`` yields whole pages.",
        width,
    )
    lines += _args_section(method, width, page_args=True)
    paginator = "AsyncPaginator" if is_async else "SyncPaginator"
    lines += [
        "",
        "Returns:",
        "    " + docstring_text(f"{paginator}[{method.item}]: the items, page after page."),
    ]
    return "\n".join(lines)
