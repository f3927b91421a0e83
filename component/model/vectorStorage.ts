/**
 * Embedding storage shared by every domain that searches vectors: one table per
 * dimension holding the embeddings alone, apart from what results carry.
 *
 * Design (read only what is returned):
 *
 *   vectors_<dim>   {ns, key?, vector, f0..f7}      searched by `ctx.vectorSearch`, never read
 *                                                    by a query unless the caller asks for the
 *                                                    vector itself
 *   <owner rows>    {..., embeddingId}              what results carry (a vector index's entry,
 *                                                    a recalled message, a store item's link),
 *                   .index("by_embedding", ["embeddingId"])
 *
 * `ctx.vectorSearch` returns `{_id, _score}` of embedding documents; hydration reads
 * each result's owner row through its `by_embedding` index (one document per result,
 * no embedding in it), so a top-10 query at 1,536 dimensions reads about what it
 * returns instead of ten 14 KB embeddings. The vector itself is read (from its own
 * table, by id) only when the caller asks for it.
 *
 * Namespaces: every embedding carries `ns`, a small integer allocated once per
 * searchable collection (`allocateNamespace`): a vector index's registry row, message
 * recall (one per dimension, recallEmbeddings.ts) and the LangGraph store (one per owner and
 * dimension, storeVectors.ts). Each user deletes only embeddings its own rows name, and
 * the vector index functions reach only namespaces of registry rows
 * (tests/app/vector_storage_users.test.ts). Native filter
 * fields hold composites `[ns, value]`, so one equality selects "this collection AND
 * this value" (Convex's vector filter has eq and or only); a user of this module
 * decides what its eight slots mean (a vector index: its `filterableKeys`; recall:
 * resource and `[resource, thread]`; a store: namespace prefixes). `key` holds
 * `[ns, ownerKey]` when the owner needs to score a known set of its embeddings against
 * a query (hybrid search scores keyword-only matches this way, without reading them).
 *
 * Sizes: Convex counts a float64 as 9 bytes (convex/values `getConvexSize`; the
 * backend's `ConvexValue::size`), and replacing or deleting a document reads its old
 * version (`crates/database/src/transaction.rs`: `replace_inner`, `delete_inner` call
 * `get_inner`), so writes and deletes of embeddings are budgeted per dimension.
 */
import { defineTable, type GenericActionCtx, type GenericDatabaseReader, type GenericDatabaseWriter } from "convex/server";
import { v, type Value } from "convex/values";
import type { DataModel, Id } from "../_generated/dataModel.js";
import { addToCounter, counterKey } from "./counters.js";
import { invalidArgument } from "./errors.js";

/** The vector lengths an index may have; one table (and one vector index) per length. */
export const VECTOR_DIMENSIONS = [128, 256, 384, 512, 768, 1024, 1408, 1536, 2048, 3072, 4096] as const;
export type VectorDimension = (typeof VECTOR_DIMENSIONS)[number];
export type VectorTableName = `vectors_${VectorDimension}`;

/** Native filter fields of every embedding table, besides `ns` and `key`. */
export const FILTER_SLOTS = ["f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7"] as const;
export type FilterSlot = (typeof FILTER_SLOTS)[number];

/** Most results (and candidates) one vector search returns: Convex's vectorSearch limit. */
export const MAX_SEARCH_LIMIT = 256;
/** Most equality terms in one vector search filter (an `In` of N values counts N). */
export const MAX_SEARCH_TERMS = 64;

/** Bytes Convex counts per stored float64. */
export const BYTES_PER_STORED_FLOAT = 9;
/** Bytes of an embedding document besides its floats: system fields, ns, key, filter slots (typical). */
export const EMBEDDING_DOC_OVERHEAD = 160;

export function vectorTableName(dimension: number): VectorTableName {
  return `vectors_${dimension}` as VectorTableName;
}

export function isSupportedDimension(dimension: number): dimension is VectorDimension {
  return (VECTOR_DIMENSIONS as readonly number[]).includes(dimension);
}

/** Bytes one stored embedding of `dimension` floats costs to write, replace (read + write) or delete. */
export function storedEmbeddingBytes(dimension: number): number {
  return BYTES_PER_STORED_FLOAT * dimension + EMBEDDING_DOC_OVERHEAD;
}

const compositeField = v.optional(v.array(v.any()));

function embeddingTable(dimensions: number) {
  return defineTable({
    /** The collection the embedding belongs to (see allocateNamespace). */
    ns: v.number(),
    /** `[ns, ownerKey]`, for scoring known embeddings of a collection (see scoreByKeys). */
    key: v.optional(v.array(v.any())),
    vector: v.array(v.float64()),
    f0: compositeField,
    f1: compositeField,
    f2: compositeField,
    f3: compositeField,
    f4: compositeField,
    f5: compositeField,
    f6: compositeField,
    f7: compositeField,
  }).vectorIndex("by_vector", {
    vectorField: "vector",
    dimensions,
    filterFields: ["ns", "key", ...FILTER_SLOTS],
  });
}
type EmbeddingTable = ReturnType<typeof embeddingTable>;

export const embeddingTables = Object.fromEntries(
  VECTOR_DIMENSIONS.map((d) => [vectorTableName(d), embeddingTable(d)]),
) as { [K in VectorTableName]: EmbeddingTable };

/** An embedding document's id, of any dimension's table (what owner rows keep in `embeddingId`). */
export const vEmbeddingId = v.union(...VECTOR_DIMENSIONS.map((d) => v.id(vectorTableName(d))));
export type EmbeddingId = Id<VectorTableName>;

/** A vector as callers send it: float64 numbers, or packed little-endian float32 (4 bytes each). */
export const vVectorValue = v.union(v.array(v.float64()), v.bytes());
export type VectorValue = number[] | ArrayBuffer;

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;
/** Every embedding table has the same fields; one of them stands for all in types. */
type AnyEmbeddingTable = "vectors_384";

const LITTLE_ENDIAN = new Uint8Array(new Uint16Array([1]).buffer)[0] === 1;

/**
 * The vector as float64 numbers, checked: `dimension` long, finite. Bytes are read as
 * packed little-endian float32, so the stored values are exactly the float32 values sent.
 */
export function decodeVector(input: VectorValue, dimension: number, where: string): number[] {
  let vector: number[];
  if (input instanceof ArrayBuffer) {
    if (input.byteLength % 4 !== 0) {
      invalidArgument(`${where}: a packed vector is little-endian float32, 4 bytes per number; got ${input.byteLength} bytes`, {
        bytes: input.byteLength,
      });
    }
    const length = input.byteLength / 4;
    if (length !== dimension) {
      invalidArgument(`${where}: vector has ${length} dimensions; the index has ${dimension}`, { expected: dimension, got: length });
    }
    if (LITTLE_ENDIAN) {
      vector = Array.from(new Float32Array(input));
    } else {
      const view = new DataView(input);
      vector = Array.from({ length }, (_, i) => view.getFloat32(i * 4, true));
    }
  } else {
    if (input.length !== dimension) {
      invalidArgument(`${where}: vector has ${input.length} dimensions; the index has ${dimension}`, {
        expected: dimension,
        got: input.length,
      });
    }
    vector = input;
  }
  for (const x of vector) {
    if (!Number.isFinite(x)) invalidArgument(`${where}: vector holds a non-finite number`);
  }
  return vector;
}

/** The number of floats a vector value holds (before any check). */
export function vectorLength(input: VectorValue): number {
  return input instanceof ArrayBuffer ? input.byteLength / 4 : input.length;
}

/** A fresh namespace number, unique in the component (one counter read and write). */
export async function allocateNamespace(db: Writer): Promise<number> {
  return addToCounter(db, counterKey("vectorNamespaces"), 1);
}

/** The native filter values of one embedding: `{f<slot>: [ns, value]}`. */
export type EmbeddingFilters = Partial<Record<FilterSlot, Value>>;

function compositeSlots(ns: number, filters: EmbeddingFilters): Partial<Record<FilterSlot, Value[]>> {
  const out: Partial<Record<FilterSlot, Value[]>> = {};
  for (const slot of FILTER_SLOTS) {
    const value = filters[slot];
    if (value !== undefined) out[slot] = [ns, value];
  }
  return out;
}

export interface EmbeddingFields {
  ns: number;
  /** The owner's key of this embedding, unique in `ns` (enables scoreByKeys). */
  key?: string;
  vector: number[];
  filters?: EmbeddingFilters;
}

function embeddingDoc(fields: EmbeddingFields) {
  return {
    ns: fields.ns,
    ...(fields.key === undefined ? {} : { key: [fields.ns, fields.key] }),
    vector: fields.vector,
    ...compositeSlots(fields.ns, fields.filters ?? {}),
  };
}

export async function insertEmbedding(db: Writer, dimension: number, fields: EmbeddingFields): Promise<EmbeddingId> {
  return db.insert(vectorTableName(dimension) as AnyEmbeddingTable, embeddingDoc(fields));
}

/** Replaces the whole embedding document (slots not given are cleared). */
export async function replaceEmbedding(db: Writer, id: EmbeddingId, fields: EmbeddingFields): Promise<void> {
  await db.replace(id as Id<AnyEmbeddingTable>, embeddingDoc(fields));
}

/** Sets the filter slots of an embedding, keeping its vector. */
export async function setEmbeddingFilters(db: Writer, id: EmbeddingId, ns: number, filters: EmbeddingFilters): Promise<void> {
  const cleared = Object.fromEntries(FILTER_SLOTS.map((s) => [s, undefined]));
  await db.patch(id as Id<AnyEmbeddingTable>, { ...cleared, ...compositeSlots(ns, filters) });
}

export async function setEmbeddingVector(db: Writer, id: EmbeddingId, vector: number[]): Promise<void> {
  await db.patch(id as Id<AnyEmbeddingTable>, { vector });
}

export async function deleteEmbedding(db: Writer, id: EmbeddingId): Promise<void> {
  await db.delete(id as Id<AnyEmbeddingTable>);
}

/** The stored vector of an embedding (reads the embedding document), or null. */
export async function readEmbeddingVector(db: Reader, id: EmbeddingId): Promise<number[] | null> {
  const doc = await db.get(id as Id<AnyEmbeddingTable>);
  return doc === null ? null : doc.vector;
}

/** One native equality: filter slot `slot` equals `value` (within a namespace). */
export interface SlotTerm {
  slot: number;
  value: Value;
}

type SearchCtx = Pick<GenericActionCtx<DataModel>, "vectorSearch">;

/**
 * The `limit` nearest embeddings of namespace `ns` (cosine), optionally restricted
 * to an OR of slot equalities (at most MAX_SEARCH_TERMS). Runs in an action; reads
 * no document.
 */
export async function searchEmbeddings(
  ctx: SearchCtx,
  args: { dimension: number; ns: number; vector: number[]; limit: number; anyOf?: SlotTerm[] | null },
): Promise<Array<{ embeddingId: EmbeddingId; score: number }>> {
  const terms = args.anyOf ?? null;
  const found = await ctx.vectorSearch(vectorTableName(args.dimension) as AnyEmbeddingTable, "by_vector", {
    vector: args.vector,
    limit: args.limit,
    filter: (q) =>
      terms === null || terms.length === 0
        ? q.eq("ns", args.ns)
        : terms.length === 1
          ? q.eq(FILTER_SLOTS[terms[0].slot], [args.ns, terms[0].value])
          : q.or(...terms.map((t) => q.eq(FILTER_SLOTS[t.slot], [args.ns, t.value]))),
  });
  // convex-test has no 256 cap; the real backend does. Keep to the request either way.
  return found.slice(0, args.limit).map((r) => ({ embeddingId: r._id as EmbeddingId, score: r._score }));
}

/**
 * Cosine similarity of `vector` to the embeddings of `ns` stored under these owner
 * keys, computed by vector searches confined to those keys (MAX_SEARCH_TERMS keys per
 * search): no document is read. Returns scores by embedding id (the caller's rows
 * name their embedding); keys without an embedding are simply absent.
 */
export async function scoreByKeys(
  ctx: SearchCtx,
  args: { dimension: number; ns: number; vector: number[]; keys: string[] },
): Promise<Map<string, number>> {
  const scores = new Map<string, number>();
  const keys = [...new Set(args.keys)];
  for (let i = 0; i < keys.length; i += MAX_SEARCH_TERMS) {
    const chunk = keys.slice(i, i + MAX_SEARCH_TERMS);
    const found = await ctx.vectorSearch(vectorTableName(args.dimension) as AnyEmbeddingTable, "by_vector", {
      vector: args.vector,
      limit: chunk.length,
      filter: (q) =>
        chunk.length === 1 ? q.eq("key", [args.ns, chunk[0]]) : q.or(...chunk.map((k) => q.eq("key", [args.ns, k]))),
    });
    for (const r of found.slice(0, chunk.length)) scores.set(r._id as string, r._score);
  }
  return scores;
}
