/**
 * Builds convex-test's modules maps from the filesystem (the Node equivalent
 * of `import.meta.glob("./convex/**\/*.ts")`) and lists the Convex functions
 * each module exports.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import {
  assertPushable,
  registeredFunction,
  walkConvexModules,
  type FunctionKind,
  type ModuleWalk,
  type RegisteredFunction as Registered,
} from "../codegen/convex_py_codegen/node/convexModules.js";
import { parseModulePath } from "./calls.js";

export type ModuleLoader = () => Promise<Record<string, unknown>>;
export type ModulesMap = Record<string, ModuleLoader>;

export type { FunctionKind };

export interface FunctionInfo {
  /** Canonical path as clients name it: "dir/module:name" (no ".js"). */
  path: string;
  kind: FunctionKind;
  visibility: "public" | "internal";
}

/** What Convex registers on a function, with the entry points the runtime calls. */
export interface RegisteredFunction extends Registered {
  invokeQuery?: (argsJson: string) => Promise<string>;
  invokeMutation?: (argsJson: string) => Promise<string>;
  invokeAction?: (requestId: string, argsJson: string) => Promise<string>;
}

export interface LoadedModules {
  /** Absolute directory the modules came from. */
  dir: string;
  /** The map handed to convex-test (keys "./<relative path>", `_generated` first). */
  modules: ModulesMap;
  /** Function modules relative to `dir`, without extension ("memory", "dir/notes"); no config files. */
  moduleNames: string[];
  /** Every function exported by the modules, sorted by path. */
  functions: FunctionInfo[];
  /** The registered function objects, by canonical path. */
  registered: Map<string, RegisteredFunction>;
}

/**
 * A push fails when a module path breaks the backend's rule
 * (`parse_module_path` in `crates/application/src/deploy_config.rs`: 400
 * `BadConvexModuleIdentifier`); loading fails the same way, with the same
 * message. Other reasons a folder cannot be pushed keep the walker's words.
 */
export class PushError extends Error {
  constructor(message: string) {
    super(message);
    this.name = "PushError";
  }
}

function assertLoadable(walk: ModuleWalk): void {
  for (const problem of walk.problems) {
    const canonicalPath = problem.relPath.replace(/\.[^/.]+$/, ".js");
    try {
      parseModulePath(canonicalPath);
    } catch (error) {
      throw new PushError(
        `BadConvexModuleIdentifier: ${canonicalPath} is not a valid path to a Convex module. ${(error as Error).message} (${path.join(walk.dir, problem.relPath)})`,
      );
    }
  }
  assertPushable(walk);
}

const SOURCE_FILE = /\.(ts|mts|js|mjs)$/;

/** convex-test also needs `_generated/` (its root marker) and the schema in the map. */
function supportFiles(root: string): string[] {
  const generatedDir = path.join(root, "_generated");
  const generated = existsSync(generatedDir)
    ? readdirSync(generatedDir)
        .filter((name) => SOURCE_FILE.test(name) && !name.endsWith(".d.ts"))
        .map((name) => `_generated/${name}`)
    : [];
  const schema = ["schema.ts", "schema.mts", "schema.js", "schema.mjs"].filter((name) => existsSync(path.join(root, name)));
  return [...generated, ...schema];
}

/**
 * The modules map of a Convex functions directory. Keys are "./<relative
 * path>" so convex-test finds the modules root from the `_generated` key
 * whatever the absolute path contains; loaders import the absolute file.
 * Which files are modules is the Convex CLI's rule, decided in one place
 * (codegen/convex_py_codegen/node/convexModules.ts); a folder a deployment
 * would refuse (e.g. a module path with a hyphen) is refused here too.
 */
export function modulesMapFromDir(dir: string): { modules: ModulesMap; moduleNames: string[] } {
  const root = path.resolve(dir);
  if (!existsSync(root)) throw new Error(`Convex functions directory not found: ${root}`);
  const walk = walkConvexModules(root);
  assertLoadable(walk);
  const files = [...supportFiles(root), ...walk.modules.map((m) => m.relPath)]
    // convex-test takes the first key containing "_generated" as the root marker.
    .sort((a, b) => Number(!a.startsWith("_generated/")) - Number(!b.startsWith("_generated/")) || a.localeCompare(b));
  if (!files.some((file) => file.startsWith("_generated/"))) {
    throw new Error(
      `No _generated/ folder in ${root}: convex-test needs it to locate the modules ` +
        "(run `npx convex codegen` or write _generated/server.ts by hand).",
    );
  }
  const modules: ModulesMap = {};
  for (const rel of files) {
    const url = pathToFileURL(path.join(root, rel)).href;
    modules[`./${rel}`] = () => import(url) as Promise<Record<string, unknown>>;
  }
  const moduleNames = walk.modules.map((m) => m.path);
  return { modules, moduleNames };
}

/** Imports every module of `dir` (failing loudly if one does not load) and lists its functions. */
export async function loadModules(dir: string): Promise<LoadedModules> {
  const { modules, moduleNames } = modulesMapFromDir(dir);
  const functions: FunctionInfo[] = [];
  const registered = new Map<string, RegisteredFunction>();
  for (const name of moduleNames) {
    let exports: Record<string, unknown>;
    try {
      exports = await modules[`./${findKey(modules, name)}`]();
    } catch (error) {
      throw new Error(`Could not load module "${name}" of ${path.resolve(dir)}: ${String(error)}`, { cause: error });
    }
    for (const [exportName, value] of Object.entries(exports)) {
      const found = registeredFunction<RegisteredFunction>(value);
      if (found === null) continue;
      const { fn, kind } = found;
      functions.push({
        path: `${name}:${exportName}`,
        kind,
        visibility: fn.isInternal ? "internal" : "public",
      });
      registered.set(`${name}:${exportName}`, fn);
    }
  }
  functions.sort((a, b) => a.path.localeCompare(b.path));
  return { dir: path.resolve(dir), modules, moduleNames, functions, registered };
}

function findKey(modules: ModulesMap, name: string): string {
  for (const key of Object.keys(modules)) {
    if (key.slice(2).replace(/\.[^/.]+$/, "") === name) return key.slice(2);
  }
  throw new Error(`module ${name} vanished from the modules map`);
}

/** Default locations: the example app and the agentMemory component of this repository. */
export const REPO_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "..");
export const DEFAULT_APP_DIR = path.join(REPO_ROOT, "example", "convex");
export const DEFAULT_COMPONENT = { name: "agentMemory", dir: path.join(REPO_ROOT, "component") };

/** The default export of `<dir>/schema.ts`, if the directory has one. */
export async function loadSchema(loaded: LoadedModules): Promise<unknown | undefined> {
  const key = Object.keys(loaded.modules).find((k) => /^\.\/schema\.(ts|mts|js|mjs)$/.test(k));
  if (key === undefined) return undefined;
  const mod = await loaded.modules[key]();
  return mod.default;
}
