/**
 * How the store keeps its items' embeddings in the component's per-dimension
 * vector tables. All of the store's coupling to the vectors domain is here,
 * and it goes through the vectors model's public helpers only (createIndex,
 * findIndex, upsert, deleteByIds) and the `vectors.query` action.
 *
 * One vector index per dimension, named `langgraph-store-<dimension>`, holds
 * every owner's store vectors. Its filterable keys make an owner's namespace
 * prefix a native filter: `o` is a hash of the owner, `p<d>` a hash of the
 * owner and the namespace's first d labels (d = 1..7). Hashes keep namespace
 * labels out of the vector rows; every hit is checked against the item itself
 * (owner and namespace) before it is returned, so a collision costs recall,
 * never a leak. The exposed vector functions refuse these index names
 * (client/vectors.ts), so only the store's own (owner-checked) functions see them.
 */
import type { GenericDatabaseWriter } from "convex/server";
import type { DataModel, Id } from "../_generated/dataModel.js";
import { fnv1a64 } from "./canonical.js";
import { invalidArgument, limitExceeded } from "./errors.js";
import { createIndex, deleteByIds, findIndex, upsert, VECTOR_DIMENSIONS } from "./vectors.js";

type Writer = GenericDatabaseWriter<DataModel>;

export const STORE_INDEX_PREFIX = "langgraph-store-";
/** Namespace depths with their own native filter key; deeper prefixes filter on p7, then on the item. */
export const NATIVE_PREFIX_DEPTH = 7;
const FILTER_KEYS = ["o", ...Array.from({ length: NATIVE_PREFIX_DEPTH }, (_, i) => `p${i + 1}`)];
/** Most vectors one item may have (one per embedded field, or per element of an embedded list). */
export const MAX_VECTORS_PER_ITEM = 64;

export const storeIndexName = (dimension: number) => `${STORE_INDEX_PREFIX}${dimension}`;
/** Whether a vector index name belongs to the store (refused by the exposed vector functions). */
export const isStoreIndexName = (name: string) => name.startsWith(STORE_INDEX_PREFIX);

const ownerTag = (resourceId: string) => fnv1a64(JSON.stringify(["o", resourceId]));
const prefixTag = (resourceId: string, labels: string[]) => fnv1a64(JSON.stringify(["p", resourceId, labels]));

/** The native filter `{key: value}` that narrows a search to an owner's namespace prefix (or its first 7 labels). */
export function nativePrefixFilter(resourceId: string, prefix: string[]): Record<string, string> {
  if (prefix.length === 0) return { o: ownerTag(resourceId) };
  const depth = Math.min(prefix.length, NATIVE_PREFIX_DEPTH);
  return { [`p${depth}`]: prefixTag(resourceId, prefix.slice(0, depth)) };
}

function vectorMetadata(resourceId: string, namespace: string[], itemId: string) {
  const metadata: Record<string, string> = { o: ownerTag(resourceId), it: itemId };
  for (let depth = 1; depth <= Math.min(namespace.length, NATIVE_PREFIX_DEPTH); depth++) {
    metadata[`p${depth}`] = prefixTag(resourceId, namespace.slice(0, depth));
  }
  return metadata;
}

/** A query embedding: finite numbers, of a supported dimension (INVALID_ARGUMENT otherwise). */
export function checkQueryVector(vector: number[]) {
  if (!(VECTOR_DIMENSIONS as readonly number[]).includes(vector.length)) {
    invalidArgument(`queryVector has ${vector.length} dimensions; use one of ${VECTOR_DIMENSIONS.join(", ")}`, { field: "queryVector" });
  }
  if (!vector.every(Number.isFinite)) invalidArgument("queryVector holds a number that is not finite", { field: "queryVector" });
}

export function checkStoreVectors(vectors: Array<{ path: string; vector: number[] }>, where: string): number | undefined {
  if (vectors.length > MAX_VECTORS_PER_ITEM) {
    limitExceeded(`${where}: at most ${MAX_VECTORS_PER_ITEM} vectors per item`, { maxItems: MAX_VECTORS_PER_ITEM });
  }
  if (vectors.length === 0) return undefined;
  const dimension = vectors[0].vector.length;
  if (!(VECTOR_DIMENSIONS as readonly number[]).includes(dimension)) {
    invalidArgument(`${where}: embeddings of ${dimension} dimensions are not supported; use one of ${VECTOR_DIMENSIONS.join(", ")}`, {
      dimension,
    });
  }
  const paths = new Set<string>();
  for (const { path, vector } of vectors) {
    if (path.length === 0 || path.length > 256) invalidArgument(`${where}: a vector path must be 1 to 256 characters`);
    if (paths.has(path)) invalidArgument(`${where}: vector path "${path}" appears twice`);
    paths.add(path);
    if (vector.length !== dimension) invalidArgument(`${where}: every vector of an item must have ${dimension} dimensions`);
    if (!vector.every(Number.isFinite)) invalidArgument(`${where}: vector "${path}" holds a number that is not finite`);
  }
  return dimension;
}

/** Replaces an item's vectors: deletes the old ones, writes the new ones. Returns what to keep on the item. */
export async function replaceItemVectors(
  db: Writer,
  item: { id: Id<"storeItems">; resourceId: string; namespace: string[] },
  old: { vectorIndex?: string; vectorIds?: string[] },
  vectors: Array<{ path: string; vector: number[] }>,
): Promise<{ vectorIndex?: string; vectorIds?: string[] }> {
  await dropItemVectors(db, old);
  if (vectors.length === 0) return { vectorIndex: undefined, vectorIds: undefined };
  const indexName = storeIndexName(vectors[0].vector.length);
  if ((await findIndex(db, indexName)) === null) {
    await createIndex(db, { name: indexName, dimension: vectors[0].vector.length, filterableKeys: FILTER_KEYS });
  }
  const metadata = vectorMetadata(item.resourceId, item.namespace, item.id);
  const { ids } = await upsert(db, {
    indexName,
    vectors: vectors.map(({ path, vector }) => ({ id: `${item.id}/${path}`, vector, metadata })),
  });
  return { vectorIndex: indexName, vectorIds: ids };
}

export async function dropItemVectors(db: Writer, old: { vectorIndex?: string; vectorIds?: string[] }) {
  if (old.vectorIndex === undefined || old.vectorIds === undefined || old.vectorIds.length === 0) return;
  const index = await findIndex(db, old.vectorIndex);
  if (index !== null) await deleteByIds(db, index, old.vectorIds);
}
