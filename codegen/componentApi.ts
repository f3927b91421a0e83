/**
 * Writes `component/_generated/component.ts`, the component's `ComponentApi` type, offline:
 *
 *   npx tsx codegen/componentApi.ts            # (re)write it
 *   npx tsx codegen/componentApi.ts --check    # exit 1 when the committed file is stale
 *
 * The convex@1.48 CLI writes this file with `npx convex dev` from a deployment's analysis of
 * the component; an app that installs the package imports it from its generated `api.d.ts`
 * (`import("<package>/_generated/component.js").ComponentApi<"name">`,
 * cli/codegen_templates/component_api.js `componentApiLines`). Without a deployment we build
 * the same analysis from the signatures the project's extractor reads
 * (codegen/convex_py_codegen/node/run.mjs, the one convex-py-codegen ships: each function's own
 * `exportArgs()`/`exportReturns()`) and hand it to the CLI's own template (`componentTS`)
 * and formatter (codegen/convexCli.ts), so the output is what `npx convex dev` would write
 * for this component.
 */
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { loadCliTemplates, templateCtx } from "./convexCli.js";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const COMPONENT_DIR = join(ROOT, "component");
export const OUTPUT = join(COMPONENT_DIR, "_generated", "component.ts");

interface FunctionSpec {
  identifier: string;
  functionType: "Query" | "Mutation" | "Action" | "HttpAction";
  visibility: { kind: "public" | "internal" };
  args: unknown;
  returns: unknown;
}

interface Spec {
  component: string | null;
  functions: FunctionSpec[];
  failedModules?: Array<{ module: string; error: string }>;
}

type Validator = { type: string; [key: string]: unknown };

/**
 * The backend stores an object validator's fields in a `BTreeMap` keyed by field name
 * (crates/common/src/schemas/validator.rs, `ObjectValidator`), so the analysis it returns, and
 * the types the CLI writes from it, list fields in byte order whatever the source order was.
 */
function canonicalValidator(validator: unknown): unknown {
  if (validator === null || typeof validator !== "object") return validator;
  const node = validator as Validator;
  switch (node.type) {
    case "object": {
      const fields = node.value as Record<string, { fieldType: unknown; optional: boolean }>;
      const sorted: Record<string, unknown> = {};
      for (const name of Object.keys(fields).sort(byteOrder)) {
        sorted[name] = { ...fields[name], fieldType: canonicalValidator(fields[name].fieldType) };
      }
      return { ...node, value: sorted };
    }
    case "array":
      return { ...node, value: canonicalValidator(node.value) };
    case "union":
      return { ...node, value: (node.value as unknown[]).map(canonicalValidator) };
    case "record": {
      const values = node.values as { fieldType: unknown; optional: boolean };
      return { ...node, keys: canonicalValidator(node.keys), values: { ...values, fieldType: canonicalValidator(values.fieldType) } };
    }
    default:
      return node;
  }
}

function byteOrder(a: string, b: string): number {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return Buffer.compare(x, y);
}

type ExportTree = { type: "branch"; branch: Array<[string, ExportTree]> } | { type: "leaf"; leaf: string };

/**
 * The component's analysis as the backend reports it (`startPush.analysis[path]`): every
 * public query, mutation and action is exported under its module path; internal functions and
 * HTTP actions are not callable from the app, so they are not part of `ComponentApi`.
 */
export function analysisFromSpec(spec: Spec) {
  const functions: Record<string, { functions: unknown[] }> = {};
  const root: ExportTree = { type: "branch", branch: [] };
  for (const fn of spec.functions) {
    const [modulePath, name] = fn.identifier.split(":");
    (functions[modulePath] ??= { functions: [] }).functions.push({
      name,
      udfType: fn.functionType,
      visibility: fn.visibility,
      args: JSON.stringify(canonicalValidator(fn.args)),
      returns: fn.returns === null ? undefined : JSON.stringify(canonicalValidator(fn.returns)),
    });
    if (fn.visibility.kind !== "public" || fn.functionType === "HttpAction") continue;
    let node = root;
    for (const part of modulePath.replace(/\.js$/, "").split("/")) {
      let next = node.branch.find(([key]) => key === part)?.[1];
      if (next === undefined) {
        next = { type: "branch", branch: [] };
        node.branch.push([part, next]);
      }
      if (next.type !== "branch") throw new Error(`module path ${modulePath} clashes with a function name`);
      node = next;
    }
    node.branch.push([name, { type: "leaf", leaf: `_reference/function/${modulePath}:${name}` }]);
  }
  return { definition: { exports: root }, functions };
}

/** The file's text for a spec, exactly as `npx convex dev` would write it. */
export async function renderComponentApi(spec: Spec): Promise<string> {
  const cli = await loadCliTemplates();
  // Root and component in the same directory: the definition path is "".
  const directory = { path: COMPONENT_DIR, isRoot: false };
  const startPush = { analysis: { "": analysisFromSpec(spec) } };
  const text = await cli.componentApi.componentTS(templateCtx, startPush, directory, directory);
  return cli.format(text, "typescript");
}

function extractSpec(): Spec {
  const out = execFileSync(
    process.execPath,
    [join(ROOT, "codegen", "convex_py_codegen", "node", "run.mjs"), "--functions-dir", COMPONENT_DIR],
    { cwd: ROOT, encoding: "utf8", maxBuffer: 64 * 1024 * 1024 },
  );
  const spec = JSON.parse(out) as Spec;
  // The extractor reports a module it could not load and reads the others: a partial API
  // would be written without a word, so stop here.
  const failed = spec.failedModules ?? [];
  if (failed.length > 0) {
    throw new Error(`modules that could not be read: ${failed.map((f) => `${f.module}: ${f.error}`).join("; ")}`);
  }
  return spec;
}

async function main(): Promise<void> {
  const argv = process.argv.slice(2);
  const check = argv.includes("--check");
  const specIndex = argv.indexOf("--spec");
  const spec = specIndex >= 0 ? (JSON.parse(readFileSync(argv[specIndex + 1], "utf8")) as Spec) : extractSpec();
  const text = await renderComponentApi(spec);
  let current: string | null = null;
  try {
    current = readFileSync(OUTPUT, "utf8");
  } catch {
    current = null;
  }
  if (check) {
    if (current !== text) {
      process.stderr.write(
        "component/_generated/component.ts is stale: run `npx tsx codegen/componentApi.ts` and commit it\n",
      );
      process.exit(1);
    }
    process.stdout.write("component/_generated/component.ts is fresh\n");
    return;
  }
  if (current !== text) writeFileSync(OUTPUT, text);
  process.stdout.write(`${current === text ? "unchanged" : "wrote"} component/_generated/component.ts\n`);
}

if (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  main().catch((error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  });
}
