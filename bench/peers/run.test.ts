/**
 * bench/peers: documents and bytes read per operation, this project against its peers,
 * under convex-test with the same data (data.ts), each peer used as its README documents.
 *
 *   npx vitest run --config bench/peers/vitest.config.ts
 *
 * Prints the table and writes bench/peers/results.json and results.md. Documents and bytes
 * read are convex-test's transaction metrics (deterministic); a peer that cannot do an
 * operation is "unsupported", one whose transaction exceeds a Convex limit (or writes a
 * document over 1 MiB, which convex-test does not check) "breaks a limit".
 * PEERS_VECTORS=2000 runs a smaller vector set.
 */
import { readFileSync, writeFileSync } from "node:fs";
import { test } from "vitest";
import { SIZES } from "./data.js";
import type { Cost } from "./measure.js";
import { OPERATIONS, setUpOurs, type Peer } from "./ours.js";
import { cell, OURS, renderTable } from "./table.js";
import { installFastQueries } from "../../local_backend/fast_queries.js";
import { setUpAgent, setUpMastra, setUpRag } from "./peers.js";

test("peers, side by side", async () => {
  const sizes = { vectors: Number(process.env.PEERS_VECTORS ?? SIZES.vectors) };
  const peers: Array<[string, () => Promise<Record<string, Peer>>]> = [
    [OURS, async () => ({ [OURS]: await setUpOurs(sizes, (t) => installFastQueries(t as never)) })],
    ["@mastra/convex", () => setUpMastra(sizes)],
    ["@convex-dev/agent", async () => ({ "@convex-dev/agent": await setUpAgent(sizes) })],
    ["@convex-dev/rag", async () => ({ "@convex-dev/rag": await setUpRag(sizes) })],
  ];
  // PEERS_ONLY=convex-agent-memory re-measures one column into the existing results.json.
  const only = process.env.PEERS_ONLY;
  const previous = only === undefined ? {} : JSON.parse(readFileSync(new URL("results.json", import.meta.url), "utf8")).results;
  const results: Record<string, Record<string, Cost>> = { ...previous };
  for (const [name, setUp] of peers.filter(([name]) => only === undefined || name === only)) {
    const started = Date.now();
    const instances = await setUp();
    console.log(`${name}: seeded in ${Math.round((Date.now() - started) / 1000)} s`);
    for (const [label, peer] of Object.entries(instances)) {
      results[label] = {};
      for (const { key } of OPERATIONS) {
        const run = peer[key];
        if (run === undefined) continue;
        results[label][key] = await run();
        console.log(`  ${label} ${key}: ${cell(results[label][key], undefined)}`);
      }
    }
  }
  const table = renderTable(results);
  console.log(`\n${table}\n`);
  const dir = new URL(".", import.meta.url);
  writeFileSync(new URL("results.json", dir), `${JSON.stringify({ sizes: { ...SIZES, ...sizes }, results }, null, 2)}\n`);
  writeFileSync(new URL("results.md", dir), `${table}\n`);
});
