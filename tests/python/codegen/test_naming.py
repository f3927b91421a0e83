"""Naming that never lies: the most common shape of a Convex app (two modules with a function
of the same name) gets two correct signatures; names are qualified only where ambiguous,
never numbered, never shadow a builtin or a helper; a clash no rule resolves is an error
before anything is written."""

from __future__ import annotations

import inspect
from pathlib import Path
from typing import Any

import pytest
from convex_py_codegen.errors import NamingError

from .helpers import Recorder, build_sdk, build_sdk_with_plan, fake_clients, mypy_strict
from .specs import ANY, NULL, B, N, S, arr, fn, lit, obj, obj_of, opt, record, spec, union

NOTE = obj_of(
    {"_id": {"type": "id", "tableName": "notes"}, "_creationTime": N, "title": S, "body": S}
)
TODO = obj_of(
    {"_id": {"type": "id", "tableName": "todos"}, "_creationTime": N, "text": S, "done": B}
)
PAGE_OPTS = obj(numItems=N, cursor=union(S, NULL))


def page_of(item: dict[str, Any]) -> dict[str, Any]:
    return obj(page=arr(item), isDone=B, continueCursor=S)


APP = spec(
    fn("notes.js:list", obj(authorId=S), arr(NOTE)),
    fn("todos.js:list", obj(done=opt(B)), arr(TODO)),
    fn("notes.js:get", obj(id={"type": "id", "tableName": "notes"}), union(NOTE, NULL)),
    fn("todos.js:get", obj(id={"type": "id", "tableName": "todos"}), union(TODO, NULL)),
    fn("fooBar.js:ping", obj(), S),
    fn("foo_bar.js:ping", obj(), S),
    fn("things.js:getFoo", obj(), S),
    fn("things.js:get_foo", obj(), S),
    fn(
        "things.js:list",
        obj_of({"list": arr(S), "dict": record(S, N), "type": S, "self": S, "args": S}),
        arr(
            obj_of(
                {
                    "list": arr(S),
                    "dict": record(S, N),
                    "json": S,
                    "model_config": S,
                    "id": S,
                    "_id": S,
                    "fooBar": S,
                    "foo_bar": S,
                }
            )
        ),
    ),
    fn("things.js:dict", obj(), record(S, arr(S))),
    fn("things.js:type", obj(), union(lit("a"), lit("b"))),
    fn("things.js:omit", obj(value=opt(S)), NULL, "Mutation"),
    fn("things.js:page", obj(cursor=S, pageSize=N, paginationOpts=PAGE_OPTS), page_of(S)),
    fn(
        "shapes.js:draw",
        obj(
            shape=union(
                obj(kind=lit("circle"), r=N),
                obj(kind=lit("square"), side=N),
            )
        ),
        union(obj(ok=lit(True)), obj(ok=lit(False), reason=S)),
        "Mutation",
    ),
)


@pytest.fixture(scope="module")
def app(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, Any]:
    tmp = tmp_path_factory.mktemp("naming")
    _, plan = build_sdk_with_plan(tmp, APP, package="naming_sdk", component=False)
    return tmp, plan


def test_two_modules_with_a_function_of_the_same_name_keep_their_own_signatures(
    app: tuple[Path, Any],
) -> None:
    note = {"_id": "n1", "_creationTime": 1.5, "title": "T", "body": "B"}
    todo = {"_id": "t1", "_creationTime": 2.5, "text": "X", "done": True}
    recorder = Recorder({"notes:list": [note], "todos:list": [todo]})
    client, _ = fake_clients("naming_sdk", recorder)
    assert list(inspect.signature(client.notes.list).parameters) == ["author_id"]
    assert list(inspect.signature(client.todos.list).parameters) == ["done"]
    (found,) = client.notes.list(author_id="a")
    assert recorder.calls[-1][:3] == ("query", "notes:list", {"authorId": "a"})
    assert (found.id, found.creation_time, found.title) == ("n1", 1.5, "T")
    (item,) = client.todos.list(done=True)
    assert recorder.calls[-1][:3] == ("query", "todos:list", {"done": True})
    assert (item.id, item.text, item.done) == ("t1", "X", True)
    assert type(found).__name__ != type(item).__name__
    from naming_sdk._generated import models

    # Ambiguous short names are qualified by module, for every kind of model.
    assert {"NotesListArgs", "TodosListArgs", "NotesGetArgs", "TodosGetArgs"} <= set(models.__all__)
    assert not {"ListArgs", "GetArgs"} & set(models.__all__)
    assert models.NoteId is not models.TodoId


def test_a_wrong_call_of_either_function_is_a_type_error(app: tuple[Path, Any]) -> None:
    tmp, _ = app
    (tmp / "wrong_call.py").write_text(
        "from naming_sdk._generated import GeneratedClient\n\n\n"
        "def use(client: GeneratedClient) -> None:\n"
        "    client.notes.list(done=True)\n"
        "    client.todos.list(author_id='a')\n"
    )
    done = mypy_strict(tmp, "wrong_call.py")
    assert done.returncode == 1
    assert 'Unexpected keyword argument "done" for "list" of "Notes"' in done.stdout
    assert 'Unexpected keyword argument "author_id" for "list" of "Todos"' in done.stdout


def test_names_that_spell_alike_are_both_kept(app: tuple[Path, Any]) -> None:
    recorder = Recorder({"fooBar:ping": "camel", "foo_bar:ping": "snake", **THINGS})
    client, _ = fake_clients("naming_sdk", recorder)
    assert client.foo_bar.ping() == "snake" and recorder.calls[-1][1] == "foo_bar:ping"
    assert client.fooBar.ping() == "camel" and recorder.calls[-1][1] == "fooBar:ping"
    assert type(client.foo_bar).__name__ == "Foo_bar" and type(client.fooBar).__name__ == "FooBar"
    assert client.things.get_foo() == "snake" and recorder.calls[-1][1] == "things:get_foo"
    assert client.things.getFoo() == "camel" and recorder.calls[-1][1] == "things:getFoo"


THINGS = {
    "things:get_foo": "snake",
    "things:getFoo": "camel",
    "things:list": [
        {
            "list": ["a"],
            "dict": {"k": 1.0},
            "json": "j",
            "model_config": "m",
            "id": "plain",
            "_id": "system",
            "fooBar": "camel",
            "foo_bar": "snake",
        }
    ],
    "things:dict": {"k": ["v"]},
    "things:type": "b",
    "things:omit": None,
    "things:page": {"page": ["x"], "isDone": True, "continueCursor": "c"},
}


def test_builtins_and_helpers_are_never_shadowed(app: tuple[Path, Any]) -> None:
    client, _ = fake_clients("naming_sdk", recorder := Recorder(THINGS))
    (row,) = client.things.list(list=["a"], dict={"k": 1}, type="t", self_="s", args="x")
    sent = recorder.calls[-1][2]
    assert sent == {"list": ["a"], "dict": {"k": 1.0}, "type": "t", "self": "s", "args": "x"}
    assert row.list_ == ["a"] and row.dict_ == {"k": 1.0} and row.json_ == "j"
    assert row.model_config_ == "m" and (row.id, row.id_) == ("plain", "system")
    assert (row.foo_bar, row.fooBar) == ("snake", "camel")
    assert client.things.dict() == {"k": ["v"]}
    assert client.things.type() == "b"
    assert client.things.omit() is None and recorder.calls[-1][2] == {}
    page = client.things.page(cursor_="c1", page_size_=3, page_size=10, cursor=None)
    assert recorder.calls[-1][2] == {
        "cursor": "c1",
        "pageSize": 3.0,
        "paginationOpts": {"numItems": 10.0, "cursor": None},
    }
    assert page.page == ["x"]
    source = Path(inspect.getfile(type(client.things))).read_text()
    assert "import builtins" in source and "-> builtins.list[" in source


def test_union_members_are_named_by_what_tells_them_apart(app: tuple[Path, Any]) -> None:
    from naming_sdk._generated import models

    names = set(models.__all__)
    assert {"DrawShape", "DrawShapeCircle", "DrawShapeSquare"} <= names  # tagged by `kind`
    assert {"DrawResultOk", "DrawResultNotOk"} <= names  # a boolean tag
    assert not [n for n in names if "Variant" in n or n[-1].isdigit()]


def test_the_generated_sdk_passes_mypy_strict(app: tuple[Path, Any]) -> None:
    tmp, _ = app
    (tmp / "use_naming.py").write_text(
        "from naming_sdk._generated import GeneratedClient\n"
        "from naming_sdk._generated.models import DrawResultNotOk, NoteId\n\n\n"
        "def use(client: GeneratedClient, note: NoteId) -> list[str]:\n"
        "    rows = client.things.list(\n"
        "        list=['a'], dict={'k': 1.0}, type='t', self_='s', args='x'\n"
        "    )\n"
        "    kinds: list[str] = [r.list_[0] for r in rows]\n"
        "    found = client.notes.get(id=note)\n"
        "    drawn = client.shapes.draw(shape={'kind': 'circle', 'r': 1.0})\n"
        "    if isinstance(drawn, DrawResultNotOk):\n"
        "        kinds.append(drawn.reason)\n"
        "    return kinds + [found.title if found else '', client.things.type()]\n"
    )
    done = mypy_strict(tmp, "naming_sdk", "use_naming.py")
    assert done.returncode == 0, done.stdout + done.stderr


def test_a_clash_no_rule_resolves_is_an_error_before_anything_is_written(tmp_path: Path) -> None:
    clash = spec(
        fn("items.js:listItems", obj(paginationOpts=PAGE_OPTS), page_of(S)),
        fn("items.js:listItemsAll", obj(), arr(S)),
    )
    clashing = r"module items: generated methods clash: \['list_items_all'\]"
    with pytest.raises(NamingError, match=clashing):
        build_sdk(tmp_path, clash, package="clash_sdk", component=False)
    assert not (tmp_path / "clash_sdk" / "_generated").exists()


def test_component_functions_behind_one_wrapper_are_an_error_naming_the_config(
    tmp_path: Path,
) -> None:
    from convex_py_codegen.config import WrapperRule

    component = spec(
        fn("chunks.js:list", obj(), arr(S)),
        fn("entries.js:list", obj(), arr(N)),
        component="rag",
    )
    flat = WrapperRule("rag")
    with pytest.raises(NamingError, match=r"both be called as rag:list.*\[codegen\.wrappers\]"):
        build_sdk(tmp_path, component, package="rag_sdk", component=True, wrappers=flat)
    build_sdk(
        tmp_path,
        component,
        package="rag_sdk",
        component=True,
        wrappers=WrapperRule("rag", {"chunks": "ragChunks", "entries:list": "rag:listEntries"}),
    )
    recorder = Recorder({"ragChunks:list": ["c"], "rag:listEntries": [1.0]})
    client, _ = fake_clients("rag_sdk", recorder)
    assert client.chunks.list() == ["c"] and client.entries.list() == [1.0]
    assert [c[1] for c in recorder.calls] == ["ragChunks:list", "rag:listEntries"]


def test_any_is_documented_as_any_value(app: tuple[Path, Any]) -> None:
    assert ANY["type"] == "any"  # (the kinds themselves: test_validator_kinds.py)


SHARED = spec(
    fn("reports.js:getReport", obj(id=S), union(obj(report=obj(title=S, pages=N)), NULL)),
    fn("reports.js:listReports", obj(paginationOpts=PAGE_OPTS), page_of(obj(title=S, pages=N))),
)


def test_model_names_rename_a_shared_model_everywhere(tmp_path: Path) -> None:
    """`[codegen.model_names]` gives a model shared by several functions the name the author
    chooses; every annotation that uses it follows."""
    pkg, plan = build_sdk_with_plan(tmp_path, SHARED, package="renamed", component=False)
    default = {m.name for m in plan.registry.models}
    assert "ListReportsItem" in default
    pkg, plan = build_sdk_with_plan(
        tmp_path,
        SHARED,
        package="renamed",
        component=False,
        model_names={"ListReportsItem": "ReportRow"},
    )
    names = {m.name for m in plan.registry.models}
    assert "ReportRow" in names and "ListReportsItem" not in names
    models = (pkg / "_generated" / "models.py").read_text()
    assert "class ReportRow(ConvexModel)" in models
    assert "report: ReportRow" in models
    assert "ListReportsItem" not in "".join(p.read_text() for p in pkg.rglob("*.py"))
    assert mypy_strict(tmp_path, "renamed").returncode == 0


@pytest.mark.parametrize(
    ("renames", "message"),
    [
        ({"NoSuchModel": "Thing"}, r"does not generate: \['NoSuchModel'\]"),
        ({"ListReportsItem": "GetReportResult"}, "already taken"),
        ({"ListReportsItem": "Row", "GetReportResult": "Row"}, "already taken"),
        ({"ListReportsItem": "not_pascal"}, "PascalCase"),
        ({"ListReportsItem": "class"}, "PascalCase"),
    ],
)
def test_model_names_refuse_what_would_lie_or_clash(
    tmp_path: Path, renames: dict[str, str], message: str
) -> None:
    with pytest.raises(NamingError, match=message):
        build_sdk(tmp_path, SHARED, package="badrename", component=False, model_names=renames)
    assert not (tmp_path / "badrename" / "_generated").exists()
