// @vitest-environment node
// The module walker decides what the Convex CLI would push: the files of a folder laid out
// with every case its bundler (node_modules/convex/dist/esm/bundler/index.js) and the backend's
// module path rules (sync_types/src/module_path.rs, path.rs) treat specially.
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterEach, expect, test } from "vitest";
import {
  assertPushable,
  modulePathProblem,
  walkConvexModules,
} from "../../codegen/convex_py_codegen/node/convexModules.js";
import { modulesMapFromDir } from "../../local_backend/modules.js";

const MODULE = 'import { query } from "./_generated/server";\nexport const get = query(() => null);\n';
const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

function folder(files: Record<string, string>): string {
  const dir = mkdtempSync(path.join(os.tmpdir(), "convex-modules-"));
  dirs.push(dir);
  for (const [rel, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(dir, rel)), { recursive: true });
    writeFileSync(path.join(dir, rel), text);
  }
  return dir;
}

test("picks the files the CLI bundles, in its order, and says why the others are left out", () => {
  const dir = folder({
    "_generated/server.ts": MODULE,
    "_generated/api.ts": MODULE,
    "notes.ts": MODULE,
    "fooBar.ts": MODULE,
    "foo_bar.ts": MODULE,
    "http.ts": MODULE,
    "crons.ts": MODULE,
    "schema.ts": MODULE,
    "convex.config.ts": MODULE,
    "auth.config.ts": MODULE,
    "notes.test.ts": MODULE,
    "types.d.ts": "export type X = 1;\n",
    ".hidden.ts": MODULE,
    ".eslintrc.js": MODULE,
    "#notes.ts#": MODULE,
    "my notes.ts": MODULE,
    "README.md": "# not code\n",
    "data.json": "{}",
    "empty.ts": "// nothing to see\nconst x = 1;\n",
    "plain.js": "module.exports = 1;\n",
    "dir/inner.ts": MODULE,
    "dir/schema.ts": MODULE,
    "dir/_generated/kept.ts": MODULE,
    "node_modules/pkg/index.js": "export const x = 1;\n",
    "widget.tsx": MODULE,
    "legacy.cjs": "module.exports = {};\n",
    "nested/convex.config.ts": MODULE,
    "nested/hidden.ts": MODULE,
    "use/node.ts": '"use node";\nimport { action } from "../_generated/server";\nexport const a = action(async () => null);\n',
  });
  const walk = walkConvexModules(dir);
  expect(walk.problems).toEqual([]);
  expect(walk.modules.map((m) => m.path)).toEqual([
    "crons",
    "dir/_generated/kept", // only the top-level _generated/ is skipped
    "dir/inner",
    "fooBar",
    "foo_bar",
    "http",
    "legacy",
    "node_modules/pkg/index", // node_modules is not special to the CLI
    "notes",
    "plain",
    "use/node",
    "widget",
  ]);
  const byPath = Object.fromEntries(walk.modules.map((m) => [m.path, m]));
  expect(byPath.http.isHttp).toBe(true);
  expect(byPath.crons.isCrons).toBe(true);
  expect(byPath["dir/inner"].canonicalPath).toBe("dir/inner.js");
  expect(byPath["use/node"].environment).toBe("node");
  expect(byPath.notes.environment).toBe("isolate");
  const reasons = Object.fromEntries(walk.skipped.map((s) => [s.relPath, s.reason]));
  expect(Object.keys(reasons).sort()).toEqual(
    [
      ".eslintrc.js",
      ".hidden.ts",
      "_generated/api.ts",
      "_generated/server.ts",
      "auth.config.ts",
      "convex.config.ts",
      "dir/schema.ts",
      "empty.ts",
      "my notes.ts",
      "notes.test.ts",
      "schema.ts",
      "types.d.ts",
    ].sort(),
  );
  expect(reasons["notes.test.ts"]).toMatch(/more than one dot/);
  expect(reasons["my notes.ts"]).toMatch(/space/);
  expect(reasons["empty.ts"]).toMatch(/no import or export/);
});

test("symlinked files are not seen, as readdir's isFile() leaves them out", () => {
  const dir = folder({ "notes.ts": MODULE });
  symlinkSync(path.join(dir, "notes.ts"), path.join(dir, "alias.ts"));
  expect(walkConvexModules(dir).modules.map((m) => m.path)).toEqual(["notes"]);
});

test("files a deployment refuses are problems, each named", () => {
  const dir = folder({
    "my-notes.ts": MODULE,
    "ünïcode.ts": MODULE,
    [`${"x".repeat(65)}.ts`]: MODULE,
    "_deps/lib.js": "export const x = 1;\n",
    "actions/send.ts": MODULE,
    "http.js": '"use node";\nexport default {};\n',
    "dup.ts": MODULE,
    "dup.js": "export const x = 1;\n",
    "fine.ts": MODULE,
  });
  const walk = walkConvexModules(dir);
  const problems = Object.fromEntries(walk.problems.map((p) => [p.relPath, p.message]));
  expect(problems["my-notes.ts"]).toMatch(/Path component my-notes\.js can only contain alphanumeric characters, underscores, or periods\./);
  expect(problems["ünïcode.ts"]).toMatch(/only contain/);
  expect(problems[`${"x".repeat(65)}.ts`]).toMatch(/Path component is too long \(68 > maximum 64\)/);
  expect(problems["_deps/lib.js"]).toMatch(/reserved/);
  expect(problems["actions/send.ts"]).toMatch(/no "use node"/);
  expect(problems["http.js"]).toMatch(/"use node" is not allowed/);
  expect(problems["dup.ts"] ?? problems["dup.js"]).toMatch(/both the module dup/);
  expect(walk.modules.map((m) => m.path)).toContain("fine");
  expect(() => assertPushable(walk)).toThrow(/my-notes\.ts[\s\S]*_deps\/lib\.js|_deps\/lib\.js[\s\S]*my-notes\.ts/);
});

test("module path rule of the backend", () => {
  expect(modulePathProblem("notes.js")).toBeNull();
  expect(modulePathProblem("dir/v2.notes.js")).toBeNull();
  expect(modulePathProblem("a-b.js")).toBe("Path component a-b.js can only contain alphanumeric characters, underscores, or periods.");
  expect(modulePathProblem("___/x.js")).toBe("Path component ___ must have at least one alphanumeric character.");
  expect(modulePathProblem("/abs.js")).toBe("Module paths must be relative (/abs.js is absolute).");
  expect(modulePathProblem("notes.ts")).toBe("Module path (notes.ts) has an extension that isn't 'js'.");
});

test("the local backend's modules map is the same walk plus _generated and the schema", () => {
  const dir = folder({
    "_generated/server.ts": MODULE,
    "_generated/api.d.ts": "export {};\n",
    "schema.ts": MODULE,
    "notes.ts": MODULE,
    "notes.test.ts": MODULE,
    "convex.config.ts": MODULE,
  });
  const { modules, moduleNames } = modulesMapFromDir(dir);
  expect(Object.keys(modules)).toEqual(["./_generated/server.ts", "./notes.ts", "./schema.ts"]);
  expect(moduleNames).toEqual(["notes"]);
  writeFileSync(path.join(dir, "bad-name.ts"), MODULE);
  expect(() => modulesMapFromDir(dir)).toThrow(/bad-name\.ts/);
});
