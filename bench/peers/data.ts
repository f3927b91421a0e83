/**
 * The data every peer gets in bench/peers (deterministic): one user's 1,000 threads, one
 * thread of 5,000 messages, 10,000 RAG chunks with embeddings at 384 and 1,536 dimensions
 * (float32 values), query vectors, and a 2 MiB workflow snapshot.
 */

export const SIZES = {
  threads: 1_000,
  messages: 5_000,
  vectors: 10_000,
  page: 50,
  topK: 10,
  snapshotBytes: 2 * 1024 * 1024,
} as const;

export const USER = "bench-user";
export const THREAD = "bench-thread";
export const DIMENSIONS = [384, 1536] as const;

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

const WORDS = (
  "vector search stores embeddings beside the metadata an agent needs to answer a question " +
  "about convex components threads messages workflows scores traces retrieval ranking filters " +
  "cosine similarity native hybrid keyword fusion reciprocal rank documents bytes read limits"
).split(" ");

function words(rnd: () => number, count: number): string {
  return Array.from({ length: count }, () => WORDS[Math.floor(rnd() * WORDS.length)]).join(" ");
}

/** The text of message `i` of the benchmark thread (about 20 words). */
export function messageText(i: number): string {
  return `${i}: ${words(prng(100_000 + i), 20)}`;
}

export interface Chunk {
  id: string;
  /** float32 values, as numbers. */
  vector: number[];
  /** The same values, packed little-endian float32. */
  packed: ArrayBuffer;
  metadata: { text: string; source: string; chunk: number; lang: string };
}

/** Chunk `i` of the vector data set at `dimension`: a ~60-word passage, its source, position and language. */
export function chunk(dimension: number, i: number): Chunk {
  const rnd = prng(dimension * 1_000_003 + i);
  const array = new Float32Array(dimension);
  for (let d = 0; d < dimension; d++) array[d] = rnd() * 2 - 1;
  return {
    id: `chunk-${i}`,
    vector: Array.from(array),
    packed: array.buffer,
    metadata: {
      text: words(rnd, 50 + Math.floor(rnd() * 20)),
      source: `docs/guide-${Math.floor(i / 40)}.md`,
      chunk: i % 40,
      lang: i % 5 === 0 ? "de" : "en",
    },
  };
}

/** The query vectors (float32 values). */
export function queryVector(dimension: number, n: number): { vector: number[]; packed: ArrayBuffer } {
  const rnd = prng(7_777 + dimension + n);
  const array = new Float32Array(dimension);
  for (let d = 0; d < dimension; d++) array[d] = rnd() * 2 - 1;
  return { vector: Array.from(array), packed: array.buffer };
}

/** A workflow snapshot of about `bytes` bytes of JSON, with a top-level status. */
export function snapshot(bytes: number): Record<string, unknown> {
  const steps: Record<string, unknown> = {};
  const rnd = prng(42);
  let size = 0;
  for (let i = 0; size < bytes; i++) {
    const output = words(rnd, 120);
    steps[`step-${i}`] = { status: "success", output, startedAt: 1_700_000_000_000 + i };
    size += output.length + 80;
  }
  return { status: "success", value: {}, context: steps, activePaths: [], timestamp: 1_700_000_000_000 };
}
