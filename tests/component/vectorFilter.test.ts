import { describe, expect, test } from "vitest";
import { errorCodeOf } from "../../component/model/errors.js";
import { getPath, matchesFilter, parseFilter, planFilter } from "../../component/model/vectorFilter.js";

const m = (filter: unknown, metadata: unknown) => matchesFilter(parseFilter(JSON.stringify(filter)), metadata);

function codeOf(fn: () => unknown) {
  try {
    fn();
  } catch (e) {
    return errorCodeOf(e);
  }
  return "no error";
}

describe("evaluation", () => {
  const doc = { color: "red", price: 10, tags: ["a", "b"], author: { name: "ann", age: 40 }, nil: null };

  test("equality, plain and $eq, deep and dotted", () => {
    expect(m({ color: "red" }, doc)).toBe(true);
    expect(m({ color: { $eq: "blue" } }, doc)).toBe(false);
    expect(m({ "author.name": "ann" }, doc)).toBe(true);
    expect(m({ author: { name: "ann", age: 40 } }, doc)).toBe(true);
    expect(m({ tags: ["a", "b"] }, doc)).toBe(true);
    expect(m({ tags: "a" }, doc)).toBe(false); // no array-contains semantics
    expect(m({ "tags.1": "b" }, doc)).toBe(true);
    expect(m({ nil: null }, doc)).toBe(true);
    expect(m({ missing: null }, doc)).toBe(false);
  });

  test("$ne, $in, $nin, $exists on present and missing keys", () => {
    expect(m({ color: { $ne: "red" } }, doc)).toBe(false);
    expect(m({ missing: { $ne: "red" } }, doc)).toBe(true);
    expect(m({ color: { $in: ["blue", "red"] } }, doc)).toBe(true);
    expect(m({ missing: { $in: ["x"] } }, doc)).toBe(false);
    expect(m({ color: { $nin: ["blue", "red"] } }, doc)).toBe(false);
    expect(m({ missing: { $nin: ["x"] } }, doc)).toBe(true);
    expect(m({ color: { $exists: true } }, doc)).toBe(true);
    expect(m({ missing: { $exists: false } }, doc)).toBe(true);
    expect(m({ nil: { $exists: true } }, doc)).toBe(true);
  });

  test("ranges on numbers and strings only", () => {
    expect(m({ price: { $gt: 9, $lte: 10 } }, doc)).toBe(true);
    expect(m({ price: { $gte: 11 } }, doc)).toBe(false);
    expect(m({ price: { $lt: 10 } }, doc)).toBe(false);
    expect(m({ color: { $gt: "q" } }, doc)).toBe(true);
    expect(m({ color: { $gt: 1 } }, doc)).toBe(false);
    expect(m({ missing: { $lt: 100 } }, doc)).toBe(false);
  });

  test("$and $or $not, field-level $not, implicit AND", () => {
    expect(m({ $and: [{ color: "red" }, { price: 10 }] }, doc)).toBe(true);
    expect(m({ $or: [{ color: "blue" }, { price: 10 }] }, doc)).toBe(true);
    expect(m({ $or: [{ color: "blue" }, { price: 11 }] }, doc)).toBe(false);
    expect(m({ $not: { color: "red" } }, doc)).toBe(false);
    expect(m({ price: { $not: { $gt: 20 } } }, doc)).toBe(true);
    expect(m({ color: "red", price: { $gt: 10 } }, doc)).toBe(false);
    expect(m({}, doc)).toBe(true);
  });

  test("getPath", () => {
    expect(getPath(doc, "author.age")).toBe(40);
    expect(getPath(doc, "author.zip")).toBeUndefined();
    expect(getPath(doc, "color.length")).toBeUndefined();
  });
});

describe("parsing refuses malformed filters with INVALID_ARGUMENT", () => {
  test.each([
    ["not json", "{"],
    ["not an object", "[1]"],
    ["unknown operator", JSON.stringify({ a: { $regex: "x" } })],
    ["unknown top-level operator", JSON.stringify({ $nor: [] })],
    ["mixed operator and plain keys", JSON.stringify({ a: { $eq: 1, b: 2 } })],
    ["$in not array", JSON.stringify({ a: { $in: 1 } })],
    ["$exists not boolean", JSON.stringify({ a: { $exists: 1 } })],
    ["$gt on object", JSON.stringify({ a: { $gt: {} } })],
    ["$and empty", JSON.stringify({ $and: [] })],
    ["key with _", JSON.stringify({ _id: 1 })],
    ["empty segment", JSON.stringify({ "a..b": 1 })],
    ["operand object with $ key", JSON.stringify({ a: { $eq: { $x: 1 } } })],
    ["plain value object with _ key", JSON.stringify({ a: { _x: 1 } })],
  ])("%s", (_name, input) => {
    expect(codeOf(() => parseFilter(input))).toBe("INVALID_ARGUMENT");
  });

  test("empty input means no filter", () => {
    expect(parseFilter(undefined)).toBeNull();
    expect(parseFilter("")).toBeNull();
    expect(parseFilter("{}")).toBeNull();
  });
});

describe("planning", () => {
  const declared = ["color", "author.name"];
  const plan = (f: unknown) => planFilter(parseFilter(JSON.stringify(f)), declared);

  test("equality and $in on declared keys run natively, wholly", () => {
    expect(plan({ color: "red" })).toMatchObject({ native: [{ slot: 0, value: "red" }], residual: null });
    expect(plan({ "author.name": { $in: ["a", "b"] } })).toMatchObject({
      native: [
        { slot: 1, value: "a" },
        { slot: 1, value: "b" },
      ],
      residual: null,
    });
    expect(plan({ $or: [{ color: "red" }, { "author.name": "x" }] }).residual).toBeNull();
  });

  test("AND: one native conjunct (the narrowest), the rest post-filtered", () => {
    const p = plan({ color: { $in: ["r", "g"] }, "author.name": "ann", price: { $gt: 3 } });
    expect(p.native).toEqual([{ slot: 1, value: "ann" }]);
    expect(p.residual).not.toBeNull();
  });

  test("undeclared keys, other operators, $not: post-filtered with a reason", () => {
    for (const f of [{ size: 1 }, { color: { $ne: "red" } }, { $not: { color: "red" } }, { $or: [{ color: "r" }, { size: 1 }] }]) {
      const p = plan(f);
      expect(p.native).toBeNull();
      expect(p.residual).not.toBeNull();
      expect(typeof p.reason).toBe("string");
    }
  });

  test("too many native terms fall back to post-filtering", () => {
    const p = plan({ color: { $in: Array.from({ length: 65 }, (_, i) => `c${i}`) } });
    expect(p.native).toBeNull();
  });
});
