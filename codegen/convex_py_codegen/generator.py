"""Spec -> the files of ``_generated/``: models through datamodel-code-generator, resource
classes and clients through jinja2 templates, everything formatted with ruff."""

from __future__ import annotations

import dataclasses
import re
import subprocess
import sys
import tempfile
import textwrap
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import jinja2

from .names import docstring_text, pascalcase, python_identifier, snakecase, string_literal
from .spec import Function, Spec, SpecError, Validator
from .types import Node, TypeRegistry, decode_literal, is_paginated

TEMPLATES = Path(__file__).parent / "templates"


@dataclass(frozen=True)
class Options:
    package: str  # import path of the generated package's parent, e.g. "convex_agent_memory"
    runtime_package: str  # where _base_client/_types/_pagination live
    component: bool  # the spec is a component's: call the host app's wrapper module
    wrapper_module: str = "memory"
    idempotent: frozenset[str] = frozenset()
    # queries offered as live subscriptions: the method returns a Subscription[T]
    live: frozenset[str] = frozenset()
    default_page_size: int = 100
    # module -> string fields that carry JSON text: the SDK takes and returns Python values
    json_text: Mapping[str, frozenset[str]] = dataclasses.field(default_factory=dict)
    json_text_results: frozenset[str] = frozenset()  # functions whose result is JSON text
    source_label: str = "a function spec"  # for the header, e.g. "component/ (agentMemory)"
    regenerate_command: str = "convex-py-codegen generate"
    line_length: int = 100


@dataclass
class Param:
    py: str
    convex: str
    annotation: str
    default: str
    value: str  # the expression sent under `convex`


@dataclass
class Method:
    method: str
    const: str
    kind: str
    path: str  # a Python string literal
    args_model: str
    params: list[Param]
    sent: list[Param]
    returns: str
    item: str
    paginated: bool
    idempotent: bool
    free_args: bool
    doc: str
    live: bool = False


@dataclass
class Namespace:
    segments: tuple[str, ...]
    methods: list[Method] = field(default_factory=list)
    children: list[Namespace] = field(default_factory=list)

    @property
    def attr(self) -> str:
        return python_identifier(self.segments[-1])

    @property
    def file(self) -> str:
        return python_identifier(self.segments[0])

    @property
    def sync_class(self) -> str:
        return "".join(pascalcase(s) for s in self.segments) + "Resource"

    @property
    def async_class(self) -> str:
        return "Async" + self.sync_class

    @property
    def doc(self) -> str:
        return f"The ``{'/'.join(self.segments)}`` functions."

    @property
    def all_classes(self) -> list[str]:
        out = [self.sync_class, self.async_class]
        for child in self.children:
            out += child.all_classes
        return out

    @property
    def has_live(self) -> bool:
        return any(m.live for ns in self.walk() for m in ns.methods)

    def walk(self) -> list[Namespace]:
        out = [self]
        for child in self.children:
            out += child.walk()
        return out


def describe(v: Validator, registry: TypeRegistry, node: Node | None = None) -> str:
    """A validator as its TypeScript spelling, for docstrings (objects by model name)."""
    kind = v.get("type")
    if kind == "object":
        return node.obj.name if node is not None and node.obj is not None else "v.object({...})"
    if kind == "literal":
        return f"v.literal({decode_literal(v['value'])!r})"
    if kind == "id":
        return f'v.id("{v["tableName"]}")'
    if kind == "array":
        sub = node.items[0] if node is not None else None
        return f"v.array({describe(v['value'], registry, sub)})"
    if kind == "record":
        sub = node.items[1] if node is not None else None
        keys = describe(v["keys"], registry)
        return f"v.record({keys}, {describe(v['values']['fieldType'], registry, sub)})"
    if kind == "union":
        if node is not None and node.items and node.items[0].kind == "tagged":
            assert node.items[0].obj is not None
            name = node.items[0].obj.name
            return f"v.union({name}, v.null())" if len(node.items) > 1 else name
        subs = node.items if node is not None else [None] * len(v["value"])
        return (
            "v.union("
            + ", ".join(describe(m, registry, s) for m, s in zip(v["value"], subs, strict=True))
            + ")"
        )
    if kind == "jsontext":
        return "v.string() (JSON text)"
    names = {"number": "float64", "bigint": "int64"}
    return f"v.{names.get(str(kind), str(kind))}()"


def _wrap(text: str, width: int, indent: str = "") -> list[str]:
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


class Generator:
    def __init__(self, spec: Spec, options: Options) -> None:
        self.spec = spec
        self.options = options
        self.registry = TypeRegistry(
            json_text=options.json_text, json_text_results=options.json_text_results
        )
        self.env = jinja2.Environment(
            loader=jinja2.FileSystemLoader(TEMPLATES),
            undefined=jinja2.StrictUndefined,
            trim_blocks=True,
            lstrip_blocks=True,
            keep_trailing_newline=True,
            autoescape=False,
        )

    # ---- planning -----------------------------------------------------------------------

    def _check_functions(self) -> list[Function]:
        functions = list(self.spec.functions)
        for fn in functions:
            if fn.returns is None:
                if self.options.component:
                    raise SpecError(
                        f"{fn.identifier}: a public component function must declare `returns` "
                        "(the SDK types its result from it); add `returns: v.null()` if it "
                        "returns nothing"
                    )
                warnings.warn(
                    f"{fn.identifier} declares no `returns`: its result is typed Any", stacklevel=2
                )
        if self.options.component:
            seen: dict[str, str] = {}
            for fn in functions:
                if fn.name in seen:
                    raise SpecError(
                        f"{fn.identifier} and {seen[fn.name]} would both be exposed as "
                        f"{self.options.wrapper_module}:{fn.name}: component function names must "
                        "be unique across modules"
                    )
                seen[fn.name] = fn.identifier
        by_name = {fn.name: fn for fn in functions}
        for name in sorted(self.options.live):
            found = by_name.get(name)
            if found is None:
                raise SpecError(f"`live` names {name!r}, which is not a public function")
            if found.kind != "query":
                raise SpecError(
                    f"`live` names {found.identifier}, a {found.kind}: only queries are live"
                )
            if is_paginated(found):
                raise SpecError(
                    f"`live` names {found.identifier}, a paginated query: watch a bounded "
                    "query (e.g. the latest N) instead"
                )
        return functions

    def plan(self) -> tuple[list[Namespace], dict[str, Any]]:
        functions = self._check_functions()
        nodes = {
            fn.identifier: self.registry.add_function(fn, component=self.options.component)
            for fn in functions
        }
        self.registry.assign_names()
        roots: dict[str, Namespace] = {}
        for fn in functions:
            segments = tuple(s for s in fn.module.split("/") if s)
            ns = roots.setdefault(segments[0], Namespace(segments[:1]))
            for depth in range(2, len(segments) + 1):
                found = next((c for c in ns.children if c.segments == segments[:depth]), None)
                if found is None:
                    found = Namespace(segments[:depth])
                    ns.children.append(found)
                ns = found
            args_node, returns_node = nodes[fn.identifier]
            ns.methods.append(self._method(fn, args_node, returns_node))
        namespaces = [roots[k] for k in sorted(roots)]
        for root in namespaces:
            for ns in root.walk():
                ns.children.sort(key=lambda c: c.segments)
                names = [m.method for m in ns.methods] + [
                    m.method + "_all" for m in ns.methods if m.paginated
                ]
                names += [c.attr for c in ns.children]
                clash = sorted({n for n in names if names.count(n) > 1})
                if clash:
                    raise SpecError(f"namespace {'/'.join(ns.segments)}: names clash: {clash}")
        return namespaces, self.registry.document()

    def _method(self, fn: Function, args_node: Node, returns_node: Node | None) -> Method:
        reg = self.registry
        paginated = is_paginated(fn)
        free_args = fn.args.get("type") != "object"
        params: list[Param] = []
        sent: list[Param] = []
        arg_docs: list[tuple[str, str]] = []
        assert args_node.obj is not None
        used: set[str] = set()
        fields = args_node.obj.fields
        validators = fn.args.get("value", {}) if not free_args else {}
        for name, node, optional in sorted(fields, key=lambda f: f[2]):
            if paginated and name == "paginationOpts":
                continue
            py = python_identifier(name)
            while py in used or (py in {"page_size", "cursor"} and paginated):
                py += "_"
            used.add(py)
            annotation = reg.param_type(node)
            if optional:
                annotation = (
                    annotation.removesuffix(" | None") + " | Omit | None"
                    if annotation.endswith(" | None")
                    else annotation + " | Omit"
                )
            param = Param(py, string_literal(name), annotation, "omit" if optional else "", py)
            params.append(param)
            sent.append(param)
            described = describe(validators[name]["fieldType"], reg, node)
            if optional:
                described = f"v.optional({described})"
            label = py if py == name else f"{py} (``{name}``)"
            arg_docs.append((label, described))
        if paginated:
            page_size = Param("page_size", "", "int", str(self.options.default_page_size), "")
            cursor = Param("cursor", "", "str | None", "None", "")
            params += [page_size, cursor]
            sent.append(
                Param(
                    "",
                    string_literal("paginationOpts"),
                    "",
                    "",
                    '{"numItems": page_size, "cursor": cursor}',
                )
            )
            arg_docs.append(("page_size", "items per page (the server may cap it)"))
            arg_docs.append(
                ("cursor", "where to start: None for the first page, else a ``continue_cursor``")
            )
        if free_args:
            params = [Param("args", "", "dict[str, Any] | Omit", "omit", "")]
            arg_docs = [
                ("args", "the arguments, by Convex field name (the function declares no validator)")
            ]
        returns = reg.python_type(returns_node) if returns_node is not None else "Any"
        item = ""
        if paginated:
            assert returns_node is not None and returns_node.obj is not None
            page = next(n for f, n, _ in returns_node.obj.fields if f == "page")
            item = reg.python_type(page.items[0])
        if self.options.component:
            path = f"{self.options.wrapper_module}:{fn.name}"
        else:
            path = f"{fn.module}:{fn.name}"
        idempotent = fn.kind == "mutation" and fn.name in self.options.idempotent
        live = fn.kind == "query" and fn.name in self.options.live
        return Method(
            method=python_identifier(fn.name),
            const=snakecase("_".join(fn.module.split("/")) + "_" + fn.name).upper(),
            kind=fn.kind,
            path=string_literal(path),
            args_model=args_node.obj.name,
            params=params,
            sent=sent,
            returns=returns,
            item=item,
            paginated=paginated,
            idempotent=idempotent,
            free_args=free_args,
            doc=self._docstring(fn, path, arg_docs, returns_node, live=live),
            live=live,
        )

    def _docstring(
        self,
        fn: Function,
        path: str,
        arg_docs: list[tuple[str, str]],
        returns_node: Node | None,
        *,
        live: bool = False,
    ) -> str:
        width = self.options.line_length - 12
        lines: list[str] = []
        if fn.description:
            lines += _wrap(docstring_text(fn.description), width)
            lines.append("")
        call = f"Subscribes to the query ``{path}``" if live else f"Calls the {fn.kind} ``{path}``"
        if self.options.component:
            call += f" (component function ``{fn.module}:{fn.name}``)"
        lines += _wrap(call + ".", width)
        if live:
            lines.append("")
            lines += _wrap(
                "Live: returns a subscription; iterating it (``for``, or ``async for`` on the "
                "async client) yields the current value, then a new one after every change "
                "(also ``next(timeout=...)`` and ``current()``). Close it with ``close()`` or "
                "a ``with`` block. Needs the ``convex`` package (the ``live`` extra).",
                width,
            )
        if arg_docs:
            lines += ["", "Args:"]
            for label, text in arg_docs:
                lines += [
                    "    " + line if i == 0 else line
                    for i, line in enumerate(
                        _wrap(f"{label}: {docstring_text(text)}", width - 4, "        ")
                    )
                ]
        if returns_node is not None and fn.returns is not None:
            lines += ["", "Yields:" if live else "Returns:"]
            lines += [
                "    " + line if i == 0 else line
                for i, line in enumerate(
                    _wrap(
                        docstring_text(describe(fn.returns, self.registry, returns_node)),
                        width - 4,
                        "        ",
                    )
                )
            ]
        else:
            lines += ["", "Returns:", "    Any (the function declares no ``returns``)."]
        return "\n".join(lines)

    # ---- rendering ----------------------------------------------------------------------

    def header(self) -> str:
        return (
            "# Generated by convex-py-codegen: do not edit.\n"
            f"# From: {self.options.source_label}, spec sha256:{self.spec.digest[:16]}\n"
            f"# Regenerate: {self.options.regenerate_command}"
        )

    def render(self) -> dict[str, str]:
        """Every file of ``_generated/``, relative path -> text (not yet formatted)."""
        namespaces, document = self.plan()
        header = self.header()
        same_runtime = self.options.runtime_package == self.options.package
        models = generate_models(document, set(self.registry.ids.values()), header)
        model_names = sorted(
            {m.name for m in self.registry.objects.values()}
            | set(self.registry.ids.values())
            | ({"JsonText"} if self.registry.uses_json_text else set())
            | ({"ConvexAny"} if self.registry.uses_any else set())
        )
        files: dict[str, str] = {"models.py": models}
        files["_base.py"] = self.env.get_template("_base.py.jinja").render(
            header=header, runtime="." if same_runtime else self.options.runtime_package
        )
        runtime_deep = ".." if same_runtime else self.options.runtime_package
        for ns in namespaces:
            used = sorted(n for n in model_names if _mentions(ns, n))
            files[f"resources/{ns.file}.py"] = self.env.get_template("resource.py.jinja").render(
                header=header,
                title=f"The ``{'/'.join(ns.segments)}`` functions, sync and async.",
                runtime=runtime_deep,
                up="..",
                model_names=used,
                namespaces=ns.walk(),
            )
        files["resources/__init__.py"] = self.env.get_template("resources_init.py.jinja").render(
            header=header,
            namespaces=namespaces,
            all_classes=sorted(c for ns in namespaces for c in ns.all_classes),
        )
        label = f"the component `{self.spec.component}`" if self.options.component else "the app"
        client_doc = f"Typed access to {label}'s public functions."
        files["client.py"] = self.env.get_template("client.py.jinja").render(
            header=header,
            component=self.options.component,
            client_doc=client_doc,
            runtime="." if same_runtime else self.options.runtime_package,
            namespaces=namespaces,
        )
        files["__init__.py"] = self.env.get_template("package_init.py.jinja").render(
            header=header, model_names=model_names
        )
        return files


def _mentions(ns: Namespace, name: str) -> bool:
    pattern = re.compile(rf"\b{re.escape(name)}\b")
    for sub in ns.walk():
        for m in sub.methods:
            text = " ".join([m.returns, m.item, m.args_model] + [p.annotation for p in m.params])
            if pattern.search(text):
                return True
    return False


_ALIAS_LINE = re.compile(r'^(\w+) = TypeAliasType\(\s*"(\w+)",\s*(.*?)\)\s*$', re.M | re.S)


def generate_models(document: dict[str, Any], id_names: set[str], header: str) -> str:
    """JSON Schema ``$defs`` -> pydantic v2 models, through datamodel-code-generator."""
    from datamodel_code_generator import (
        DataModelType,
        InputFileType,
        PythonVersion,
        generate,
    )

    expected = set(document["$defs"])
    if not expected:
        return header + '\n"""No models: no function takes or returns an object."""\n'
    code = generate(
        document,
        input_file_type=InputFileType.JsonSchema,
        output_model_type=DataModelType.PydanticV2BaseModel,
        target_python_version=PythonVersion.PY_311,
        snake_case_field=True,
        allow_population_by_field_name=True,
        use_union_operator=True,
        use_standard_collections=True,
        use_annotated=True,
        use_type_alias=True,
        field_extra_keys={"x-omit-none"},
        use_double_quotes=True,
        disable_timestamp=True,
        base_class="_convex_codegen_base.ConvexModel",
        enum_field_as_literal="all",
        formatters=[],
        custom_file_header=header + '\n"""Models of every object the functions take or return."""',
    )
    assert isinstance(code, str)

    # Ids: a distinct str type per table (TypeAliasType would make them plain str).
    def alias(match: re.Match[str]) -> str:
        name = match.group(1)
        if name in id_names:
            return f'{name} = NewType("{name}", str)'
        if name == "ConvexCodegenRoot":
            return ""  # the schema document's own root
        if name in {"JsonText", "ConvexAny"}:
            return ""  # defined in _base (it needs a validator and a serializer), imported below
        return match.group(0)

    code = _ALIAS_LINE.sub(alias, code)
    code = re.sub(
        r"^from \.+ import ConvexModel$|^from \.ConvexModel import ConvexModel$|"
        r"^from [\w.]* import ConvexModel$",
        "from ._base import ConvexModel\n"
        "from ._base import ConvexAny as ConvexAny\nfrom ._base import JsonText as JsonText\n"
        "from typing import NewType",
        code,
        flags=re.M,
    )
    if "from ._base import ConvexModel" not in code:
        code = code.replace(
            "from __future__ import annotations",
            "from __future__ import annotations\n\nfrom typing import NewType\n"
            "from ._base import ConvexModel\nfrom ._base import ConvexAny as ConvexAny\n"
            "from ._base import JsonText as JsonText",
            1,
        )
    defined = set(re.findall(r"^class (\w+)\(", code, re.M)) | set(
        re.findall(r"^(\w+) = ", code, re.M)
    )
    missing = expected - defined - {"JsonText", "ConvexAny"}
    if missing:
        raise SpecError(f"datamodel-code-generator did not emit models {sorted(missing)}")
    return code


def format_tree(root: Path, line_length: int) -> None:
    """ruff: fix imports and pyupgrade-able syntax, then format; settings pinned here so the
    output does not depend on whichever pyproject is around."""
    common = ["--isolated", "--line-length", str(line_length), "--target-version", "py311"]
    ruff = _ruff_binary()
    check = subprocess.run(
        [
            ruff,
            "check",
            "--fix",
            "--quiet",
            *common,
            "--select",
            "F401,I,UP,RUF022",
            "--exit-zero",
            str(root),
        ],
        capture_output=True,
        text=True,
        check=False,
    )
    if check.returncode != 0:
        raise SpecError(f"ruff check --fix failed:\n{check.stderr}{check.stdout}")
    fmt = subprocess.run(
        [ruff, "format", "--quiet", *common, str(root)], capture_output=True, text=True, check=False
    )
    if fmt.returncode != 0:
        raise SpecError(
            f"ruff format failed (the generated code is not valid Python?):\n"
            f"{fmt.stderr}{fmt.stdout}"
        )


def _ruff_binary() -> str:
    try:
        from ruff.__main__ import find_ruff_bin

        return str(find_ruff_bin())
    except (ImportError, FileNotFoundError):
        candidate = Path(sys.executable).parent / "ruff"
        return str(candidate) if candidate.exists() else "ruff"


def write_tree(files: dict[str, str], out_dir: Path, line_length: int) -> dict[str, str]:
    """Writes the files into ``out_dir`` (replacing its content), formatted; returns them."""
    with tempfile.TemporaryDirectory(prefix="convex-py-codegen-") as tmp:
        stage = Path(tmp) / "_generated"
        for rel, text in files.items():
            path = stage / rel
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_text(text, encoding="utf-8")
        format_tree(stage, line_length)
        formatted = {rel: (stage / rel).read_text(encoding="utf-8") for rel in sorted(files)}
    for old in sorted(out_dir.rglob("*.py")) if out_dir.exists() else []:
        if old.relative_to(out_dir).as_posix() not in formatted:
            old.unlink()
    for rel, text in formatted.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        if not path.exists() or path.read_text(encoding="utf-8") != text:
            path.write_text(text, encoding="utf-8")
    return formatted
