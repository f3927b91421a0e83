// @vitest-environment node
// The CLI as test fixtures and the demo start it: ready line, signals, stdin lifeline, default app.
import { spawn, type ChildProcessWithoutNullStreams } from "node:child_process";
import path from "node:path";
import { createInterface } from "node:readline";
import { afterEach, expect, test } from "vitest";
import { FIXTURE_APP, REPO, TEST_KEYS, post } from "./helpers.js";

const TSX = path.join(REPO, "node_modules", ".bin", "tsx");
const MAIN = path.join(REPO, "local_backend", "main.ts");
const READY = /^LOCAL_BACKEND_URL=(http:\/\/127\.0\.0\.1:\d+)$/;

const children: ChildProcessWithoutNullStreams[] = [];
afterEach(() => {
  for (const child of children.splice(0)) if (child.exitCode === null) child.kill("SIGKILL");
});

function start(args: string[]): Promise<{ child: ChildProcessWithoutNullStreams; url: string; stdoutLines: string[] }> {
  // The apps' auth.config.ts read AGENT_MEMORY_JWKS: a deployment refuses them without it.
  const env = ["--env", `AGENT_MEMORY_JWKS=${TEST_KEYS.env.AGENT_MEMORY_JWKS}`];
  const child = spawn(TSX, [MAIN, ...args, ...env], { cwd: REPO, stdio: ["pipe", "pipe", "pipe"] });
  children.push(child);
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  const stdoutLines: string[] = [];
  return new Promise((resolve, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on("line", (line) => {
      stdoutLines.push(line);
      const match = READY.exec(line);
      if (match) resolve({ child, url: match[1], stdoutLines });
    });
    child.on("exit", (code) => reject(new Error(`exited ${code} before the ready line:\n${stderr}`)));
  });
}

function exited(child: ChildProcessWithoutNullStreams): Promise<number | null> {
  if (child.exitCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.on("exit", (code) => resolve(code)));
}

test("prints one ready line on stdout, serves, and exits 0 on SIGTERM", async () => {
  const { child, url, stdoutLines } = await start(["--port", "0", "--app", FIXTURE_APP, "--no-components"]);
  const reply = await post(url, "/api/mutation", { path: "notes:add", args: { text: "cli" } });
  expect(reply.json).toMatchObject({ status: "success", value: 1 });
  expect(stdoutLines).toHaveLength(1);
  child.kill("SIGTERM");
  expect(await exited(child)).toBe(0);
});

test("--exit-on-stdin-close: exits when the parent closes stdin", async () => {
  const { child } = await start(["--app", FIXTURE_APP, "--no-components", "--exit-on-stdin-close"]);
  child.stdin.end();
  expect(await exited(child)).toBe(0);
});

test("by default it serves the example app with the agentMemory component", async () => {
  const { child, url } = await start(["--exit-on-stdin-close"]);
  const listing = await (await fetch(`${url}/_local_backend/functions`)).json();
  expect(listing.app.dir).toBe(path.join(REPO, "example", "convex"));
  expect(listing.app.modules).toContain("memory");
  expect(listing.components.map((c: { name: string }) => c.name)).toEqual(["agentMemory"]);
  expect(listing.components[0].modules).toEqual(expect.arrayContaining(["threads", "messages", "vectors"]));
  expect(listing.components[0].modules).not.toContain("schema"); // pushed as the schema, not a module
  // memory:* are the app's public functions (whatever the domains export so far).
  for (const fn of listing.app.functions as Array<{ path: string }>) expect(fn.path.startsWith("memory:")).toBe(true);
  child.kill("SIGINT");
  expect(await exited(child)).toBe(0);
});

test("bad flags exit 2 with usage", async () => {
  const child = spawn(TSX, [MAIN, "--port", "x"], { cwd: REPO });
  let stderr = "";
  child.stderr.on("data", (chunk) => (stderr += chunk));
  expect(await new Promise((resolve) => child.on("exit", resolve))).toBe(2);
  expect(stderr).toMatch(/--port must be an integer/);
});
