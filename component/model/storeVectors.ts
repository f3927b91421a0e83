/**
 * How the store keeps its items' embeddings: in the component's per-dimension
 * embedding tables (vectorStorage.ts), the way vector indexes do, with rows of
 * its own in place of `vectorEntries`. All of the store's coupling to vector
 * storage is here, and it goes through vectorStorage's namespace-level helpers
 * only (allocateNamespace, insertEmbedding, deleteEmbedding, searchEmbeddings).
 *
 *   storeVectorSpaces  {resourceId, dimension, ns}  one embedding namespace per owner and
 *                                                   dimension, allocated at its first vector
 *   storeItemVectors   {item, embeddingId}          one row per embedding: `by_embedding`
 *                                                   hydrates a search hit without reading the
 *                                                   embedding, `by_item` finds an item's
 *   vectors_<dim>      {ns, vector, f<d-1>: [ns, hash of the item namespace's first d labels]}
 *
 * So the owner is a native filter (its own `ns`), and so is a namespace prefix of
 * up to NATIVE_PREFIX_DEPTH labels (one slot equality); deeper labels, the value
 * filter and expiry are checked on the items. Hashes keep namespace labels out of
 * the embedding documents (a collision costs recall, never a leak: every hit is
 * checked against its item).
 *
 * The vector index functions cannot reach these embeddings: they address an
 * index through its registry row (`vectorIndexes`) and read `vectorEntries` of
 * that row's namespace, and the store has neither registry rows nor entries.
 * Namespaces come from one counter, so no index shares one with the store.
 */
import { defineTable, type GenericActionCtx, type GenericDatabaseReader, type GenericDatabaseWriter } from "convex/server";
import { v } from "convex/values";
import type { DataModel, Doc, Id } from "../_generated/dataModel.js";
import { fnv1a64 } from "./canonical.js";
import { invalidArgument } from "./errors.js";
import { limitExceeded } from "./limits.js";
import {
  allocateNamespace,
  decodeVector,
  deleteEmbedding,
  FILTER_SLOTS,
  insertEmbedding,
  isSupportedDimension,
  searchEmbeddings,
  storedEmbeddingBytes,
  VECTOR_DIMENSIONS,
  vectorLength,
  vEmbeddingId,
  vVectorValue,
  type EmbeddingFilters,
  type EmbeddingId,
  type SlotTerm,
  type VectorValue,
} from "./vectorStorage.js";

type Reader = GenericDatabaseReader<DataModel>;
type Writer = GenericDatabaseWriter<DataModel>;

/** Namespace depths with their own native filter slot; deeper prefixes filter on the deepest, then on the item. */
export const NATIVE_PREFIX_DEPTH = FILTER_SLOTS.length;
/** Most vectors one item may have (one per embedded field, or per element of an embedded list). */
export const MAX_VECTORS_PER_ITEM = 64;
/** Bytes a link row costs to read or write (system fields, item id, embedding id). */
export const LINK_BYTES = 120;

export const storeVectorTables = {
  /** The embedding namespace of an owner's store vectors of one dimension. */
  storeVectorSpaces: defineTable({
    resourceId: v.string(),
    dimension: v.number(),
    ns: v.number(),
  }).index("by_owner_dimension", ["resourceId", "dimension"]),
  /** One row per embedding of a store item. */
  storeItemVectors: defineTable({
    item: v.id("storeItems"),
    embeddingId: vEmbeddingId,
  })
    .index("by_item", ["item"])
    .index("by_embedding", ["embeddingId"]),
};

/** An item's embedding as callers send it: the field path it embeds, float64 numbers or packed little-endian float32 bytes. */
export const vStoreVectorIn = v.object({ path: v.string(), vector: vVectorValue });

const prefixTag = (labels: string[]) => fnv1a64(JSON.stringify(labels));

/** The filter slots of an embedding of an item in `namespace`: slot d-1 holds the hash of its first d labels. */
function prefixFilters(namespace: string[]): EmbeddingFilters {
  const filters: EmbeddingFilters = {};
  for (let depth = 1; depth <= Math.min(namespace.length, NATIVE_PREFIX_DEPTH); depth++) {
    filters[FILTER_SLOTS[depth - 1]] = prefixTag(namespace.slice(0, depth));
  }
  return filters;
}

/** The native equality that narrows a search to a namespace prefix (its first 8 labels); null: the whole namespace. */
export function nativePrefixTerm(prefix: string[]): SlotTerm[] | null {
  if (prefix.length === 0) return null;
  const depth = Math.min(prefix.length, NATIVE_PREFIX_DEPTH);
  return [{ slot: depth - 1, value: prefixTag(prefix.slice(0, depth)) }];
}

const supported = `use one of ${VECTOR_DIMENSIONS.join(", ")}`;

/** A query embedding: finite numbers (or float32 bytes) of a supported dimension (INVALID_ARGUMENT otherwise). */
export function checkQueryVector(input: VectorValue): number[] {
  const dimension = vectorLength(input);
  if (!isSupportedDimension(dimension)) {
    invalidArgument(`queryVector has ${dimension} dimensions; ${supported}`, { field: "queryVector" });
  }
  return decodeVector(input, dimension, "queryVector");
}

/** An item's embeddings, checked and decoded: all of one supported dimension, finite, paths distinct. */
export function checkStoreVectors(
  vectors: Array<{ path: string; vector: VectorValue }>,
  where: string,
): { dimension: number; vectors: number[][] } | null {
  if (vectors.length > MAX_VECTORS_PER_ITEM) {
    limitExceeded(`${where}: ${vectors.length} vectors; at most ${MAX_VECTORS_PER_ITEM} per item`, {
      limit: "itemVectors",
      max: MAX_VECTORS_PER_ITEM,
      actual: vectors.length,
    });
  }
  if (vectors.length === 0) return null;
  const dimension = vectorLength(vectors[0].vector);
  if (!isSupportedDimension(dimension)) {
    invalidArgument(`${where}: embeddings of ${dimension} dimensions are not supported; ${supported}`, { dimension });
  }
  const paths = new Set<string>();
  const decoded = vectors.map(({ path, vector }, i) => {
    if (path.length === 0 || path.length > 256) invalidArgument(`${where}: a vector path must be 1 to 256 characters`);
    if (paths.has(path)) invalidArgument(`${where}: vector path "${path}" appears twice`);
    paths.add(path);
    if (vectorLength(vector) !== dimension) invalidArgument(`${where}: every vector of an item must have ${dimension} dimensions`);
    return decodeVector(vector, dimension, `${where}.vectors[${i}]`);
  });
  return { dimension, vectors: decoded };
}

/** Bytes storing (or deleting: the old version is read) `count` embeddings of `dimension` with their links costs. */
export function itemVectorBytes(dimension: number | undefined, count: number | undefined): number {
  if (dimension === undefined || count === undefined) return 0;
  return count * (storedEmbeddingBytes(dimension) + LINK_BYTES);
}

/** The embedding namespace of an owner's store vectors of `dimension`, or null when it has none yet. One read. */
export async function findVectorSpace(db: Reader, resourceId: string, dimension: number): Promise<number | null> {
  const row = await db
    .query("storeVectorSpaces")
    .withIndex("by_owner_dimension", (q) => q.eq("resourceId", resourceId).eq("dimension", dimension))
    .unique();
  return row?.ns ?? null;
}

async function ensureVectorSpace(db: Writer, resourceId: string, dimension: number): Promise<number> {
  const ns = await findVectorSpace(db, resourceId, dimension);
  if (ns !== null) return ns;
  const fresh = await allocateNamespace(db);
  await db.insert("storeVectorSpaces", { resourceId, dimension, ns: fresh });
  return fresh;
}

/** Writes an item's embeddings (its old ones must be dropped first). Returns what the item keeps. */
export async function writeItemVectors(
  db: Writer,
  item: { id: Id<"storeItems">; resourceId: string; namespace: string[] },
  checked: { dimension: number; vectors: number[][] } | null,
): Promise<{ vectorDimension?: number; vectorCount?: number }> {
  if (checked === null) return { vectorDimension: undefined, vectorCount: undefined };
  const ns = await ensureVectorSpace(db, item.resourceId, checked.dimension);
  const filters = prefixFilters(item.namespace);
  for (const vector of checked.vectors) {
    const embeddingId = await insertEmbedding(db, checked.dimension, { ns, vector, filters });
    await db.insert("storeItemVectors", { item: item.id, embeddingId });
  }
  return { vectorDimension: checked.dimension, vectorCount: checked.vectors.length };
}

/** Deletes an item's embeddings and their links. */
export async function dropItemVectors(db: Writer, item: Pick<Doc<"storeItems">, "_id" | "vectorCount">): Promise<void> {
  if (item.vectorCount === undefined || item.vectorCount === 0) return;
  const links = await db
    .query("storeItemVectors")
    .withIndex("by_item", (q) => q.eq("item", item._id))
    .take(MAX_VECTORS_PER_ITEM);
  for (const link of links) {
    await deleteEmbedding(db, link.embeddingId);
    await db.delete(link._id);
  }
}

/** The item a search hit belongs to, through its link (the embedding is not read), or null when gone. */
export async function itemOfEmbedding(db: Reader, embeddingId: EmbeddingId): Promise<Id<"storeItems"> | null> {
  const link = await db
    .query("storeItemVectors")
    .withIndex("by_embedding", (q) => q.eq("embeddingId", embeddingId))
    .first();
  return link?.item ?? null;
}

/** The `limit` embeddings of an owner's space nearest to `vector`, under a namespace prefix's first labels. Reads no document. */
export async function searchItemVectors(
  ctx: Pick<GenericActionCtx<DataModel>, "vectorSearch">,
  args: { ns: number; vector: number[]; namespacePrefix: string[]; limit: number },
) {
  return searchEmbeddings(ctx, {
    dimension: args.vector.length,
    ns: args.ns,
    vector: args.vector,
    limit: args.limit,
    anyOf: nativePrefixTerm(args.namespacePrefix),
  });
}
