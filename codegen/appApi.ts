/**
 * Writes an app's `convex/_generated/` files as convex@1.48's `npx convex dev` writes them for an
 * app that installs components from packages, without a deployment:
 *
 *   npx tsx codegen/appApi.ts --app example/convex --file-type ts \
 *       --component agentMemory=convex-agent-memory [--check] [--init]
 *
 * `api` types `components.<name>` as `import("<package>/_generated/component.js")
 * .ComponentApi<"<name>">` (cli/codegen_templates/component_api.js `componentApiLines`, the
 * default unless convex.json sets `codegen.legacyComponentApi`), and `api`/`internal` from the
 * app's own modules (the dynamic API, the default unless `codegen.staticApi`). `--file-type`
 * is convex.json's `codegen.fileType`: `js/dts` (the default: api.js + api.d.ts, server.js +
 * server.d.ts, dataModel.d.ts) or `ts` (api.ts, server.ts, dataModel.ts). The text comes from
 * the CLI's own templates (codegen/convexCli.ts). `--init` also writes `tsconfig.json` when the
 * app has none, as the CLI does for a new project.
 */
import { existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { loadCliTemplates, templateCtx } from "./convexCli.js";

export interface InstalledComponent {
  /** The name the app gives it (`app.use(x)` keeps the component's own name). */
  name: string;
  /** What the app's convex.config.ts imports it as, without `/convex.config...`: the package name. */
  importSpecifier: string;
}

export interface AppGeneratedOptions {
  appDir: string;
  fileType: "ts" | "js/dts";
  components: InstalledComponent[];
}

/** The files (name → text) `npx convex dev` writes into `<appDir>/_generated/`. */
export async function renderAppGenerated(options: AppGeneratedOptions): Promise<Record<string, string>> {
  const cli = await loadCliTemplates();
  const appDir = path.resolve(options.appDir);
  const root = { path: appDir, isRoot: true };
  // Where each child sits does not show in the output when it is imported from a package
  // (component_api.js uses the import specifier), but the lookup needs a path.
  const childComponents = options.components.map((c) => ({ name: c.name, path: `node_modules/${c.importSpecifier}` }));
  const componentsMap = new Map(
    childComponents.map((child, i) => [
      path.normalize(path.join(appDir, child.path)),
      { importSpecifier: options.components[i].importSpecifier },
    ]),
  );
  const startPush = { analysis: { "": { definition: { childComponents, exports: { type: "branch", branch: [] } } } } };
  const opts = { staticApi: false, useComponentApiImports: true };
  const hasSchema = existsSync(path.join(appDir, "schema.ts")) || existsSync(path.join(appDir, "schema.js"));
  const server = cli.server.serverCodegen({ useTypeScript: options.fileType === "ts", envVars: [] }) as Record<
    "JS" | "DTS" | "TS",
    string
  >;
  const files: Record<string, string> = {};
  if (options.fileType === "ts") {
    files["api.ts"] = await cli.componentApi.componentApiTSWithTypes(templateCtx, startPush, root, root, componentsMap, opts);
    files["server.ts"] = server.TS;
    files["dataModel.ts"] = hasSchema ? cli.dataModel.dynamicDataModelTS() : cli.dataModel.noSchemaDataModelTS();
  } else {
    files["api.d.ts"] = await cli.componentApi.componentApiDTS(templateCtx, startPush, root, root, componentsMap, opts);
    files["api.js"] = cli.componentApi.componentApiJs();
    files["server.js"] = server.JS;
    files["server.d.ts"] = server.DTS;
    files["dataModel.d.ts"] = hasSchema ? cli.dataModel.dynamicDataModelDTS() : cli.dataModel.noSchemaDataModelDTS();
  }
  for (const name of Object.keys(files)) files[name] = await cli.format(files[name], "typescript");
  return files;
}

/** Writes the files; returns the names of those that changed. */
export async function writeAppGenerated(options: AppGeneratedOptions, check = false): Promise<string[]> {
  const files = await renderAppGenerated(options);
  const dir = path.join(path.resolve(options.appDir), "_generated");
  const changed: string[] = [];
  for (const [name, text] of Object.entries(files)) {
    const file = path.join(dir, name);
    const current = existsSync(file) ? readFileSync(file, "utf8") : null;
    if (current === text) continue;
    changed.push(name);
    if (!check) {
      mkdirSync(dir, { recursive: true });
      writeFileSync(file, text);
    }
  }
  return changed;
}

/**
 * `convex/tsconfig.json` as the CLI writes it for a new project (or with `codegen --init`),
 * when the app has none (cli/codegen_templates/tsconfig.js); the CLI type-checks with it.
 */
export async function writeTsconfigIfMissing(appDir: string): Promise<void> {
  const file = path.join(path.resolve(appDir), "tsconfig.json");
  if (existsSync(file)) return;
  const cli = await loadCliTemplates();
  writeFileSync(file, await cli.format(cli.tsconfig.tsconfigCodegen(), "json"));
}

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      app: { type: "string" },
      "file-type": { type: "string", default: "js/dts" },
      component: { type: "string", multiple: true, default: [] },
      check: { type: "boolean", default: false },
      init: { type: "boolean", default: false },
    },
  });
  if (!values.app) throw new Error("usage: appApi.ts --app DIR [--file-type ts|js/dts] [--component name=package ...] [--check] [--init]");
  const fileType = values["file-type"];
  if (fileType !== "ts" && fileType !== "js/dts") throw new Error(`--file-type must be ts or js/dts, got ${fileType}`);
  const components = (values.component ?? []).map((spec) => {
    const [name, importSpecifier] = spec.split("=");
    if (!name || !importSpecifier) throw new Error(`--component takes name=package, got ${spec}`);
    return { name, importSpecifier };
  });
  if (values.init) await writeTsconfigIfMissing(values.app);
  const changed = await writeAppGenerated({ appDir: values.app, fileType, components }, values.check);
  const where = path.join(values.app, "_generated");
  if (values.check && changed.length > 0) {
    process.stderr.write(`${where} is stale (${changed.join(", ")}): run codegen/appApi.ts without --check\n`);
    process.exit(1);
  }
  process.stdout.write(`${where}: ${changed.length === 0 ? "fresh" : `${values.check ? "stale" : "wrote"} ${changed.join(", ")}`}\n`);
}

if (process.argv[1] !== undefined && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
