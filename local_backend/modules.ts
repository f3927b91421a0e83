/**
 * Builds convex-test's modules maps from the filesystem (the Node equivalent
 * of `import.meta.glob("./convex/**\/*.ts")`) and lists the Convex functions
 * each module exports.
 */
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

export type ModuleLoader = () => Promise<Record<string, unknown>>;
export type ModulesMap = Record<string, ModuleLoader>;

export type FunctionKind = "query" | "mutation" | "action" | "httpAction";

export interface FunctionInfo {
  /** Canonical path as clients name it: "dir/module:name" (no ".js"). */
  path: string;
  kind: FunctionKind;
  visibility: "public" | "internal";
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
}

const SOURCE_FILE = /\.(ts|mts|js|mjs)$/;
// Deployment configuration, not function modules (convex.config.ts only runs in the CLI).
const CONFIG_FILE = /^(convex\.config|auth\.config)\.(ts|mts|js|mjs)$/;
const SKIPPED_FILE = /(\.d\.ts|\.test\.(ts|js)|\.spec\.(ts|js))$/;

function walk(dir: string): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (entry.name.startsWith(".") || entry.name === "node_modules") continue;
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...walk(full));
    else if (SOURCE_FILE.test(entry.name) && !SKIPPED_FILE.test(entry.name)) out.push(full);
  }
  return out;
}

/**
 * The modules map of a Convex functions directory. Keys are "./<relative
 * path>" so convex-test finds the modules root from the `_generated` key
 * whatever the absolute path contains; loaders import the absolute file.
 */
export function modulesMapFromDir(dir: string): { modules: ModulesMap; moduleNames: string[] } {
  const root = path.resolve(dir);
  if (!existsSync(root)) throw new Error(`Convex functions directory not found: ${root}`);
  const files = walk(root)
    .map((file) => path.relative(root, file).split(path.sep).join("/"))
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
  const moduleNames = files
    .filter((rel) => !rel.startsWith("_generated/") && !CONFIG_FILE.test(rel))
    .map((rel) => rel.replace(SOURCE_FILE, ""));
  return { modules, moduleNames };
}

interface RegisteredLike {
  isQuery?: boolean;
  isMutation?: boolean;
  isAction?: boolean;
  isHttp?: boolean;
  isPublic?: boolean;
  isInternal?: boolean;
  isRegistered?: boolean;
}

function kindOf(value: unknown): FunctionKind | null {
  if ((typeof value !== "function" && typeof value !== "object") || value === null) return null;
  const fn = value as RegisteredLike;
  if (fn.isQuery) return "query";
  if (fn.isMutation) return "mutation";
  if (fn.isAction) return "action";
  if (fn.isHttp) return "httpAction";
  return null;
}

/** Imports every module of `dir` (failing loudly if one does not load) and lists its functions. */
export async function loadModules(dir: string): Promise<LoadedModules> {
  const { modules, moduleNames } = modulesMapFromDir(dir);
  const functions: FunctionInfo[] = [];
  for (const name of moduleNames) {
    let exports: Record<string, unknown>;
    try {
      exports = await modules[`./${findKey(modules, name)}`]();
    } catch (error) {
      throw new Error(`Could not load module "${name}" of ${path.resolve(dir)}: ${String(error)}`, { cause: error });
    }
    for (const [exportName, value] of Object.entries(exports)) {
      const kind = kindOf(value);
      if (kind === null) continue;
      const fn = value as RegisteredLike;
      functions.push({
        path: `${name}:${exportName}`,
        kind,
        visibility: fn.isInternal ? "internal" : "public",
      });
    }
  }
  functions.sort((a, b) => a.path.localeCompare(b.path));
  return { dir: path.resolve(dir), modules, moduleNames, functions };
}

function findKey(modules: ModulesMap, name: string): string {
  for (const key of Object.keys(modules)) {
    if (key.slice(2).replace(SOURCE_FILE, "") === name) return key.slice(2);
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
