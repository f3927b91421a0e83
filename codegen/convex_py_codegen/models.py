"""The ``models.py`` of an SDK: one pydantic model per named object, one alias per tagged
union, one ``NewType`` per table id, in dependency order (no forward references)."""

from __future__ import annotations

from dataclasses import dataclass, field

from .docstrings import wrap
from .ir import RESERVED_FIELD_NAMES, Plan
from .names import (
    python_identifier,
    string_literal,
    unique_spellings,
    verbatim_identifier,
)
from .types import ModelField, Node, ObjectModel, admits_null, python_type

__all__ = ["ModelEntry", "model_entries", "name_fields"]

#: Attribute names a pydantic model may not take (BaseModel's own, and ConvexModel's).
_MODEL_ATTRIBUTES = frozenset(
    {
        "model_config",
        "model_fields",
        "model_computed_fields",
        "model_extra",
        "model_fields_set",
        "model_construct",
        "model_copy",
        "model_dump",
        "model_dump_json",
        "model_json_schema",
        "model_parametrized_name",
        "model_post_init",
        "model_rebuild",
        "model_validate",
        "model_validate_json",
        "model_validate_strings",
        "copy",
        "dict",
        "json",
        "parse_obj",
        "parse_raw",
        "parse_file",
        "from_orm",
        "construct",
        "schema",
        "schema_json",
        "validate",
        "update_forward_refs",
        "fields",
    }
)


@dataclass
class FieldLine:
    python: str
    annotation: str
    default: str


@dataclass
class ModelEntry:
    kind: str  # "id" | "union" | "model"
    name: str
    doc: str = ""
    table: str = ""
    members: list[str] = field(default_factory=list)
    discriminator: str = ""
    fields: list[FieldLine] = field(default_factory=list)
    absent_if_none: str = ""


def name_fields(model: ObjectModel, reserved: frozenset[str]) -> None:
    """Python names of a model's fields: snake_case (``_id`` -> ``id``, ``_creationTime`` ->
    ``creation_time``), never a builtin, a pydantic attribute or a model name."""
    taboo = set(reserved) | _MODEL_ATTRIBUTES | RESERVED_FIELD_NAMES
    names = unique_spellings(
        {f.convex: f.convex for f in model.fields},
        lambda name: python_identifier(name, taboo),
        verbatim=lambda name: verbatim_identifier(name, taboo),
        scope=f"fields of {model.name}",
    )
    for f in model.fields:
        f.python = names[f.convex]


def _deps(node: Node) -> set[str]:
    out: set[str] = set()
    if node.kind in {"object", "tagged"} and node.obj is not None:
        out.add(node.obj.name)
    for item in node.items:
        out |= _deps(item)
    return out


def _doc(model: ObjectModel) -> str:
    used = sorted(model.used_by)
    where = ", ".join(f"``{u}``" for u in used[:4]) + (
        f" and {len(used) - 4} more" if len(used) > 4 else ""
    )
    if model.is_args:
        return f"The arguments of {where}."
    side = (
        "taken and returned"
        if model.in_args and model.in_results
        else ("taken" if model.in_args else "returned")
    )
    return "\n".join(wrap(f"An object {side} by {where}.", 88))


def _field_line(f: ModelField) -> FieldLine:
    annotation = python_type(f.node, wire=True)
    default = ""
    if f.optional:
        # The default None stands for "not given". A type that holds None itself keeps it as
        # a value (JSON text's None is the text "null"; an untyped value's, Convex null).
        if not (annotation.endswith(" | None") or annotation == "None" or admits_null(f.node)):
            annotation += " | None"
        default = "None"
    if f.python != f.convex:
        alias = string_literal(f.convex)
        default = f"Field(default=None, alias={alias})" if f.optional else f"Field(alias={alias})"
    return FieldLine(f.python, annotation, default)


def model_entries(plan: Plan) -> list[ModelEntry]:
    """Every id type, model and tagged union, each after what it refers to."""
    registry = plan.registry
    entries: dict[str, ModelEntry] = {}
    deps: dict[str, set[str]] = {}
    for table, name in registry.ids.items():
        entries[name] = ModelEntry("id", name, table=table)
        deps[name] = set()
    model_names = frozenset(m.name for m in registry.models) | frozenset(registry.ids.values())
    for model in registry.models:
        if model.tag is None:
            name_fields(model, model_names)
    for model in registry.models:
        if model.tag is not None:
            members = [python_type(n) for n in model.members]
            entries[model.name] = ModelEntry(
                "union",
                model.name,
                doc="\n".join(
                    wrap(f"One of {', '.join(members)}, told apart by ``{model.tag}``.", 92)
                ),
                members=members,
                discriminator=_tag_python_name(model),
            )
            deps[model.name] = {d for n in model.members for d in _deps(n)}
            continue
        absent = sorted(f.python for f in model.fields if f.optional and not admits_null(f.node))
        entries[model.name] = ModelEntry(
            "model",
            model.name,
            doc=_doc(model),
            fields=[_field_line(f) for f in model.fields],
            absent_if_none="{" + ", ".join(string_literal(a) for a in absent) + "}"
            if absent
            else "",
        )
        deps[model.name] = {d for f in model.fields for d in _deps(f.node)}
    ordered: list[ModelEntry] = []
    done: set[str] = set()

    def visit(name: str) -> None:
        if name in done:
            return
        done.add(name)
        for dep in sorted(deps[name]):
            visit(dep)
        ordered.append(entries[name])

    for name in sorted(entries, key=lambda n: (entries[n].kind != "id", n)):
        visit(name)
    return ordered


def _tag_python_name(model: ObjectModel) -> str:
    assert model.tag is not None
    first = model.members[0].obj
    assert first is not None
    return next(f.python for f in first.fields if f.convex == model.tag)
