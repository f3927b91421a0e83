// @vitest-environment node
/**
 * Function and module paths, with the backend's rule
 * (`crates/convex/sync_types/src/{udf_path,module_path,path,identifier}.rs`):
 * in a call (local_backend/calls.ts) and when an app is loaded, where a bad
 * module path fails the way a push fails.
 */
import { spawn } from "node:child_process";
import { cpSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { afterAll, describe, expect, test } from "vitest";
import { modulePathProblem } from "../../codegen/convex_py_codegen/node/convexModules.js";
import { parseFunctionPath, parseModulePath } from "../../local_backend/calls.js";
import { ValueError } from "../../local_backend/values.js";
import { startLocalBackend } from "../../local_backend/server.js";
import { FIXTURE_APP, REPO, TEST_KEYS } from "./helpers.js";

describe("function paths in a call", () => {
  test.each([
    ["notes:list", { module: "notes", name: "list", display: "notes.js:list", stripped: "notes:list" }],
    ["notes.js:list", { module: "notes", name: "list", display: "notes.js:list", stripped: "notes:list" }],
    ["dir/notes:list", { module: "dir/notes", name: "list", display: "dir/notes.js:list", stripped: "dir/notes:list" }],
    ["notes", { module: "notes", name: "default", display: "notes.js:default", stripped: "notes" }],
    ["a//b/./c:f", { module: "a/b/c", name: "f", display: "a/b/c.js:f", stripped: "a/b/c:f" }],
    ["v1.2/notes.js:_f", { module: "v1.2/notes", name: "_f", display: "v1.2/notes.js:_f", stripped: "v1.2/notes:_f" }],
  ])("%s", (raw, expected) => {
    expect(parseFunctionPath(raw)).toMatchObject(expected);
  });

  test.each([
    ["", "Module path  doesn't have a filename."],
    ["notes:", "Identifier cannot be empty"],
    ["notes:__", "Identifier __ cannot have exclusively underscores"],
    ["notes:a-b", "Identifier a-b has invalid character '-': Identifiers can only contain alphanumeric characters or underscores"],
    [`notes:${"f".repeat(65)}`, "Identifier is too long (65 > maximum 64)"],
    ["/notes:f", "Module paths must be relative (/notes is absolute)."],
    ["./notes:f", "Invalid path component CurDir in ./notes."],
    ["notes/..:f", "Module path notes/.. doesn't have a filename."],
    ["notes.mjs:f", "Module path (notes.mjs) has an extension that isn't 'js'."],
    ["a:b:c", "Path component a:b.js can only contain alphanumeric characters, underscores, or periods."],
    ["_/x:f", "Path component _ must have at least one alphanumeric character."],
    [`${"m".repeat(62)}:f`, `Path component is too long (65 > maximum 64): ${"m".repeat(62)}.j...`],
  ])("%j is refused: %s", (raw, message) => {
    expect(() => parseFunctionPath(raw)).toThrow(message);
  });

  test("a module path part may be 64 bytes with its .js, not 65", () => {
    expect(parseModulePath(`${"m".repeat(61)}.js`)).toEqual([`${"m".repeat(61)}.js`]);
    expect(() => parseModulePath(`${"m".repeat(62)}.js`)).toThrow(/Path component is too long \(65 > maximum 64\)/);
  });
});

describe("module paths when an app is loaded", () => {
  const dirs: string[] = [];
  afterAll(() => {
    for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
  });

  /** A copy of the fixture app with one more module file. */
  function appWith(file: string): string {
    const root = mkdtempSync(path.join(os.tmpdir(), "lb-paths-"));
    dirs.push(root);
    const app = path.join(root, "convex");
    cpSync(FIXTURE_APP, app, { recursive: true });
    writeFileSync(
      path.join(app, file),
      'import { query } from "./_generated/server.js";\nexport const f = query({ args: {}, handler: async () => 1 });\n',
    );
    return app;
  }

  test("a hyphen fails loading as it fails a push", async () => {
    const app = appWith("my-notes.ts");
    await expect(startLocalBackend({ appDir: app, components: [], env: TEST_KEYS.env })).rejects.toThrow(
      "BadConvexModuleIdentifier: my-notes.js is not a valid path to a Convex module. Path component my-notes.js can only contain alphanumeric characters, underscores, or periods.",
    );
  });

  test("a module name of 64 bytes with its .js loads; 65 does not", async () => {
    const ok = await startLocalBackend({ appDir: appWith(`${"m".repeat(61)}.ts`), components: [], env: TEST_KEYS.env });
    try {
      expect(ok.runtime.modules).toContain("m".repeat(61));
    } finally {
      await ok.close();
    }
    await expect(startLocalBackend({ appDir: appWith(`${"m".repeat(62)}.ts`), components: [], env: TEST_KEYS.env })).rejects.toThrow(
      /BadConvexModuleIdentifier: m{62}\.js is not a valid path to a Convex module\. Path component is too long \(65 > maximum 64\)/,
    );
  });

  test("the CLI exits 1 with the push's error", async () => {
    const app = appWith("bad-name.ts");
    const child = spawn(path.join(REPO, "node_modules", ".bin", "tsx"), [path.join(REPO, "local_backend", "main.ts"), "--app", app, "--no-components"], { cwd: REPO });
    let stderr = "";
    child.stderr.on("data", (chunk) => (stderr += chunk));
    expect(await new Promise((resolve) => child.on("exit", resolve))).toBe(1);
    expect(stderr).toContain("local backend: could not start: BadConvexModuleIdentifier: bad-name.js is not a valid path to a Convex module.");
    expect(stderr).not.toContain("    at "); // the push's message, not a stack
  });

  test("the codegen's module walker and the local backend give the same verdict, in the same words", () => {
    const corpus = [
      "notes.js", "dir/notes.js", "vectorFilter.js", "vector-filter.js", "a b.js", "_.js", "__x.js", "x_.js",
      "v1.2.js", "dir.v2/notes.js", "é.js", `${"m".repeat(61)}.js`, `${"m".repeat(62)}.js`, "a/../b.js", "./a.js",
      "/abs.js", "a//b.js", "a$.js", "crons.js", "http.js", "_generated/x.js", "notes.ts",
    ];
    for (const canonicalPath of corpus) {
      let refusal: string | null = null;
      try {
        parseModulePath(canonicalPath);
      } catch (error) {
        expect(error).toBeInstanceOf(ValueError);
        refusal = (error as Error).message;
      }
      expect([canonicalPath, modulePathProblem(canonicalPath)]).toEqual([canonicalPath, refusal]);
    }
    expect(modulePathProblem("vector-filter.js")).not.toBeNull();
  });
});
