/**
 * Stand-alone server for the sync protocol tests and benchmark: the fixture
 * app (tests/fixtures/sync-app) under convex-test, behind a plain node:http
 * server with `attachSyncProtocol`. Not the project's local backend.
 *
 *   npx tsx local_backend/sync/dev-server.ts [--port N] [--secret S]
 *
 * Prints one line `LISTENING http://127.0.0.1:<port>` once ready; exits on
 * SIGTERM/SIGINT or when stdin closes (so a parent that dies takes it along).
 */
import { createServer } from "node:http";
import { createFixtureEngine } from "../../tests/fixtures/sync-app/engine.js";
import { attachSyncProtocol } from "./engine.js";

function flag(name: string, fallback: string): string {
  const i = process.argv.indexOf(`--${name}`);
  return i !== -1 && process.argv[i + 1] !== undefined ? process.argv[i + 1] : fallback;
}

const port = Number(flag("port", "0"));
const secret = flag("secret", process.env.SYNC_FIXTURE_SECRET ?? "sync-fixture-secret-of-at-least-32-bytes");
const engine = await createFixtureEngine(secret);
const server = createServer((req, res) => {
  res.writeHead(404, { "content-type": "text/plain" }).end("only the WebSocket sync endpoint is served here\n");
});
const sync = attachSyncProtocol(server, engine);

server.listen(port, "127.0.0.1", () => {
  const address = server.address();
  if (address === null || typeof address === "string") throw new Error("no address");
  process.stdout.write(`LISTENING http://127.0.0.1:${address.port}\n`);
});

let stopping = false;
async function stop() {
  if (stopping) return;
  stopping = true;
  await sync.close();
  server.close(() => process.exit(0));
  setTimeout(() => process.exit(0), 2000).unref();
}
process.on("SIGTERM", () => void stop());
process.on("SIGINT", () => void stop());
if (process.argv.includes("--exit-with-stdin")) {
  process.stdin.on("end", () => void stop());
  process.stdin.resume();
}
