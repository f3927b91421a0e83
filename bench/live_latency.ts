/**
 * Live-query latency: the delay from a mutation being sent to a subscriber's
 * `onUpdate` callback seeing its result, with 1, 10 and 100 subscribers
 * (each its own official JS `ConvexClient`, i.e. its own WebSocket), over
 * loopback, the server in a separate process.
 *
 *   npx tsx bench/live_latency.ts [--backend local|fixture] [--rounds 200] [--subscribers 1,10,100]
 *                                 [--smoke]
 *
 * --backend local (default): the real local backend (local_backend/main.ts)
 *   serving the example app and the agentMemory component; the subscribers
 *   watch `memory:watchMessages` of one thread (the same user, with a JWT the
 *   backend verifies), the writer saves one message per round with
 *   `memory:saveMessages`.
 * --backend fixture: the sync protocol alone (local_backend/sync/dev-server.ts)
 *   on the fixture app; `counter:get` / `counter:increment`.
 *
 * Per subscriber count it prints the median and p95 of every subscriber's
 * delay, and of the delay until the last subscriber has seen the write.
 *
 * --smoke: one tiny iteration (3 rounds, 1 warm-up, 1 and 2 subscribers) that
 *   shows the benchmark still runs (tests/docs runs it); its figures mean nothing.
 */
import { spawn } from "node:child_process";
import { generateKeyPairSync, sign } from "node:crypto";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { ConvexClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { WebSocket } from "ws";

const get = makeFunctionReference<"query">("counter:get");
const increment = makeFunctionReference<"mutation">("counter:increment");
const watchMessages = makeFunctionReference<"query">("memory:watchMessages");
const saveThread = makeFunctionReference<"mutation">("memory:saveThread");
const saveMessages = makeFunctionReference<"mutation">("memory:saveMessages");

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const BACKEND = flag("backend", "local");
if (BACKEND !== "local" && BACKEND !== "fixture") throw new Error("--backend is local or fixture");
const SMOKE = process.argv.includes("--smoke");
const ROUNDS = Number(flag("rounds", SMOKE ? "3" : "200"));
const COUNTS = flag("subscribers", SMOKE ? "1,2" : "1,10,100").split(",").map(Number);
const WARMUP = SMOKE ? 1 : 5;
const ROUND_TIMEOUT_MS = 10_000;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

function newClient(url: string, token?: string) {
  const client = new ConvexClient(url, { webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket, logger: false });
  if (token !== undefined) client.setAuth(async () => token);
  return client;
}

// The example app's auth.config.ts trusts `serviceAuthProvider()`: its issuer and audience, and
// the public keys in AGENT_MEMORY_JWKS (client/authConfig.ts), as a deployment is configured.
const ISSUER = "https://convex-agent-memory.invalid";
const AUDIENCE = "convex-agent-memory";
const keys = generateKeyPairSync("rsa", { modulusLength: 2048 });

/** An RS256 JWT the local backend started below accepts. */
function userToken(sub: string): string {
  const now = Math.floor(Date.now() / 1000);
  const encode = (value: unknown) => Buffer.from(JSON.stringify(value)).toString("base64url");
  const data = `${encode({ alg: "RS256", typ: "JWT", kid: "bench" })}.${encode({ iss: ISSUER, aud: AUDIENCE, sub, iat: now, exp: now + 3600 })}`;
  return `${data}.${sign("sha256", Buffer.from(data), keys.privateKey).toString("base64url")}`;
}

async function startServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  let args: string[];
  let ready: string;
  if (BACKEND === "local") {
    const jwks = JSON.stringify({ keys: [{ ...keys.publicKey.export({ format: "jwk" }), kid: "bench", alg: "RS256", use: "sig" }] });
    const jwksUri = `data:text/plain;charset=utf-8;base64,${Buffer.from(jwks).toString("base64")}`;
    args = ["local_backend/main.ts", "--port", "0", "--exit-on-stdin-close", "--env", `AGENT_MEMORY_JWKS=${jwksUri}`];
    ready = "LOCAL_BACKEND_URL=";
  } else {
    args = ["local_backend/sync/dev-server.ts", "--port", "0"];
    ready = "LISTENING ";
  }
  const child = spawn(process.execPath, ["--import", "tsx", ...args], {
    stdio: ["pipe", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("the server did not start in 60 s")), 60_000);
    lines.on("line", (line) => {
      if (line.startsWith(ready)) {
        clearTimeout(timer);
        resolve(line.slice(ready.length).trim());
      }
    });
    child.once("exit", (code) => reject(new Error(`dev server exited with ${code}`)));
  });
  return {
    url,
    stop: async () => {
      child.kill("SIGTERM");
      await once(child, "exit");
    },
  };
}

/** What one benchmark row subscribes to and writes. */
interface Scenario {
  subscribe(c: ConvexClient, onValue: (value: unknown) => void): () => void;
  isInitial(value: unknown): boolean;
  /** Whether `value` shows round `round`'s write. */
  shows(value: unknown, round: number): boolean;
  write(writer: ConvexClient, round: number): Promise<unknown>;
}

async function scenario(url: string, subscribers: number): Promise<{ scenario: Scenario; writer: ConvexClient; clients: ConvexClient[] }> {
  if (BACKEND === "fixture") {
    const name = `bench-${subscribers}`;
    return {
      writer: newClient(url),
      clients: Array.from({ length: subscribers }, () => newClient(url)),
      scenario: {
        subscribe: (c, onValue) => c.onUpdate(get, { name }, onValue),
        isInitial: (value) => value === 0,
        shows: (value, round) => value === round,
        write: (writer) => writer.mutation(increment, { name }),
      },
    };
  }
  // The real backend: one user's thread, every subscriber that user (identical
  // live queries of one identity run once per commit for all connections).
  const user = `bench-user-${subscribers}`;
  const token = userToken(user);
  const threadId = `bench-thread-${subscribers}`;
  const writer = newClient(url, token);
  await writer.mutation(saveThread, { id: threadId, resourceId: user, title: "bench" });
  const ids = (value: unknown) => (Array.isArray(value) ? value.map((m) => (m as { id: string }).id) : []);
  return {
    writer,
    clients: Array.from({ length: subscribers }, () => newClient(url, token)),
    scenario: {
      subscribe: (c, onValue) => c.onUpdate(watchMessages, { resourceId: user, threadId, limit: 3 }, onValue),
      isInitial: (value) => Array.isArray(value) && value.length === 0,
      shows: (value, round) => ids(value).includes(`m-${subscribers}-${round}`),
      write: (w, round) =>
        w.mutation(saveMessages, {
          resourceId: user,
          messages: [
            { id: `m-${subscribers}-${round}`, threadId, role: "user", type: "text", content: { format: 2, parts: [{ type: "text", text: `round ${round}` }] } },
          ],
        }),
    },
  };
}

async function measure(url: string, subscribers: number, rounds: number) {
  const { scenario: s, writer, clients } = await scenario(url, subscribers);
  // Each subscriber resolves `waiting[i]` when it sees the value expected this round.
  let expected = 0;
  let waiting: ((t: number) => void)[] = [];
  const ready: Promise<void>[] = [];
  const unsubscribes = clients.map((c, i) => {
    let first: () => void;
    ready.push(new Promise<void>((resolve) => (first = resolve)));
    return s.subscribe(c, (value) => {
      const now = performance.now();
      if (s.isInitial(value)) first();
      if (expected > 0 && s.shows(value, expected)) waiting[i]?.(now);
    });
  });
  await Promise.all(ready);

  const each: number[] = [];
  const all: number[] = [];
  // A few warm-up rounds are run and not counted.
  const warmup = WARMUP;
  for (let round = 1; round <= rounds + warmup; round++) {
    expected = round;
    const seen = clients.map(
      (_, i) =>
        new Promise<number>((resolve, reject) => {
          const timer = setTimeout(() => reject(new Error(`round ${round}: subscriber ${i} saw nothing in ${ROUND_TIMEOUT_MS} ms`)), ROUND_TIMEOUT_MS);
          waiting[i] = (t) => {
            clearTimeout(timer);
            resolve(t);
          };
        }),
    );
    const start = performance.now();
    void s.write(writer, round);
    const times = await Promise.all(seen);
    waiting = [];
    if (round > warmup) {
      for (const t of times) each.push(t - start);
      all.push(Math.max(...times) - start);
    }
  }
  unsubscribes.forEach((u) => u());
  await Promise.all([writer, ...clients].map((c) => c.close()));
  each.sort((x, y) => x - y);
  all.sort((x, y) => x - y);
  return {
    subscribers,
    rounds,
    medianEach: percentile(each, 50),
    p95Each: percentile(each, 95),
    medianAll: percentile(all, 50),
    p95All: percentile(all, 95),
  };
}

const server = await startServer();
try {
  const what = BACKEND === "local" ? "local backend + example app, memory:watchMessages" : "sync dev server + fixture app, counter:get";
  console.log(`live-query latency (${what}), ${ROUNDS} mutations per row, loopback, Node ${process.version}`);
  console.log("| subscribers | median (each) | p95 (each) | median (all seen) | p95 (all seen) |");
  console.log("|---:|---:|---:|---:|---:|");
  for (const n of COUNTS) {
    const r = await measure(server.url, n, ROUNDS);
    console.log(`| ${r.subscribers} | ${fmt(r.medianEach)} | ${fmt(r.p95Each)} | ${fmt(r.medianAll)} | ${fmt(r.p95All)} |`);
  }
} finally {
  await server.stop();
}
