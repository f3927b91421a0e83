/**
 * CLI of the local backend:
 *
 *   npx tsx local_backend/main.ts [--port N|0] [--host 127.0.0.1]
 *       [--env NAME=VALUE ...] [--env-file FILE] [--oidc-jwks DOMAIN=FILE ...]
 *       [--app DIR] [--component NAME=DIR ... | --no-components]
 *       [--no-transaction-limits] [--redact-errors] [--exit-on-stdin-close]
 *
 * Bearer tokens are verified against the app's own auth.config.ts, evaluated
 * with the deployment environment given by --env / --env-file (as
 * `npx convex env set` sets it on a deployment).
 *
 * When it listens it prints exactly one line on stdout:
 *
 *   LOCAL_BACKEND_URL=http://127.0.0.1:PORT
 *
 * Everything else (function console output, scheduled-function errors,
 * diagnostics) goes to stderr. Exits 0 on SIGTERM / SIGINT, and when stdin
 * closes if --exit-on-stdin-close is given (so a parent that dies never
 * leaks it). Exits 2 on bad flags, 1 when the app does not load.
 */
import { readFileSync } from "node:fs";
import { register } from "node:module";
import path from "node:path";
import { pathToFileURL } from "node:url";
import { format as formatText, parseArgs } from "node:util";
import { startLocalBackend, type LocalBackendOptions } from "./server.js";

export const READY_PREFIX = "LOCAL_BACKEND_URL=";

const USAGE = `usage: npx tsx local_backend/main.ts [options]
  --port N                 port to listen on (0 or absent: a free port)
  --host HOST              interface (default 127.0.0.1)
  --env NAME=VALUE         a deployment environment variable (repeatable); auth.config.ts reads them
  --env-file FILE          deployment environment variables from a file (NAME=VALUE lines, # comments)
  --oidc-jwks DOMAIN=FILE  keys (a JWKS file) of an OIDC provider of auth.config.ts, instead of discovery
  --app DIR                Convex functions directory of the app (default: example/convex)
  --component NAME=DIR     register a component (repeatable; default: agentMemory=component)
  --no-components          register no component
  --no-transaction-limits  do not enforce Convex's per-transaction limits
  --redact-errors          answer as a production deployment answers clients: function
                           errors say only "[Request ID: …] Server Error" (ConvexError
                           data is kept), no log lines
  --exit-on-stdin-close    exit when stdin reaches end of file
  --help                   this text
Ready line on stdout: ${READY_PREFIX}http://HOST:PORT`;

function fail(message: string): never {
  process.stderr.write(`local backend: ${message}\n${USAGE}\n`);
  process.exit(2);
}

function parseCli(argv: string[]): { options: LocalBackendOptions; exitOnStdinClose: boolean } {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      strict: true,
      allowPositionals: false,
      options: {
        port: { type: "string" },
        host: { type: "string" },
        env: { type: "string", multiple: true },
        "env-file": { type: "string", multiple: true },
        "oidc-jwks": { type: "string", multiple: true },
        app: { type: "string" },
        component: { type: "string", multiple: true },
        "no-components": { type: "boolean" },
        "no-transaction-limits": { type: "boolean" },
        "redact-errors": { type: "boolean" },
        "exit-on-stdin-close": { type: "boolean" },
        help: { type: "boolean" },
      },
    });
  } catch (error) {
    fail((error as Error).message);
  }
  const v = parsed.values;
  if (v.help) {
    process.stdout.write(`${USAGE}\n`);
    process.exit(0);
  }
  const port = v.port === undefined ? 0 : Number(v.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) fail(`--port must be an integer in 0..65535, got ${v.port}`);
  if (v.component !== undefined && v["no-components"]) fail("give --component or --no-components, not both");
  const components = v["no-components"]
    ? []
    : v.component?.map((spec) => {
        const eq = spec.indexOf("=");
        if (eq <= 0 || eq === spec.length - 1) fail(`--component takes NAME=DIR, got ${spec}`);
        return { name: spec.slice(0, eq), dir: path.resolve(spec.slice(eq + 1)) };
      });
  const pair = (flag: string, spec: string): [string, string] => {
    const eq = spec.indexOf("=");
    if (eq <= 0) fail(`${flag} takes NAME=VALUE, got ${spec}`);
    return [spec.slice(0, eq), spec.slice(eq + 1)];
  };
  const env: Record<string, string> = {};
  for (const file of v["env-file"] ?? []) {
    let text: string;
    try {
      text = readFileSync(file, "utf8");
    } catch (error) {
      fail(`--env-file ${file}: ${(error as Error).message}`);
    }
    for (const line of text.split(/\r?\n/)) {
      if (line.trim() === "" || line.trimStart().startsWith("#")) continue;
      const [name, value] = pair("--env-file", line.trim());
      env[name] = value.replace(/^(['"])(.*)\1$/s, "$2");
    }
  }
  for (const spec of v.env ?? []) {
    const [name, value] = pair("--env", spec);
    env[name] = value;
  }
  const oidcJwks = Object.fromEntries(
    (v["oidc-jwks"] ?? []).map((spec) => {
      const [domain, file] = pair("--oidc-jwks", spec);
      try {
        return [domain, JSON.parse(readFileSync(file, "utf8"))];
      } catch (error) {
        fail(`--oidc-jwks ${spec}: ${(error as Error).message}`);
      }
    }),
  );
  return {
    options: {
      port,
      host: v.host ?? "127.0.0.1",
      appDir: v.app === undefined ? undefined : path.resolve(v.app),
      components,
      env,
      oidcJwks,
      transactionLimits: !v["no-transaction-limits"],
      redactErrors: v["redact-errors"] ?? false,
    },
    exitOnStdinClose: v["exit-on-stdin-close"] ?? false,
  };
}

async function main(): Promise<void> {
  const { options, exitOnStdinClose } = parseCli(process.argv.slice(2));
  // The repository's own example app imports the package by name: use its sources here.
  register("./sourceConditions.mjs", import.meta.url, {
    data: { repoRootUrl: pathToFileURL(path.resolve(import.meta.dirname, "..")).href + "/" },
  });
  // stdout carries only the ready line: route console output (functions' logs included) to stderr.
  const toStderr = (...args: unknown[]) => process.stderr.write(`${formatText(...args)}\n`);
  console.log = toStderr;
  console.info = toStderr;
  console.debug = toStderr;
  process.on("unhandledRejection", (reason) => console.error("local backend: unhandled rejection", reason));

  let backend;
  try {
    backend = await startLocalBackend(options);
  } catch (error) {
    // A folder a push would refuse reads as the push's error; anything else with its stack.
    const detail = error instanceof Error ? (error.name === "PushError" ? error.message : (error.stack ?? error.message)) : String(error);
    process.stderr.write(`local backend: could not start: ${detail}\n`);
    process.exit(1);
  }
  let stopping = false;
  const stop = (why: string) => {
    if (stopping) return;
    stopping = true;
    process.stderr.write(`local backend: stopping (${why})\n`);
    void backend.close().finally(() => process.exit(0));
    // Do not wait for stuck connections.
    setTimeout(() => process.exit(0), 2000).unref();
  };
  process.on("SIGTERM", () => stop("SIGTERM"));
  process.on("SIGINT", () => stop("SIGINT"));
  if (exitOnStdinClose) {
    process.stdin.on("end", () => stop("stdin closed"));
    process.stdin.on("close", () => stop("stdin closed"));
    process.stdin.resume();
  }
  const appFunctions = backend.runtime.functions.filter((fn) => fn.visibility === "public").length;
  process.stderr.write(
    `local backend: app ${backend.runtime.appDir} (${backend.runtime.modules.length} modules, ${appFunctions} public functions)` +
      backend.runtime.components.map((c) => `, component ${c.name} (${c.functions.length} functions)`).join("") +
      (backend.runtime.redactErrors ? ", errors redacted as in production" : "") +
      "\n",
  );
  process.stdout.write(`${READY_PREFIX}${backend.url}\n`);
}

await main();
