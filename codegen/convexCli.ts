/**
 * The convex CLI's own code generation templates, loaded from the installed `convex` package,
 * so files this project generates offline (`component/_generated/component.ts`, an app's
 * `_generated/` in the tarball test) are what `npx convex dev` itself would write.
 *
 * The templates live in `convex/dist/esm/cli/codegen_templates/`. Two of their imports reach
 * into CLI modules whose dependencies (chalk, zod, sentry, ...) are bundled into
 * `cli.bundle.cjs` and not installed, so the templates are bundled here with esbuild (the
 * CLI's own bundler, a dependency of `convex`) with those two imports replaced:
 * - `bundler/index.js` → `entryPoints` over codegen/convex_py_codegen/node/convexModules.ts,
 *   the project's one walker of a functions folder, which follows the CLI's own rule;
 * - `lib/components/definition/directoryStructure.js` → its two pure path helpers.
 */
import { createRequire } from "node:module";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const require = createRequire(import.meta.url);
export const CONVEX_DIR = path.dirname(require.resolve("convex/package.json"));
const requireFromConvex = createRequire(path.join(CONVEX_DIR, "package.json"));
// The project's one walker of a functions folder, the CLI's rule (bundler/index.js `entryPoints`).
const WALKER_MODULE = fileURLToPath(new URL("./convex_py_codegen/node/convexModules.ts", import.meta.url));
const ENTRY_POINTS_STUB = `
import { walkConvexModules } from ${JSON.stringify(WALKER_MODULE)};
export async function entryPoints(_ctx, dir) {
  return walkConvexModules(dir).modules.map((module) => module.file);
}`;

const DIRECTORY_STRUCTURE_STUB = `
import path from "path";
export function toComponentDefinitionPath(rootComponent, component) {
  return path.relative(rootComponent.path, component.path).split(path.sep).join(path.posix.sep);
}
export function toAbsolutePath(rootComponent, componentDefinitionPath) {
  return path.normalize(path.join(rootComponent.path, componentDefinitionPath.split(path.posix.sep).join(path.sep)));
}`;

/** A stand-in for the CLI's `ctx`: only `crash` is used by the templates. */
export const templateCtx = {
  crash: async ({ printedMessage }: { printedMessage?: string | null }): Promise<never> => {
    throw new Error(printedMessage ?? "convex codegen template failed");
  },
};

type AnyFn = (...args: any[]) => any;

export interface CliTemplates {
  componentApi: Record<
    "componentTS" | "componentApiDTS" | "componentApiTSWithTypes" | "componentApiJs" | "componentApiStubDTS",
    AnyFn
  >;
  dataModel: Record<"dynamicDataModelDTS" | "dynamicDataModelTS" | "noSchemaDataModelDTS" | "noSchemaDataModelTS", AnyFn>;
  server: { serverCodegen: AnyFn };
  tsconfig: { tsconfigCodegen: AnyFn };
  /** cli/lib/codegen.js `writeFormattedFile`: prettier, as the CLI formats what it writes. */
  format: (text: string, parser: "typescript" | "json") => Promise<string>;
}

let loaded: Promise<CliTemplates> | undefined;

export function loadCliTemplates(): Promise<CliTemplates> {
  loaded ??= load();
  return loaded;
}

async function load(): Promise<CliTemplates> {
  const esbuild = (await import(pathToFileURL(requireFromConvex.resolve("esbuild")).href)) as typeof import("esbuild");
  const templates = path.join(CONVEX_DIR, "dist", "esm", "cli", "codegen_templates");
  const names = ["component_api", "dataModel", "server", "tsconfig"] as const;
  const result = await esbuild.build({
    entryPoints: names.map((name) => path.join(templates, `${name}.js`)),
    bundle: true,
    platform: "node",
    format: "esm",
    write: false,
    outdir: path.join(CONVEX_DIR, ".cli-templates"),
    logLevel: "silent",
    plugins: [
      {
        name: "replace-cli-internals",
        setup(build) {
          build.onResolve({ filter: /\/bundler\/index\.js$/ }, () => ({ path: "entryPoints", namespace: "stub" }));
          build.onResolve({ filter: /\/directoryStructure\.js$/ }, () => ({ path: "directoryStructure", namespace: "stub" }));
          build.onLoad({ filter: /.*/, namespace: "stub" }, (args) => ({
            contents: args.path === "entryPoints" ? ENTRY_POINTS_STUB : DIRECTORY_STRUCTURE_STUB,
            loader: "js",
            resolveDir: path.dirname(WALKER_MODULE),
          }));
        },
      },
    ],
  });
  const modules: Record<string, Record<string, AnyFn>> = {};
  for (const file of result.outputFiles) {
    const name = path.basename(file.path, ".js");
    const url = `data:text/javascript;base64,${Buffer.from(file.text).toString("base64")}`;
    modules[name] = (await import(url)) as Record<string, AnyFn>;
  }
  const prettier = (await import(pathToFileURL(requireFromConvex.resolve("prettier")).href)) as {
    format?: AnyFn;
    default?: { format: AnyFn };
  };
  const format = prettier.format ?? prettier.default!.format;
  return {
    componentApi: modules.component_api as CliTemplates["componentApi"],
    dataModel: modules.dataModel as CliTemplates["dataModel"],
    server: modules.server as CliTemplates["server"],
    tsconfig: modules.tsconfig as CliTemplates["tsconfig"],
    format: (text, parser) => format(text, { parser, pluginSearchDirs: false }),
  };
}

