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
import { defineTable, paginationOptsValidator, type GenericDatabaseReader, type GenericDatabaseWriter, type PaginationOptions, type Scheduler } from "convex/server";
import { v, type Infer, type ObjectType } from "convex/values";
import { internal } from "../_generated/api.js";
import type { DataModel, Doc } from "../_generated/dataModel.js";
import { jsonEqual, parseJsonForComparison } from "./canonical.js";
import { invalidArgument, limitExceeded } from "./errors.js";
import { utf8Length } from "./jsonText.js";
import { boundedPage, paginateChecked, vPage } from "./pagination.js";
import { checkOwner } from "./shared.js";
import { checkStoreVectors, dropItemVectors, replaceItemVectors } from "./storeVectors.js";

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;

// ---------------------------------------------------------------- limits

/** Largest item value (UTF-8 bytes of its JSON text): it lives in one document. */
export const MAX_VALUE_BYTES = 900_000;
/** Most operations in one putStoreItems / getStoreItems / touchStoreItems call. */
export const MAX_OPS_PER_CALL = 100;
/** Value bytes one put call may carry. */
export const MAX_CALL_BYTES = 8 * 1024 * 1024;
/** Bytes of items one search page (or one hydration) reads at most. */
export const PAGE_BYTES = 4 * 1024 * 1024;
/** Items one sweep batch deletes. */
export const SWEEP_BATCH = 100;
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
    /** The item's vectors (store vector index name and vector ids), replaced and deleted with it. */
    vectorIndex: v.optional(v.string()),
    vectorIds: v.optional(v.array(v.string())),
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
  /** Embeddings of the item's indexed fields (path -> vector), all of one supported dimension. */
  vectors: v.optional(v.array(v.object({ path: v.string(), vector: v.array(v.float64()) }))),
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
    queryVector: v.array(v.float64()),
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

/**
 * Applies put and delete operations in order, all or nothing. A put replaces
 * the value (createdAt is kept), its TTL and its vectors; a delete of a
 * missing item is a no-op. An expired item is replaced as if it were gone.
 */
export async function putStoreItems(db: Writer, scheduler: Scheduler, args: StoreArgs<"putStoreItems">): Promise<null> {
  checkOwner(args.resourceId);
  if (args.ops.length > MAX_OPS_PER_CALL) limitExceeded(`at most ${MAX_OPS_PER_CALL} operations per call; split them`, { maxItems: MAX_OPS_PER_CALL });
  let bytes = 0;
  args.ops.forEach((op, i) => {
    checkNamespace(op.namespace, `ops[${i}].namespace`);
    checkKey(op.key, `ops[${i}].key`);
    checkTtl(op.ttlMinutes, `ops[${i}].ttlMinutes`);
    if (op.value !== undefined) {
      const size = utf8Length(op.value);
      if (size > MAX_VALUE_BYTES) {
        limitExceeded(`ops[${i}].value is ${size} bytes of JSON; at most ${MAX_VALUE_BYTES}`, { field: "value", bytes: size, maxBytes: MAX_VALUE_BYTES });
      }
      // Values are compared by filters later: their nesting is bounded now.
      parseJsonForComparison(op.value, `ops[${i}].value`, true);
      bytes += size;
    }
    checkStoreVectors(op.vectors ?? [], `ops[${i}]`);
    bytes += (op.vectors ?? []).reduce((sum, vec) => sum + 8 * vec.vector.length, 0);
  });
  if (bytes > MAX_CALL_BYTES) limitExceeded(`one call carries at most ${MAX_CALL_BYTES} bytes of values; split it`, { bytes, maxBytes: MAX_CALL_BYTES });
  const now = Date.now();
  let earliestExpiry: number | undefined;
  for (const op of args.ops) {
    const existing = await findItem(db, args.resourceId, op.namespace, op.key);
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
      await db.patch(id, fields);
    }
    const vectors = await replaceItemVectors(db, { id, resourceId: args.resourceId, namespace: op.namespace }, existing ?? {}, op.vectors ?? []);
    await db.patch(id, vectors);
  }
  if (earliestExpiry !== undefined) await scheduleSweep(db, scheduler, earliestExpiry);
  return null;
}

export async function getStoreItems(db: Reader, args: StoreArgs<"getStoreItems">): Promise<Array<StoreItem | null>> {
  checkOwner(args.resourceId);
  if (args.items.length > MAX_OPS_PER_CALL) limitExceeded(`at most ${MAX_OPS_PER_CALL} items per call; split them`, { maxItems: MAX_OPS_PER_CALL });
  const now = Date.now();
  const out: Array<StoreItem | null> = [];
  for (const [i, item] of args.items.entries()) {
    checkNamespace(item.namespace, `items[${i}].namespace`);
    checkKey(item.key, `items[${i}].key`);
    const doc = await findItem(db, args.resourceId, item.namespace, item.key);
    out.push(doc === null || isExpired(doc, now) ? null : itemOut(doc));
  }
  return out;
}

/** Refreshes the expiry of items that have a TTL (LangGraph's refresh on read); others are left alone. */
export async function touchStoreItems(db: Writer, scheduler: Scheduler, args: StoreArgs<"touchStoreItems">): Promise<null> {
  checkOwner(args.resourceId);
  if (args.items.length > MAX_OPS_PER_CALL) limitExceeded(`at most ${MAX_OPS_PER_CALL} items per call; split them`, { maxItems: MAX_OPS_PER_CALL });
  const now = Date.now();
  let earliest: number | undefined;
  for (const [i, item] of args.items.entries()) {
    checkNamespace(item.namespace, `items[${i}].namespace`);
    checkKey(item.key, `items[${i}].key`);
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
  return {
    page: result.page.filter((doc) => !isExpired(doc, now) && matchesStoreFilter(doc.value, filter)).map(itemOut),
    isDone: result.isDone,
    continueCursor: result.continueCursor,
  };
}

/** Items by id for a vector search, in the order given, keeping the owner's live items under the prefix that match. */
export async function hydrateStoreItems(
  db: Reader,
  args: { resourceId: string; namespacePrefix: string[]; filter?: string; candidates: Array<{ itemId: string; score: number }>; limit: number },
) {
  const filter = parseStoreFilter(args.filter);
  const prefix = nsKeyOf(args.namespacePrefix);
  const now = Date.now();
  const items: Array<StoreItem & { score: number }> = [];
  let bytes = 0;
  let read = 0;
  for (const candidate of args.candidates) {
    if (items.length >= args.limit || bytes >= PAGE_BYTES) break;
    read++;
    const id = db.normalizeId("storeItems", candidate.itemId);
    const doc = id === null ? null : await db.get(id);
    if (doc === null || doc.resourceId !== args.resourceId || !doc.nsKey.startsWith(prefix) || isExpired(doc, now)) continue;
    bytes += doc.value.length;
    if (!matchesStoreFilter(doc.value, filter)) continue;
    items.push({ ...itemOut(doc), score: candidate.score });
  }
  return { items, exhausted: read === args.candidates.length };
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
  return { page, isDone: result.isDone, continueCursor: result.continueCursor };
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
  const expired = await db
    .query("storeItems")
    .withIndex("by_expires", (q) => q.gte("expiresAt", 0).lte("expiresAt", now))
    .take(SWEEP_BATCH);
  for (const doc of expired) await deleteItem(db, doc);
  const next =
    expired.length === SWEEP_BATCH
      ? now
      : (await db.query("storeItems").withIndex("by_expires", (q) => q.gt("expiresAt", now)).first())?.expiresAt;
  if (next !== undefined) {
    const job = await scheduler.runAt(next, internal.store.sweepExpiredStoreItems, {});
    await db.insert("storeSweeps", { dueAt: next, job });
  }
  return { deleted: expired.length };
}
