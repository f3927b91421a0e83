/** Shared helpers of the vector tests: a deterministic PRNG, brute-force cosine, batched seeding. */
import { api } from "../../component/_generated/api.js";

/** mulberry32: small, fast, deterministic. */
export function prng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export function randomVector(rnd: () => number, dimension: number): number[] {
  return Array.from({ length: dimension }, () => rnd() * 2 - 1);
}

export function cosine(a: number[], b: number[]): number {
  let dot = 0;
  let na = 0;
  let nb = 0;
  for (let i = 0; i < a.length; i++) {
    dot += a[i] * b[i];
    na += a[i] * a[i];
    nb += b[i] * b[i];
  }
  return na === 0 || nb === 0 ? 0 : dot / Math.sqrt(na * nb);
}

export interface Item {
  id: string;
  vector: number[];
  metadata: Record<string, unknown>;
}

/** Ids and scores of the k items nearest to `q` among those `keep` accepts, best first. */
export function bruteForce(items: Item[], q: number[], k: number, keep: (m: any) => boolean = () => true) {
  return items
    .filter((item) => keep(item.metadata))
    .map((item) => ({ id: item.id, score: cosine(item.vector, q) }))
    .sort((a, b) => b.score - a.score)
    .slice(0, k);
}

type Caller = { mutation: (fn: any, args: any) => Promise<any> };

/** Upserts `items` in batches (ids given); returns the elapsed ms. */
export async function seed(t: Caller, indexName: string, items: Item[], batch = 1000): Promise<number> {
  const start = Date.now();
  for (let i = 0; i < items.length; i += batch) {
    await t.mutation(api.vectors.upsert, { indexName, vectors: items.slice(i, i + batch) });
  }
  return Date.now() - start;
}

/**
 * Upserts `n` random vectors in batches without ids (generated ids need no
 * lookup, so each batch reads two documents); returns the items with the
 * generated ids, and the elapsed ms.
 */
export async function seedGenerated(
  t: Caller,
  indexName: string,
  n: number,
  dimension: number,
  rnd: () => number,
  metadataOf: (i: number) => Record<string, unknown> = (i) => ({ i }),
  batch = 1000,
): Promise<{ items: Item[]; ms: number }> {
  const start = Date.now();
  const items: Item[] = [];
  for (let i = 0; i < n; i += batch) {
    const chunk = Array.from({ length: Math.min(batch, n - i) }, (_, j) => ({
      vector: randomVector(rnd, dimension),
      metadata: metadataOf(i + j),
    }));
    const { ids } = await t.mutation(api.vectors.upsert, { indexName, vectors: chunk });
    chunk.forEach((c, j) => items.push({ id: ids[j], ...c }));
  }
  return { items, ms: Date.now() - start };
}

export { codeOf } from "../convex.js";
