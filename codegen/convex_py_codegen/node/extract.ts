/**
 * Reads the function signatures of a Convex functions folder (a component or
 * any app's `convex/`) without a deployment, in the shape
 * `npx convex function-spec` prints them, plus the component's name, JSDoc
 * descriptions and the modules that failed to load.
 *
 * It is compiled and run by `run.mjs` beside it (plain Node), which finds
 * esbuild through the app's own `convex` package: the app needs nothing else.
 *
 * The modules are the ones the Convex CLI would push (`convexModules.ts`),
 * bundled the way the CLI bundles them (`innerEsbuild` in
 * node_modules/convex/dist/esm/bundler/debugBundle.js: esm, conditions
 * `convex`+`module`, automatic JSX, `server-only` stubbed; the browser
 * platform for Convex's runtime, node for `"use node"` modules), then
 * imported one by one. Only exported values Convex registered
 * (`isQuery`/`isMutation`/`isAction`/`isHttp`) count; their
 * `exportArgs()`/`exportReturns()` are what the backend itself would report.
 * A module that cannot be bundled or imported is reported by name, with the
 * error, and the others are still read.
 */
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { pathToFileURL } from "node:url";
import {
  type ConvexModule,
  type FunctionKind,
  assertPushable,
  registeredFunction,
  walkConvexModules,
} from "./convexModules.js";

/** The spec's spelling of each kind (`functionType` as `npx convex function-spec` gives it). */
const FUNCTION_TYPE = {
  query: "Query",
  mutation: "Mutation",
  action: "Action",
  httpAction: "HttpAction",
} as const satisfies Record<FunctionKind, string>;
type FunctionType = (typeof FUNCTION_TYPE)[FunctionKind];

export interface FunctionSpec {
  identifier: string;
  functionType: FunctionType;
  visibility: { kind: "public" | "internal" };
  args: unknown;
  returns: unknown;
  description?: string;
}

export interface FailedModule {
  /** The module path ("dir/notes"). */
  module: string;
  error: string;
}

export interface Spec {
  component: string | null;
  functions: FunctionSpec[];
  failedModules: FailedModule[];
}

/** The part of esbuild's API used here (esbuild comes from the app's `convex` package). */
interface Esbuild {
  build(options: Record<string, unknown>): Promise<{ errors: EsbuildMessage[] }>;
}
interface EsbuildMessage {
  text: string;
  location?: { file: string; line: number } | null;
}

/** The JSDoc block right above `export const <name>`, as plain text. */
export function docComments(source: string): Map<string, string> {
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
      const source = readFileSync(path.join(functionsDir, file), "utf8");
      const match = /defineComponent\(\s*["'`]([^"'`]+)["'`]/.exec(source);
      return match ? match[1] : null;
    } catch {
      // no such file: try the next one
    }
  }
  return null;
}

const serverOnlyStub = {
  name: "convex-server-only",
  setup(build: {
    onResolve: (o: { filter: RegExp }, f: (a: { path: string }) => unknown) => void;
    onLoad: (o: { filter: RegExp; namespace: string }, f: () => unknown) => void;
  }) {
    build.onResolve({ filter: /^server-only$/ }, (args) => ({ path: args.path, namespace: "server-only-stub" }));
    build.onLoad({ filter: /.*/, namespace: "server-only-stub" }, () => ({ contents: "", loader: "js" }));
  },
};

function messageOf(error: unknown): string {
  if (error && typeof error === "object" && Array.isArray((error as { errors?: unknown }).errors)) {
    const errors = (error as { errors: EsbuildMessage[] }).errors;
    if (errors.length > 0) {
      return errors
        .map((e) => (e.location ? `${e.location.file}:${e.location.line}: ${e.text}` : e.text))
        .join("\n");
    }
  }
  if (error instanceof Error) return error.message;
  return String(error);
}

/** Bundles modules of one runtime into `outdir` (as `<module path>.mjs`). */
async function bundle(esbuild: Esbuild, root: string, outdir: string, modules: ConvexModule[], platform: "browser" | "node"): Promise<void> {
  await esbuild.build({
    entryPoints: modules.map((m) => m.file),
    bundle: true,
    platform,
    format: "esm",
    target: "esnext",
    jsx: "automatic",
    outdir,
    outbase: root,
    outExtension: { ".js": ".mjs" },
    conditions: ["convex", "module"],
    plugins: [serverOnlyStub],
    write: true,
    splitting: modules.length > 1,
    chunkNames: "_chunks/[hash]",
    define: { "process.env.NODE_ENV": '"production"' },
    // esm output that calls require() (CommonJS dependencies of "use node" modules) needs one.
    banner: platform === "node" ? { js: 'import { createRequire as __cpcRequire } from "node:module"; const require = __cpcRequire(import.meta.url);' } : {},
    logLevel: "silent",
  });
}

/** Where `bundle` writes a module: `<outdir>/<module path>.mjs`. */
function outputFile(outdir: string, module: ConvexModule): string {
  return `${path.join(outdir, ...module.path.split("/"))}.mjs`;
}

/**
 * Bundles every module; when a bundle of them all fails, bundles them one by one so
 * that only the modules that cannot be bundled are lost (and named). Returns the
 * bundled file of each module that made it.
 */
async function bundleAll(
  esbuild: Esbuild,
  root: string,
  outdir: string,
  modules: ConvexModule[],
  failed: FailedModule[],
): Promise<Map<ConvexModule, string>> {
  const files = new Map<ConvexModule, string>();
  for (const platform of ["browser", "node"] as const) {
    const group = modules.filter((m) => (m.environment === "node") === (platform === "node"));
    if (group.length === 0) continue;
    const groupDir = path.join(outdir, platform);
    try {
      await bundle(esbuild, root, groupDir, group, platform);
      for (const module of group) files.set(module, outputFile(groupDir, module));
    } catch {
      for (const [index, module] of group.entries()) {
        const oneDir = path.join(outdir, `${platform}-${index}`);
        try {
          await bundle(esbuild, root, oneDir, [module], platform);
          files.set(module, outputFile(oneDir, module));
        } catch (error) {
          failed.push({ module: module.path, error: `cannot be bundled: ${messageOf(error)}` });
        }
      }
    }
  }
  return files;
}

export interface ExtractOptions {
  esbuild: Esbuild;
  /** Folders (relative to the functions folder) to leave out. */
  exclude?: string[];
}

export async function extract(functionsDir: string, options: ExtractOptions): Promise<Spec> {
  const root = path.resolve(functionsDir);
  // The files the Convex CLI would push, by its own rules (one walker, shared with the local backend).
  const walk = walkConvexModules(root);
  assertPushable(walk);
  const exclude = options.exclude ?? [];
  const excluded = (relPath: string) => exclude.some((dir) => relPath === dir || relPath.startsWith(`${dir}/`));
  const modules = walk.modules.filter((m) => !excluded(m.relPath));
  const failedModules: FailedModule[] = [];
  const functions: FunctionSpec[] = [];
  const outdir = mkdtempSync(path.join(os.tmpdir(), "convex-py-codegen-"));
  try {
    const bundled = await bundleAll(options.esbuild, root, outdir, modules, failedModules);
    for (const module of modules) {
      const file = bundled.get(module);
      if (file === undefined) continue;
      let exports: Record<string, unknown>;
      try {
        exports = (await import(pathToFileURL(file).href)) as Record<string, unknown>;
      } catch (error) {
        failedModules.push({ module: module.path, error: `fails to import: ${messageOf(error)}` });
        continue;
      }
      const docs = docComments(readFileSync(module.file, "utf8"));
      for (const [name, value] of Object.entries(exports)) {
        const registered = registeredFunction(value);
        if (registered === null) continue;
        const { fn, kind } = registered;
        let args: unknown;
        let returns: unknown;
        try {
          args = fn.exportArgs ? JSON.parse(fn.exportArgs()) : { type: "any" };
          returns = fn.exportReturns ? JSON.parse(fn.exportReturns()) : null;
        } catch (error) {
          failedModules.push({ module: module.path, error: `${name}: its validators cannot be read: ${messageOf(error)}` });
          continue;
        }
        const spec: FunctionSpec = {
          identifier: `${module.canonicalPath}:${name}`,
          functionType: FUNCTION_TYPE[kind],
          visibility: { kind: fn.isInternal ? "internal" : "public" },
          args,
          returns,
        };
        const doc = docs.get(name);
        if (doc) spec.description = doc;
        functions.push(spec);
      }
    }
  } finally {
    rmSync(outdir, { recursive: true, force: true });
  }
  functions.sort((a, b) => (a.identifier < b.identifier ? -1 : a.identifier > b.identifier ? 1 : 0));
  failedModules.sort((a, b) => (a.module < b.module ? -1 : a.module > b.module ? 1 : 0));
  return { component: componentName(root), functions, failedModules };
}
