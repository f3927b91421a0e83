"""Sample values for a function's arguments and result, as the wire carries them (float for
float64, int for int64, bytes), drawn from the generator's own type tree so that they honour
the SDK's promises (whole numbers where it types ``int``) and deterministic per seed."""

from __future__ import annotations

import math
import random
from typing import Any

from convex_py_codegen.types import Node

STRINGS = ["", "plain", 'quote " and \\ backslash', "line\nbreak\ttab", "héllo wörld", "😀 emoji"]
FLOATS = [0.0, 1.5, -2.25, 1e300, -0.0, math.inf, 12345.678]
WHOLE = [0.0, 7.0, -3.0, 2.0**53, 1000.0]
INT64 = [0, 1, -1, 2**62, -(2**63), 2**63 - 1]


class Sampler:
    """``sample(node)`` draws one value; ``variant`` picks union members in turn."""

    def __init__(self, seed: str, variant: int) -> None:
        self.rng = random.Random(seed)
        self.variant = variant

    def pick(self, items: list[Any]) -> Any:
        return items[self.rng.randrange(len(items))]

    def untyped(self, depth: int = 0) -> Any:
        """A ``v.any()`` value: no Python ints (the SDK sends those as float64 on purpose)."""
        choice = self.rng.randrange(6 if depth < 2 else 4)
        if choice == 0:
            return None
        if choice == 1:
            return self.pick([True, False])
        if choice == 2:
            return self.pick(FLOATS[:4])
        if choice == 3:
            return self.pick(STRINGS)
        if choice == 4:
            return [self.untyped(depth + 1) for _ in range(self.rng.randrange(3))]
        return {f"k{i}": self.untyped(depth + 1) for i in range(self.rng.randrange(3))}

    def sample(self, node: Node, depth: int = 0) -> Any:
        k = node.kind
        if k == "null":
            return None
        if k == "number":
            return self.pick(FLOATS)
        if k == "int":
            return self.pick(WHOLE)
        if k == "bigint":
            return self.pick(INT64)
        if k == "boolean":
            return self.pick([True, False])
        if k == "string":
            return self.pick(STRINGS)
        if k == "bytes":
            return self.pick([b"", b"\x00\xff\x10", bytes(range(20))])
        if k in {"any", "jsontext"}:
            return self.untyped()
        if k == "literal":
            if node.wire == "float64":
                return float(node.value)
            return node.value
        if k == "id":
            return self.pick(["j57abc", "k97zzz0123456789"])
        if k == "array":
            count = self.rng.randrange(3) if depth < 4 else 0
            return [self.sample(node.items[0], depth + 1) for _ in range(count)]
        if k == "record":
            keys, values = node.items
            count = self.rng.randrange(3) if depth < 4 else 0
            out: dict[str, Any] = {}
            for i in range(count):
                key = self.sample(keys, depth + 1) if keys.kind != "string" else f"key_{i}"
                out[str(key)] = self.sample(values, depth + 1)
            return out
        if k == "union":
            member = node.items[(self.variant + depth) % len(node.items)]
            return self.sample(member, depth + 1)
        if k == "tagged":
            assert node.obj is not None
            members = node.obj.members
            return self.sample(members[(self.variant + depth) % len(members)], depth + 1)
        if k == "object":
            assert node.obj is not None
            out = {}
            for f in node.obj.fields:
                if f.optional and (depth > 3 or self.rng.random() < 0.5):
                    continue
                out[f.convex] = self.sample(f.node, depth + 1)
            return out
        raise AssertionError(k)
