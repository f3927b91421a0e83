"""OpenAI Agents SDK items to and from stored messages.

An item is stored as one message of the session's thread:

* ``role``: the item's own role for messages (``developer`` is stored as ``system``),
  ``assistant`` for the model's calls and reasoning, ``tool`` for call outputs;
* ``content.parts``: what other readers of the thread can use (Mastra's v2 parts): the
  item's text as ``{type: "text", text}`` parts, a function call as a
  ``tool-invocation`` part in state ``call``, a call's output as one in state ``result``;
* ``content.metadata.openaiAgentsItem``: the item itself as JSON text, so that it comes
  back exactly as it was given (ints stay ints, any key is kept). A string ``content`` is
  not repeated there: it is the one text part.

Messages written by other clients (no ``openaiAgentsItem``) come back as
``{"role": ..., "content": <their text>}`` items.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from .._encoding import is_plain_json
from ..types import Message

__all__ = ["ITEM_KEY", "item_of", "message_of"]

#: Where the exact item lives in a stored message's ``content.metadata``.
ITEM_KEY = "openaiAgentsItem"
_ROLES = {"user": "user", "assistant": "assistant", "system": "system", "developer": "system"}


def _role_of(item: Mapping[str, Any]) -> str:
    role = item.get("role")
    if isinstance(role, str) and role in _ROLES:
        return _ROLES[role]
    kind = item.get("type")
    if isinstance(kind, str) and (kind.endswith("_output") or kind == "tool_result"):
        return "tool"
    return "assistant"


def _text_parts(content: Any) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}]
    parts: list[dict[str, Any]] = []
    if isinstance(content, list):
        for block in content:
            if isinstance(block, Mapping) and isinstance(block.get("text"), str):
                parts.append({"type": "text", "text": block["text"]})
    return parts


def _arguments(arguments: Any) -> dict[str, Any] | None:
    if not isinstance(arguments, str):
        return None
    try:
        parsed = json.loads(arguments)
    except ValueError:
        return None
    return parsed if isinstance(parsed, dict) and is_plain_json(parsed) else None


def _parts_of(item: Mapping[str, Any]) -> list[dict[str, Any]]:
    kind = item.get("type")
    if kind == "function_call":
        invocation: dict[str, Any] = {
            "state": "call",
            "toolCallId": str(item.get("call_id", "")),
            "toolName": str(item.get("name", "")),
        }
        args = _arguments(item.get("arguments"))
        if args is not None:
            invocation["args"] = args
        return [{"type": "tool-invocation", "toolInvocation": invocation}]
    if kind == "function_call_output":
        result: dict[str, Any] = {"state": "result", "toolCallId": str(item.get("call_id", ""))}
        output = item.get("output")
        if isinstance(output, str):
            result["result"] = output
        return [{"type": "tool-invocation", "toolInvocation": result}]
    if "content" in item:
        return _text_parts(item["content"])
    return []


def message_of(item: Mapping[str, Any], *, id: str) -> dict[str, Any]:
    """The ``saveMessages`` form of an item (without ``threadId``). Raises ``TypeError`` or
    ``ValueError`` when the item is not JSON (nothing is saved then)."""
    if not isinstance(item, Mapping):
        raise TypeError(f"a session item is a dict, got {type(item).__name__}")
    content = item.get("content")
    kept = dict(item)
    text_only = isinstance(content, str)
    if text_only:
        del kept["content"]
    exact = json.dumps(kept, ensure_ascii=False, allow_nan=True)
    stored: dict[str, Any] = {"format": 2, "parts": _parts_of(item)}
    metadata: dict[str, Any] = {ITEM_KEY: exact}
    if text_only:
        metadata["contentIsText"] = True  # the text is the one text part
    stored["metadata"] = metadata
    return {"id": id, "role": _role_of(item), "content": stored}


def item_of(message: Message) -> dict[str, Any]:
    """The item a stored message holds (see the module's docstring)."""
    metadata = message.content.metadata
    exact = metadata.get(ITEM_KEY) if isinstance(metadata, dict) else None
    if isinstance(exact, str):
        item: dict[str, Any] = json.loads(exact)
        if metadata.get("contentIsText") is True:
            item["content"] = _first_text(message)
        return item
    return {"role": message.role, "content": _plain_text(message)}


def _first_text(message: Message) -> str:
    for part in message.content.parts:
        if (
            isinstance(part, dict)
            and part.get("type") == "text"
            and isinstance(part.get("text"), str)
        ):
            return str(part["text"])
    return ""


def _plain_text(message: Message) -> str:
    if message.content.content is not None:
        return message.content.content
    texts = [
        part["text"]
        for part in message.content.parts
        if isinstance(part, dict)
        and part.get("type") == "text"
        and isinstance(part.get("text"), str)
    ]
    return "\n".join(texts)
