/**
 * Reads the function signatures of a Convex functions folder (a component or
 * any app's `convex/`) without a deployment, and prints them in the shape
 * `npx convex function-spec` prints, plus the component's name:
 *
 *   npx tsx codegen/extract.ts --functions-dir component [--exclude dir] [--out spec.json]
 *
 * Every module of the folder (as the Convex CLI picks them:
 * convex_py_codegen/node/convexModules.ts) is imported; only exported values that Convex
 * registered (`isQuery`/`isMutation`/`isAction`/`isHttp`) count. Their
 * `exportArgs()`/`exportReturns()` are the validators the backend itself would
 * report. A JSDoc comment right above `export const name` becomes the
 * function's `description`.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { join, resolve } from "node:path";
import { pathToFileURL } from "node:url";
import { assertPushable, walkConvexModules } from "./convex_py_codegen/node/convexModules.js";

type FunctionType = "Query" | "Mutation" | "Action" | "HttpAction";

export interface FunctionSpec {
  identifier: string;
  functionType: FunctionType;
  visibility: { kind: "public" | "internal" };
  args: unknown;
  returns: unknown;
  description?: string;
}

export interface Spec {
  component: string | null;
  functions: FunctionSpec[];
}

interface RegisteredFunction {
  isQuery?: boolean;
  isMutation?: boolean;
  isAction?: boolean;
  isHttp?: boolean;
  isPublic?: boolean;
  isInternal?: boolean;
  exportArgs?: () => string;
  exportReturns?: () => string;
}

function parseArgs(argv: string[]): { functionsDir: string; out?: string; exclude: string[] } {
  let functionsDir: string | undefined;
  let out: string | undefined;
  const exclude: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const flag = argv[i];
    const value = argv[i + 1];
    if (flag === "--functions-dir" && value) functionsDir = value;
    else if (flag === "--out" && value) out = value;
    else if (flag === "--exclude" && value) exclude.push(...value.split(",").filter(Boolean));
    else throw new Error(`unknown or incomplete argument: ${flag}`);
    i++;
  }
  if (!functionsDir) {
    throw new Error("usage: extract.ts --functions-dir DIR [--exclude a,b] [--out spec.json]");
  }
  return { functionsDir, out, exclude };
}

function functionType(fn: RegisteredFunction): FunctionType | null {
  if (fn.isQuery) return "Query";
  if (fn.isMutation) return "Mutation";
  if (fn.isAction) return "Action";
  if (fn.isHttp) return "HttpAction";
  return null;
}

/** The JSDoc block right above `export const <name>`, as plain text. */
function docComments(source: string): Map<string, string> {
  const docs = new Map<string, string>();
  const pattern = /\/\*\*([\s\S]*?)\*\/\s*export\s+(?:const|let|var)\s+([A-Za-z_$][\w$]*)/g;
  for (const match of source.matchAll(pattern)) {
    const text = match[1]
      .split("\n")
      .map((line) => line.replace(/^\s*\*\s?/, "").trimEnd())
      .join("\n")
      .trim();
    if (text) docs.set(match[2], text);
  }
  return docs;
}

function componentName(functionsDir: string): string | null {
  for (const file of ["convex.config.ts", "convex.config.js"]) {
    try {
      const source = readFileSync(join(functionsDir, file), "utf8");
      const match = /defineComponent\(\s*["'`]([^"'`]+)["'`]/.exec(source);
      return match ? match[1] : null;
    } catch {
      // no such file: try the next one
    }
  }
  return null;
}

export async function extract(functionsDir: string, exclude: string[] = []): Promise<Spec> {
  const root = resolve(functionsDir);
  const functions: FunctionSpec[] = [];
  // The files the Convex CLI would push, by its own rules (one walker, shared with the local backend).
  const walk = walkConvexModules(root);
  assertPushable(walk);
  const excluded = (relPath: string) => exclude.some((dir) => relPath === dir || relPath.startsWith(`${dir}/`));
  for (const module of walk.modules.filter((m) => !excluded(m.relPath))) {
    const modulePath = module.canonicalPath;
    const exports = (await import(pathToFileURL(module.file).href)) as Record<string, unknown>;
    const docs = docComments(readFileSync(module.file, "utf8"));
    for (const [name, value] of Object.entries(exports)) {
      if (typeof value !== "function" && typeof value !== "object") continue;
      if (value === null) continue;
      const fn = value as RegisteredFunction;
      const type = functionType(fn);
      if (type === null) continue;
      const spec: FunctionSpec = {
        identifier: `${modulePath}:${name}`,
        functionType: type,
        visibility: { kind: fn.isInternal ? "internal" : "public" },
        args: fn.exportArgs ? JSON.parse(fn.exportArgs()) : { type: "any" },
        returns: fn.exportReturns ? JSON.parse(fn.exportReturns()) : null,
      };
      const doc = docs.get(name);
      if (doc) spec.description = doc;
      functions.push(spec);
    }
  }
  functions.sort((a, b) => (a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : 0));
  return { component: componentName(root), functions };
}

async function main(): Promise<void> {
  const { functionsDir, out, exclude } = parseArgs(process.argv.slice(2));
  const text = `${JSON.stringify(await extract(functionsDir, exclude), null, 2)}\n`;
  if (out) writeFileSync(out, text);
  else process.stdout.write(text);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exit(1);
});
