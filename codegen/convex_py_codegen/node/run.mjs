// The extractor's entry point, run with plain Node by convex-py-codegen:
//
//   node run.mjs --functions-dir DIR [--exclude a,b] [--out spec.json]
//
// It finds esbuild through the `convex` package of the app that owns DIR (every
// Convex app has it: the CLI bundles with it), compiles extract.ts with it, and
// prints the spec as JSON. Exit codes: 0 done (failed modules are listed in the
// JSON), 1 the folder cannot be read, 3 no `convex` package / esbuild to use.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import os from "node:os";
import path from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";

const HERE = path.dirname(fileURLToPath(import.meta.url));

function parseArgs(argv) {
  const options = { functionsDir: undefined, out: undefined, exclude: [] };
  for (let i = 0; i < argv.length; i += 2) {
    const [flag, value] = [argv[i], argv[i + 1]];
    if (value === undefined) throw new Error(`missing value after ${flag}`);
    if (flag === "--functions-dir") options.functionsDir = value;
    else if (flag === "--out") options.out = value;
    else if (flag === "--exclude") options.exclude.push(...value.split(",").filter(Boolean));
    else throw new Error(`unknown argument: ${flag}`);
  }
  if (!options.functionsDir) throw new Error("usage: run.mjs --functions-dir DIR [--exclude a,b] [--out spec.json]");
  return options;
}

/** esbuild as the app's `convex` package resolves it (convex depends on it). */
async function loadEsbuild(functionsDir) {
  const fromApp = createRequire(path.join(path.resolve(functionsDir), "__convex_py_codegen__.js"));
  let convexPackage;
  try {
    convexPackage = fromApp.resolve("convex/package.json");
  } catch {
    fail(
      3,
      `no \`convex\` npm package found from ${path.resolve(functionsDir)}: convex-py-codegen compiles the ` +
        "app's TypeScript with the esbuild that `convex` brings. Install it in the app " +
        "(`npm install convex`, the package every Convex app depends on) and run again.",
    );
  }
  try {
    const esbuildMain = createRequire(convexPackage).resolve("esbuild");
    const esbuild = await import(pathToFileURL(esbuildMain).href);
    return esbuild.default ?? esbuild;
  } catch (error) {
    fail(
      3,
      `the \`convex\` package at ${path.dirname(convexPackage)} has no usable esbuild (${error}): ` +
        "reinstall the app's dependencies (`npm install`) and run again.",
    );
  }
}

function fail(code, message) {
  process.stderr.write(`convex-py-codegen extractor: ${message}\n`);
  process.exit(code);
}

async function main() {
  const options = parseArgs(process.argv.slice(2));
  const esbuild = await loadEsbuild(options.functionsDir);
  const tmp = mkdtempSync(path.join(os.tmpdir(), "convex-py-codegen-extractor-"));
  try {
    const compiled = path.join(tmp, "extract.mjs");
    await esbuild.build({
      entryPoints: [path.join(HERE, "extract.ts")],
      bundle: true,
      platform: "node",
      format: "esm",
      target: "node18",
      outfile: compiled,
      logLevel: "silent",
    });
    const { extract } = await import(pathToFileURL(compiled).href);
    const spec = await extract(options.functionsDir, { esbuild, exclude: options.exclude });
    const text = `${JSON.stringify(spec, null, 2)}\n`;
    if (options.out) writeFileSync(options.out, text);
    else process.stdout.write(text);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

main().catch((error) => fail(1, error instanceof Error ? error.message : String(error)));
