/**
 * Writes of embeddings stay under a transaction's limits at every dimension: an
 * upsert is refused (LIMIT_EXCEEDED, nothing written) past MAX_UPSERT_STORED_BYTES,
 * the largest accepted one fits Convex's 16 MiB written (and, replacing, read), and
 * purges delete fewer vectors per transaction as the dimension grows. listIndexes
 * pages like every other list.
 */
import { afterEach, expect, test, vi } from "vitest";
import { api } from "../../component/_generated/api.js";
import { CONVEX_LIMITS, MAX_PAGE_SIZE } from "../../component/model/limits.js";
import { deleteBatchSize, MAX_UPSERT_STORED_BYTES, upsertStoredBytes } from "../../component/model/vectors.js";
import { storedEmbeddingBytes, VECTOR_DIMENSIONS } from "../../component/model/vectorStorage.js";
import { codeOf, componentTest } from "../convex.js";
import { recordTransactions } from "../transactionMetrics.js";
import { prng } from "./vector-fixtures.js";

afterEach(() => {
  vi.useRealTimers();
});

function packed(rnd: () => number, dimension: number): ArrayBuffer {
  const array = new Float32Array(dimension);
  for (let i = 0; i < dimension; i++) array[i] = rnd() - 0.5;
  return array.buffer;
}

test("the stored-bytes budget leaves room under 16 MiB at every dimension", () => {
  for (const dimension of VECTOR_DIMENSIONS) {
    const perVector = storedEmbeddingBytes(dimension);
    const fits = Math.min(1000, Math.floor(MAX_UPSERT_STORED_BYTES / (perVector + 300)));
    expect(fits).toBeGreaterThan(0);
    expect(fits * (perVector + 300)).toBeLessThan(CONVEX_LIMITS.bytesReadOrWritten);
    // A purge batch deletes (and so reads) at most about 4 MiB of embeddings.
    expect(deleteBatchSize(dimension) * perVector).toBeLessThanOrEqual(4 * 1024 * 1024 + perVector);
  }
});

test("upsert at 4,096 dimensions: past the budget LIMIT_EXCEEDED and nothing written; the largest batch fits, replaced too", async () => {
  const t = componentTest(true);
  await t.mutation(api.vectors.createIndex, { name: "wide", dimension: 4096 });
  const rnd = prng(4096);
  const items = (n: number) => Array.from({ length: n }, (_, i) => ({ id: `w${i}`, vector: packed(rnd, 4096), metadata: { i } }));
  const tooMany = items(400);
  expect(upsertStoredBytes(4096, tooMany)).toBeGreaterThan(MAX_UPSERT_STORED_BYTES);
  const refusal = await t.mutation(api.vectors.upsert, { indexName: "wide", vectors: tooMany }).then(
    () => null,
    (e: { data?: Record<string, unknown> }) => e.data,
  );
  expect(refusal).toMatchObject({ code: "LIMIT_EXCEEDED", limit: "storedBytes", max: MAX_UPSERT_STORED_BYTES });
  expect((await t.query(api.vectors.describeIndex, { indexName: "wide" })).count).toBe(0);

  let fits = 400;
  while (upsertStoredBytes(4096, tooMany.slice(0, fits)) > MAX_UPSERT_STORED_BYTES) fits--;
  const batch = items(fits);
  const first = await recordTransactions(() => t.mutation(api.vectors.upsert, { indexName: "wide", vectors: batch }));
  expect(first.transactions[0].bytesWritten).toBeLessThanOrEqual(MAX_UPSERT_STORED_BYTES);
  const again = await recordTransactions(() => t.mutation(api.vectors.upsert, { indexName: "wide", vectors: items(fits) }));
  expect(again.result.ids).toEqual(batch.map((b) => b.id));
  expect((await t.query(api.vectors.describeIndex, { indexName: "wide" })).count).toBe(fits);
  console.log(`4,096 dimensions: ${fits} vectors per upsert, ${first.transactions[0].bytesWritten} bytes written`);

  // Deleting the index purges it in batches of deleteBatchSize(4096), each under the limits.
  vi.useFakeTimers();
  const purge = await recordTransactions(async () => {
    await t.mutation(api.vectors.deleteIndex, { indexName: "wide" });
    await t.finishAllScheduledFunctions(vi.runAllTimers);
  });
  const batches = purge.transactions.filter((x) => x.documentsWritten > 0).length - 1; // less deleteIndex itself
  expect(batches).toBeGreaterThanOrEqual(Math.ceil(fits / deleteBatchSize(4096)));
  expect(await t.run((ctx) => ctx.db.query("vectors_4096").take(1))).toEqual([]);
  expect(await t.run((ctx) => ctx.db.query("vectorEntries").take(1))).toEqual([]);
});

test("listIndexes pages like every list: an integer page size from 1 to the maximum, its own cursors", async () => {
  const t = componentTest(true);
  for (const name of ["a", "b", "c"]) await t.mutation(api.vectors.createIndex, { name, dimension: 128 });
  for (const numItems of [0, -1, 1.5, Number.NaN, MAX_PAGE_SIZE + 1]) {
    expect(await codeOf(t.query(api.vectors.listIndexes, { paginationOpts: { numItems, cursor: null } }))).toBe("INVALID_ARGUMENT");
  }
  const first = await t.query(api.vectors.listIndexes, { paginationOpts: { numItems: 2, cursor: null } });
  expect(first.page.map((p: { name: string }) => p.name)).toEqual(["a", "b"]);
  const second = await t.query(api.vectors.listIndexes, { paginationOpts: { numItems: 2, cursor: first.continueCursor } });
  expect(second.page.map((p: { name: string }) => p.name)).toEqual(["c"]);
  expect(second.isDone).toBe(true);
  expect(await codeOf(t.query(api.vectors.listIndexes, { paginationOpts: { numItems: 2, cursor: "not a cursor" } }))).toBe(
    "INVALID_ARGUMENT",
  );
});
