import { readdirSync } from "node:fs";
import { expect, test } from "vitest";
import { modulePathError } from "../../codegen/modulePath.js";
import { entryPoints } from "../../codegen/moduleEntryPoints.js";

test("module paths the backend accepts", () => {
  for (const path of ["threads.js", "model/vectorFilter.js", "_deps/ABC123.js", "threads", "a.b.js", "_x/y_z.js"]) {
    expect(modulePathError(path), path).toBeNull();
  }
});

test("module paths the backend refuses, with its messages", () => {
  expect(modulePathError("model/vector-filter.js")).toBe(
    "Path component vector-filter.js can only contain alphanumeric characters, underscores, or periods.",
  );
  expect(modulePathError("my module.js")).toMatch(/can only contain/);
  expect(modulePathError("threads.ts")).toBe("Module path (threads.ts) has an extension that isn't 'js'.");
  expect(modulePathError("/threads.js")).toBe("Module paths must be relative (/threads.js is absolute).");
  expect(modulePathError("__/x.js")).toBe("Path component __ must have at least one alphanumeric character.");
  expect(modulePathError(`${"a".repeat(62)}.js`)).toMatch(/too long \(65 > maximum 64\)/);
  expect(modulePathError(`${"a".repeat(61)}.js`)).toBeNull();
  expect(modulePathError("a/../b.js")).toMatch(/Invalid path component/);
});

test("every module the CLI would push from component/ has a legal path", () => {
  const root = new URL("../../component/", import.meta.url).pathname;
  const modules = entryPoints(null, root).map((file) => file.slice(root.length).replace(/\.ts$/, ".js"));
  expect(modules).toContain("threads.js");
  expect(modules).toContain("model/vectorFilter.js");
  expect(modules.filter((path) => modulePathError(path) !== null)).toEqual([]);
  // What the CLI skips: _generated/, schema.ts and convex.config.ts (two dots).
  expect(modules.filter((path) => /^_generated\/|^schema\.js$|^convex\.config/.test(path))).toEqual([]);
  expect(readdirSync(root)).toContain("convex.config.ts");
});
