"""Convex validators -> named types: a JSON Schema for datamodel-code-generator, and the
Python type expressions the method signatures use.

Every object validator becomes a named model. Equal object validators (same fields, same
types, same optionality) share one model. Names come from where the object appears:

- a function's arguments: ``<Function>Args`` (one per function, never shared);
- what ``getThread`` / ``saveThread`` return: ``Thread``; an item of what ``listThreads``
  pages through: ``Thread`` and the page itself ``ThreadPage``; otherwise ``<Function>Result``
  and ``<Function>Item``;
- a field: ``<Parent><Field>`` (singular for an array's items); an argument field:
  ``<Function><Field>``, e.g. ``SaveMessagesMessage``;
- a member of a union tagged by a literal field: ``<Name><TagValue>``.

When two different objects would get the same short name, both fall back to their
qualified names (function + field path), so adding a function can only rename objects whose
short name became ambiguous. Nothing is numbered.
"""

from __future__ import annotations

import dataclasses
import math
from collections import Counter
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from .names import is_plural, pascalcase, singular, words
from .spec import Function, SpecError, Validator, canonical_json

INT64_MIN = -(2**63)
INT64_MAX = 2**63 - 1

# Verbs whose result is the entity the rest of the name says (getThread -> Thread).
ENTITY_VERBS = frozenset(
    {
        "get",
        "save",
        "create",
        "update",
        "upsert",
        "load",
        "fetch",
        "find",
        "read",
        "put",
        "set",
        "patch",
        "add",
        "append",
    }
)
PAGE_FIELDS = frozenset({"page", "isDone", "continueCursor"})


def decode_literal(value: Any) -> Any:
    """A literal's value from validator JSON: ``{"$integer": base64}`` -> int."""
    if isinstance(value, dict) and "$integer" in value:
        import base64

        return int.from_bytes(base64.b64decode(value["$integer"]), "little", signed=True)
    return value


def _split_verb(function_name: str) -> tuple[str, str]:
    parts = words(function_name)
    if len(parts) < 2:
        return "", ""
    return parts[0].lower(), "".join(p[:1].upper() + p[1:] for p in parts[1:])


def mark_json_text(v: Validator, fields: frozenset[str]) -> Validator:
    """Marks the string fields named in ``fields`` (at any depth) as JSON text: the SDK
    takes and returns them as Python values and (de)serialises them itself."""
    if not fields:
        return v
    kind = v.get("type")
    if kind == "object":
        value = {}
        for name, spec in v["value"].items():
            field_type = spec["fieldType"]
            if name in fields:
                field_type = _json_text_type(field_type)
            value[name] = {**spec, "fieldType": mark_json_text(field_type, fields)}
        return {**v, "value": value}
    if kind == "array":
        return {**v, "value": mark_json_text(v["value"], fields)}
    if kind == "record":
        values = v["values"]
        return {**v, "values": {**values, "fieldType": mark_json_text(values["fieldType"], fields)}}
    if kind == "union":
        return {**v, "value": [mark_json_text(m, fields) for m in v["value"]]}
    return v


def _json_text_type(v: Validator) -> Validator:
    if v.get("type") == "string":
        return {"type": "jsontext"}
    if v.get("type") == "union" and any(m.get("type") == "string" for m in v["value"]):
        return {
            **v,
            "value": [{"type": "jsontext"} if m.get("type") == "string" else m for m in v["value"]],
        }
    return v


def is_paginated(fn: Function) -> bool:
    args = fn.args
    returns = fn.returns
    return (
        args.get("type") == "object"
        and "paginationOpts" in args.get("value", {})
        and returns is not None
        and returns.get("type") == "object"
        and set(returns.get("value", {})) >= PAGE_FIELDS
        and not any(returns["value"][f].get("optional") for f in PAGE_FIELDS)
    )


@dataclass
class ObjectModel:
    """One generated pydantic model."""

    key: str
    validator: Validator
    fields: list[tuple[str, Node, bool]] = field(
        default_factory=list
    )  # (convex name, type, optional)
    short: Counter[str] = field(default_factory=Counter)
    qualified: set[str] = field(default_factory=set)
    forced: str | None = None
    name: str = ""
    tag: str | None = None  # set for a tagged union (then `members`, not `fields`)
    members: list[Node] = field(default_factory=list)


@dataclass
class Node:
    """A validator after naming: ``kind`` is a validator type; ``obj`` for objects."""

    kind: str
    value: Any = None
    items: list[Node] = field(default_factory=list)
    obj: ObjectModel | None = None  # for "object" and "tagged" (a named tagged union)


class TypeRegistry:
    def __init__(
        self,
        json_text: Mapping[str, frozenset[str]] | None = None,
        json_text_results: frozenset[str] = frozenset(),
    ) -> None:
        self.json_text = dict(json_text or {})
        self.json_text_results = json_text_results
        self.uses_json_text = False
        self.uses_any = False
        self.objects: dict[str, ObjectModel] = {}
        self.ids: dict[str, str] = {}  # table -> Python type name
        self.uses_int64 = False
        self._named = False

    # ---- walking ------------------------------------------------------------------------

    def walk(
        self, v: Validator, short: str | None, qualified: str, *, forced: str | None = None
    ) -> Node:
        """``short``/``qualified``: candidate names for an object at this position."""
        kind = v.get("type")
        if kind == "jsontext":
            self.uses_json_text = True
            return Node("jsontext")
        if kind in {"null", "number", "bigint", "boolean", "string", "bytes", "any"}:
            self.uses_int64 |= kind == "bigint"
            self.uses_any |= kind == "any"
            return Node(kind)
        if kind == "literal":
            value = decode_literal(v["value"])
            if type(v["value"]) is int:
                # A plain JSON number is a float64 literal (`v.literal(2)`); an int64 literal
                # comes as {"$integer": ...}. Kept a float, so it is sent as a float64.
                value = float(value)
            return Node("literal", value)
        if kind == "id":
            self.ids.setdefault(v["tableName"], "")
            return Node("id", v["tableName"])
        if kind == "array":
            item_short = singular(short) if short else None
            item_qualified = singular(qualified) if is_plural(qualified) else qualified + "Item"
            return Node("array", items=[self.walk(v["value"], item_short, item_qualified)])
        if kind == "record":
            keys = self.walk(v["keys"], None, qualified + "Key")
            values = self.walk(
                v["values"]["fieldType"], short and short + "Value", qualified + "Value"
            )
            return Node("record", items=[keys, values])
        if kind == "union":
            return self._walk_union(v, short, qualified)
        if kind == "object":
            return self._walk_object(v, short, qualified, forced)
        raise SpecError(f"unknown validator type {kind!r} in {qualified}")

    def _walk_union(self, v: Validator, short: str | None, qualified: str) -> Node:
        members = v["value"]
        objects = [m for m in members if m.get("type") == "object"]
        rest = [m for m in members if m.get("type") != "null"]
        tag = union_tag(objects) if len(objects) >= 2 and len(objects) == len(rest) else None
        if tag is not None:
            # A tagged union is a named type of its own: `MessageContent = A | B | C`
            # discriminated by the tag, so that lists and records of it stay readable.
            key = "union:" + canonical_json(rest)
            model = self.objects.get(key)
            first = model is None
            if model is None:
                model = ObjectModel(key=key, validator={"type": "union", "value": rest}, tag=tag)
                self.objects[key] = model
            if short:
                model.short[short] += 1
            model.qualified.add(qualified)
            nodes = []
            for member in rest:
                suffix = pascalcase(str(decode_literal(member["value"][tag]["fieldType"]["value"])))
                nodes.append(self.walk(member, short and short + suffix, qualified + suffix))
            if first:
                model.members = nodes
            nullable = len(rest) < len(members)
            return Node(
                "union", items=[Node("tagged", obj=model)] + ([Node("null")] if nullable else [])
            )
        items: list[Node] = []
        for index, member in enumerate(members):
            if member.get("type") != "object" or len(objects) == 1:
                items.append(self.walk(member, short, qualified))
                continue
            suffix = _variant_suffix(member, objects, index)
            items.append(self.walk(member, short and short + suffix, qualified + suffix))
        return Node("union", items=items)

    def _walk_object(
        self, v: Validator, short: str | None, qualified: str, forced: str | None
    ) -> Node:
        key = f"forced:{forced}" if forced else canonical_json(v)
        model = self.objects.get(key)
        first = model is None
        if model is None:
            model = ObjectModel(key=key, validator=v, forced=forced)
            self.objects[key] = model
        if short:
            model.short[short] += 1
        model.qualified.add(qualified)
        # Children are named after this position too (it may be the one that names them).
        child_short = short if not forced else forced.removesuffix("Args")
        fields: list[tuple[str, Node, bool]] = []
        page_shape = set(v["value"]) >= PAGE_FIELDS
        for name, spec in v["value"].items():
            if page_shape and name == "page":
                item_short = (
                    short.removesuffix("Page") if short and short.endswith("Page") else None
                )
                item_qual = qualified.removesuffix("Page") + "Item"
                node = Node(
                    "array", items=[self.walk(spec["fieldType"]["value"], item_short, item_qual)]
                )
            elif name == "paginationOpts":
                node = self.walk(spec["fieldType"], "PaginationOptions", "PaginationOptions")
            else:
                part = pascalcase(name)
                node = self.walk(
                    spec["fieldType"], child_short and child_short + part, qualified + part
                )
            fields.append((name, node, bool(spec.get("optional"))))
        if first:
            model.fields = fields
        return Node("object", obj=model)

    def add_function(self, fn: Function, *, component: bool) -> tuple[Node, Node | None]:
        """Walks one function's args and returns (None when it declares no `returns`)."""
        base = pascalcase(fn.name)
        fields = self.json_text.get(fn.module, frozenset())
        args = fn.args if fn.args.get("type") == "object" else {"type": "object", "value": {}}
        args = mark_json_text(args, fields)
        returns = fn.returns
        if returns is not None:
            returns = mark_json_text(returns, fields)
            if fn.name in self.json_text_results:
                returns = _json_text_type(returns)
        fn = dataclasses.replace(fn, returns=returns)
        args_node = self.walk(args, None, base + "Args", forced=base + "Args")
        if fn.returns is None:
            return args_node, None
        verb, noun = _split_verb(fn.name)
        returns = fn.returns
        if is_paginated(fn):
            item = singular(noun) if verb == "list" and noun else None
            short = item + "Page" if item else None
            return args_node, self.walk(returns, short, base + "Page")
        short = None
        shape = _strip_null(returns)
        if shape.get("type") == "object" and verb in ENTITY_VERBS and noun and not is_plural(noun):
            short = noun
        elif (
            shape.get("type") == "array"
            and verb in ENTITY_VERBS | {"list"}
            and noun
            and is_plural(noun)
        ):
            short = noun  # the array walk makes it singular
        return args_node, self.walk(returns, short, base + "Result")

    # ---- naming -------------------------------------------------------------------------

    def assign_names(self) -> None:
        reserved = {"ConvexModel", "Int64", "JsonText", "ConvexAny", "ConvexCodegenRoot"}
        forced = {m.forced for m in self.objects.values() if m.forced}
        taken = set(forced) | reserved
        for m in self.objects.values():
            if m.forced:
                m.name = m.forced
        # Ids: MessageId for table "messages" (the table name itself when that collides).
        id_names: dict[str, list[str]] = {}
        for table in sorted(self.ids):
            id_names.setdefault(pascalcase(singular(table)) + "Id", []).append(table)
        for name, tables in id_names.items():
            for table in tables:
                self.ids[table] = name if len(tables) == 1 else pascalcase(table) + "Id"
        taken |= set(self.ids.values())
        # Each object's preferred short name: the one most positions give it.
        wanted: dict[str, list[tuple[int, ObjectModel]]] = {}
        for m in self.objects.values():
            if m.forced or not m.short:
                continue
            best = sorted(m.short.items(), key=lambda kv: (-kv[1], kv[0]))[0]
            wanted.setdefault(best[0], []).append((best[1], m))
        for name, claims in sorted(wanted.items()):
            claims.sort(key=lambda c: -c[0])
            if name in taken or (len(claims) > 1 and claims[0][0] == claims[1][0]):
                continue  # ambiguous: every claimant falls back to its qualified name
            claims[0][1].name = name
            taken.add(name)
        for m in sorted(self.objects.values(), key=lambda m: min(m.qualified)):
            if m.name:
                continue
            for candidate in sorted(m.qualified, key=lambda q: (len(q), q)):
                if candidate not in taken:
                    m.name = candidate
                    taken.add(candidate)
                    break
            else:
                raise SpecError(
                    f"cannot name the object at {sorted(m.qualified)}: every candidate is taken"
                )
        self._named = True

    # ---- output -------------------------------------------------------------------------

    def python_type(self, node: Node) -> str:
        """The type expression of a node, as written in generated code."""
        k = node.kind
        if k in PYTHON_PRIMITIVES:
            return PYTHON_PRIMITIVES[k]
        if k == "jsontext":
            return "JsonText"
        if k == "literal":
            if isinstance(node.value, float):
                return "float"  # typing.Literal cannot hold a float; validated by range instead
            return (
                f"Literal[{node.value!r}]"
                if not isinstance(node.value, str)
                else ("Literal[" + _quoted(node.value) + "]")
            )
        if k == "id":
            return self.ids[node.value]
        if k == "array":
            return f"list[{self.python_type(node.items[0])}]"
        if k == "record":
            return f"dict[str, {self.python_type(node.items[1])}]"
        if k == "union":
            seen: list[str] = []
            for item in node.items:
                text = self.python_type(item)
                if text not in seen:
                    seen.append(text)
            if "None" in seen:  # `X | None` reads best with None last
                seen.remove("None")
                seen.append("None")
            if all(s.startswith("Literal[") for s in seen) and len(seen) > 1:
                return "Literal[" + ", ".join(s[len("Literal[") : -1] for s in seen) + "]"
            return " | ".join(seen)
        if k in {"object", "tagged"}:
            assert node.obj is not None
            return node.obj.name
        raise AssertionError(k)

    def param_type(self, node: Node) -> str:
        """The type of a method argument: like :meth:`python_type`, but an object may also be
        given as a plain mapping (camelCase or snake_case keys; validated before sending)."""
        k = node.kind
        if k in {"object", "tagged"}:
            return f"{self.python_type(node)} | Mapping[str, Any]"
        if k == "array" and node.items[0].kind in {"object", "tagged", "array"}:
            return f"Sequence[{self.param_type(node.items[0])}]"
        if k == "union" and any(i.kind in {"object", "tagged"} for i in node.items):
            parts: list[str] = []
            for item in node.items:
                text = self.param_type(item)
                if text not in parts:
                    parts.append(text)
            if "None" in parts:
                parts.remove("None")
                parts.append("None")
            return " | ".join(parts)
        return self.python_type(node)

    def json_schema(self, node: Node) -> dict[str, Any]:
        k = node.kind
        if k == "null":
            return {"type": "null"}
        if k == "number":
            return {"type": "number"}
        if k == "bigint":
            return {"$ref": "#/$defs/Int64"}
        if k == "boolean":
            return {"type": "boolean"}
        if k == "string":
            return {"type": "string"}
        if k == "bytes":
            return {"type": "string", "format": "binary"}
        if k == "any":
            return {"$ref": "#/$defs/ConvexAny"}
        if k == "jsontext":
            return {"$ref": "#/$defs/JsonText"}
        if k == "literal":
            value = node.value
            if isinstance(value, float):
                if math.isnan(value) or math.isinf(value):
                    return {"type": "number"}
                return {"type": "number", "minimum": value, "maximum": value}
            if isinstance(value, bool):
                return {"type": "boolean", "const": value}
            if isinstance(value, int):
                return {"type": "integer", "const": value}
            return {"type": "string", "const": value}
        if k == "id":
            return {"$ref": f"#/$defs/{self.ids[node.value]}"}
        if k == "array":
            return {"type": "array", "items": self.json_schema(node.items[0])}
        if k == "record":
            return {"type": "object", "additionalProperties": self.json_schema(node.items[1])}
        if k == "union":
            if len(node.items) == 1:
                return self.json_schema(node.items[0])
            return {"anyOf": [self.json_schema(i) for i in node.items]}
        if k in {"object", "tagged"}:
            assert node.obj is not None
            return {"$ref": f"#/$defs/{node.obj.name}"}
        raise AssertionError(k)

    def object_schema(self, model: ObjectModel) -> dict[str, Any]:
        if model.tag is not None:
            return {
                "oneOf": [self.json_schema(m) for m in model.members],
                "discriminator": {"propertyName": model.tag},
            }
        properties: dict[str, Any] = {}
        required: list[str] = []
        for name, node, optional in model.fields:
            prop = self.json_schema(node)
            if optional and not _admits_null(node):
                # absent is not null here: the base model leaves None out when sending
                prop = {**prop, "x-omit-none": True}
            properties[name] = prop
            if not optional:
                required.append(name)
        schema: dict[str, Any] = {"type": "object", "properties": properties}
        if required:
            schema["required"] = required
        return schema

    def document(self) -> dict[str, Any]:
        """One JSON Schema document whose ``$defs`` are every id type and model."""
        assert self._named
        defs: dict[str, Any] = {}
        if self.uses_int64:
            defs["Int64"] = {"type": "integer", "minimum": INT64_MIN, "maximum": INT64_MAX}
        if self.uses_json_text:
            defs["JsonText"] = {}
        if self.uses_any:
            defs["ConvexAny"] = {}
        for table, name in sorted(self.ids.items(), key=lambda kv: kv[1]):
            defs[name] = {"type": "string", "description": f"An id of the `{table}` table."}
        for model in sorted(self.objects.values(), key=lambda m: m.name):
            defs[model.name] = self.object_schema(model)
        return {"title": "ConvexCodegenRoot", "$defs": defs}


PYTHON_PRIMITIVES = {
    "null": "None",
    "number": "float",
    "bigint": "int",
    "boolean": "bool",
    "string": "str",
    "bytes": "bytes",
    "any": "ConvexAny",
}


def _quoted(text: str) -> str:
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'


def _admits_null(node: Node) -> bool:
    return node.kind in {"null", "any"} or (
        node.kind == "union" and any(_admits_null(i) for i in node.items)
    )


def _strip_null(v: Validator) -> Validator:
    if v.get("type") == "union":
        rest = [m for m in v["value"] if m.get("type") != "null"]
        if len(rest) == 1:
            return rest[0]
    return v


def union_tag(objects: list[Validator]) -> str | None:
    """The field every object of a union holds as a distinct required string literal."""
    candidates: set[str] | None = None
    for obj in objects:
        tags = {
            name
            for name, spec in obj["value"].items()
            if not spec.get("optional")
            and spec["fieldType"].get("type") == "literal"
            and isinstance(spec["fieldType"]["value"], str)
        }
        candidates = tags if candidates is None else candidates & tags
    for tag in sorted(candidates or (), key=lambda t: (t not in {"type", "kind"}, t)):
        values = [obj["value"][tag]["fieldType"]["value"] for obj in objects]
        if len(set(values)) == len(values):
            return tag
    return None


def _variant_suffix(member: Validator, objects: list[Validator], index: int) -> str:
    """``With<Field>`` after a required field no other member has."""
    others = [o for o in objects if o is not member]
    for name in sorted(member["value"]):
        if member["value"][name].get("optional"):
            continue
        if all(name not in o["value"] for o in others):
            return "With" + pascalcase(name)
    return f"Variant{chr(ord('A') + index)}"
