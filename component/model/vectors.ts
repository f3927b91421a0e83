/**
 * The vector store: named indexes of embeddings with metadata, searched natively.
 *
 * Storage (see vectorStorage.ts for the shared embedding tables):
 *
 *   vectorIndexes   the registry: one "active" row per name, with the index's
 *                   configuration and its namespace number `ns`; "deleting" rows are
 *                   invisible to readers while their vectors are purged
 *   vectorEntries   one row per vector: `{ns, id, metadata, text, embeddingId, f0..f7}`,
 *                   what results carry; `by_ns_id` finds a caller's id, `by_embedding`
 *                   hydrates a search result, `by_text` is the keyword side of hybrid search
 *   vectors_<dim>   the embedding alone, `{ns, key: [ns, id], vector, f0..f7: [ns, value]}`
 *
 * So a query reads, besides the registry row, one entry per result and never an
 * embedding (unless `includeVector`, which reads exactly the vectors it returns, in
 * a transaction of their own). Entries keep no copy of what they can rebuild: the
 * string at an index's `textKey` lives once, in `text` (searched there, put back
 * into the metadata on every read), and entries carry plain filter values only for
 * indexes that keyword-search (the search index filters on them).
 *
 * Message recall (issue 17) and a LangGraph store (issue 16) reuse the embedding
 * tables the same way with their own rows in place of `vectorEntries`: a namespace
 * from `allocateNamespace`, an `embeddingId` field with a `by_embedding` index, and
 * their own meaning for the filter slots (resource, `[resource, thread]`; namespace
 * prefixes). Query planning and hydration live in vectorQuery.ts.
 */
import { defineTable, paginationOptsValidator, type GenericDatabaseReader, type GenericDatabaseWriter } from "convex/server";
import { v, type Infer, type Value } from "convex/values";
import type { DataModel, Doc, Id } from "../_generated/dataModel.js";
import { addToCounter, counterKey, deleteCounter, readCounter } from "./counters.js";
import { conflict, invalidArgument, notFound } from "./errors.js";
import { approximateSize, checkBatch, checkDocument, DELETE_BATCH_SIZE, limitExceeded } from "./limits.js";
import { boundedPage, pageOf, paginateChecked, vPage } from "./pagination.js";
import { checkPath, getPath, isJsonValue, type Json } from "./vectorFilter.js";
import {
  allocateNamespace,
  decodeVector,
  deleteEmbedding,
  embeddingTables,
  FILTER_SLOTS,
  insertEmbedding,
  isSupportedDimension,
  readEmbeddingVector,
  replaceEmbedding,
  setEmbeddingFilters,
  setEmbeddingVector,
  storedEmbeddingBytes,
  VECTOR_DIMENSIONS,
  vEmbeddingId,
  vVectorValue,
  type EmbeddingFilters,
  type FilterSlot,
  type VectorValue,
} from "./vectorStorage.js";

export { VECTOR_DIMENSIONS, vectorTableName, type VectorDimension } from "./vectorStorage.js";

// ---------------------------------------------------------------------------
// Limits

/** Most metadata keys an index may declare filterable natively (eight filter slots). */
export const MAX_FILTERABLE_KEYS = FILTER_SLOTS.length;
/** Most results (and candidates) a query returns: Convex's vectorSearch limit. */
export const MAX_TOP_K = 256;
/** Most ids in one getVectors / deleteVectors call (256 vectors of 4,096 floats read about 9.5 MB). */
export const MAX_IDS_PER_CALL = 256;
/** Encoded size cap of one vector's metadata. */
export const MAX_METADATA_BYTES = 16 * 1024;
/** Bytes a scan (filter delete, purge) reads per transaction, well under the 16 MiB limit. */
export const SCAN_BYTES_PER_BATCH = 4 * 1024 * 1024;
/**
 * Bytes one upsert may store (embeddings and entries). Replacing a vector also reads
 * its old version, so reads stay under this too; 4 MiB of the 16 MiB limits are left
 * for look-ups and the counter.
 */
export const MAX_UPSERT_STORED_BYTES = 12 * 1024 * 1024;
/** Bytes of an entry besides its id, metadata and text: system fields, ns, embedding id. */
const ENTRY_OVERHEAD = 120;

/** Hybrid search: most words in a keyword query (Convex search takes at most 16 terms). */
export const MAX_KEYWORD_TERMS = 16;
/** Hybrid search: longest keyword query, in characters. */
export const MAX_KEYWORD_QUERY_LENGTH = 1024;
/** Hybrid search: the default `k` of reciprocal rank fusion, score = Σ weight / (k + rank). */
export const DEFAULT_RRF_K = 60;

/** Vectors of `dimension` deleted per transaction by a scan: reads stay near 3 × SCAN_BYTES_PER_BATCH. */
export function deleteBatchSize(dimension: number): number {
  return Math.max(1, Math.min(DELETE_BATCH_SIZE, Math.floor(SCAN_BYTES_PER_BATCH / storedEmbeddingBytes(dimension))));
}

// ---------------------------------------------------------------------------
// Tables

const plainSlot = v.optional(v.any());

export const vMetric = v.literal("cosine");
export const vIndexStatus = v.union(v.literal("active"), v.literal("deleting"));

export const vectorTables = {
  /** The index registry. A name has at most one "active" row; "deleting" rows are invisible to readers. */
  vectorIndexes: defineTable({
    name: v.string(),
    /** The namespace of this index's embeddings and entries (a fresh one after truncateIndex). */
    ns: v.number(),
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
  /** What a search result carries, one row per vector; its embedding lives in vectors_<dim>. */
  vectorEntries: defineTable({
    ns: v.number(),
    /** The caller's id, unique within the index. */
    id: v.string(),
    /** The metadata without the string at the index's textKey (that is `text`). */
    metadata: v.any(),
    /**
     * The string at the index's `textKey` ("" when the index has none or the vector
     * lacks it). Always written: convex-test's search reads the field on every row.
     */
    text: v.string(),
    embeddingId: vEmbeddingId,
    /** Values of the declared filterable keys, only on indexes with a textKey (keyword filters). */
    f0: plainSlot,
    f1: plainSlot,
    f2: plainSlot,
    f3: plainSlot,
    f4: plainSlot,
    f5: plainSlot,
    f6: plainSlot,
    f7: plainSlot,
  })
    .index("by_ns_id", ["ns", "id"])
    .index("by_embedding", ["embeddingId"])
    .searchIndex("by_text", { searchField: "text", filterFields: ["ns", ...FILTER_SLOTS] }),
  ...embeddingTables,
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

export const vVectorInput = v.object({
  id: v.optional(v.string()),
  /** float64 numbers, or packed little-endian float32 bytes (stored as those float32 values). */
  vector: vVectorValue,
  metadata: v.optional(vMetadata),
});

export const vStoredVector = v.object({
  id: v.string(),
  metadata: vMetadata,
  vector: v.optional(v.array(v.float64())),
});

export const vFilterMode = v.union(v.literal("auto"), v.literal("native"));

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
export type QueryMatch = Infer<typeof vQueryMatch>;

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

const vIndexNameArgs = { indexName: v.string() };

/** Arguments and results of the public vector functions (the component's and the host app's). */
export const vectorSignatures = {
  createIndex: {
    args: {
      name: v.string(),
      dimension: v.number(),
      metric: v.optional(vMetric),
      filterableKeys: v.optional(v.array(v.string())),
      /** A metadata path (dots for nesting) whose string value is indexed for keyword search. */
      textKey: v.optional(v.string()),
    },
    returns: v.object({ created: v.boolean(), index: vIndexDescription }),
  },
  listIndexes: {
    args: { paginationOpts: paginationOptsValidator },
    returns: vPage(vIndexDescription),
  },
  describeIndex: { args: vIndexNameArgs, returns: vIndexDescription },
  deleteIndex: { args: vIndexNameArgs, returns: v.null() },
  truncateIndex: { args: vIndexNameArgs, returns: v.null() },
  upsert: {
    args: { indexName: v.string(), vectors: v.array(vVectorInput) },
    returns: v.object({ ids: v.array(v.string()) }),
  },
  updateVector: {
    args: {
      indexName: v.string(),
      id: v.string(),
      /** float64 numbers, or packed little-endian float32 bytes. */
      vector: v.optional(vVectorValue),
      metadata: v.optional(vMetadata),
    },
    returns: v.null(),
  },
  deleteVectors: {
    args: {
      indexName: v.string(),
      ids: v.optional(v.array(v.string())),
      /** A Mongo-style filter as a JSON string (see vectorFilter.ts). */
      filter: v.optional(v.string()),
    },
    returns: v.object({
      /** Vectors deleted by this call's own transaction. */
      deleted: v.number(),
      /** True when a filter delete goes on in scheduled batches (the rest is deleted shortly). */
      continuing: v.boolean(),
    }),
  },
  getVectors: {
    args: { indexName: v.string(), ids: v.array(v.string()), includeVector: v.optional(v.boolean()) },
    returns: v.array(vStoredVector),
  },
  query: {
    args: {
      indexName: v.string(),
      /** float64 numbers, or packed little-endian float32 bytes. */
      queryVector: vVectorValue,
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
    },
    returns: vQueryResult,
  },
};

// ---------------------------------------------------------------------------
// Registry

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;
export type IndexRow = Doc<"vectorIndexes">;
export type Entry = Doc<"vectorEntries">;

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

/** The public description of an index: two reads (the row and its counter). */
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

/** What a query needs to know of an index; fixed for the life of a registry row. */
export const vIndexConfig = v.object({
  indexId: v.id("vectorIndexes"),
  ns: v.number(),
  name: v.string(),
  dimension: v.number(),
  filterableKeys: v.array(v.string()),
  textKey: v.optional(v.string()),
});
export type IndexConfig = Infer<typeof vIndexConfig>;

export function configOf(row: IndexRow): IndexConfig {
  return {
    indexId: row._id,
    ns: row.ns,
    name: row.name,
    dimension: row.dimension,
    filterableKeys: row.filterableKeys,
    ...(row.textKey === undefined ? {} : { textKey: row.textKey }),
  };
}

/**
 * The registry row of `config` if it is still the active index it describes, else
 * null (deleted, truncated, or an id of another deployment). One read.
 */
export async function currentIndex(db: Reader, config: IndexConfig): Promise<IndexRow | null> {
  const id = db.normalizeId("vectorIndexes", config.indexId);
  const row = id === null ? null : await db.get(id);
  if (row === null || row.status !== "active") return null;
  const same =
    row.ns === config.ns &&
    row.name === config.name &&
    row.dimension === config.dimension &&
    row.textKey === config.textKey &&
    row.filterableKeys.join("\u0000") === config.filterableKeys.join("\u0000");
  return same ? row : null;
}

function checkIndexName(name: string): void {
  if (name.length === 0 || name.length > 256) invalidArgument("indexName must be 1 to 256 characters", { indexName: name });
}

function checkFilterableKeys(keys: string[]): string[] {
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
    ns: await allocateNamespace(db),
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

/** A page of the active indexes by name, described (two reads per index). */
export async function listIndexes(db: Reader, args: { paginationOpts: Infer<typeof paginationOptsValidator> }) {
  const result = await paginateChecked(
    db.query("vectorIndexes").withIndex("by_status_name", (q) => q.eq("status", "active")),
    boundedPage(args.paginationOpts),
  );
  const page = [];
  for (const row of result.page) page.push(await describe(db, row));
  return pageOf(result, page);
}

/** Marks an index deleting (invisible to readers at once); the caller schedules the purge. */
export async function retireIndex(db: Writer, index: IndexRow): Promise<void> {
  await db.patch(index._id, { status: "deleting", updatedAt: Date.now() });
}

/** Retires the index and registers a fresh, empty one under its name and configuration. */
export async function renewIndex(db: Writer, index: IndexRow): Promise<void> {
  await retireIndex(db, index);
  await db.insert("vectorIndexes", {
    name: index.name,
    ns: await allocateNamespace(db),
    dimension: index.dimension,
    metric: index.metric,
    filterableKeys: index.filterableKeys,
    ...(index.textKey === undefined ? {} : { textKey: index.textKey }),
    status: "active",
    createdAt: index.createdAt,
    updatedAt: Date.now(),
  });
}

/**
 * Deletes one bounded batch of a retired index's vectors (deleteBatchSize of its
 * dimension); when none remain, its registry row and counter. True when done.
 */
export async function purgeBatch(db: Writer, indexId: Id<"vectorIndexes">): Promise<boolean> {
  const index = await db.get(indexId);
  if (index === null) return true;
  const batch = await scanEntries(db, index, null);
  for (const entry of batch.page) await deleteEntry(db, entry);
  if (!batch.isDone) return false;
  await deleteCounter(db, vectorCountKey(indexId));
  await db.delete(indexId);
  return true;
}

// ---------------------------------------------------------------------------
// Metadata, text and filter values

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

type IndexKeys = Pick<IndexRow, "ns" | "filterableKeys" | "textKey">;

/** The declared keys' values of a vector's metadata, by filter slot. */
function filterValuesOf(index: IndexKeys, metadata: Record<string, Json>): EmbeddingFilters {
  const values: EmbeddingFilters = {};
  index.filterableKeys.forEach((key, slot) => {
    const value = getPath(metadata, key);
    if (value !== undefined) values[FILTER_SLOTS[slot]] = value as Value;
  });
  return values;
}

function emptySlots(): Record<FilterSlot, undefined> {
  return Object.fromEntries(FILTER_SLOTS.map((s) => [s, undefined])) as Record<FilterSlot, undefined>;
}

/** `value` with the object at `path` replaced by `update(it)`, copying only the objects on the path. */
function withPath(value: Record<string, Json>, segments: string[], update: (leaf: Json | undefined) => Json | undefined): Record<string, Json> {
  const [head, ...rest] = segments;
  const copy = { ...value };
  if (rest.length === 0) {
    const next = update(copy[head]);
    if (next === undefined) delete copy[head];
    else copy[head] = next;
    return copy;
  }
  const child = copy[head];
  copy[head] = withPath(typeof child === "object" && child !== null && !Array.isArray(child) ? child : {}, rest, update);
  return copy;
}

/**
 * Splits a vector's metadata into what its entry stores: the string at the index's
 * `textKey` goes to `text` (and out of the metadata), "" when the index has none or
 * the value is missing, null or empty. Another type is refused.
 */
export function splitText(index: IndexKeys, metadata: Record<string, Json>, where: string): { metadata: Record<string, Json>; text: string } {
  if (index.textKey === undefined) return { metadata, text: "" };
  const value = getPath(metadata, index.textKey);
  if (value === undefined || value === null || value === "") return { metadata, text: "" };
  if (typeof value !== "string") {
    return invalidArgument(`${where}: metadata "${index.textKey}" is the index's textKey and must be a string`, {
      key: index.textKey,
    });
  }
  return { metadata: withPath(metadata, index.textKey.split("."), () => undefined), text: value };
}

/** The metadata as the caller stored it: the entry's metadata with its text put back. */
export function metadataOf(entry: Pick<Entry, "metadata" | "text">, textKey: string | undefined): Record<string, Json> {
  const metadata = entry.metadata as Record<string, Json>;
  if (textKey === undefined || entry.text === "") return metadata;
  return withPath(metadata, textKey.split("."), () => entry.text);
}

/** The entry fields (besides ns, id, embeddingId) of checked metadata. */
function entryFields(index: IndexKeys, metadata: Record<string, Json>, where: string) {
  const split = splitText(index, metadata, where);
  return {
    metadata: split.metadata,
    text: split.text,
    // The keyword side filters on plain values; other indexes need no copy of them.
    ...(index.textKey === undefined ? {} : filterValuesOf(index, metadata)),
  };
}

// ---------------------------------------------------------------------------
// Vectors

export async function findEntry(db: Reader, ns: number, id: string): Promise<Entry | null> {
  return db
    .query("vectorEntries")
    .withIndex("by_ns_id", (q) => q.eq("ns", ns).eq("id", id))
    .unique();
}

/** Deletes an entry and its embedding. */
async function deleteEntry(db: Writer, entry: Entry): Promise<void> {
  await deleteEmbedding(db, entry.embeddingId);
  await db.delete(entry._id);
}

/** The bytes an upsert of these items stores (and, replacing, reads), as the limits count them. */
export function upsertStoredBytes(dimension: number, items: Array<{ id?: string; metadata?: unknown }>): number {
  let total = 0;
  for (const item of items) {
    total += storedEmbeddingBytes(dimension) + ENTRY_OVERHEAD + approximateSize(item.metadata ?? {}) + approximateSize(item.id ?? "");
  }
  return total;
}

/** upsert: checks everything first (nothing is written on a refusal), then writes. */
export async function upsert(
  db: Writer,
  args: { indexName: string; vectors: Array<{ id?: string; vector: VectorValue; metadata?: Record<string, unknown> }> },
): Promise<{ ids: string[] }> {
  const { vectors } = args;
  checkBatch("vectors", vectors);
  const index = await getIndexOrThrow(db, args.indexName);
  const stored = upsertStoredBytes(index.dimension, vectors);
  if (stored > MAX_UPSERT_STORED_BYTES) {
    limitExceeded(
      `upsert would store about ${stored} bytes (${index.dimension} dimensions are ${storedEmbeddingBytes(index.dimension)} bytes a vector); ` +
        `at most ${MAX_UPSERT_STORED_BYTES} per call: split it into ${Math.ceil(stored / MAX_UPSERT_STORED_BYTES)} or more chunks`,
      { limit: "storedBytes", max: MAX_UPSERT_STORED_BYTES, actual: stored },
    );
  }
  const seen = new Set<string>();
  const prepared = vectors.map((item, i) => {
    const where = `vectors[${i}]`;
    const vector = decodeVector(item.vector, index.dimension, where);
    const metadata = checkMetadata(item.metadata, where);
    if (item.id !== undefined) {
      if (item.id.length === 0 || item.id.length > 512) invalidArgument(`${where}: id must be 1 to 512 characters`);
      if (seen.has(item.id)) invalidArgument(`${where}: id "${item.id}" appears twice in one call`, { id: item.id });
      seen.add(item.id);
    }
    const fields = entryFields(index, metadata, where);
    checkDocument(where, { ns: index.ns, id: item.id ?? "", embeddingId: "", ...fields });
    return { given: item.id, vector, filters: filterValuesOf(index, metadata), fields };
  });
  const ids: string[] = [];
  let added = 0;
  for (const { given, vector, filters, fields } of prepared) {
    const existing = given === undefined ? null : await findEntry(db, index.ns, given);
    if (existing !== null) {
      await replaceEmbedding(db, existing.embeddingId, { ns: index.ns, key: existing.id, vector, filters });
      await db.replace(existing._id, { ns: index.ns, id: existing.id, embeddingId: existing.embeddingId, ...fields });
      ids.push(existing.id);
      continue;
    }
    const id = given ?? crypto.randomUUID();
    const embeddingId = await insertEmbedding(db, index.dimension, { ns: index.ns, key: id, vector, filters });
    await db.insert("vectorEntries", { ns: index.ns, id, embeddingId, ...fields });
    ids.push(id);
    added++;
  }
  await addToCounter(db, vectorCountKey(index._id), added);
  return { ids };
}

/** Replaces the vector and/or the whole metadata of one vector. NOT_FOUND when it is missing. */
export async function updateVector(
  db: Writer,
  args: { indexName: string; id: string; vector?: VectorValue; metadata?: Record<string, unknown> },
): Promise<null> {
  const index = await getIndexOrThrow(db, args.indexName);
  if (args.vector === undefined && args.metadata === undefined) invalidArgument("updateVector needs a vector or metadata");
  const vector = args.vector === undefined ? undefined : decodeVector(args.vector, index.dimension, "updateVector");
  const metadata = args.metadata === undefined ? undefined : checkMetadata(args.metadata, "updateVector");
  const fields = metadata === undefined ? undefined : entryFields(index, metadata, "updateVector");
  const existing = await findEntry(db, index.ns, args.id);
  if (existing === null) return notFound(`vector "${args.id}" is not in index "${index.name}"`, { indexName: index.name, id: args.id });
  if (vector !== undefined) await setEmbeddingVector(db, existing.embeddingId, vector);
  if (metadata !== undefined && fields !== undefined) {
    const { _id, _creationTime, ...kept } = existing;
    checkDocument(`vector "${args.id}"`, { ...kept, ...emptySlots(), ...fields });
    await setEmbeddingFilters(db, existing.embeddingId, index.ns, filterValuesOf(index, metadata));
    await db.patch(existing._id, { ...emptySlots(), ...fields });
  }
  return null;
}

/** Deletes the vectors with these ids (at most MAX_IDS_PER_CALL); returns how many existed. */
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
    const existing = await findEntry(db, index.ns, id);
    if (existing !== null) {
      await deleteEntry(db, existing);
      deleted++;
    }
  }
  await addToCounter(db, vectorCountKey(index._id), -deleted);
  return deleted;
}

/** The vectors with these ids (at most MAX_IDS_PER_CALL), in the order asked; missing ids are left out. */
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
    const entry = await findEntry(db, index.ns, id);
    if (entry === null) continue;
    const metadata = metadataOf(entry, index.textKey);
    if (!args.includeVector) {
      out.push({ id: entry.id, metadata });
      continue;
    }
    const vector = await readEmbeddingVector(db, entry.embeddingId);
    if (vector !== null) out.push({ id: entry.id, metadata, vector });
  }
  return out;
}

/**
 * One bounded batch of a scan over an index's entries (ordered by id): at most
 * deleteBatchSize(dimension) entries and SCAN_BYTES_PER_BATCH bytes.
 */
export async function scanEntries(db: Reader, index: Pick<IndexRow, "ns" | "dimension">, cursor: string | null) {
  return db
    .query("vectorEntries")
    .withIndex("by_ns_id", (q) => q.eq("ns", index.ns))
    .paginate({ numItems: deleteBatchSize(index.dimension), cursor, maximumBytesRead: SCAN_BYTES_PER_BATCH });
}

/**
 * Deletes the vectors among one scan batch whose metadata `matches`; returns how many,
 * and the cursor of the next batch (null when the scan is done).
 */
export async function deleteMatchingBatch(
  db: Writer,
  index: IndexRow,
  matches: (metadata: Record<string, Json>) => boolean,
  cursor: string | null,
): Promise<{ deleted: number; next: string | null }> {
  const batch = await scanEntries(db, index, cursor);
  let deleted = 0;
  for (const entry of batch.page) {
    if (matches(metadataOf(entry, index.textKey))) {
      await deleteEntry(db, entry);
      deleted++;
    }
  }
  await addToCounter(db, vectorCountKey(index._id), -deleted);
  return { deleted, next: batch.isDone ? null : batch.continueCursor };
}
