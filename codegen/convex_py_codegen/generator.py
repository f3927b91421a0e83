"""Spec -> the files of an SDK's ``_generated/`` package.

The jobs, one module each: :mod:`.ir` plans namespaces, methods and names; :mod:`.types`
turns validators into named types; :mod:`.docstrings` writes what each method says;
:mod:`.models` lays out ``models.py``; the jinja2 templates render; :mod:`.output` formats
and writes. Nothing is written when planning fails.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import jinja2

from .docstrings import all_doc, method_doc
from .ir import (
    ABC_NAMES,
    RUNTIME_NAMES,
    TYPING_NAMES,
    Namespace,
    Options,
    Plan,
    Spelling,
    annotate,
    class_scope_names,
    plan,
)
from .models import model_entries
from .names import string_literal
from .output import format_files
from .spec import Spec

__all__ = ["TEMPLATES", "Generator", "generate_files"]

TEMPLATES = Path(__file__).parent / "templates"

# The names the generated code imports, from the sets the planner keeps models away from
# (ruff's isort orders them when the files are formatted).
_TYPING = f"from typing import {', '.join(sorted(TYPING_NAMES))}"
_ABC = f"from collections.abc import {', '.join(sorted(ABC_NAMES))}"
_RUNTIME = sorted(RUNTIME_NAMES)


def _environment() -> jinja2.Environment:
    return jinja2.Environment(
        loader=jinja2.FileSystemLoader(TEMPLATES),
        undefined=jinja2.StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        autoescape=False,
    )


class Generator:
    def __init__(self, spec: Spec, options: Options) -> None:
        self.spec = spec
        self.options = options
        self.env = _environment()

    def plan(self) -> Plan:
        return plan(self.spec, self.options)

    def render(self) -> dict[str, str]:
        """Every file of ``_generated/``, relative path -> text (not yet formatted)."""
        planned = self.plan()
        options = self.options
        runtime = options.runtime_package
        header = {"source": options.source_label, "regenerate": options.regenerate_command}
        files: dict[str, str] = {}
        files["_spec.py"] = self.env.get_template("spec.py.jinja").render(
            h=header, digest=self.spec.digest, source_literal=string_literal(options.source_label)
        )
        entries = model_entries(planned)
        exported = [e.name for e in entries]
        files["models.py"] = self.env.get_template("models.py.jinja").render(
            h=header,
            entries=entries,
            exported=sorted(exported),
            imports=[
                _TYPING,
                "from pydantic import Field",
                f"from {runtime}._runtime import {', '.join(_RUNTIME)}",
            ],
        )
        for root in planned.namespaces:
            files[f"resources/{root.file}.py"] = self._resource(root, header, exported)
        files["resources/__init__.py"] = self.env.get_template("resources_init.py.jinja").render(
            h=header,
            namespaces=planned.namespaces,
            all_classes=sorted(c for ns in planned.namespaces for c in ns.all_classes),
        )
        what = (
            f"the component `{self.spec.component}`"
            if options.component and self.spec.component
            else "the app"
        )
        files["client.py"] = self.env.get_template("client.py.jinja").render(
            h=header,
            component=options.component,
            client_doc=f"Typed access to {what}'s public functions.",
            runtime=runtime,
            namespaces=planned.namespaces,
        )
        files["__init__.py"] = self.env.get_template("package_init.py.jinja").render(h=header)
        self.planned = planned
        return files

    def _resource(self, root: Namespace, header: dict[str, str], models: list[str]) -> str:
        options = self.options
        shadowed: set[str] = set()
        for ns in root.walk():
            shadowed |= class_scope_names(ns)
        spell = Spelling(shadowed, options.runtime_package)
        for ns in root.walk():
            for method in ns.methods:
                annotate(method, spell)
                assert method.args_node.obj is not None
                method.args_model = "" if method.free_args else spell(method.args_node.obj.name)
                method.doc = method_doc(method, options)
                method.doc_async = method_doc(method, options, is_async=True)
                if method.paginated:
                    method.all_doc = all_doc(method, options, is_async=False)
                    method.all_doc_async = all_doc(method, options, is_async=True)
            self._extension(ns, spell)
        template = self.env.get_template("resource.py.jinja")

        def render(imports: list[str]) -> str:
            return template.render(
                h=header,
                title=f"The ``{root.label}`` functions, sync and async.",
                namespaces=root.walk(),
                exported=sorted(root.all_classes),
                page_size=options.default_page_size,
                sp=spell,
                imports=imports,
            )

        render([])  # the first pass finds which names need a qualified spelling
        imports = [
            "from functools import cached_property as _cached_property",
            _TYPING,
            _ABC,
            f"from {options.runtime_package}._runtime import {', '.join(_RUNTIME)}",
        ]
        if models:
            imports.append(f"from ..models import {', '.join(models)}")
        for ns in root.walk():
            if ns.extension is not None:
                for target in (ns.extension.sync, ns.extension.async_):
                    module, _, name = target.partition(":")
                    imports.append(f"from {module} import {name} as _{name}")
        imports += sorted(spell.qualified_imports)
        return render(imports)

    def _extension(self, ns: Namespace, spell: Spelling) -> None:
        ext = ns.extension
        if ext is None:
            return
        by_name = {m.fn.name: m for m in ns.methods}
        params = [by_name[name].returns for name in ext.functions]
        generic = f"[{', '.join(params)}]" if params else ""
        ns.ext_sync = f"_{ext.sync.partition(':')[2]}{generic}"
        ns.ext_async = f"_{ext.async_.partition(':')[2]}{generic}"


def generate_files(spec: Spec, options: Options) -> tuple[dict[str, str], Plan]:
    """The formatted files of ``_generated/`` and the plan they came from."""
    generator = Generator(spec, options)
    files = generator.render()
    for note in generator.planned.warnings:
        warnings.warn(note, UserWarning, stacklevel=2)
    return format_files(files, options.line_length, options.package), generator.planned
