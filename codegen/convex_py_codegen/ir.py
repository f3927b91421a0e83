"""The intermediate representation of an SDK: namespaces (one per module), their methods and
parameters, every name decided, before any text is written.

Naming is checked here as a whole, and a clash no rule resolves raises :class:`NamingError`
before anything is written.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field

from .config import Extension, Selector, WrapperRule
from .errors import ConfigError, NamingError
from .names import (
    PYTHON_BUILTINS,
    pascalcase,
    python_identifier,
    string_literal,
    unique_spellings,
    verbatim_identifier,
)
from .spec import Function, Spec
from .types import (
    FLOAT32_VECTOR_SHAPE,
    FieldRule,
    IntegerRule,
    Node,
    TypeRegistry,
    is_paginated,
    param_type,
    python_type,
)

__all__ = [
    "Method",
    "Namespace",
    "Options",
    "Param",
    "Plan",
    "Spelling",
    "annotate",
    "class_scope_names",
    "plan",
]

#: Names of the runtime the generated code imports (never given to a model).
RUNTIME_NAMES = frozenset(
    {
        "AsyncAPIClient",
        "AsyncPaginator",
        "AsyncSubscription",
        "ConvexAny",
        "ConvexModel",
        "Float32Vector",
        "Float64Int",
        "FunctionRef",
        "Int64",
        "JsonText",
        "Omit",
        "SyncAPIClient",
        "SyncPaginator",
        "Subscription",
        "WireFloat",
        "float_literal",
        "omit",
    }
)
TYPING_NAMES = frozenset({"Annotated", "Any", "ClassVar", "Literal", "NewType", "TypeAlias"})
ABC_NAMES = frozenset({"Mapping", "Sequence"})
#: Names generated code imports from pydantic.
PYDANTIC_NAMES = frozenset({"Field", "BaseModel", "TypeAdapter"})
RESERVED_MODEL_NAMES = RUNTIME_NAMES | TYPING_NAMES | ABC_NAMES | PYDANTIC_NAMES | PYTHON_BUILTINS
#: Builtins the generated annotations use: never the name of a model field.
ANNOTATION_BUILTINS = frozenset(
    {"bool", "bytes", "dict", "float", "frozenset", "int", "list", "str"}
)
#: Names a model field may not take (it would shadow them in the class body).
RESERVED_FIELD_NAMES = (
    RUNTIME_NAMES | TYPING_NAMES | ABC_NAMES | PYDANTIC_NAMES | ANNOTATION_BUILTINS
)


@dataclass(frozen=True)
class Options:
    package: str  # import name of the SDK package, e.g. "convex_agent_memory"
    runtime_package: str = "convex_agent_memory"  # where _runtime lives
    component: bool = False  # the spec is a component's: call the host app's wrappers
    wrappers: WrapperRule = field(default_factory=WrapperRule)
    idempotent: Selector = field(default_factory=Selector)
    live: Selector = field(default_factory=Selector)
    not_exposed: Selector = field(default_factory=Selector)
    default_page_size: int = 100
    json_text: Mapping[str, frozenset[str]] = field(default_factory=dict)
    json_text_results: frozenset[str] = frozenset()
    integers: IntegerRule = field(default_factory=IntegerRule)
    float32_vectors: FieldRule = field(default_factory=FieldRule)
    extensions: Mapping[str, Extension] = field(default_factory=dict)
    #: a model's generated name -> the name it takes instead (``[codegen.model_names]``)
    model_names: Mapping[str, str] = field(default_factory=dict)
    source_label: str = "a function spec"
    regenerate_command: str = "convex-py-codegen generate"
    line_length: int = 100


@dataclass
class Param:
    python: str
    convex: str
    node: Node | None
    optional: bool
    annotation: str = ""
    default: str = ""

    @property
    def convex_literal(self) -> str:
        return string_literal(self.convex)


@dataclass
class Method:
    name: str
    fn: Function
    ref: str  # the module-level FunctionRef constant
    path: str  # the function called over HTTP ("memory:getThread", "notes:list")
    args_node: Node
    returns_node: Node | None
    params: list[Param]
    paginated: bool
    live: bool
    idempotent: bool
    free_args: bool
    returns: str = ""  # annotation of the result
    returns_wire: str = ""  # the result's type with how it travels (Float64Int, ...)
    item: str = ""  # paginated: annotation of one item
    args_model: str = ""  # the arguments model, spelled for its module ("" without one)
    doc: str = ""
    doc_async: str = ""
    all_doc: str = ""
    all_doc_async: str = ""

    @property
    def path_literal(self) -> str:
        return string_literal(self.path)

    @property
    def kind(self) -> str:
        return self.fn.kind

    @property
    def names(self) -> list[str]:
        return [self.name] + ([self.name + "_all"] if self.paginated else [])


@dataclass
class Namespace:
    segments: tuple[str, ...]
    attr: str = ""
    sync_class: str = ""
    methods: list[Method] = field(default_factory=list)
    children: list[Namespace] = field(default_factory=list)
    extension: Extension | None = None
    extension_refs: dict[str, str] = field(default_factory=dict)  # convex name -> ref constant
    ext_sync: str = ""  # the extension's base classes, as written in the class statement
    ext_async: str = ""

    @property
    def doc(self) -> str:
        return f"The functions of the ``{self.label}`` module."

    @property
    def async_class(self) -> str:
        return "Async" + self.sync_class

    @property
    def label(self) -> str:
        return "/".join(self.segments)

    @property
    def file(self) -> str:
        return self.attr

    def walk(self) -> list[Namespace]:
        out = [self]
        for child in self.children:
            out += child.walk()
        return out

    @property
    def all_classes(self) -> list[str]:
        return [c for ns in self.walk() for c in (ns.sync_class, ns.async_class)]

    @property
    def has_live(self) -> bool:
        return any(m.live for ns in self.walk() for m in ns.methods)

    @property
    def has_paginated(self) -> bool:
        return any(m.paginated for ns in self.walk() for m in ns.methods)


class Spelling:
    """How one generated module spells a name it imports: plainly, or through its module
    when a name of the class scope (a method or namespace called ``list``, ``omit``, ...)
    would shadow it."""

    def __init__(self, shadowed: set[str], runtime: str) -> None:
        self.shadowed = shadowed
        self.runtime = runtime
        self.qualified_imports: set[str] = set()

    def __call__(self, name: str) -> str:
        if name not in self.shadowed:
            return name
        if name in PYTHON_BUILTINS:
            self.qualified_imports.add("import builtins")
            return f"builtins.{name}"
        if name in TYPING_NAMES:
            self.qualified_imports.add("import typing")
            return f"typing.{name}"
        if name in ABC_NAMES:
            self.qualified_imports.add("import collections.abc")
            return f"collections.abc.{name}"
        if name in RUNTIME_NAMES:
            self.qualified_imports.add(f"import {self.runtime}._runtime as _runtime")
            return f"_runtime.{name}"
        self.qualified_imports.add("from .. import models as _models")
        return f"_models.{name}"


@dataclass
class Plan:
    spec: Spec
    options: Options
    registry: TypeRegistry
    namespaces: list[Namespace]
    warnings: list[str]

    @property
    def methods(self) -> list[Method]:
        return [m for root in self.namespaces for ns in root.walk() for m in ns.methods]


def plan(spec: Spec, options: Options) -> Plan:
    notes: list[str] = []
    functions = _exposed(spec, options)
    _check_selectors(functions, options)
    paths = _paths(functions, options)
    registry = TypeRegistry(
        json_text=options.json_text,
        json_text_results=options.json_text_results,
        integers=options.integers,
        float32_vectors=options.float32_vectors,
        reserved_names=RESERVED_MODEL_NAMES,
    )
    nodes: dict[str, tuple[Node, Node | None]] = {}
    for fn in functions:
        if fn.returns is None:
            notes.append(
                f"{fn.identifier} declares no `returns`: its result is typed ConvexAny (any "
                "value); add a `returns` validator to type it"
            )
        nodes[fn.identifier] = registry.add_function(fn)
    unused = sorted(set(options.float32_vectors.patterns) - registry.float32_vectors_used)
    if unused:
        raise ConfigError(
            f"`float32_vectors` names no field that takes {FLOAT32_VECTOR_SHAPE}: {unused}"
        )

    # Namespaces: one per module (path segments nest).
    roots: dict[str, Namespace] = {}
    by_segments: dict[tuple[str, ...], Namespace] = {}
    for fn in functions:
        segments = tuple(s for s in fn.module.split("/") if s) or ("default",)
        for depth in range(1, len(segments) + 1):
            key = segments[:depth]
            if key not in by_segments:
                ns = Namespace(key)
                by_segments[key] = ns
                if depth == 1:
                    roots[key[0]] = ns
                else:
                    by_segments[key[:-1]].children.append(ns)
    namespaces = [roots[k] for k in sorted(roots)]
    _name_namespaces(namespaces, options)
    class_names = {c for root in namespaces for c in root.all_classes}
    registry.assign_names(taken=frozenset(class_names), renames=options.model_names)

    for fn in functions:
        segments = tuple(s for s in fn.module.split("/") if s) or ("default",)
        ns = by_segments[segments]
        args_node, returns_node = nodes[fn.identifier]
        ns.methods.append(
            Method(
                name="",
                fn=fn,
                ref="",
                path=paths[fn.identifier],
                args_node=args_node,
                returns_node=returns_node,
                params=[],
                paginated=is_paginated(fn),
                live=fn.kind == "query" and options.live.matches(fn.module, fn.name),
                idempotent=fn.kind == "mutation" and options.idempotent.matches(fn.module, fn.name),
                free_args=fn.args.get("type") != "object",
            )
        )
    refs: dict[str, str] = {}
    for root in namespaces:
        for ns in root.walk():
            ns.methods.sort(key=lambda m: m.fn.name)
            ns.children.sort(key=lambda c: c.segments)
            _name_methods(ns)
            attrs = [by_segments[ns.segments[: i + 1]].attr for i in range(len(ns.segments))]
            for method in ns.methods:
                # From the Python names, which are unique: _NOTES__LIST, _DIR__NOTES__GET_ALL.
                method.ref = "_" + "__".join([*attrs, method.name]).upper()
                if method.ref in refs:
                    raise NamingError(
                        f"{method.fn.identifier} and {refs[method.ref]} would share the constant "
                        f"{method.ref}; rename one of them"
                    )
                refs[method.ref] = method.fn.identifier
            for method in ns.methods:
                _plan_params(method, options)
                if method.live and method.paginated:
                    raise ConfigError(
                        f"`live` names {method.fn.identifier}, a paginated query: watch a "
                        "bounded query (e.g. the latest N) instead"
                    )
            _attach_extension(ns, options)
    for label in options.extensions:
        if tuple(label.split("/")) not in by_segments:
            raise ConfigError(f"`[codegen.extensions.{label}]`: no module {label!r} in the spec")
    return Plan(spec, options, registry, namespaces, notes)


# ---- which functions, called where -----------------------------------------------------------


def _exposed(spec: Spec, options: Options) -> list[Function]:
    pairs = [(fn.module, fn.name) for fn in spec.functions]
    unknown = options.not_exposed.unknown(pairs)
    if unknown:
        raise ConfigError(f"`not_exposed` names functions the spec does not have: {unknown}")
    return [fn for fn in spec.functions if not options.not_exposed.matches(fn.module, fn.name)]


def _check_selectors(functions: list[Function], options: Options) -> None:
    pairs = [(fn.module, fn.name) for fn in functions]
    for key, selector in (("idempotent", options.idempotent), ("live", options.live)):
        unknown = selector.unknown(pairs)
        if unknown:
            raise ConfigError(f"`{key}` names functions the spec does not have: {unknown}")
    for fn in functions:
        if options.live.matches(fn.module, fn.name) and fn.kind != "query":
            raise ConfigError(f"`live` names {fn.identifier}, a {fn.kind}: only queries are live")
        if options.idempotent.matches(fn.module, fn.name) and fn.kind != "mutation":
            raise ConfigError(
                f"`idempotent` names {fn.identifier}, a {fn.kind}: queries are always retried, "
                "actions never"
            )


def _paths(functions: list[Function], options: Options) -> dict[str, str]:
    """The function each method calls: the function itself (an app), or the app's wrapper of
    it (a component: the wrapper rule); two component functions never share a wrapper."""
    paths: dict[str, str] = {}
    seen: dict[str, str] = {}
    for fn in functions:
        path = options.wrappers.path(fn.module, fn.name) if options.component else fn.path
        if path in seen:
            raise NamingError(
                f"{fn.identifier} and {seen[path]} would both be called as {path}: give one of "
                "them its own wrapper in `[codegen.wrappers]` (by module, e.g. "
                f'"{fn.module}" = "{fn.module.replace("/", "_")}Api", or by function, e.g. '
                f'"{fn.module}:{fn.name}" = "{path.partition(":")[0]}:'
                f'{fn.module.split("/")[-1]}{pascalcase(fn.name)}")'
            )
        seen[path] = fn.identifier
        paths[fn.identifier] = path
    return paths


# ---- names -----------------------------------------------------------------------------------


def _name_namespaces(roots: list[Namespace], options: Options) -> None:
    def name_children(children: list[Namespace], scope: str) -> None:
        attrs = unique_spellings(
            {ns.segments: ns.segments[-1] for ns in children},
            python_identifier,
            scope=scope,
        )
        for ns in children:
            ns.attr = attrs[ns.segments]
            name_children(ns.children, f"namespace {ns.label}")

    name_children(roots, "the client")
    everything = [ns for root in roots for ns in root.walk()]
    classes = unique_spellings(
        {ns.segments: "/".join(ns.segments) for ns in everything},
        lambda label: "".join(pascalcase(s) for s in label.split("/")),
        verbatim=lambda label: (
            "".join(s[:1].upper() + s[1:] for s in label.split("/"))
            if all(
                s[:1].isalpha() and s.replace("_", "").replace(".", "").isalnum()
                for s in label.split("/")
            )
            and "." not in label
            else None
        ),
        scope="resource classes",
    )
    for ns in everything:
        ns.sync_class = classes[ns.segments]
    syncs = {ns.sync_class for ns in everything}
    for ns in everything:
        if ns.async_class in syncs or ns.sync_class in RESERVED_MODEL_NAMES:
            raise NamingError(
                f"module {ns.label}: its resource class {ns.sync_class} (or {ns.async_class}) "
                "clashes with another generated class; rename the module"
            )


def _name_methods(ns: Namespace) -> None:
    children = {c.attr for c in ns.children}
    names = unique_spellings(
        {m.fn.identifier: m.fn.name for m in ns.methods},
        python_identifier,
        taken=children,
        scope=f"module {ns.label}",
    )
    for method in ns.methods:
        method.name = names[method.fn.identifier]
    every = [n for m in ns.methods for n in m.names] + sorted(children)
    clash = sorted({n for n in every if every.count(n) > 1})
    if clash:
        raise NamingError(
            f"module {ns.label}: generated methods clash: {clash} (a paginated query `x` also "
            "gets `x_all`)"
        )


def _plan_params(method: Method, options: Options) -> None:
    fn = method.fn
    if method.free_args:
        method.params = [Param("args", "", None, optional=True)]
        return
    assert method.args_node.obj is not None
    fields = [
        f
        for f in method.args_node.obj.fields
        if not (method.paginated and f.convex == "paginationOpts")
    ]
    reserved = {"page_size", "cursor"} if method.paginated else set()
    names = unique_spellings(
        {f.convex: f.convex for f in fields},
        lambda name: python_identifier(name, reserved),
        verbatim=lambda name: verbatim_identifier(name, reserved),
        scope=f"arguments of {fn.identifier}",
    )
    required = [f for f in fields if not f.optional]
    optional = [f for f in fields if f.optional]
    method.params = [
        Param(names[f.convex], f.convex, f.node, f.optional) for f in required + optional
    ]


def _attach_extension(ns: Namespace, options: Options) -> None:
    ext = options.extensions.get(ns.label)
    if ext is None:
        return
    by_name = {m.fn.name: m for m in ns.methods}
    for name in ext.functions:
        if name not in by_name:
            raise ConfigError(
                f"`[codegen.extensions.{ns.label}]` uses {name!r}, which module {ns.label} "
                "does not have"
            )
        ns.extension_refs[name] = by_name[name].ref
    ns.extension = ext


def annotate(method: Method, spell: Spelling) -> None:
    """Fills a method's annotations, spelled for the module it is written into."""
    for param in method.params:
        if method.free_args:
            param.annotation = f"{spell('dict')}[{spell('str')}, {spell('Any')}] | {spell('Omit')}"
            param.default = spell("omit")
            continue
        assert param.node is not None
        text = param_type(param.node, spell)
        if param.optional:
            text = (
                text.removesuffix(" | None") + f" | {spell('Omit')} | None"
                if text.endswith(" | None")
                else text + f" | {spell('Omit')}"
            )
            param.default = spell("omit")
        param.annotation = text
    method.returns = (
        python_type(method.returns_node, spell)
        if method.returns_node is not None
        else spell("ConvexAny")
    )
    method.returns_wire = (
        python_type(method.returns_node, spell, wire=True)
        if method.returns_node is not None
        else spell("ConvexAny")
    )
    if method.paginated:
        assert method.returns_node is not None and method.returns_node.obj is not None
        page = next(f.node for f in method.returns_node.obj.fields if f.convex == "page")
        method.item = python_type(page.items[0], spell)


def class_scope_names(ns: Namespace) -> set[str]:
    """Names bound in the body of a namespace's classes (they shadow imports there)."""
    names = {c.attr for c in ns.children}
    for m in ns.methods:
        names.update(m.names)
    return names
