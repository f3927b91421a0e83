/**
 * Must show: deleteIndex on 20,000 vectors is gone for readers at once and the
 * vectors are removed by bounded scheduled batches, no transaction breaking
 * Convex's limits (transactionLimits: true enforces them on every transaction,
 * scheduled ones included).
 */
import { afterEach, expect, test, vi } from "vitest";
import { api } from "../../component/_generated/api.js";
import { DELETE_BATCH_SIZE } from "../../component/model/limits.js";
import { componentTest } from "../convex.js";
import { codeOf, prng, randomVector, seedGenerated } from "./vector-fixtures.js";

afterEach(() => {
  vi.useRealTimers();
});

test("deleteIndex on 20,000 vectors of 384 dimensions runs in bounded scheduled batches", async () => {
  const t = componentTest(true);
  await t.mutation(api.vectors.createIndex, { name: "doomed", dimension: 384, filterableKeys: ["g"] });
  await t.mutation(api.vectors.createIndex, { name: "neighbour", dimension: 384, filterableKeys: ["g"] });
  const rnd = prng(20);
  const { ms } = await seedGenerated(t, "doomed", 20_000, 384, rnd, (i) => ({ g: i % 3 }));
  console.log(`seeded 20000 × 384 in ${ms} ms`);
  const { items: neighbours } = await seedGenerated(t, "neighbour", 10, 384, rnd, (i) => ({ g: i % 3 }));

  // Fake timers from here on: the scheduler's batches run under finishAllScheduledFunctions.
  const now = performance.now.bind(performance); // the real clock, kept across fake timers
  vi.useFakeTimers();
  const t0 = now();
  await t.mutation(api.vectors.deleteIndex, { indexName: "doomed" });

  // Gone for readers at once, while its vectors still exist.
  expect(await codeOf(t.query(api.vectors.describeIndex, { indexName: "doomed" }))).toBe("NOT_FOUND");
  expect(
    await codeOf(t.action(api.vectors.query, { indexName: "doomed", queryVector: randomVector(rnd, 384), topK: 5 })),
  ).toBe("NOT_FOUND");
  expect(await codeOf(t.mutation(api.vectors.upsert, { indexName: "doomed", vectors: [{ vector: randomVector(rnd, 384) }] }))).toBe(
    "NOT_FOUND",
  );
  const listed = await t.query(api.vectors.listIndexes, { paginationOpts: { numItems: 10, cursor: null } });
  expect(listed.page.map((p: { name: string }) => p.name)).toEqual(["neighbour"]);
  expect(await t.run((ctx) => ctx.db.query("vectors_384").take(100))).toHaveLength(100);

  // The name is free again at once: a new index of another dimension and config.
  await t.mutation(api.vectors.createIndex, { name: "doomed", dimension: 128 });

  const t1 = now();
  console.log(`deleteIndex + reader checks in ${Math.round(t1 - t0)} ms`);
  await t.finishAllScheduledFunctions(vi.runAllTimers);
  console.log(`purged 20000 vectors in ${Math.round(now() - t1)} ms`);

  const jobs = await t.run((ctx) => ctx.db.system.query("_scheduled_functions").take(1000));
  const purges = jobs.filter((j) => j.name.includes("purgeIndex"));
  expect(purges.length).toBeGreaterThanOrEqual(20_000 / DELETE_BATCH_SIZE);
  expect(purges.every((j) => j.state.kind === "success")).toBe(true);
  console.log(`${purges.length} purge batches`);

  // Only the neighbour's vectors remain; the retired registry row and its counter are gone.
  const left = await t.run((ctx) => ctx.db.query("vectorEntries").take(100));
  expect(left.map((d) => d.id).sort()).toEqual(neighbours.map((n) => n.id).sort());
  expect(await t.run((ctx) => ctx.db.query("vectors_384").take(100))).toHaveLength(10);
  const registry = await t.run((ctx) => ctx.db.query("vectorIndexes").take(10));
  expect(registry.map((r) => [r.name, r.dimension, r.status]).sort()).toEqual([
    ["doomed", 128, "active"],
    ["neighbour", 384, "active"],
  ]);
  const counters = await t.run((ctx) => ctx.db.query("counters").take(10));
  expect(counters.filter((c) => c.key.startsWith('["vectors"')).map((c) => c.count)).toEqual([10]);
  expect((await t.query(api.vectors.describeIndex, { indexName: "neighbour" })).count).toBe(10);
});
