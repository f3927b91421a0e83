/**
 * Must show (issue 15): a top-10 query over 10,000 vectors reads about what it
 * returns. At 1,536 and 384 dimensions, with and without a native filter:
 * - the hydration is one transaction, and the whole query reads ≤ topK + 2
 *   documents (the configuration's look-up included when the action has not seen
 *   the index yet);
 * - bytes read ≤ 1.5 × the bytes the results carry (their ids and metadata), so no
 *   embedding is read; `includeVector` adds one transaction reading exactly the
 *   topK embeddings it returns;
 * - vectors sent as packed float32 bytes are stored as exactly those float32 values.
 */
import { getConvexSize } from "convex/values";
import { describe, expect, test } from "vitest";
import { api } from "../../component/_generated/api.js";
import { storedEmbeddingBytes } from "../../component/model/vectorStorage.js";
import { componentTest } from "../convex.js";
import { recordTransactions, totals } from "../transactionMetrics.js";
import { prng } from "./vector-fixtures.js";

const N = 10_000;
const TOP_K = 10;

const WORDS = (
  "vector search stores embeddings beside the metadata an agent needs to answer a question " +
  "about convex components threads messages workflows scores traces retrieval ranking filters " +
  "cosine similarity native hybrid keyword fusion reciprocal rank documents bytes read limits"
).split(" ");

/** A RAG chunk's metadata: a passage of about 60 words, its source, position and language. */
export function chunkMetadata(rnd: () => number, i: number) {
  const words = Array.from({ length: 50 + Math.floor(rnd() * 20) }, () => WORDS[Math.floor(rnd() * WORDS.length)]);
  return { text: words.join(" "), source: `docs/guide-${i % 50}.md`, chunk: i % 40, lang: i % 5 === 0 ? "de" : "en" };
}

/** A random float32 vector, packed little-endian, and the float64 values it stands for. */
export function float32Vector(rnd: () => number, dimension: number): { bytes: ArrayBuffer; values: number[] } {
  const array = new Float32Array(dimension);
  for (let i = 0; i < dimension; i++) array[i] = rnd() * 2 - 1;
  return { bytes: array.buffer, values: Array.from(array) };
}

type T = ReturnType<typeof componentTest>;

async function seedIndex(t: T, name: string, dimension: number, rnd: () => number): Promise<void> {
  await t.mutation(api.vectors.createIndex, { name, dimension, filterableKeys: ["lang", "source"] });
  const batch = dimension > 1024 ? 500 : 1000;
  for (let i = 0; i < N; i += batch) {
    // Ids left to the server: no look-up per vector (convex-test scans a table for each).
    const vectors = Array.from({ length: Math.min(batch, N - i) }, (_, j) => ({
      vector: float32Vector(rnd, dimension).bytes,
      metadata: chunkMetadata(rnd, i + j),
    }));
    await t.mutation(api.vectors.upsert, { indexName: name, vectors });
  }
}

/** Bytes the results carry: their ids and metadata, as Convex sizes values. */
function carried(results: Array<{ id: string; metadata: unknown }>): number {
  return results.reduce((n, r) => n + getConvexSize({ id: r.id, metadata: r.metadata as Record<string, never> }), 0);
}

describe.each([1536, 384])("top-%i query over 10,000 vectors", (dimension) => {
  test("reads ≤ topK + 2 documents and ≤ 1.5× the bytes its results carry; the hydration is one transaction", async () => {
    const t = componentTest(true);
    const name = `chunks-${dimension}-${Date.now()}`; // a name this isolate has not seen
    const rnd = prng(dimension);
    const start = Date.now();
    await seedIndex(t, name, dimension, rnd);
    console.log(`seeded ${N} × ${dimension} (float32 bytes) in ${Date.now() - start} ms`);

    const rows: Array<Record<string, unknown>> = [];
    const cases = [
      { label: "no filter (first query: configuration looked up)", args: {} },
      { label: "no filter", args: {} },
      { label: 'native filter {lang: "en"}', args: { filter: JSON.stringify({ lang: "en" }) } },
    ];
    for (const { label, args } of cases) {
      const q = float32Vector(rnd, dimension);
      const { result, transactions } = await recordTransactions(() =>
        t.action(api.vectors.query, { indexName: name, queryVector: q.bytes, topK: TOP_K, ...args }),
      );
      expect(result.results).toHaveLength(TOP_K);
      expect(result.postFiltered).toBe(false);
      const sum = totals(transactions);
      const bytesCarried = carried(result.results);
      rows.push({ label, ...sum, bytesCarried, ratio: +(sum.bytesRead / bytesCarried).toFixed(3) });
      // One transaction hydrates (the other, on a first query, looks the index up: one document).
      const hydrations = transactions.filter((x) => x.documentsRead > 1);
      expect(hydrations).toHaveLength(1);
      expect(transactions.length).toBeLessThanOrEqual(2);
      expect(sum.documentsRead).toBeLessThanOrEqual(TOP_K + 2);
      expect(sum.bytesRead).toBeLessThanOrEqual(1.5 * bytesCarried);
      // No embedding among what was read: a document read averages far below one.
      expect(sum.bytesRead / sum.documentsRead).toBeLessThan(storedEmbeddingBytes(dimension) / 4);
    }

    // includeVector: one more transaction, reading exactly the topK embeddings returned.
    const q = float32Vector(rnd, dimension);
    const { result, transactions } = await recordTransactions(() =>
      t.action(api.vectors.query, { indexName: name, queryVector: q.bytes, topK: TOP_K, includeVector: true }),
    );
    expect(transactions).toHaveLength(2);
    const vectorsRead = transactions[1];
    expect(vectorsRead.documentsRead).toBe(TOP_K);
    const returned = result.results.reduce((n: number, r: { vector?: number[] }) => n + getConvexSize(r.vector!), 0);
    expect(vectorsRead.bytesRead).toBeLessThanOrEqual(returned + TOP_K * 200);
    rows.push({ label: "includeVector: the vectors' transaction", ...totals([vectorsRead]), bytesCarried: returned });

    // describeIndex: the registry row and the counter.
    const described = await recordTransactions(() => t.query(api.vectors.describeIndex, { indexName: name }));
    expect(described.result.count).toBe(N);
    expect(totals(described.transactions).documentsRead).toBe(2);
    console.table(rows);
  });
});

test("vectors sent as float32 bytes are stored as exactly those float32 values; the JSON form stays accepted", async () => {
  const t = componentTest(true);
  await t.mutation(api.vectors.createIndex, { name: "f32", dimension: 128 });
  const rnd = prng(32);
  const packed = Array.from({ length: 20 }, (_, i) => ({ id: `p${i}`, ...float32Vector(rnd, 128) }));
  const json = Array.from({ length: 5 }, (_, i) => ({ id: `j${i}`, vector: Array.from({ length: 128 }, () => rnd() - 0.5) }));
  await t.mutation(api.vectors.upsert, {
    indexName: "f32",
    vectors: [...packed.map((p) => ({ id: p.id, vector: p.bytes })), ...json],
  });
  const stored = await t.query(api.vectors.getVectors, { indexName: "f32", ids: [...packed, ...json].map((p) => p.id), includeVector: true });
  expect(stored.map((s: { vector?: number[] }) => s.vector)).toEqual([...packed.map((p) => p.values), ...json.map((j) => j.vector)]);

  // A packed query vector finds the packed vector it equals, with cosine 1.
  const hit = await t.action(api.vectors.query, { indexName: "f32", queryVector: packed[7].bytes, topK: 1 });
  expect(hit.results[0].id).toBe("p7");
  expect(hit.results[0].score).toBeCloseTo(1, 6);

  // updateVector takes bytes too.
  const next = float32Vector(rnd, 128);
  await t.mutation(api.vectors.updateVector, { indexName: "f32", id: "j0", vector: next.bytes });
  const [updated] = await t.query(api.vectors.getVectors, { indexName: "f32", ids: ["j0"], includeVector: true });
  expect(updated.vector).toEqual(next.values);
});

test("packed vectors of the wrong length or holding NaN are refused, nothing written", async () => {
  const t = componentTest(true);
  await t.mutation(api.vectors.createIndex, { name: "f32", dimension: 128 });
  const rnd = prng(33);
  const good = { id: "g", vector: float32Vector(rnd, 128).bytes };
  const nan = new Float32Array(128).fill(0.5);
  nan[3] = Number.NaN;
  for (const vector of [new ArrayBuffer(127 * 4), new ArrayBuffer(129 * 4), new ArrayBuffer(130), nan.buffer]) {
    const error = await t
      .mutation(api.vectors.upsert, { indexName: "f32", vectors: [good, { id: "b", vector }] })
      .then(() => null, (e: unknown) => e);
    expect((error as { data?: { code?: string } }).data?.code).toBe("INVALID_ARGUMENT");
    const queryError = await t
      .action(api.vectors.query, { indexName: "f32", queryVector: vector, topK: 1 })
      .then(() => null, (e: unknown) => e);
    expect((queryError as { data?: { code?: string } }).data?.code).toBe("INVALID_ARGUMENT");
  }
  expect((await t.query(api.vectors.describeIndex, { indexName: "f32" })).count).toBe(0);
});
