// @vitest-environment node
/** Convex values as the backend decodes, measures and prints them (local_backend/values.ts). */
import { describe, expect, test } from "vitest";
import { decodeBase64, displayValue, formatSize, jsonToValue, measureValue, rustDisplayFloat } from "../../local_backend/values.js";

describe("printing values as the backend does in messages", () => {
  test.each([
    [null, "null"],
    [1, "1.0"],
    [0.5, "0.5"],
    [-0, "-0.0"],
    [1e16, "1e16"],
    [1.5e-7, "1.5e-7"],
    [123456.75, "123456.75"],
    [Number.NaN, "NaN"],
    [Number.NEGATIVE_INFINITY, "-inf"],
    [42n, "42"],
    [true, "true"],
    ['a"b\n\u0001', '"a\\"b\\n\\u{1}"'],
    [new Uint8Array([0, 16, 131]).buffer, 'b"ABCD"'],
    [[1, "x"], '[1.0, "x"]'],
    [{ b: 1, a: { c: null } }, "{a: {c: null}, b: 1.0}"],
  ])("%o prints as %s", (value, text) => {
    expect(displayValue(value as never)).toBe(text);
  });

  test("a long value is cut, never printed whole", () => {
    const text = displayValue("x".repeat(100_000));
    expect(text.length).toBeLessThan(1_100);
    expect(text.endsWith("...")).toBe(true);
  });

  test("Display (not Debug) of floats, for $float errors", () => {
    expect(rustDisplayFloat(1, false)).toBe("1");
    expect(rustDisplayFloat(1e21, false)).toBe("1000000000000000000000");
  });
});

test("sizes as humansize prints them", () => {
  expect(formatSize(12)).toBe("12 B");
  expect(formatSize(1024 * 1024)).toBe("1 MiB");
  expect(formatSize(1024 * 1024 + 1)).toBe("1 MiB");
  expect(formatSize(1536)).toBe("1.5 KiB");
  expect(formatSize(16 * 1024 * 1024 + 600_000)).toBe("16.57 MiB");
});

test("base64 with the errors of the backend's base64 crate", () => {
  expect([...decodeBase64("AAEC")]).toEqual([0, 1, 2]);
  expect([...decodeBase64("AAE")]).toEqual([0, 1]);
  expect(() => decodeBase64("A")).toThrow("Encoded text cannot have a 6-bit remainder.");
  expect(() => decodeBase64("AB*=")).toThrow("Invalid byte 42, offset 2.");
  expect(() => decodeBase64("AB==")).toThrow("Invalid last symbol 66, offset 1.");
});

test("JSON to values: $-encodings, own keys only", () => {
  expect(jsonToValue({ $integer: "KgAAAAAAAAA=" })).toBe(42n);
  expect(jsonToValue({ $float: "AAAAAAAA+H8=" })).toBeNaN();
  const decoded = jsonToValue(JSON.parse('{"__proto__": {"x": 1}}')) as Record<string, unknown>;
  expect(Object.keys(decoded)).toEqual(["__proto__"]);
  expect(Object.getPrototypeOf(decoded)).toBe(Object.prototype);
});

test("measuring: nesting and the first limit broken, innermost first", () => {
  expect(measureValue({ a: [1, [2]] })).toEqual({ nesting: 3, size: 2 + 1 + 1 + (2 + 9 + (2 + 9)), problem: null });
  const wideInDeep = { outer: Object.fromEntries(Array.from({ length: 1025 }, (_, i) => [`k${i}`, null])) };
  expect(measureValue(wideInDeep).problem).toBe("Object has too many fields (1025 > maximum number 1024)");
});
