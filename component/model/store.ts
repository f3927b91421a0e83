/**
 * Tables, validators and helpers of the store domain: LangGraph's long-term
 * memory store (`BaseStore`) on Convex.
 *
 * An item is (owner, namespace, key) -> a JSON object. Namespaces are tuples
 * of labels; `nsKey` encodes one as `label\u0001label\u0001...`, so the items
 * under a namespace prefix are one index range (labels may not hold \u0000 or
 * \u0001, nor "." as LangGraph requires). Every id is scoped by its owner
 * `resourceId` (PLAN.md decision 2): each index starts with it.
 *
 * TTL: an item may expire (`expiresAt`); reads treat an expired item as gone
 * at once, and a scheduled sweep deletes expired items (one pending sweep at a
 * time, due at the earliest expiry).
 */
import {
  defineTable,
  paginationOptsValidator,
  type GenericActionCtx,
  type GenericDatabaseReader,
  type GenericDatabaseWriter,
  type PaginationOptions,
  type Scheduler,
} from "convex/server";
import { v, type Infer, type ObjectType } from "convex/values";
import { internal } from "../_generated/api.js";
import type { DataModel, Doc } from "../_generated/dataModel.js";
import { jsonEqual, parseJsonForComparison } from "./canonical.js";
import { invalidArgument } from "./errors.js";
import { checkBatch, checkDocument, limitExceeded, utf8Length } from "./limits.js";
import { boundedPage, pageOf, paginateChecked, vPage } from "./pagination.js";
import { checkOwner } from "./shared.js";
import {
  checkQueryVector,
  checkStoreVectors,
  dropItemVectors,
  itemOfEmbedding,
  itemVectorBytes,
  searchItemVectors,
  storeVectorTables,
  vStoreVectorIn,
  writeItemVectors,
} from "./storeVectors.js";
import { MAX_SEARCH_LIMIT, vEmbeddingId, vVectorValue, type EmbeddingId } from "./vectorStorage.js";

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;

// ---------------------------------------------------------------- limits

/** Largest item value (UTF-8 bytes of its JSON text): it lives in one document. */
export const MAX_VALUE_BYTES = 900_000;
/** Most operations in one putStoreItems / getStoreItems / touchStoreItems call. */
export const MAX_OPS_PER_CALL = 100;
/**
 * Bytes one putStoreItems call may read and write: the items and embeddings it writes, and
 * the items and embeddings it replaces or deletes (Convex reads a document's old version to
 * replace or delete it). 4 MiB of the 16 MiB transaction limit are left for look-ups.
 */
export const MAX_PUT_BYTES = 12 * 1024 * 1024;
/** Bytes of an item document besides its value, namespace and key (system fields, times, counts). */
const ITEM_OVERHEAD = 200;
/** Bytes of items one search page (or one hydration) reads at most. */
export const PAGE_BYTES = 4 * 1024 * 1024;
/** Items one sweep batch deletes at most, and bytes of items and embeddings (a 4,096-dimension embedding is 37 KB). */
export const SWEEP_BATCH = 100;
export const SWEEP_BYTES = 8 * 1024 * 1024;
const MAX_LABEL = 256;
const MAX_DEPTH = 32;
const MAX_KEY = 1024;

// ---------------------------------------------------------------- tables

export const storeTables = {
  storeItems: defineTable({
    resourceId: v.string(),
    nsKey: v.string(),
    namespace: v.array(v.string()),
    key: v.string(),
    /** JSON text of an object. */
    value: v.string(),
    createdAt: v.number(),
    updatedAt: v.number(),
    /** When the item expires (ms); absent: never. */
    expiresAt: v.optional(v.number()),
    /** The TTL a read refreshes expiresAt with. */
    ttlMinutes: v.optional(v.number()),
    /** The dimension and number of the item's embeddings (storeItemVectors), replaced and deleted with it. */
    vectorDimension: v.optional(v.number()),
    vectorCount: v.optional(v.number()),
  })
    .index("by_owner_ns_key", ["resourceId", "nsKey", "key"])
    .index("by_expires", ["expiresAt"]),
  /** One row per namespace of an owner that holds items, with their exact count. */
  storeNamespaces: defineTable({
    resourceId: v.string(),
    nsKey: v.string(),
    namespace: v.array(v.string()),
    count: v.number(),
  }).index("by_owner_ns", ["resourceId", "nsKey"]),
  /** The one pending sweep of expired items (absent when none is due). */
  storeSweeps: defineTable({ dueAt: v.number(), job: v.id("_scheduled_functions") }),
  ...storeVectorTables,
};

// ---------------------------------------------------------------- validators

const vNamespace = v.array(v.string());
const vItemKey = v.object({ namespace: vNamespace, key: v.string() });

export const vStoreItem = v.object({
  namespace: vNamespace,
  key: v.string(),
  /** JSON text of the item's value (an object). */
  value: v.string(),
  createdAt: v.number(),
  updatedAt: v.number(),
  /** When the item expires (ms since the epoch); absent: never. */
  expiresAt: v.optional(v.number()),
});
export type StoreItem = Infer<typeof vStoreItem>;
export const vScoredStoreItem = vStoreItem.extend({ score: v.number() });

export const vStorePutOp = v.object({
  namespace: vNamespace,
  key: v.string(),
  /** JSON text of an object; absent deletes the item. */
  value: v.optional(v.string()),
  /** Minutes until the item expires (refreshed by touchStoreItems); absent: never. */
  ttlMinutes: v.optional(v.number()),
  /**
   * Embeddings of the item's indexed fields (path -> vector: float64 numbers or packed
   * little-endian float32 bytes), all of one supported dimension.
   */
  vectors: v.optional(v.array(vStoreVectorIn)),
});

const owner = { resourceId: v.string() };

export const storeArgs = {
  putStoreItems: { ...owner, ops: v.array(vStorePutOp) },
  getStoreItems: { ...owner, items: v.array(vItemKey) },
  touchStoreItems: { ...owner, items: v.array(vItemKey) },
  searchStoreItems: {
    ...owner,
    namespacePrefix: vNamespace,
    /** JSON text of an object: key -> value, or key -> {$eq|$ne|$gt|$gte|$lt|$lte: value}. */
    filter: v.optional(v.string()),
    paginationOpts: paginationOptsValidator,
  },
  searchStoreByVector: {
    ...owner,
    namespacePrefix: vNamespace,
    /** float64 numbers, or packed little-endian float32 bytes. */
    queryVector: vVectorValue,
    filter: v.optional(v.string()),
    limit: v.number(),
    offset: v.optional(v.number()),
  },
  listStoreNamespaces: {
    ...owner,
    /** Leading labels; "*" matches any one label. */
    prefix: v.optional(vNamespace),
    /** Trailing labels; "*" matches any one label. */
    suffix: v.optional(vNamespace),
    /** Namespaces deeper than this are cut to this many labels (and deduplicated). */
    maxDepth: v.optional(v.number()),
    paginationOpts: paginationOptsValidator,
  },
  countStoreItems: { ...owner, namespace: vNamespace },
};

export const storeReturns = {
  putStoreItems: v.null(),
  getStoreItems: v.array(v.union(vStoreItem, v.null())),
  touchStoreItems: v.null(),
  searchStoreItems: vPage(vStoreItem),
  searchStoreByVector: v.object({
    items: v.array(vScoredStoreItem),
    /** True when filters or expiry may have left fewer than `limit` although more matches exist. */
    mayBeIncomplete: v.boolean(),
  }),
  listStoreNamespaces: vPage(vNamespace),
  countStoreItems: v.number(),
};

export type StoreArgs<K extends keyof typeof storeArgs> = ObjectType<(typeof storeArgs)[K]>;

// ---------------------------------------------------------------- namespaces

/** Checks a namespace (or a prefix, which may be empty). "*" is an ordinary label except in listStoreNamespaces' patterns. */
export function checkNamespace(namespace: string[], field: string, allowEmpty = false) {
  if (!allowEmpty && namespace.length === 0) invalidArgument(`${field} must name at least one label`, { field });
  if (namespace.length > MAX_DEPTH) invalidArgument(`${field} has more than ${MAX_DEPTH} labels`, { field });
  for (const label of namespace) {
    if (label.length === 0 || label.length > MAX_LABEL) invalidArgument(`${field}: labels must be 1 to ${MAX_LABEL} characters`, { field });
    if (label.includes(".") || label.includes("\u0000") || label.includes("\u0001")) {
      invalidArgument(`${field}: labels may not contain "." (nor control characters \\u0000, \\u0001)`, { field });
    }
  }
}

/** The index key of a namespace (or of a namespace prefix: every key under it starts with it). */
export const nsKeyOf = (labels: string[]) => labels.map((label) => `${label}\u0001`).join("");
/** The first key after every key that starts with `prefix` (which ends with \u0001). */
const afterPrefix = (prefix: string) => `${prefix.slice(0, -1)}\u0002`;

function checkKey(key: string, field: string) {
  if (key.length === 0 || key.length > MAX_KEY) invalidArgument(`${field} must be 1 to ${MAX_KEY} characters`, { field });
}

// ---------------------------------------------------------------- items

function itemOut(doc: Doc<"storeItems">): StoreItem {
  const out: StoreItem = {
    namespace: doc.namespace,
    key: doc.key,
    value: doc.value,
    createdAt: doc.createdAt,
    updatedAt: doc.updatedAt,
  };
  if (doc.expiresAt !== undefined) out.expiresAt = doc.expiresAt;
  return out;
}

const isExpired = (doc: Doc<"storeItems">, now: number) => doc.expiresAt !== undefined && doc.expiresAt <= now;

async function findItem(db: Reader, resourceId: string, namespace: string[], key: string) {
  return db
    .query("storeItems")
    .withIndex("by_owner_ns_key", (q) => q.eq("resourceId", resourceId).eq("nsKey", nsKeyOf(namespace)).eq("key", key))
    .unique();
}

async function addToNamespace(db: Writer, resourceId: string, namespace: string[], delta: number) {
  const nsKey = nsKeyOf(namespace);
  const row = await db
    .query("storeNamespaces")
    .withIndex("by_owner_ns", (q) => q.eq("resourceId", resourceId).eq("nsKey", nsKey))
    .unique();
  const count = Math.max(0, (row?.count ?? 0) + delta);
  if (row === null) {
    if (count > 0) await db.insert("storeNamespaces", { resourceId, nsKey, namespace, count });
  } else if (count === 0) {
    await db.delete(row._id);
  } else {
    await db.patch(row._id, { count });
  }
}

/** The longest TTL: 100 years, in minutes. */
export const MAX_TTL_MINUTES = 100 * 365 * 24 * 60;

function checkTtl(ttl: number | undefined, field: string) {
  if (ttl !== undefined && (!Number.isFinite(ttl) || ttl <= 0 || ttl > MAX_TTL_MINUTES)) {
    invalidArgument(`${field} must be a positive number of minutes, at most ${MAX_TTL_MINUTES}`, { field });
  }
}

/** Deletes an item (expired or not) with its vectors and keeps the namespace count. */
async function deleteItem(db: Writer, doc: Doc<"storeItems">) {
  await dropItemVectors(db, doc);
  await db.delete(doc._id);
  await addToNamespace(db, doc.resourceId, doc.namespace, -1);
}

/** Bytes reading (or deleting) an item and its embeddings costs, as the limits count them. */
function itemBytes(doc: Pick<Doc<"storeItems">, "value" | "namespace" | "key" | "nsKey" | "vectorDimension" | "vectorCount">) {
  return (
    ITEM_OVERHEAD +
    utf8Length(doc.value) +
    utf8Length(doc.key) +
    2 * doc.namespace.reduce((sum, label) => sum + utf8Length(label) + 3, 0) +
    itemVectorBytes(doc.vectorDimension, doc.vectorCount)
  );
}

/** Refuses a put whose reads and writes would pass MAX_PUT_BYTES (nothing is written: the transaction fails). */
function checkPutBytes(bytes: number) {
  if (bytes > MAX_PUT_BYTES) {
    limitExceeded(
      `this put reads and writes about ${bytes} bytes (the items and embeddings it writes, replaces or deletes); ` +
        `at most ${MAX_PUT_BYTES} per call: split the operations into smaller calls`,
      { limit: "transactionBytes", max: MAX_PUT_BYTES, actual: bytes },
    );
  }
}

/** A checked item key: namespace and key (INVALID_ARGUMENT otherwise). */
function checkItemKey(item: { namespace: string[]; key: string }, where: string) {
  checkNamespace(item.namespace, `${where}.namespace`);
  checkKey(item.key, `${where}.key`);
}

/**
 * Applies put and delete operations in order, all or nothing. A put replaces
 * the value (createdAt is kept), its TTL and its vectors; a delete of a
 * missing item is a no-op. An expired item is replaced as if it were gone.
 * Everything is checked before the first write; the bytes of what it replaces
 * count as they are read (MAX_PUT_BYTES).
 */
export async function putStoreItems(db: Writer, scheduler: Scheduler, args: StoreArgs<"putStoreItems">): Promise<null> {
  checkOwner(args.resourceId);
  checkBatch("store operations", args.ops, MAX_OPS_PER_CALL);
  let bytes = 0;
  const prepared = args.ops.map((op, i) => {
    const where = `ops[${i}]`;
    checkItemKey(op, where);
    checkTtl(op.ttlMinutes, `${where}.ttlMinutes`);
    if (op.value === undefined) {
      if (op.vectors !== undefined && op.vectors.length > 0) invalidArgument(`${where}: a delete (no value) takes no vectors`, { field: "vectors" });
      return { op, vectors: null };
    }
    const size = utf8Length(op.value);
    if (size > MAX_VALUE_BYTES) {
      limitExceeded(`${where}.value is ${size} bytes of JSON; at most ${MAX_VALUE_BYTES}`, { limit: "valueBytes", max: MAX_VALUE_BYTES, actual: size, field: "value" });
    }
    // Values are compared by filters later: their nesting is bounded now.
    parseJsonForComparison(op.value, `${where}.value`, true);
    const vectors = checkStoreVectors(op.vectors ?? [], where);
    const doc = {
      resourceId: args.resourceId,
      nsKey: nsKeyOf(op.namespace),
      namespace: op.namespace,
      key: op.key,
      value: op.value,
      createdAt: 0,
      updatedAt: 0,
      expiresAt: op.ttlMinutes === undefined ? undefined : 0,
      ttlMinutes: op.ttlMinutes,
      vectorDimension: vectors?.dimension,
      vectorCount: vectors?.vectors.length,
    };
    checkDocument(`store item ${JSON.stringify(op.key).slice(0, 80)}`, doc);
    bytes += itemBytes(doc);
    return { op, vectors };
  });
  checkPutBytes(bytes);
  const now = Date.now();
  let earliestExpiry: number | undefined;
  for (const { op, vectors } of prepared) {
    const existing = await findItem(db, args.resourceId, op.namespace, op.key);
    if (existing !== null) {
      bytes += itemBytes(existing);
      checkPutBytes(bytes);
    }
    if (op.value === undefined) {
      if (existing !== null) await deleteItem(db, existing);
      continue;
    }
    const expiresAt = op.ttlMinutes === undefined ? undefined : now + op.ttlMinutes * 60_000;
    if (expiresAt !== undefined) earliestExpiry = Math.min(earliestExpiry ?? Infinity, expiresAt);
    const fields = { value: op.value, updatedAt: now, expiresAt, ttlMinutes: op.ttlMinutes };
    let id;
    if (existing === null || isExpired(existing, now)) {
      if (existing !== null) await deleteItem(db, existing);
      id = await db.insert("storeItems", {
        resourceId: args.resourceId,
        nsKey: nsKeyOf(op.namespace),
        namespace: op.namespace,
        key: op.key,
        createdAt: now,
        ...fields,
      });
      await addToNamespace(db, args.resourceId, op.namespace, 1);
    } else {
      id = existing._id;
      await dropItemVectors(db, existing);
      await db.patch(id, fields);
    }
    await db.patch(id, await writeItemVectors(db, { id, resourceId: args.resourceId, namespace: op.namespace }, vectors));
  }
  if (earliestExpiry !== undefined) await scheduleSweep(db, scheduler, earliestExpiry);
  return null;
}

export async function getStoreItems(db: Reader, args: StoreArgs<"getStoreItems">): Promise<Array<StoreItem | null>> {
  checkOwner(args.resourceId);
  checkBatch("items", args.items, MAX_OPS_PER_CALL);
  const now = Date.now();
  const out: Array<StoreItem | null> = [];
  for (const [i, item] of args.items.entries()) {
    checkItemKey(item, `items[${i}]`);
    const doc = await findItem(db, args.resourceId, item.namespace, item.key);
    out.push(doc === null || isExpired(doc, now) ? null : itemOut(doc));
  }
  return out;
}

/** Refreshes the expiry of items that have a TTL (LangGraph's refresh on read); others are left alone. */
export async function touchStoreItems(db: Writer, scheduler: Scheduler, args: StoreArgs<"touchStoreItems">): Promise<null> {
  checkOwner(args.resourceId);
  checkBatch("items", args.items, MAX_OPS_PER_CALL);
  const now = Date.now();
  let earliest: number | undefined;
  for (const [i, item] of args.items.entries()) {
    checkItemKey(item, `items[${i}]`);
    const doc = await findItem(db, args.resourceId, item.namespace, item.key);
    if (doc === null || doc.ttlMinutes === undefined || isExpired(doc, now)) continue;
    const expiresAt = now + doc.ttlMinutes * 60_000;
    await db.patch(doc._id, { expiresAt });
    earliest = Math.min(earliest ?? Infinity, expiresAt);
  }
  if (earliest !== undefined) await scheduleSweep(db, scheduler, earliest);
  return null;
}

// ---------------------------------------------------------------- filters

const OPERATORS = new Set(["$eq", "$ne", "$gt", "$gte", "$lt", "$lte"]);

export function parseStoreFilter(text: string | undefined): Record<string, unknown> | null {
  if (text === undefined) return null;
  const filter = parseJsonForComparison(text, "filter", true) as Record<string, unknown>;
  const check = (value: unknown) => {
    if (value !== null && typeof value === "object" && !Array.isArray(value)) {
      for (const [key, inner] of Object.entries(value)) {
        if (key.startsWith("$") && !OPERATORS.has(key)) {
          invalidArgument(`filter: unsupported operator "${key}" (use $eq, $ne, $gt, $gte, $lt, $lte)`, { field: "filter" });
        }
        check(inner);
      }
    }
  };
  check(filter);
  return Object.keys(filter).length === 0 ? null : filter;
}

function compare(a: unknown, b: unknown): number | null {
  if (typeof a === "number" && typeof b === "number") return a - b;
  if (typeof a === "string" && typeof b === "string") return a < b ? -1 : a > b ? 1 : 0;
  return null;
}

function applyOperator(value: unknown, operator: string, operand: unknown): boolean {
  if (operator === "$eq") return jsonEqual(value, operand);
  if (operator === "$ne") return !jsonEqual(value, operand);
  const order = compare(value, operand);
  if (order === null) return false;
  if (operator === "$gt") return order > 0;
  if (operator === "$gte") return order >= 0;
  if (operator === "$lt") return order < 0;
  return order <= 0;
}

/** LangGraph's store filter semantics (its in-memory store's `_compare_values`). */
function matchesValue(value: unknown, filter: unknown): boolean {
  if (filter !== null && typeof filter === "object" && !Array.isArray(filter)) {
    const entries = Object.entries(filter);
    if (entries.some(([key]) => key.startsWith("$"))) return entries.every(([op, operand]) => applyOperator(value, op, operand));
    if (value === null || typeof value !== "object" || Array.isArray(value)) return false;
    return entries.every(([key, inner]) => matchesValue((value as Record<string, unknown>)[key], inner));
  }
  if (Array.isArray(filter)) {
    return Array.isArray(value) && value.length === filter.length && filter.every((inner, i) => matchesValue(value[i], inner));
  }
  return jsonEqual(value ?? null, filter);
}

export function matchesStoreFilter(valueText: string, filter: Record<string, unknown> | null): boolean {
  if (filter === null) return true;
  const value = JSON.parse(valueText) as Record<string, unknown>;
  return Object.entries(filter).every(([key, inner]) => matchesValue(value[key], inner));
}

// ---------------------------------------------------------------- search and list

function prefixRange(resourceId: string, prefix: string[]) {
  const key = nsKeyOf(prefix);
  return (q: any) => (prefix.length === 0 ? q.eq("resourceId", resourceId) : q.eq("resourceId", resourceId).gte("nsKey", key).lt("nsKey", afterPrefix(key)));
}

/**
 * A page of the items under a namespace prefix, by namespace then key; the
 * filter and expiry are applied to the rows read, so a page may be short and
 * still not done. Reads at most numItems items and PAGE_BYTES.
 */
export async function searchStoreItems(db: Reader, args: StoreArgs<"searchStoreItems">) {
  checkOwner(args.resourceId);
  checkNamespace(args.namespacePrefix, "namespacePrefix", true);
  const filter = parseStoreFilter(args.filter);
  const opts = boundedPage(args.paginationOpts as PaginationOptions);
  const result = await paginateChecked(db.query("storeItems").withIndex("by_owner_ns_key", prefixRange(args.resourceId, args.namespacePrefix)), {
    ...opts,
    maximumBytesRead: PAGE_BYTES,
  });
  const now = Date.now();
  return pageOf(result, result.page.filter((doc) => !isExpired(doc, now) && matchesStoreFilter(doc.value, filter)).map(itemOut));
}

export const vStoreCandidate = v.object({ embeddingId: vEmbeddingId, score: v.number() });

/**
 * The items of a vector search's hits, best first, one per item (its best hit):
 * each hit's item is found through its link (`by_embedding`, no embedding read),
 * then kept when it is the owner's live item under the prefix and matches the
 * filter. Stops at `limit` items or PAGE_BYTES of values: at most two small reads
 * per hit besides the items.
 */
export async function hydrateStoreItems(
  db: Reader,
  args: { resourceId: string; namespacePrefix: string[]; filter?: string; candidates: Array<{ embeddingId: EmbeddingId; score: number }>; limit: number },
) {
  const filter = parseStoreFilter(args.filter);
  const prefix = nsKeyOf(args.namespacePrefix);
  const now = Date.now();
  const items: Array<StoreItem & { score: number }> = [];
  const seen = new Set<string>();
  let bytes = 0;
  let read = 0;
  for (const candidate of args.candidates) {
    if (items.length >= args.limit || bytes >= PAGE_BYTES) break;
    read++;
    const itemId = await itemOfEmbedding(db, candidate.embeddingId);
    if (itemId === null || seen.has(itemId)) continue; // deleted since the search, or an item already placed
    seen.add(itemId);
    const doc = await db.get(itemId);
    if (doc === null || doc.resourceId !== args.resourceId || !doc.nsKey.startsWith(prefix) || isExpired(doc, now)) continue;
    bytes += doc.value.length;
    if (!matchesStoreFilter(doc.value, filter)) continue;
    items.push({ ...itemOut(doc), score: candidate.score });
  }
  return { items, exhausted: read === args.candidates.length };
}

/**
 * The items under a namespace prefix nearest to a query embedding (cosine),
 * best first, one score per item (its best field). Runs in an action: the
 * owner's embedding namespace (one read), a vector search in it narrowed
 * natively to the prefix's first labels (no read), then hydration (links and
 * items, no embedding). Deeper labels, the value filter and expiry are checked
 * on the items, over at most MAX_SEARCH_LIMIT nearest vectors.
 */
export async function searchStoreByVector(
  ctx: GenericActionCtx<DataModel>,
  args: StoreArgs<"searchStoreByVector">,
): Promise<Infer<(typeof storeReturns)["searchStoreByVector"]>> {
  checkOwner(args.resourceId);
  checkNamespace(args.namespacePrefix, "namespacePrefix", true);
  parseStoreFilter(args.filter);
  const vector = checkQueryVector(args.queryVector);
  const offset = args.offset ?? 0;
  if (!Number.isInteger(args.limit) || args.limit < 1 || !Number.isInteger(offset) || offset < 0 || args.limit + offset > MAX_SEARCH_LIMIT) {
    invalidArgument(`limit (at least 1) plus offset must be at most ${MAX_SEARCH_LIMIT}`, { field: "limit" });
  }
  const ns: number | null = await ctx.runQuery(internal.store.storeVectorSpace, { resourceId: args.resourceId, dimension: vector.length });
  if (ns === null) return { items: [], mayBeIncomplete: false };
  const wanted = offset + args.limit;
  // An item may have several vectors, and filters apply after the search: over-fetch.
  const limit = Math.min(MAX_SEARCH_LIMIT, wanted * 4);
  const candidates = await searchItemVectors(ctx, { ns, vector, namespacePrefix: args.namespacePrefix, limit });
  const hydrated: { items: Array<StoreItem & { score: number }>; exhausted: boolean } = await ctx.runQuery(internal.store.hydrateStoreItems, {
    resourceId: args.resourceId,
    namespacePrefix: args.namespacePrefix,
    ...(args.filter === undefined ? {} : { filter: args.filter }),
    candidates,
    limit: wanted,
  });
  return {
    items: hydrated.items.slice(offset, wanted),
    mayBeIncomplete: hydrated.items.length < wanted && candidates.length === limit && hydrated.exhausted,
  };
}

function matchesLabels(labels: string[], pattern: string[]) {
  return pattern.every((label, i) => label === "*" || labels[i] === label);
}

/**
 * A page of an owner's namespaces, in namespace order. The prefix's leading
 * labels up to its first "*" are an index range; wildcards, the suffix and
 * maxDepth are applied to the rows read (a page may be short). With maxDepth,
 * namespaces are cut and repeats within the page dropped (repeats are
 * adjacent, so a caller drops those across pages by comparing with the last one).
 */
export async function listStoreNamespaces(db: Reader, args: StoreArgs<"listStoreNamespaces">) {
  checkOwner(args.resourceId);
  const prefix = args.prefix ?? [];
  const suffix = args.suffix ?? [];
  checkNamespace(prefix, "prefix", true);
  checkNamespace(suffix, "suffix", true);
  if (args.maxDepth !== undefined && (!Number.isInteger(args.maxDepth) || args.maxDepth < 1)) {
    invalidArgument("maxDepth must be a positive integer", { field: "maxDepth" });
  }
  const opts = boundedPage(args.paginationOpts as PaginationOptions);
  const fixed = prefix.slice(0, prefix.indexOf("*") === -1 ? prefix.length : prefix.indexOf("*"));
  const result = await paginateChecked(db.query("storeNamespaces").withIndex("by_owner_ns", prefixRange(args.resourceId, fixed)), opts);
  const page: string[][] = [];
  for (const row of result.page) {
    const labels = row.namespace;
    if (row.count <= 0 || labels.length < prefix.length || labels.length < suffix.length) continue;
    if (!matchesLabels(labels, prefix)) continue;
    if (!matchesLabels(labels.slice(labels.length - suffix.length), suffix)) continue;
    const cut = args.maxDepth === undefined ? labels : labels.slice(0, args.maxDepth);
    const last = page[page.length - 1];
    if (last !== undefined && last.length === cut.length && last.every((label, i) => label === cut[i])) continue;
    page.push(cut);
  }
  return pageOf(result, page);
}

export async function countStoreItems(db: Reader, args: StoreArgs<"countStoreItems">): Promise<number> {
  checkOwner(args.resourceId);
  checkNamespace(args.namespace, "namespace");
  const nsKey = nsKeyOf(args.namespace);
  const row = await db
    .query("storeNamespaces")
    .withIndex("by_owner_ns", (q) => q.eq("resourceId", args.resourceId).eq("nsKey", nsKey))
    .unique();
  return row?.count ?? 0;
}

// ---------------------------------------------------------------- expiry sweep

/** Makes sure a sweep is due no later than `dueAt` (one pending sweep at a time). */
export async function scheduleSweep(db: Writer, scheduler: Scheduler, dueAt: number) {
  const pending = await db.query("storeSweeps").first();
  if (pending !== null && pending.dueAt <= dueAt) return;
  if (pending !== null) {
    await scheduler.cancel(pending.job);
    await db.delete(pending._id);
  }
  const job = await scheduler.runAt(dueAt, internal.store.sweepExpiredStoreItems, {});
  await db.insert("storeSweeps", { dueAt, job });
}

/** Deletes one batch of expired items, then schedules the next sweep (now if more are expired, else at the next expiry). */
export async function sweepExpiredStoreItems(db: Writer, scheduler: Scheduler) {
  const now = Date.now();
  for (const row of await db.query("storeSweeps").take(10)) await db.delete(row._id);
  // At most SWEEP_BATCH items and PAGE_BYTES of them read; items and embeddings deleted within SWEEP_BYTES.
  const batch = await db
    .query("storeItems")
    .withIndex("by_expires", (q) => q.gte("expiresAt", 0).lte("expiresAt", now))
    .paginate({ numItems: SWEEP_BATCH, cursor: null, maximumBytesRead: PAGE_BYTES });
  let deleted = 0;
  let bytes = 0;
  for (const doc of batch.page) {
    bytes += itemBytes(doc);
    if (deleted > 0 && bytes > SWEEP_BYTES) break;
    await deleteItem(db, doc);
    deleted++;
  }
  const more = deleted < batch.page.length || !batch.isDone;
  const next = more ? now : (await db.query("storeItems").withIndex("by_expires", (q) => q.gt("expiresAt", now)).first())?.expiresAt;
  if (next !== undefined) {
    const job = await scheduler.runAt(next, internal.store.sweepExpiredStoreItems, {});
    await db.insert("storeSweeps", { dueAt: next, job });
  }
  return { deleted };
}
