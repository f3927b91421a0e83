"""Which functions get a ``*_all`` iterator: paginationOpts in, a page object out."""

from typing import Any

from convex_py_codegen.spec import parse_spec
from convex_py_codegen.types import is_paginated

STR = {"type": "string"}
BOOL = {"type": "boolean"}


def field(validator: dict[str, Any], optional: bool = False) -> dict[str, Any]:
    return {"fieldType": validator, "optional": optional}


def function(returns: dict[str, Any]) -> Any:
    spec = parse_spec(
        [
            {
                "identifier": "messages.js:listMessages",
                "functionType": "Query",
                "visibility": {"kind": "public"},
                "args": {
                    "type": "object",
                    "value": {"threadId": field(STR), "paginationOpts": field({"type": "any"})},
                },
                "returns": returns,
            }
        ]
    )
    return spec.functions[0]


def page(**extra: dict[str, Any]) -> dict[str, Any]:
    fields = {
        "page": field({"type": "array", "value": STR}),
        "isDone": field(BOOL),
        "continueCursor": field(STR),
    }
    return {"type": "object", "value": {**fields, **extra}}


def test_the_plain_page_shape_is_paginated() -> None:
    assert is_paginated(function(page()))


def test_a_page_with_extra_fields_is_still_paginated() -> None:
    assert is_paginated(function(page(included=field({"type": "array", "value": STR}))))


def test_a_result_missing_the_cursor_is_not() -> None:
    returns = page()
    del returns["value"]["continueCursor"]
    assert not is_paginated(function(returns))


def test_an_optional_page_field_is_not() -> None:
    assert not is_paginated(function(page(isDone=field(BOOL, optional=True))))
