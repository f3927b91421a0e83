/**
 * Must show: on 10,000 vectors of 384 dimensions, `query` equals a brute-force
 * cosine top-k, with every transaction on its path under topK + 10 document
 * reads; describeIndex under 5 reads.
 */
import { expect, test } from "vitest";
import { api } from "../../component/_generated/api.js";
import { componentTest } from "../convex.js";
import { bruteForce, prng, randomVector, seedGenerated } from "./vector-fixtures.js";

const N = 10_000;
const DIM = 384;

test("query on 10,000 × 384 equals brute-force top-k, each transaction reading ≤ topK + 10 documents", async () => {
  const maxTopK = 10;
  // Every transaction of this instance (seeding included) is held to this budget.
  const t = componentTest({ documentsRead: maxTopK + 10 });
  await t.mutation(api.vectors.createIndex, { name: "big", dimension: DIM, filterableKeys: ["bucket"] });
  const rnd = prng(384);
  const { items, ms } = await seedGenerated(t, "big", N, DIM, rnd, (i) => ({ i, bucket: i % 7 }));
  console.log(`seeded ${N} × ${DIM} in ${ms} ms`);

  const described = await t.query(api.vectors.describeIndex, { indexName: "big" });
  expect(described.count).toBe(N);

  const queryStart = Date.now();
  for (const topK of [1, 5, 10]) {
    for (let round = 0; round < 3; round++) {
      const q = randomVector(rnd, DIM);
      const expected = bruteForce(items, q, topK);
      const got = await t.action(api.vectors.query, { indexName: "big", queryVector: q, topK });
      expect(got.results.map((r: { id: string }) => r.id)).toEqual(expected.map((e) => e.id));
      got.results.forEach((r: { score: number }, i: number) => expect(r.score).toBeCloseTo(expected[i].score, 9));
      expect(got.postFiltered).toBe(false);
      expect(got.mayBeIncomplete).toBe(false);
    }
  }
  // A native filter (declared key) stays on the same budget and equals brute force on the subset.
  const q = randomVector(rnd, DIM);
  const native = await t.action(api.vectors.query, {
    indexName: "big",
    queryVector: q,
    topK: 10,
    filter: JSON.stringify({ bucket: { $in: [2, 5] } }),
    includeVector: true,
  });
  const expected = bruteForce(items, q, 10, (m) => m.bucket === 2 || m.bucket === 5);
  expect(native.results.map((r: { id: string }) => r.id)).toEqual(expected.map((e) => e.id));
  expect(native.postFiltered).toBe(false);
  const byId = new Map(items.map((item) => [item.id, item]));
  for (const r of native.results) expect(r.vector).toEqual(byId.get(r.id)!.vector);
  console.log(`10 queries in ${Date.now() - queryStart} ms`);

  // The budget is real: a query needing topK + 1 > 20 reads in its hydration breaks it.
  await expect(
    t.action(api.vectors.query, { indexName: "big", queryVector: q, topK: maxTopK + 10 }),
  ).rejects.toThrow(/too many documents/);
});

test("describeIndex on 10,000 vectors reads at most 5 documents", async () => {
  const t = componentTest({ documentsRead: 5 });
  await t.mutation(api.vectors.createIndex, { name: "big", dimension: DIM });
  const { ms } = await seedGenerated(t, "big", N, DIM, prng(5));
  console.log(`seeded ${N} × ${DIM} in ${ms} ms (5-read budget)`);
  const described = await t.query(api.vectors.describeIndex, { indexName: "big" });
  expect(described).toMatchObject({ name: "big", dimension: DIM, metric: "cosine", count: N, filterableKeys: [] });
  const listed = await t.query(api.vectors.listIndexes, { paginationOpts: { numItems: 1, cursor: null } });
  expect(listed.page.map((i: { name: string; count: number }) => [i.name, i.count])).toEqual([["big", N]]);
});
