/**
 * Every public function of the component carries a doc comment the extractor reads
 * (`docComments`, which the Python generator turns into docstrings; the app's wrappers
 * re-export the component's names, and the SDK is generated from the component): a function
 * without one would reach Python users undocumented.
 */
import { readFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { expect, test } from "vitest";
import { walkConvexModules } from "../../codegen/convex_py_codegen/node/convexModules.js";
import { docComments } from "../../codegen/convex_py_codegen/node/extract.js";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");

interface Registered {
  isQuery?: boolean;
  isMutation?: boolean;
  isAction?: boolean;
  isInternal?: boolean;
}

async function undocumented(dir: string): Promise<{ count: number; missing: string[] }> {
  const walk = walkConvexModules(path.join(ROOT, dir));
  let count = 0;
  const missing: string[] = [];
  for (const module of walk.modules) {
    const docs = docComments(readFileSync(module.file, "utf8"));
    const exports = (await import(pathToFileURL(module.file).href)) as Record<string, unknown>;
    for (const [name, value] of Object.entries(exports)) {
      const fn = value as Registered | null;
      if (fn === null || (typeof fn !== "object" && typeof fn !== "function")) continue;
      if (!(fn.isQuery || fn.isMutation || fn.isAction) || fn.isInternal) continue;
      count++;
      if (!docs.get(name)) missing.push(`${module.path}:${name}`);
    }
  }
  return { count, missing };
}

test("every public component function has a doc comment", async () => {
  const { count, missing } = await undocumented("component");
  expect(count).toBeGreaterThanOrEqual(40);
  expect(missing).toEqual([]);
});

test("the check sees a function without one", () => {
  const docs = docComments("/** Lists. */\nexport const list = query({});\nexport const bare = query({});\n");
  expect(docs.get("list")).toBe("Lists.");
  expect(docs.get("bare")).toBeUndefined();
});
