"""LangChain messages to and from stored messages.

A LangChain message is stored as one message of the thread:

* ``role``: ``user`` (human), ``assistant`` (ai), ``system``, ``tool`` (tool and function
  messages); a ``ChatMessage`` keeps its role when it is one of these, else ``assistant``;
* ``content.parts`` (Mastra's v2 parts, what other readers of the thread use): the text as
  ``{type: "text", text}`` parts (a non-empty string content is exactly one part), other content
  blocks as ``{type: "langchain-block", json}``, an AI message's tool calls as
  ``tool-invocation`` parts in state ``call`` (``toolCallId``, ``toolName``, ``args``), a
  tool message's call id in a ``tool-invocation`` part in state ``result``;
* ``content.metadata.langchain``: the rest of the message (``message_to_dict`` less a
  string content and fields left at their defaults) as JSON text, so that the message
  comes back equal to what was added, ints as ints and any key kept.

Messages written by other clients (no ``langchain`` metadata) come back as the message
class of their role, with their text, tool calls and tool-call ids from the parts.
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any

from langchain_core.messages import (
    AIMessage,
    BaseMessage,
    HumanMessage,
    SystemMessage,
    ToolMessage,
    message_to_dict,
    messages_from_dict,
)
from langchain_core.messages.tool import tool_call

from .._encoding import is_plain_json
from ..types import Message

__all__ = ["LANGCHAIN_KEY", "from_stored", "to_stored"]

#: Where the rest of a LangChain message lives in a stored message's ``content.metadata``.
LANGCHAIN_KEY = "langchain"

_ROLES = {
    "human": "user",
    "ai": "assistant",
    "system": "system",
    "tool": "tool",
    "function": "tool",
}
_STORED_ROLES = frozenset({"user", "assistant", "system", "tool"})


def _role_of(message: BaseMessage) -> str:
    kind = message.type.removesuffix("MessageChunk").lower()  # "AIMessageChunk" -> "ai"
    if kind == "chat":
        role = getattr(message, "role", "")
        return role if role in _STORED_ROLES else "assistant"
    return _ROLES.get(kind, "assistant")


def _content_parts(content: str | list[Any]) -> list[dict[str, Any]]:
    if isinstance(content, str):
        return [{"type": "text", "text": content}] if content else []
    parts: list[dict[str, Any]] = []
    for block in content:
        if isinstance(block, str):
            parts.append({"type": "text", "text": block})
        elif (
            isinstance(block, Mapping)
            and block.get("type") == "text"
            and isinstance(block.get("text"), str)
        ):
            parts.append({"type": "text", "text": block["text"]})
        else:
            parts.append({"type": "langchain-block", "json": json.dumps(block, ensure_ascii=False)})
    return parts


def _tool_call_parts(message: BaseMessage) -> list[dict[str, Any]]:
    parts: list[dict[str, Any]] = []
    for call in getattr(message, "tool_calls", None) or []:
        invocation: dict[str, Any] = {
            "state": "call",
            "toolCallId": call.get("id"),
            "toolName": call["name"],
        }
        if is_plain_json(call.get("args")):
            invocation["args"] = call["args"]
        parts.append({"type": "tool-invocation", "toolInvocation": invocation})
    if isinstance(message, ToolMessage):
        result: dict[str, Any] = {"state": "result", "toolCallId": message.tool_call_id}
        if message.name is not None:
            result["toolName"] = message.name
        parts.append({"type": "tool-invocation", "toolInvocation": result})
    return parts


def _without_defaults(message: BaseMessage, data: dict[str, Any]) -> dict[str, Any]:
    fields = type(message).model_fields
    kept: dict[str, Any] = {}
    for key, value in data.items():
        field = fields.get(key)
        if (
            key != "type"
            and field is not None
            and not field.is_required()
            and field.default == value
        ):
            continue
        kept[key] = value
    return kept


def to_stored(message: BaseMessage, *, id: str) -> dict[str, Any]:
    """The ``saveMessages`` form of a LangChain message (without ``threadId``). Raises
    ``TypeError`` when a field is not JSON (nothing is saved then)."""
    if not isinstance(message, BaseMessage):
        raise TypeError(f"expected a LangChain BaseMessage, got {type(message).__name__}")
    as_dict = message_to_dict(message)
    data = _without_defaults(message, as_dict["data"])
    text_only = isinstance(message.content, str)
    if text_only:
        data.pop("content", None)
    exact = json.dumps({"type": as_dict["type"], "data": data}, ensure_ascii=False)
    metadata: dict[str, Any] = {LANGCHAIN_KEY: exact}
    if text_only:
        metadata["contentIsText"] = True  # the text is the first part
    parts = _content_parts(message.content) + _tool_call_parts(message)
    return {
        "id": id,
        "role": _role_of(message),
        "content": {"format": 2, "parts": parts, "metadata": metadata},
    }


def _parts(message: Message) -> list[dict[str, Any]]:
    return [p for p in message.content.parts if isinstance(p, dict)]


def _texts(message: Message) -> list[str]:
    return [
        p["text"]
        for p in _parts(message)
        if p.get("type") == "text" and isinstance(p.get("text"), str)
    ]


def from_stored(message: Message) -> BaseMessage:
    """The LangChain message a stored message holds (see the module's docstring)."""
    metadata = message.content.metadata
    exact = metadata.get(LANGCHAIN_KEY) if isinstance(metadata, dict) else None
    if isinstance(exact, str):
        stored = json.loads(exact)
        if metadata.get("contentIsText") is True:
            texts = _texts(message)
            stored["data"]["content"] = texts[0] if texts else ""
        return messages_from_dict([stored])[0]
    return _foreign(message)


def _foreign(message: Message) -> BaseMessage:
    """A message another client wrote, as the message class of its role."""
    text = (
        message.content.content
        if message.content.content is not None
        else "\n".join(_texts(message))
    )
    invocations = [
        p["toolInvocation"]
        for p in _parts(message)
        if p.get("type") == "tool-invocation" and isinstance(p.get("toolInvocation"), dict)
    ]
    if message.role == "user":
        return HumanMessage(content=text, id=message.id)
    if message.role == "system":
        return SystemMessage(content=text, id=message.id)
    if message.role == "tool":
        result: dict[str, Any] = next((i for i in invocations if i.get("state") == "result"), {})
        output = result.get("result")
        return ToolMessage(
            content=output if isinstance(output, str) and not text else text,
            tool_call_id=str(result.get("toolCallId") or ""),
            id=message.id,
        )
    calls = [
        tool_call(
            name=str(i.get("toolName", "")),
            args=i["args"] if isinstance(i.get("args"), dict) else {},
            id=i.get("toolCallId") if isinstance(i.get("toolCallId"), str) else None,
        )
        for i in invocations
        if i.get("state") in ("call", "partial-call")
    ]
    return AIMessage(content=text, tool_calls=calls, id=message.id)
