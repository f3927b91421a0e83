/** Tables, validators and helpers of the vectors domain. */
import { defineTable, type GenericDatabaseReader, type GenericDatabaseWriter } from "convex/server";
import { v, type Infer, type Value } from "convex/values";
import type { DataModel, Doc, Id } from "../_generated/dataModel.js";
import { addToCounter, counterKey, deleteCounter, readCounter } from "./counters.js";
import { conflict, invalidArgument, notFound } from "./errors.js";
import { approximateSize, checkBatch, checkDocument, limitExceeded } from "./limits.js";
import { checkPath, getPath, isJsonValue, type Json } from "./vectorFilter.js";

// ---------------------------------------------------------------------------
// Dimensions and tables

/** The vector lengths an index may have; one table (and one vector index) per length. */
export const VECTOR_DIMENSIONS = [128, 256, 384, 512, 768, 1024, 1408, 1536, 2048, 3072, 4096] as const;
export type VectorDimension = (typeof VECTOR_DIMENSIONS)[number];
export type VectorTableName = `vectors_${VectorDimension}`;

/** Most metadata keys an index may declare filterable natively (Convex allows 16 filter fields). */
export const MAX_FILTERABLE_KEYS = 8;
/** Filter fields of every vector table: `indexId`, then one composite `[indexId, value]` per declared key. */
export const FILTER_SLOTS = ["f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7"] as const;
export type FilterSlot = (typeof FILTER_SLOTS)[number];

/** Most results (and candidates) a query returns: Convex's vectorSearch limit. */
export const MAX_TOP_K = 256;
/** Most ids in one getVectors / deleteVectors call (hydration of 256 vectors of 4096 floats stays under 16 MiB). */
export const MAX_IDS_PER_CALL = 256;
/** Encoded size cap of one vector's metadata. */
export const MAX_METADATA_BYTES = 16 * 1024;
/** Bytes a scan (filter delete, cascade) reads per transaction, well under the 16 MiB limit. */
export const SCAN_BYTES_PER_BATCH = 4 * 1024 * 1024;

/** Hybrid search: most words in a keyword query (Convex search takes at most 16 terms). */
export const MAX_KEYWORD_TERMS = 16;
/** Hybrid search: longest keyword query, in characters. */
export const MAX_KEYWORD_QUERY_LENGTH = 1024;
/** Hybrid search: the default `k` of reciprocal rank fusion, score = Σ weight / (k + rank). */
export const DEFAULT_RRF_K = 60;

export function vectorTableName(dimension: number): VectorTableName {
  return `vectors_${dimension}` as VectorTableName;
}

export function isSupportedDimension(dimension: number): dimension is VectorDimension {
  return (VECTOR_DIMENSIONS as readonly number[]).includes(dimension);
}

const compositeField = v.optional(v.array(v.any()));

const vectorFields = {
  /** The registry row of the index the vector belongs to. */
  indexId: v.id("vectorIndexes"),
  /** The caller's id, unique within the index. */
  id: v.string(),
  vector: v.array(v.float64()),
  metadata: v.any(),
  /**
   * The string at the index's `textKey` in the metadata ("" when the index has
   * none or the vector lacks it), searched by `by_text`. Always written: a
   * search expression must find a string on every document it looks at.
   */
  text: v.optional(v.string()),
  updatedAt: v.number(),
  f0: compositeField,
  f1: compositeField,
  f2: compositeField,
  f3: compositeField,
  f4: compositeField,
  f5: compositeField,
  f6: compositeField,
  f7: compositeField,
};

function vectorTable(dimensions: number) {
  return defineTable(vectorFields)
    .index("by_index_id", ["indexId", "id"])
    .vectorIndex("by_vector", {
      vectorField: "vector",
      dimensions,
      filterFields: ["indexId", "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7"],
    })
    .searchIndex("by_text", {
      searchField: "text",
      filterFields: ["indexId", "f0", "f1", "f2", "f3", "f4", "f5", "f6", "f7"],
    });
}
type VectorTable = ReturnType<typeof vectorTable>;

const perDimensionTables = Object.fromEntries(
  VECTOR_DIMENSIONS.map((d) => [vectorTableName(d), vectorTable(d)]),
) as { [K in VectorTableName]: VectorTable };

export const vMetric = v.literal("cosine");
export const vIndexStatus = v.union(v.literal("active"), v.literal("deleting"));

export const vectorTables = {
  /** The index registry. A name has at most one "active" row; "deleting" rows are invisible to readers. */
  vectorIndexes: defineTable({
    name: v.string(),
    dimension: v.number(),
    metric: vMetric,
    filterableKeys: v.array(v.string()),
    /** Metadata path whose string value is indexed for keyword (hybrid) search. */
    textKey: v.optional(v.string()),
    status: vIndexStatus,
    createdAt: v.number(),
    updatedAt: v.number(),
  })
    .index("by_name_status", ["name", "status"])
    .index("by_status_name", ["status", "name"]),
  ...perDimensionTables,
};

// ---------------------------------------------------------------------------
// Validators (shared with the client helper)

export const vMetadata = v.record(v.string(), v.any());

export const vIndexDescription = v.object({
  name: v.string(),
  dimension: v.number(),
  metric: vMetric,
  filterableKeys: v.array(v.string()),
  /** Metadata path whose string value is searchable by `keywordQuery` (absent: no keyword search). */
  textKey: v.optional(v.string()),
  count: v.number(),
  createdAt: v.number(),
  updatedAt: v.number(),
});
export type IndexDescription = Infer<typeof vIndexDescription>;

export const vCreateIndexArgs = {
  name: v.string(),
  dimension: v.number(),
  metric: v.optional(vMetric),
  filterableKeys: v.optional(v.array(v.string())),
  /** A metadata path (dots for nesting) whose string value is indexed for keyword search. */
  textKey: v.optional(v.string()),
};
export const vCreateIndexResult = v.object({ created: v.boolean(), index: vIndexDescription });

export const vIndexNameArgs = { indexName: v.string() };

export const vVectorInput = v.object({
  id: v.optional(v.string()),
  vector: v.array(v.float64()),
  metadata: v.optional(vMetadata),
});
export const vUpsertArgs = { indexName: v.string(), vectors: v.array(vVectorInput) };
export const vUpsertResult = v.object({ ids: v.array(v.string()) });

export const vUpdateVectorArgs = {
  indexName: v.string(),
  id: v.string(),
  vector: v.optional(v.array(v.float64())),
  metadata: v.optional(vMetadata),
};

export const vDeleteVectorsArgs = {
  indexName: v.string(),
  ids: v.optional(v.array(v.string())),
  /** A Mongo-style filter as a JSON string (see vectorFilter.ts). */
  filter: v.optional(v.string()),
};
export const vDeleteVectorsResult = v.object({
  /** Vectors deleted by this call's own transaction. */
  deleted: v.number(),
  /** True when a filter delete goes on in scheduled batches (the rest is deleted shortly). */
  continuing: v.boolean(),
});

export const vGetVectorsArgs = {
  indexName: v.string(),
  ids: v.array(v.string()),
  includeVector: v.optional(v.boolean()),
};
export const vStoredVector = v.object({
  id: v.string(),
  metadata: vMetadata,
  vector: v.optional(v.array(v.float64())),
});
export const vGetVectorsResult = v.array(vStoredVector);

export const vFilterMode = v.union(v.literal("auto"), v.literal("native"));
export const vQueryArgs = {
  indexName: v.string(),
  queryVector: v.array(v.float64()),
  topK: v.number(),
  /** A Mongo-style filter as a JSON string (see vectorFilter.ts). */
  filter: v.optional(v.string()),
  /** "native": the whole filter must run inside vectorSearch, else INVALID_ARGUMENT. Default "auto". */
  filterMode: v.optional(vFilterMode),
  includeVector: v.optional(v.boolean()),
  minScore: v.optional(v.number()),
  /**
   * Hybrid search: words searched in the index's `textKey` text; the keyword
   * ranking is fused with the vector ranking by reciprocal rank fusion.
   */
  keywordQuery: v.optional(v.string()),
  /** Hybrid search: weight of the keyword ranking (the vector ranking weighs 1). Default 1. */
  keywordWeight: v.optional(v.number()),
  /** Hybrid search: the `k` of reciprocal rank fusion. Default 60. */
  rrfK: v.optional(v.number()),
};
export const vQueryMatch = v.object({
  id: v.string(),
  /** Cosine similarity; with `keywordQuery`, the fused RRF score the results are ordered by. */
  score: v.number(),
  metadata: vMetadata,
  vector: v.optional(v.array(v.float64())),
  /** Hybrid only: cosine similarity of the vector to `queryVector`. */
  vectorScore: v.optional(v.number()),
  /** Hybrid only: 1-based rank among the vector candidates (absent: not among them). */
  vectorRank: v.optional(v.number()),
  /** Hybrid only: 1-based rank among the keyword matches (absent: not among them). */
  keywordRank: v.optional(v.number()),
});
export const vQueryResult = v.object({
  results: v.array(vQueryMatch),
  /** Whether part of the filter was applied after the vector search. */
  postFiltered: v.boolean(),
  /** True when post-filtering (or minScore) may have left fewer than topK although more matches exist. */
  mayBeIncomplete: v.boolean(),
  /** How many nearest candidates the vector search returned. */
  candidates: v.number(),
  /** Hybrid only: how many keyword matches were fused. */
  keywordCandidates: v.optional(v.number()),
});
export type QueryResult = Infer<typeof vQueryResult>;

// ---------------------------------------------------------------------------
// Helpers

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;
export type IndexRow = Doc<"vectorIndexes">;
export type VectorDoc = Doc<"vectors_384">;

export const vectorCountKey = (indexId: Id<"vectorIndexes">) => counterKey("vectors", indexId);

/** The active index of that name, or null. One read. */
export async function findIndex(db: Reader, name: string): Promise<IndexRow | null> {
  return db
    .query("vectorIndexes")
    .withIndex("by_name_status", (q) => q.eq("name", name).eq("status", "active"))
    .unique();
}

export async function getIndexOrThrow(db: Reader, name: string): Promise<IndexRow> {
  const row = await findIndex(db, name);
  if (row === null) return notFound(`vector index "${name}" does not exist`, { indexName: name });
  return row;
}

export async function describe(db: Reader, row: IndexRow): Promise<IndexDescription> {
  return {
    name: row.name,
    dimension: row.dimension,
    metric: row.metric,
    filterableKeys: row.filterableKeys,
    ...(row.textKey === undefined ? {} : { textKey: row.textKey }),
    count: await readCounter(db, vectorCountKey(row._id)),
    createdAt: row.createdAt,
    updatedAt: row.updatedAt,
  };
}

export function checkIndexName(name: string): void {
  if (name.length === 0 || name.length > 256) invalidArgument("indexName must be 1 to 256 characters", { indexName: name });
}

export function checkFilterableKeys(keys: string[]): string[] {
  if (keys.length > MAX_FILTERABLE_KEYS) {
    invalidArgument(`an index declares at most ${MAX_FILTERABLE_KEYS} filterable keys`, { count: keys.length });
  }
  for (const key of keys) checkPath(key, "filterable key");
  if (new Set(keys).size !== keys.length) invalidArgument("filterableKeys has duplicates");
  return keys;
}

/** createIndex: the same call again is a no-op; another configuration for the name is CONFLICT. */
export async function createIndex(
  db: Writer,
  args: { name: string; dimension: number; metric?: "cosine"; filterableKeys?: string[]; textKey?: string },
): Promise<{ created: boolean; index: IndexDescription }> {
  checkIndexName(args.name);
  if (!isSupportedDimension(args.dimension)) {
    invalidArgument(`dimension ${args.dimension} is not supported; use one of ${VECTOR_DIMENSIONS.join(", ")}`, {
      dimension: args.dimension,
    });
  }
  const metric = args.metric ?? "cosine";
  const filterableKeys = checkFilterableKeys(args.filterableKeys ?? []);
  if (args.textKey !== undefined) checkPath(args.textKey, "textKey");
  const existing = await findIndex(db, args.name);
  if (existing !== null) {
    const sameKeys =
      existing.filterableKeys.length === filterableKeys.length &&
      [...existing.filterableKeys].sort().join("\u0000") === [...filterableKeys].sort().join("\u0000");
    if (existing.dimension !== args.dimension || existing.metric !== metric || !sameKeys || existing.textKey !== args.textKey) {
      conflict(`vector index "${args.name}" exists with another configuration`, {
        indexName: args.name,
        dimension: existing.dimension,
        metric: existing.metric,
        filterableKeys: existing.filterableKeys,
        ...(existing.textKey === undefined ? {} : { textKey: existing.textKey }),
      });
    }
    return { created: false, index: await describe(db, existing) };
  }
  const now = Date.now();
  const id = await db.insert("vectorIndexes", {
    name: args.name,
    dimension: args.dimension,
    metric,
    filterableKeys,
    ...(args.textKey === undefined ? {} : { textKey: args.textKey }),
    status: "active",
    createdAt: now,
    updatedAt: now,
  });
  return { created: true, index: await describe(db, (await db.get(id))!) };
}

/** Refuses metadata that is not a JSON object, has `$`/`_`/dotted/empty keys, or is too large. */
export function checkMetadata(metadata: unknown, where: string): Record<string, Json> {
  if (metadata === undefined) return {};
  if (typeof metadata !== "object" || metadata === null || Array.isArray(metadata) || !isJsonValue(metadata)) {
    invalidArgument(`${where}: metadata must be a JSON object (finite numbers, strings, booleans, null, arrays, objects)`);
  }
  const walk = (value: unknown, depth: number) => {
    if (depth > 12) invalidArgument(`${where}: metadata nests deeper than 12 levels`);
    if (Array.isArray(value)) value.forEach((item) => walk(item, depth + 1));
    else if (typeof value === "object" && value !== null) {
      for (const [key, item] of Object.entries(value)) {
        if (key.length === 0 || key.startsWith("$") || key.startsWith("_") || key.includes(".")) {
          invalidArgument(`${where}: metadata key "${key}" is not allowed (empty, starts with "$" or "_", or contains ".")`, {
            key,
          });
        }
        walk(item, depth + 1);
      }
    }
  };
  walk(metadata, 0);
  const size = approximateSize(metadata);
  if (size > MAX_METADATA_BYTES) {
    limitExceeded(`${where}: metadata is ${size} bytes; at most ${MAX_METADATA_BYTES} per vector`, {
      limit: "metadataBytes",
      max: MAX_METADATA_BYTES,
      actual: size,
    });
  }
  return metadata as Record<string, Json>;
}

export function checkVector(vector: number[], dimension: number, where: string): void {
  if (vector.length !== dimension) {
    invalidArgument(`${where}: vector has ${vector.length} dimensions; the index has ${dimension}`, {
      expected: dimension,
      got: vector.length,
    });
  }
  for (const x of vector) {
    if (!Number.isFinite(x)) invalidArgument(`${where}: vector holds a non-finite number`);
  }
}

/** The composite filter fields `{f<i>: [indexId, value]}` of a vector's metadata. */
export function filterFieldsOf(index: IndexRow, metadata: Record<string, Json>): Partial<Record<FilterSlot, Value[]>> {
  const fields: Partial<Record<FilterSlot, Value[]>> = {};
  index.filterableKeys.forEach((key, slot) => {
    const value = getPath(metadata, key);
    if (value !== undefined) fields[FILTER_SLOTS[slot]] = [index._id, value as Value];
  });
  return fields;
}

/**
 * The searchable text of a vector: the string at the index's `textKey`, "" when
 * the index has none or the metadata lacks it (or holds null). Another type is refused.
 */
export function textOf(index: IndexRow, metadata: Record<string, Json>, where: string): string {
  if (index.textKey === undefined) return "";
  const value = getPath(metadata, index.textKey);
  if (value === undefined || value === null) return "";
  if (typeof value !== "string") {
    return invalidArgument(`${where}: metadata "${index.textKey}" is the index's textKey and must be a string`, {
      key: index.textKey,
    });
  }
  return value;
}

function emptySlots(): Record<FilterSlot, undefined> {
  return Object.fromEntries(FILTER_SLOTS.map((s) => [s, undefined])) as Record<FilterSlot, undefined>;
}

async function findVector(db: Reader, index: IndexRow, id: string): Promise<VectorDoc | null> {
  return (await db
    .query(vectorTableName(index.dimension) as "vectors_384")
    .withIndex("by_index_id", (q) => q.eq("indexId", index._id).eq("id", id))
    .unique()) as VectorDoc | null;
}

/** upsert: checks everything first (nothing is written on a refusal), then writes. */
export async function upsert(
  db: Writer,
  args: { indexName: string; vectors: Array<{ id?: string; vector: number[]; metadata?: Record<string, unknown> }> },
): Promise<{ ids: string[] }> {
  const { vectors } = args;
  checkBatch("vectors", vectors);
  const index = await getIndexOrThrow(db, args.indexName);
  const seen = new Set<string>();
  const prepared = vectors.map((item, i) => {
    const where = `vectors[${i}]`;
    checkVector(item.vector, index.dimension, where);
    const metadata = checkMetadata(item.metadata, where);
    if (item.id !== undefined) {
      if (item.id.length === 0 || item.id.length > 512) invalidArgument(`${where}: id must be 1 to 512 characters`);
      if (seen.has(item.id)) invalidArgument(`${where}: id "${item.id}" appears twice in one call`, { id: item.id });
      seen.add(item.id);
    }
    const doc = { vector: item.vector, metadata, text: textOf(index, metadata, where), ...filterFieldsOf(index, metadata) };
    checkDocument(where, doc);
    return { given: item.id, doc };
  });
  const table = vectorTableName(index.dimension) as "vectors_384";
  const now = Date.now();
  const ids: string[] = [];
  let added = 0;
  for (const { given, doc } of prepared) {
    if (given !== undefined) {
      const existing = await findVector(db, index, given);
      if (existing !== null) {
        await db.replace(existing._id, { indexId: index._id, id: given, updatedAt: now, ...doc });
        ids.push(given);
        continue;
      }
    }
    const id = given ?? crypto.randomUUID();
    await db.insert(table, { indexId: index._id, id, updatedAt: now, ...doc });
    ids.push(id);
    added++;
  }
  await addToCounter(db, vectorCountKey(index._id), added);
  return { ids };
}

export async function updateVector(
  db: Writer,
  args: { indexName: string; id: string; vector?: number[]; metadata?: Record<string, unknown> },
): Promise<null> {
  const index = await getIndexOrThrow(db, args.indexName);
  if (args.vector === undefined && args.metadata === undefined) invalidArgument("updateVector needs a vector or metadata");
  if (args.vector !== undefined) checkVector(args.vector, index.dimension, "updateVector");
  const metadata = args.metadata === undefined ? undefined : checkMetadata(args.metadata, "updateVector");
  const text = metadata === undefined ? undefined : textOf(index, metadata, "updateVector");
  const existing = await findVector(db, index, args.id);
  if (existing === null) return notFound(`vector "${args.id}" is not in index "${index.name}"`, { indexName: index.name, id: args.id });
  const patch: Record<string, unknown> = { updatedAt: Date.now() };
  if (args.vector !== undefined) patch.vector = args.vector;
  if (metadata !== undefined) {
    patch.metadata = metadata;
    patch.text = text;
    Object.assign(patch, emptySlots(), filterFieldsOf(index, metadata));
  }
  const { _id, _creationTime, ...stored } = { ...existing, ...patch };
  checkDocument(`vector "${args.id}"`, stored);
  await db.patch(existing._id, patch);
  return null;
}

export async function deleteByIds(db: Writer, index: IndexRow, ids: string[]): Promise<number> {
  if (ids.length > MAX_IDS_PER_CALL) {
    limitExceeded(`deleteVectors takes at most ${MAX_IDS_PER_CALL} ids per call; split them`, {
      limit: "batchItems",
      max: MAX_IDS_PER_CALL,
      actual: ids.length,
    });
  }
  let deleted = 0;
  for (const id of new Set(ids)) {
    const existing = await findVector(db, index, id);
    if (existing !== null) {
      await db.delete(existing._id);
      deleted++;
    }
  }
  await addToCounter(db, vectorCountKey(index._id), -deleted);
  return deleted;
}

export async function getVectors(
  db: Reader,
  args: { indexName: string; ids: string[]; includeVector?: boolean },
): Promise<Array<{ id: string; metadata: Record<string, Json>; vector?: number[] }>> {
  if (args.ids.length > MAX_IDS_PER_CALL) {
    limitExceeded(`getVectors takes at most ${MAX_IDS_PER_CALL} ids per call; split them`, {
      limit: "batchItems",
      max: MAX_IDS_PER_CALL,
      actual: args.ids.length,
    });
  }
  const index = await getIndexOrThrow(db, args.indexName);
  const out = [];
  for (const id of args.ids) {
    const doc = await findVector(db, index, id);
    if (doc !== null) out.push(toStored(doc, args.includeVector ?? false));
  }
  return out;
}

export function toStored(doc: VectorDoc, includeVector: boolean) {
  return includeVector
    ? { id: doc.id, metadata: doc.metadata as Record<string, Json>, vector: doc.vector }
    : { id: doc.id, metadata: doc.metadata as Record<string, Json> };
}

/**
 * One bounded batch of a scan over an index's vectors (ordered by id):
 * at most `numItems` documents or SCAN_BYTES_PER_BATCH bytes.
 */
export async function scanBatch(db: Reader, index: Pick<IndexRow, "_id" | "dimension">, cursor: string | null, numItems: number) {
  return db
    .query(vectorTableName(index.dimension) as "vectors_384")
    .withIndex("by_index_id", (q) => q.eq("indexId", index._id))
    .paginate({ numItems, cursor, maximumBytesRead: SCAN_BYTES_PER_BATCH });
}

/** Marks an index deleting (invisible to readers at once); the caller schedules the purge. */
export async function retireIndex(db: Writer, index: IndexRow): Promise<void> {
  await db.patch(index._id, { status: "deleting", updatedAt: Date.now() });
}

/** Deletes the registry row and counter of a purged index. */
export async function dropIndexRow(db: Writer, indexId: Id<"vectorIndexes">): Promise<void> {
  await deleteCounter(db, vectorCountKey(indexId));
  const row = await db.get(indexId);
  if (row !== null) await db.delete(indexId);
}
