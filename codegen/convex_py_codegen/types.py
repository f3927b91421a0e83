"""Convex validators -> named Python types (the type half of the intermediate representation).

Every validator becomes a :class:`Node`; every object validator (and every union of objects
tagged by a literal field) becomes a named :class:`ObjectModel`. Equal object validators
(same fields, same types, same optionality) share one model, except a function's arguments,
which always get a model of their own.

Names come from where an object appears, at three levels, the first unique one winning:

1. short: what ``getThread``/``saveThread`` return is a ``Thread``; an item of what
   ``listThreads`` pages through is a ``Thread`` and the page a ``ThreadPage`` (when
   several objects want one short name, the one most positions give it gets it);
2. qualified by the function and the field path: ``SaveMessagesArgs``,
   ``SaveMessagesMessage`` (an array's items are singular), ``ListMessagesInclude``,
   ``CreateIndexResult``; members of a tagged union add their tag value
   (``MessageContentText``), other unions' members a field only they have
   (``DeleteVectorsArgsWithIds``);
   (a name longer than 40 characters is shortened to its last steps where those alone are
   unambiguous: ``ToolResultOutputContentValueImageData``);
3. qualified by the module too: ``NotesListArgs`` beside ``TodosListArgs``;
4. spelled as in Convex, for modules, functions or fields whose names differ only in
   spelling: ``FooBarPingArgs`` (module ``fooBar``) beside ``Foo_barPingArgs`` (``foo_bar``).

Past the first level, a name wanted by several different objects is given to none of them:
each goes on to its next level, so a name never depends on which function came first.
Nothing is numbered.

Where a ``v.number()`` holds whole numbers (the :class:`IntegerRule` from the config) it is
an ``int`` in Python and still a float64 on the wire. Where a field named in the config's
``float32_vectors`` takes ``v.union(v.array(v.float64()), v.bytes())`` it is a
``Float32Vector``: a numpy array, numbers or bytes in Python, packed float32 on the wire.
"""

from __future__ import annotations

import base64
import dataclasses
import fnmatch
import keyword
import math
import struct
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from .errors import NamingError, UnsupportedValidatorError
from .names import is_plural, pascalcase, singular, unique_spellings, words
from .spec import Function, Validator, canonical_json

__all__ = [
    "DEFAULT_INTEGER_FIELDS",
    "FLOAT32_VECTOR_SHAPE",
    "FieldRule",
    "IntegerRule",
    "Node",
    "ObjectModel",
    "TypeRegistry",
    "decode_literal",
    "is_paginated",
]

#: Every validator kind convex 1.48 exports (``values/validators.js``: the ``json`` getters).
VALIDATOR_KINDS = frozenset(
    {
        "null",
        "number",
        "bigint",
        "commitTs",
        "boolean",
        "string",
        "bytes",
        "any",
        "literal",
        "id",
        "array",
        "record",
        "union",
        "object",
    }
)

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
        "describe",
    }
)
PAGE_FIELDS = frozenset({"page", "isDone", "continueCursor"})

#: The naming rule behind ``int``: a ``v.number()`` field or argument with one of these names
#: (``*`` matches anything) holds whole numbers, and so does what a function whose name
#: matches a ``name()`` pattern returns (``countThreads``). The config may add patterns or
#: turn these off.
DEFAULT_INTEGER_FIELDS = (
    "count*()",
    "count",
    "*Count",
    "limit",
    "*Limit",
    "offset",
    "numItems",
    "topK",
    "dimension",
    "dimensions",
    "pageSize",
    "total",
    # paginationOptsValidator (convex/server): numItems above, and the read limits
    "maximumRowsRead",
    "maximumBytesRead",
)


@dataclass(frozen=True)
class IntegerRule:
    """Which ``v.number()`` values are ``int`` in Python: fields and arguments by name
    (``count``, ``*Count``), the results of functions by name (``count*()``), either scoped to
    a module (``vectors:dimension``, ``threads:count*()``); ``*`` matches anything."""

    patterns: tuple[str, ...] = DEFAULT_INTEGER_FIELDS

    def matches(self, module: str, name: str) -> bool:
        """A field or argument ``name`` of module ``module``."""
        return self._match(module, name, fields=True)

    def matches_result(self, module: str, function: str) -> bool:
        """What function ``function`` of ``module`` returns."""
        return self._match(module, function + "()", fields=False)

    def _match(self, module: str, name: str, *, fields: bool) -> bool:
        for pattern in self.patterns:
            if pattern.endswith("()") == fields:
                continue
            scope, sep, field_pattern = pattern.rpartition(":")
            if sep and not fnmatch.fnmatchcase(module, scope):
                continue
            if fnmatch.fnmatchcase(name, field_pattern):
                return True
        return False


@dataclass(frozen=True)
class FieldRule:
    """Fields and arguments by name, optionally scoped to a module (``vectors:queryVector``);
    ``*`` matches anything."""

    patterns: tuple[str, ...] = ()

    def matching(self, module: str, name: str) -> list[str]:
        """The patterns that match field ``name`` of module ``module``."""
        out = []
        for pattern in self.patterns:
            scope, sep, field_pattern = pattern.rpartition(":")
            if sep and not fnmatch.fnmatchcase(module, scope):
                continue
            if fnmatch.fnmatchcase(name, field_pattern):
                out.append(pattern)
        return out


#: What a ``float32_vectors`` field must take: float64 numbers or packed float32 bytes.
FLOAT32_VECTOR_SHAPE = "v.union(v.array(v.float64()), v.bytes())"


def is_float32_vector(v: Validator) -> bool:
    """``v.union(v.array(v.float64()), v.bytes())``, members in any order (null aside)."""
    if v.get("type") != "union":
        return False
    members = [m for m in flatten_union(v) if m.get("type") != "null"]
    kinds = sorted(
        "array" if m.get("type") == "array" and m["value"].get("type") == "number" else m["type"]
        for m in members
        if isinstance(m.get("type"), str)
    )
    return len(members) == 2 and kinds == ["array", "bytes"]


def decode_literal(value: Any) -> Any:
    """A literal's value from validator JSON: ``{"$integer": b64}`` -> int, ``{"$float": b64}``
    -> float (NaN, infinities, -0), a JSON number -> float (a float64 literal)."""
    if isinstance(value, dict):
        if "$integer" in value:
            return int.from_bytes(base64.b64decode(value["$integer"]), "little", signed=True)
        if "$float" in value:
            return float(struct.unpack("<d", base64.b64decode(value["$float"]))[0])
    if isinstance(value, int) and not isinstance(value, bool):
        return float(value)
    return value


def literal_wire(value: Any) -> str:
    """The wire kind of a literal's JSON: string, boolean, int64 or float64."""
    if isinstance(value, dict):
        return "int64" if "$integer" in value else "float64"
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, (int, float)):
        return "float64"
    return "string"


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
                field_type = json_text_type(field_type)
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


def json_text_type(v: Validator) -> Validator:
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
    """One generated pydantic model (or, with ``tag``, one discriminated union of models)."""

    key: str
    validator: Validator
    fields: list[ModelField] = field(default_factory=list)
    #: candidate names per level (short, function-qualified, module-qualified, verbatim)
    short: Counter[str] = field(default_factory=Counter)
    qualified: set[str] = field(default_factory=set)
    module_qualified: set[str] = field(default_factory=set)
    verbatim: set[str] = field(default_factory=set)
    tails: set[str] = field(default_factory=set)
    is_args: bool = False
    name: str = ""
    tag: str | None = None  # set for a tagged union (then `members`, not `fields`)
    members: list[Node] = field(default_factory=list)
    #: where it appears, "module:function" (for its docstring)
    used_by: set[str] = field(default_factory=set)
    #: seen in a function's arguments / results
    in_args: bool = False
    in_results: bool = False


@dataclass
class ModelField:
    convex: str  # the field's name on the wire
    node: Node
    optional: bool
    python: str = ""  # assigned with the model's names


@dataclass
class Node:
    """A validator after naming: ``kind`` is a validator type (``int`` for a float64 holding
    whole numbers, ``jsontext`` for JSON text), ``obj`` for objects and tagged unions."""

    kind: str
    value: Any = None
    wire: str = ""  # for literals: string, boolean, int64, float64
    items: list[Node] = field(default_factory=list)
    obj: ObjectModel | None = None
    name: str = ""  # for ids: the Python type, once named


def _verbatim(name: str) -> str:
    """A name part that keeps the Convex spelling (``foo_bar`` -> ``Foo_bar``): the last level
    of names, for things whose names differ only in spelling."""
    cleaned = "".join(c if c.isalnum() or c == "_" else "_" for c in name)
    return cleaned[:1].upper() + cleaned[1:]


#: Names longer than this are shortened to their last steps when that is unambiguous.
LONG_NAME = 40


@dataclass(frozen=True)
class Where:
    """The candidate names of an object at one position, one per naming level."""

    short: str | None
    qualified: str
    module_qualified: str
    verbatim: str
    #: the steps below the function (fields, items, union members), for shortened names
    parts: tuple[str, ...] = ()

    def extend(self, suffix: str, *, short: bool = True, convex: str | None = None) -> Where:
        """One step deeper: ``suffix`` in PascalCase; ``convex``: the name it came from."""
        return Where(
            (self.short + suffix) if (short and self.short) else None,
            self.qualified + suffix,
            self.module_qualified + suffix,
            self.verbatim + (_verbatim(convex) if convex is not None else suffix),
            (*self.parts, suffix),
        )

    def item(self) -> Where:
        def one(name: str) -> str:
            return singular(name) if is_plural(name) else name + "Item"

        return Where(
            singular(self.short) if self.short else None,
            one(self.qualified),
            one(self.module_qualified),
            self.verbatim + "Item",
            (*self.parts[:-1], one(self.parts[-1])) if self.parts else (),
        )

    def tails(self) -> list[str]:
        """Shorter names for a deep position whose full name is long: its last 3, 4, ...
        steps (``ToolResultOutputImageData`` rather than ``AddMessages...ImageData``)."""
        if len(self.qualified) <= LONG_NAME:
            return []
        return ["".join(self.parts[-k:]) for k in range(3, len(self.parts))]

    def renamed(self, suffix_from: str, suffix_to: str) -> Where:
        def swap(name: str) -> str:
            return name.removesuffix(suffix_from) + suffix_to

        return Where(
            swap(self.short) if self.short and self.short.endswith(suffix_from) else None,
            swap(self.qualified),
            swap(self.module_qualified),
            swap(self.verbatim),
        )


class TypeRegistry:
    def __init__(
        self,
        *,
        json_text: Mapping[str, frozenset[str]] | None = None,
        json_text_results: frozenset[str] = frozenset(),
        integers: IntegerRule | None = None,
        float32_vectors: FieldRule | None = None,
        reserved_names: frozenset[str] = frozenset(),
    ) -> None:
        self.json_text = dict(json_text or {})
        self.json_text_results = json_text_results
        self.integers = integers if integers is not None else IntegerRule()
        self.float32_vectors = float32_vectors if float32_vectors is not None else FieldRule()
        #: the ``float32_vectors`` patterns that named a field of the right shape
        self.float32_vectors_used: set[str] = set()
        self.reserved_names = reserved_names
        self.objects: dict[str, ObjectModel] = {}
        self.ids: dict[str, str] = {}  # table -> Python type name
        self.uses: set[str] = set()  # runtime types the models need (ConvexAny, JsonText, ...)
        self._named = False
        self._id_nodes: list[Node] = []
        self._module = ""
        self._function = ""
        self._side = "args"

    # ---- walking ------------------------------------------------------------------------

    def walk(
        self, v: Validator, where: Where, *, integral: bool = False, vector: bool = False
    ) -> Node:
        """``where``: the names an object at this position may get; ``integral``: a number
        here holds whole numbers (the integer rule matched the field it belongs to);
        ``vector``: the field is named in ``float32_vectors``."""
        kind = v.get("type")
        if vector and is_float32_vector(v):
            self.uses.add("Float32Vector")
            vector_node = Node("float32vector")
            if any(m.get("type") == "null" for m in flatten_union(v)):
                return Node("union", items=[vector_node, Node("null")])
            return vector_node
        if kind == "jsontext":
            self.uses.add("JsonText")
            return Node("jsontext")
        if kind == "number":
            if integral:
                self.uses.add("Float64Int")
                return Node("int")
            return Node("number")
        if kind in {"bigint", "commitTs"}:
            self.uses.add("Int64")
            return Node("bigint", value=kind)
        if kind in {"null", "boolean", "string", "bytes"}:
            return Node(kind)
        if kind == "any":
            self.uses.add("ConvexAny")
            return Node("any")
        if kind == "literal":
            raw = v["value"]
            wire = literal_wire(raw)
            value = decode_literal(raw)
            if wire == "float64" and isinstance(value, float) and value.is_integer():
                value = int(value)  # Literal[2] in Python, 2.0 on the wire
                self.uses.add("WireFloat")
            elif wire == "float64":
                self.uses.add("Float64Literal")
            return Node("literal", value, wire=wire)
        if kind == "id":
            self.ids.setdefault(v["tableName"], "")
            node = Node("id", v["tableName"])
            self._id_nodes.append(node)
            return node
        if kind == "array":
            return Node("array", items=[self.walk(v["value"], where.item(), integral=integral)])
        if kind == "record":
            keys = self.walk(v["keys"], where.extend("Key", short=False))
            values = self.walk(v["values"]["fieldType"], where.extend("Value"), integral=integral)
            return Node("record", items=[keys, values])
        if kind == "union":
            return self._walk_union(v, where, integral)
        if kind == "object":
            return self._walk_object(v, where)
        raise UnsupportedValidatorError(
            f"{self._module}:{self._function}: validator kind {kind!r} at {where.qualified} is "
            f"not one this generator knows ({', '.join(sorted(VALIDATOR_KINDS))}); upgrade "
            "convex-py-codegen"
        )

    def _seen(self, model: ObjectModel, where: Where) -> None:
        if where.short:
            model.short[where.short] += 1
        model.qualified.add(where.qualified)
        model.module_qualified.add(where.module_qualified)
        model.verbatim.add(where.verbatim)
        model.tails.update(where.tails())
        model.used_by.add(f"{self._module}:{self._function}")
        if self._side == "args":
            model.in_args = True
        else:
            model.in_results = True

    def _walk_union(self, v: Validator, where: Where, integral: bool) -> Node:
        members = flatten_union(v)
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
            self._seen(model, where)
            values = {
                i: str(decode_literal(m["value"][tag]["fieldType"]["value"]))
                for i, m in enumerate(rest)
            }
            # "oneToOneTable" and "one_to_one_table" both spell OneToOneTable: the one already
            # spelled so keeps it, the other keeps its own spelling (One_to_one_table).
            suffixes = unique_spellings(
                values,
                pascalcase,
                verbatim=lambda v: v[:1].upper() + v[1:] if v.replace("_", "").isalnum() else None,
                scope=f"{self._module}:{self._function}: the members of a union tagged by {tag!r}",
            )
            nodes = [
                self.walk(m, where.extend(suffixes[i], convex=values[i]))
                for i, m in enumerate(rest)
            ]
            if first:
                model.members = nodes
            nullable = len(rest) < len(members)
            return Node(
                "union", items=[Node("tagged", obj=model)] + ([Node("null")] if nullable else [])
            )
        variant_names = iter(variant_suffixes(objects) if len(objects) > 1 else [])
        items: list[Node] = []
        for member in members:
            if member.get("type") != "object" or len(objects) == 1:
                items.append(self.walk(member, where, integral=integral))
            else:
                items.append(self.walk(member, where.extend(next(variant_names))))
        return Node("union", items=items)

    def _walk_object(self, v: Validator, where: Where, *, args_of: str | None = None) -> Node:
        key = f"args:{args_of}" if args_of else canonical_json(v)
        model = self.objects.get(key)
        first = model is None
        if model is None:
            model = ObjectModel(key=key, validator=v, is_args=args_of is not None)
            self.objects[key] = model
        self._seen(model, where)
        fields: list[ModelField] = []
        page_shape = set(v["value"]) >= PAGE_FIELDS
        for name, spec in v["value"].items():
            integral = self.integers.matches(self._module, name)
            vector_patterns = self.float32_vectors.matching(self._module, name)
            vector = bool(vector_patterns) and is_float32_vector(spec["fieldType"])
            if vector:
                self.float32_vectors_used.update(vector_patterns)
            if page_shape and name == "page":
                # the page's item: a Message in a MessagePage (ListMessagesItem qualified)
                item_where = where.renamed("Page", "Item")
                item_where = Where(
                    where.short.removesuffix("Page")
                    if where.short and where.short.endswith("Page")
                    else None,
                    item_where.qualified,
                    item_where.module_qualified,
                    item_where.verbatim,
                )
                node = Node("array", items=[self.walk(spec["fieldType"]["value"], item_where)])
            elif name == "paginationOpts":
                node = self.walk(
                    spec["fieldType"],
                    Where(
                        "PaginationOptions",
                        "PaginationOptions",
                        "PaginationOptions",
                        "PaginationOptions",
                    ),
                )
            else:
                child = where if not args_of else where.renamed("Args", "")
                if args_of:
                    child = Where(
                        child.qualified, child.qualified, child.module_qualified, child.verbatim
                    )
                node = self.walk(
                    spec["fieldType"],
                    child.extend(pascalcase(name), convex=name),
                    integral=integral,
                    vector=vector,
                )
            fields.append(ModelField(name, node, bool(spec.get("optional"))))
        if first:
            model.fields = fields
        return Node("object", obj=model)

    def add_function(self, fn: Function) -> tuple[Node, Node | None]:
        """Walks one function's args and returns (None when it declares no `returns`)."""
        self._module, self._function = fn.module, fn.name
        base = pascalcase(fn.name)
        module_base = "".join(pascalcase(s) for s in fn.module.split("/") if s) + base
        verbatim_base = "".join(_verbatim(s) for s in fn.module.split("/") if s) + _verbatim(
            fn.name
        )
        fields = self.json_text.get(fn.module, frozenset()) | self.json_text.get("*", frozenset())
        args = fn.args if fn.args.get("type") == "object" else {"type": "object", "value": {}}
        args = mark_json_text(args, fields)
        returns = fn.returns
        if returns is not None:
            returns = mark_json_text(returns, fields)
            if fn.name in self.json_text_results or fn.path in self.json_text_results:
                returns = json_text_type(returns)
        fn = dataclasses.replace(fn, returns=returns)
        self._side = "args"
        args_node = self._walk_object(
            args,
            Where(None, base + "Args", module_base + "Args", verbatim_base + "Args"),
            args_of=fn.identifier,
        )
        if fn.returns is None:
            return args_node, None
        self._side = "results"
        verb, noun = _split_verb(fn.name)
        returns = fn.returns
        if is_paginated(fn):
            item = singular(noun) if verb == "list" and noun else None
            short = item + "Page" if item else None
            return args_node, self.walk(
                returns, Where(short, base + "Page", module_base + "Page", verbatim_base + "Page")
            )
        short = None
        shape = strip_null(returns)
        if shape.get("type") == "object" and verb in ENTITY_VERBS and noun and not is_plural(noun):
            short = noun
        elif (
            shape.get("type") == "array"
            and verb in ENTITY_VERBS | {"list"}
            and noun
            and is_plural(noun)
        ):
            short = noun  # the array walk makes it singular
        return args_node, self.walk(
            returns,
            Where(short, base + "Result", module_base + "Result", verbatim_base + "Result"),
            integral=self.integers.matches_result(fn.module, fn.name),
        )

    # ---- naming -------------------------------------------------------------------------

    def assign_names(
        self, taken: frozenset[str] = frozenset(), renames: Mapping[str, str] | None = None
    ) -> None:
        """Names every model and id type (see the module docstring); ``taken``: names used
        by other generated things (runtime types, resource classes); ``renames``: the
        config's ``[codegen.model_names]``, a generated model name -> the name it takes."""
        used = set(taken) | set(self.reserved_names)
        # Ids: MessageId for table "messages" (the table's own spelling when that collides).
        id_names: dict[str, list[str]] = {}
        for table in sorted(self.ids):
            id_names.setdefault(pascalcase(singular(table)) + "Id", []).append(table)
        for name, tables in id_names.items():
            for table in tables:
                chosen = name if len(tables) == 1 else pascalcase(table) + "Id"
                if chosen in used:
                    chosen = pascalcase(table) + "TableId"
                if chosen in used:
                    raise NamingError(f"no name for the ids of table {table!r}: {chosen} is taken")
                self.ids[table] = chosen
                used.add(chosen)
        for node in self._id_nodes:
            node.name = self.ids[node.value]
        remaining = sorted(self.objects.values(), key=lambda m: m.key)
        levels: list[Callable[[ObjectModel], list[str]]] = [
            lambda m: [
                name
                for name in ([] if m.is_args or not m.short else [_best_short(m.short)])
                if len(name) <= LONG_NAME
            ],
            lambda m: sorted((q for q in m.qualified if len(q) <= LONG_NAME), key=_by_length),
            lambda m: sorted(m.tails, key=_by_length),
            lambda m: sorted(m.qualified, key=_by_length),
            lambda m: sorted(m.module_qualified, key=lambda q: (len(q), q)),
            lambda m: sorted(m.verbatim, key=lambda q: (len(q), q)),
        ]
        for depth, level in enumerate(levels):
            wanted: dict[str, list[ObjectModel]] = {}
            for model in remaining:
                for candidate in level(model):
                    wanted.setdefault(candidate, []).append(model)
            for model in remaining:
                for candidate in level(model):
                    if candidate in used:
                        continue
                    rivals = wanted[candidate]
                    # A short name goes to the object most positions give it, if one does.
                    if len(rivals) == 1 or (
                        depth == 0 and _strictly_most(model, rivals, candidate)
                    ):
                        model.name = candidate
                        used.add(candidate)
                        break
            remaining = [m for m in remaining if not m.name]
        if remaining:
            lines = [
                f"  an object used by {', '.join(sorted(m.used_by))} "
                f"(it could be {', '.join(sorted(m.module_qualified))})"
                for m in remaining
            ]
            raise NamingError(
                "these objects have no name that is theirs alone (two different objects at the "
                "same place of functions whose module and name spell the same):\n"
                + "\n".join(lines)
            )
        self._rename(renames or {}, used)
        self._named = True

    def _rename(self, renames: Mapping[str, str], used: set[str]) -> None:
        """Applies ``[codegen.model_names]``: each entry must name a generated model and give
        it a legal class name no other generated thing has."""
        if not renames:
            return
        by_name = {m.name: m for m in self.objects.values()}
        unknown = sorted(set(renames) - set(by_name))
        if unknown:
            raise NamingError(
                f"[codegen.model_names] names models the spec does not generate: {unknown}"
            )
        targets = list(renames.values())
        for old, new in renames.items():
            if not new.isidentifier() or keyword.iskeyword(new) or not new[:1].isupper():
                raise NamingError(
                    f"[codegen.model_names] {old} = {new!r}: a model name is a PascalCase "
                    "Python identifier"
                )
            if targets.count(new) > 1 or (new in used and new not in renames):
                raise NamingError(
                    f"[codegen.model_names] {old} = {new!r}: that name is already taken"
                )
        for old, new in renames.items():
            by_name[old].name = new

    @property
    def models(self) -> list[ObjectModel]:
        assert self._named
        return sorted(self.objects.values(), key=lambda m: m.name)


def _strictly_most(model: ObjectModel, rivals: list[ObjectModel], name: str) -> bool:
    votes = model.short[name]
    return all(r is model or r.short[name] < votes for r in rivals)


def _by_length(name: str) -> tuple[int, str]:
    return (len(name), name)


def _best_short(short: Counter[str]) -> str:
    return sorted(short.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]


def flatten_union(v: Validator) -> list[Validator]:
    """A union's members, unions among them spread out (``v.union(a, v.union(b, c))`` is
    ``a | b | c``), each once."""
    out: list[Validator] = []
    seen: set[str] = set()
    for member in v["value"]:
        for item in flatten_union(member) if member.get("type") == "union" else [member]:
            key = canonical_json(item)
            if key not in seen:
                seen.add(key)
                out.append(item)
    return out


def admits_null(node: Node) -> bool:
    return node.kind in {"null", "any", "jsontext"} or (
        node.kind == "union" and any(admits_null(i) for i in node.items)
    )


def strip_null(v: Validator) -> Validator:
    if v.get("type") == "union":
        rest = [m for m in v["value"] if m.get("type") != "null"]
        if len(rest) == 1:
            only: Validator = rest[0]
            return only
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


def _literal_of(spec: Mapping[str, Any]) -> Any:
    field_type = spec["fieldType"]
    if field_type.get("type") == "literal":
        return decode_literal(field_type["value"])
    return None


def _literals(member: Validator) -> dict[str, Any]:
    """The member's fields that hold one literal string or number, by name (tag-like
    fields first)."""
    fields = member["value"]
    found = {
        name: _literal_of(fields[name])
        for name in sorted(fields, key=lambda n: (n not in {"type", "kind"}, n))
        if not fields[name].get("optional")
    }
    return {k: v for k, v in found.items() if v is not None and not isinstance(v, bool)}


def _suffix_candidates(member: Validator, others: list[Validator]) -> list[str]:
    """Name parts that tell ``member`` from ``others``, best first: a literal only it holds
    (``Text`` for ``type: "text"``), two literals only it holds together
    (``SourceDocument``), a required field only it has (``WithIds``), a field only it
    requires (``ArgsRequired``), an optional field only it has, a field it lacks
    (``WithoutFilter``), a field of another kind (``DataString``)."""
    fields = member["value"]
    mine = _literals(member)
    theirs = [_literals(o) for o in others]
    out: list[str] = []
    for name in sorted(fields):  # a boolean tag: `ok: true` -> Ok, `ok: false` -> NotOk
        flag = _literal_of(fields[name])
        if (
            isinstance(flag, bool)
            and not fields[name].get("optional")
            and all(
                _literal_of(o["value"][n]) is (not flag)
                for o in others
                for n in [name]
                if n in o["value"]
            )
        ):
            out.append(("" if flag else "Not") + pascalcase(name))
    for name, value in mine.items():
        if all(t.get(name) != value for t in theirs):
            out.append(pascalcase(str(value)))
    for first, value in mine.items():
        same = [t for t in theirs if t.get(first) == value]
        for second, value2 in mine.items():
            if second != first and all(t.get(second) != value2 for t in same):
                out.append(pascalcase(str(value)) + pascalcase(str(value2)))
    for optional in (False, True):
        for name in sorted(fields):
            if bool(fields[name].get("optional")) == optional and all(
                name not in o["value"] for o in others
            ):
                out.append("With" + pascalcase(name))
        if not optional:
            # required here, optional in every other member that has it
            tag = pascalcase(str(next(iter(mine.values())))) if mine else ""
            for name in sorted(fields):
                having = [o for o in others if name in o["value"]]
                if (
                    not fields[name].get("optional")
                    and having
                    and all(o["value"][name].get("optional") for o in having)
                ):
                    if tag:
                        out.append(tag + pascalcase(name) + "Required")
                    out.append(pascalcase(name) + "Required")
    for name in sorted({n for o in others for n in o["value"]}):
        if name not in fields and all(name in o["value"] for o in others):
            out.append("Without" + pascalcase(name))
    for name in sorted(fields):
        kind = fields[name]["fieldType"].get("type", "")
        if all(
            name in o["value"] and o["value"][name]["fieldType"].get("type") != kind for o in others
        ):
            out.append(pascalcase(name) + pascalcase(str(kind)))
    return [c for c in out if c and not c.startswith("V")]


def variant_suffixes(objects: list[Validator]) -> list[str]:
    """One distinct name part per member of an untagged union of objects (see
    :func:`_suffix_candidates`); only when members differ in nothing nameable is a member
    named by its position (``Variant2``)."""
    candidates = [_suffix_candidates(m, [o for o in objects if o is not m]) for m in objects]
    position = [0] * len(objects)

    def current(i: int) -> str:
        if position[i] < len(candidates[i]):
            return candidates[i][position[i]]
        return f"Variant{i + 1}"

    for _ in range(sum(len(c) for c in candidates) + 1):
        chosen = [current(i) for i in range(len(objects))]
        clashing = {c for c in chosen if chosen.count(c) > 1}
        if not clashing:
            return chosen
        for i, c in enumerate(chosen):
            if c in clashing:
                position[i] += 1
    return [current(i) for i in range(len(objects))]


def is_nan_or_inf(value: Any) -> bool:
    return isinstance(value, float) and (math.isnan(value) or math.isinf(value))


# ---- Python type expressions --------------------------------------------------------------

Spell = Callable[[str], str]


def _plain(name: str) -> str:
    return name


def python_type(node: Node, spell: Spell = _plain, *, wire: bool = False) -> str:
    """The type expression of a node. ``wire``: the annotation of a model field, which also
    says how the value travels (``Float64Int``: an int sent as a float64); otherwise what a
    user reads in a signature (``int``)."""
    k = node.kind
    if k == "null":
        return "None"
    if k == "number":
        return spell("float")
    if k == "int":
        return spell("Float64Int") if wire else spell("int")
    if k == "bigint":
        return spell("Int64") if wire else spell("int")
    if k in {"boolean", "string", "bytes"}:
        return spell({"boolean": "bool", "string": "str", "bytes": "bytes"}[k])
    if k == "any":
        return spell("ConvexAny")
    if k == "jsontext":
        return spell("JsonText")
    if k == "float32vector":
        return spell("Float32Vector")
    if k == "literal":
        return _literal_union([node], spell, wire)
    if k == "id":
        return spell(node.name)
    if k == "array":
        return f"{spell('list')}[{python_type(node.items[0], spell, wire=wire)}]"
    if k == "record":
        keys = node.items[0]
        key_type = (
            python_type(keys, spell, wire=wire)
            if keys.kind in {"string", "id"}
            or (keys.kind == "union" and _all_string_literals(keys))
            or (keys.kind == "literal" and keys.wire == "string")
            else spell("str")
        )
        return f"{spell('dict')}[{key_type}, {python_type(node.items[1], spell, wire=wire)}]"
    if k == "union":
        literals = [i for i in node.items if i.kind == "literal"]
        parts: list[str] = []
        if literals:
            parts.append(_literal_union(literals, spell, wire))
        for item in node.items:
            if item.kind == "literal":
                continue
            text = python_type(item, spell, wire=wire)
            if text not in parts:
                parts.append(text)
        if "None" in parts:  # `X | None` reads best with None last
            parts.remove("None")
            parts.append("None")
        return " | ".join(parts)
    if k in {"object", "tagged"}:
        assert node.obj is not None
        return spell(node.obj.name)
    raise AssertionError(k)


def _all_string_literals(node: Node) -> bool:
    return all(i.kind == "literal" and i.wire == "string" for i in node.items)


def _literal_union(literals: list[Node], spell: Spell, wire: bool) -> str:
    """Literals as one ``Literal[...]`` (by wire group when ``wire``)."""
    from .names import string_literal

    def text(value: Any) -> str:
        return string_literal(value) if isinstance(value, str) else repr(value)

    plain = [n for n in literals if not (n.wire == "float64" and isinstance(n.value, float))]
    fractional = [n for n in literals if n.wire == "float64" and isinstance(n.value, float)]
    parts: list[str] = []
    if wire:
        exact = [n for n in plain if n.wire != "float64"]
        as_float = [n for n in plain if n.wire == "float64"]
        if exact:
            parts.append(f"{spell('Literal')}[{', '.join(text(n.value) for n in exact)}]")
        if as_float:
            inner = f"{spell('Literal')}[{', '.join(text(n.value) for n in as_float)}]"
            parts.append(f"{spell('Annotated')}[{inner}, {spell('WireFloat')}]")
        if fractional:
            values = ", ".join(_float_text(n.value) for n in fractional)
            parts.append(
                f"{spell('Annotated')}[{spell('float')}, {spell('float_literal')}({values})]"
            )
    else:
        if plain:
            parts.append(f"{spell('Literal')}[{', '.join(text(n.value) for n in plain)}]")
        if fractional:
            parts.append(spell("float"))
    return " | ".join(parts)


def _float_text(value: float) -> str:
    if math.isnan(value):
        return 'float("nan")'
    if math.isinf(value):
        return 'float("inf")' if value > 0 else 'float("-inf")'
    return repr(value)


def param_type(node: Node, spell: Spell = _plain) -> str:
    """The type of a method argument: like :func:`python_type`, but an object may also be
    given as a plain mapping (camelCase or snake_case keys; checked before sending)."""
    k = node.kind
    if k in {"object", "tagged"}:
        return f"{python_type(node, spell)} | {spell('Mapping')}[{spell('str')}, {spell('Any')}]"
    if (
        k == "array"
        and node.items[0].kind in {"object", "tagged", "array", "union"}
        and (_has_object(node.items[0]))
    ):
        return f"{spell('Sequence')}[{param_type(node.items[0], spell)}]"
    if k == "union" and any(_has_object(i) for i in node.items):
        parts: list[str] = []
        for item in node.items:
            text = param_type(item, spell) if item.kind != "literal" else python_type(item, spell)
            if text not in parts:
                parts.append(text)
        if "None" in parts:
            parts.remove("None")
            parts.append("None")
        return " | ".join(parts)
    if k == "record" and _has_object(node.items[1]):
        key = python_type(Node("record", items=[node.items[0], Node("null")]), spell)
        key = key[len(spell("dict")) + 1 : key.rindex(",")]
        return f"{spell('Mapping')}[{key}, {param_type(node.items[1], spell)}]"
    return python_type(node, spell)


def _has_object(node: Node) -> bool:
    if node.kind in {"object", "tagged"}:
        return True
    return any(_has_object(i) for i in node.items)
