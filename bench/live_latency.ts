/**
 * Live-query latency: the delay from a mutation being sent to a subscriber's
 * `onUpdate` callback seeing its result, with 1, 10 and 100 subscribers
 * (each its own official JS `ConvexClient`, i.e. its own WebSocket), over
 * loopback against the sync protocol (local_backend/sync) serving the fixture
 * app in a separate process (local_backend/sync/dev-server.ts).
 *
 *   npx tsx bench/live_latency.ts [--rounds 200] [--subscribers 1,10,100]
 *
 * Per subscriber count it prints the median and p95 of every subscriber's
 * delay, and of the delay until the last subscriber has seen the write.
 */
import { spawn } from "node:child_process";
import { once } from "node:events";
import { createInterface } from "node:readline";
import { ConvexClient } from "convex/browser";
import { makeFunctionReference } from "convex/server";
import { WebSocket } from "ws";

const get = makeFunctionReference<"query">("counter:get");
const increment = makeFunctionReference<"mutation">("counter:increment");

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}
const ROUNDS = Number(flag("rounds", "200"));
const COUNTS = flag("subscribers", "1,10,100").split(",").map(Number);
const ROUND_TIMEOUT_MS = 10_000;

const percentile = (sorted: number[], p: number) => sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
const fmt = (ms: number) => `${ms.toFixed(2)} ms`;

function newClient(url: string) {
  return new ConvexClient(url, { webSocketConstructor: WebSocket as unknown as typeof globalThis.WebSocket, logger: false });
}

async function startServer(): Promise<{ url: string; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, ["--import", "tsx", "local_backend/sync/dev-server.ts", "--port", "0"], {
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines = createInterface({ input: child.stdout! });
  const url = await new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error("dev server did not start in 60 s")), 60_000);
    lines.on("line", (line) => {
      if (line.startsWith("LISTENING ")) {
        clearTimeout(timer);
        resolve(line.split(" ")[1]);
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

async function measure(url: string, subscribers: number, rounds: number) {
  const name = `bench-${subscribers}`;
  const writer = newClient(url);
  const clients = Array.from({ length: subscribers }, () => newClient(url));
  // Each subscriber resolves `waiting[i]` when it sees the value expected this round.
  let expected = 0;
  let waiting: ((t: number) => void)[] = [];
  const ready: Promise<void>[] = [];
  const unsubscribes = clients.map((c, i) => {
    let first: () => void;
    ready.push(new Promise<void>((resolve) => (first = resolve)));
    return c.onUpdate(get, { name }, (value) => {
      const now = performance.now();
      if (value === 0) first();
      if (value === expected) waiting[i]?.(now);
    });
  });
  await Promise.all(ready);

  const each: number[] = [];
  const all: number[] = [];
  // A few warm-up rounds are run and not counted.
  const warmup = 5;
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
    void writer.mutation(increment, { name });
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
  console.log(`live-query latency, ${ROUNDS} mutations per row, loopback, Node ${process.version}`);
  console.log("| subscribers | median (each) | p95 (each) | median (all seen) | p95 (all seen) |");
  console.log("|---:|---:|---:|---:|---:|");
  for (const n of COUNTS) {
    const r = await measure(server.url, n, ROUNDS);
    console.log(`| ${r.subscribers} | ${fmt(r.medianEach)} | ${fmt(r.p95Each)} | ${fmt(r.medianAll)} | ${fmt(r.p95All)} |`);
  }
} finally {
  await server.stop();
}
