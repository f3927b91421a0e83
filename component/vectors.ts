// Public functions of the vectors domain.
import { v } from "convex/values";
import { internal } from "./_generated/api.js";
import { action, internalMutation, internalQuery, mutation, query as readQuery } from "./_generated/server.js";
import { invalidArgument } from "./model/errors.js";
import { matchesFilter, parseFilter } from "./model/vectorFilter.js";
import { keywordSearch as searchKeywords } from "./model/vectorHybrid.js";
import { hydrate as hydrateCandidates, readVectors as readStoredVectors, runQuery, vCandidate, vHydrated } from "./model/vectorQuery.js";
import { vEmbeddingId } from "./model/vectorStorage.js";
import * as Vectors from "./model/vectors.js";

const s = Vectors.vectorSignatures;

// ---------------------------------------------------------------------------
// Indexes

/**
 * Creates a named index of `dimension`-long vectors (cosine), with up to 8
 * `filterableKeys` filtered natively and an optional `textKey` for keyword search.
 * The same call again is a no-op (`created: false`); another configuration for the
 * name is CONFLICT.
 */
export const createIndex = mutation({
  ...s.createIndex,
  handler: (ctx, args) => Vectors.createIndex(ctx.db, args),
});

/** A page of the indexes by name, each described with its exact count. */
export const listIndexes = readQuery({
  ...s.listIndexes,
  handler: (ctx, args) => Vectors.listIndexes(ctx.db, args),
});

/** The index's configuration and exact vector count (two reads). NOT_FOUND when it does not exist. */
export const describeIndex = readQuery({
  ...s.describeIndex,
  handler: async (ctx, args) => Vectors.describe(ctx.db, await Vectors.getIndexOrThrow(ctx.db, args.indexName)),
});

/** Deletes the index: gone for readers at once (the name is free again), its vectors purged in scheduled batches. */
export const deleteIndex = mutation({
  ...s.deleteIndex,
  handler: async (ctx, args) => {
    const index = await Vectors.getIndexOrThrow(ctx.db, args.indexName);
    await Vectors.retireIndex(ctx.db, index);
    await ctx.scheduler.runAfter(0, internal.vectors.purgeIndex, { indexId: index._id });
    return null;
  },
});

/** Empties an index at once for readers: a fresh registry row takes the name, the old vectors are purged in batches. */
export const truncateIndex = mutation({
  ...s.truncateIndex,
  handler: async (ctx, args) => {
    const index = await Vectors.getIndexOrThrow(ctx.db, args.indexName);
    await Vectors.renewIndex(ctx.db, index);
    await ctx.scheduler.runAfter(0, internal.vectors.purgeIndex, { indexId: index._id });
    return null;
  },
});

/** Deletes one bounded batch of a retired index's vectors, then schedules itself until none remain. */
export const purgeIndex = internalMutation({
  args: { indexId: v.id("vectorIndexes") },
  returns: v.null(),
  handler: async (ctx, args) => {
    if (!(await Vectors.purgeBatch(ctx.db, args.indexId))) {
      await ctx.scheduler.runAfter(0, internal.vectors.purgeIndex, args);
    }
    return null;
  },
});

// ---------------------------------------------------------------------------
// Vectors

/**
 * Inserts or replaces (by id) up to 1,000 vectors; returns their ids, generated
 * where absent. Vectors may be float64 numbers or packed little-endian float32 bytes.
 * LIMIT_EXCEEDED when the batch is too large for one transaction (split it).
 */
export const upsert = mutation({
  ...s.upsert,
  handler: (ctx, args) => Vectors.upsert(ctx.db, args),
});

/** Replaces one vector's vector and/or its whole metadata. NOT_FOUND when it does not exist. */
export const updateVector = mutation({
  ...s.updateVector,
  handler: (ctx, args) => Vectors.updateVector(ctx.db, args),
});

/**
 * Deletes by ids (at most 256), or by filter: this call deletes the matches
 * among one bounded batch of the index's vectors and, when more remain to be
 * scanned, schedules the rest (`continuing: true`).
 */
export const deleteVectors = mutation({
  ...s.deleteVectors,
  handler: async (ctx, args) => {
    if ((args.ids === undefined) === (args.filter === undefined)) {
      invalidArgument("deleteVectors takes either ids or a filter");
    }
    const index = await Vectors.getIndexOrThrow(ctx.db, args.indexName);
    if (args.ids !== undefined) return { deleted: await Vectors.deleteByIds(ctx.db, index, args.ids), continuing: false };
    const filter = parseFilter(args.filter!); // typed error before anything is written
    const batch = await Vectors.deleteMatchingBatch(ctx.db, index, (m) => matchesFilter(filter, m), null);
    if (batch.next !== null) {
      await ctx.scheduler.runAfter(0, internal.vectors.deleteMatching, { indexId: index._id, filter: args.filter!, cursor: batch.next });
    }
    return { deleted: batch.deleted, continuing: batch.next !== null };
  },
});

/** One scheduled batch of a filter delete. */
export const deleteMatching = internalMutation({
  args: { indexId: v.id("vectorIndexes"), filter: v.string(), cursor: v.string() },
  returns: v.null(),
  handler: async (ctx, args) => {
    const index = await ctx.db.get(args.indexId);
    if (index === null || index.status !== "active") return null;
    const filter = parseFilter(args.filter);
    const batch = await Vectors.deleteMatchingBatch(ctx.db, index, (m) => matchesFilter(filter, m), args.cursor);
    if (batch.next !== null) await ctx.scheduler.runAfter(0, internal.vectors.deleteMatching, { ...args, cursor: batch.next });
    return null;
  },
});

/** The vectors with these ids (at most 256), in the order asked; missing ids are left out. */
export const getVectors = readQuery({
  ...s.getVectors,
  handler: (ctx, args) => Vectors.getVectors(ctx.db, args),
});

// ---------------------------------------------------------------------------
// Query (vector search)

/**
 * The `topK` (1 to 256) vectors nearest to `queryVector` by cosine similarity,
 * optionally filtered (a Mongo-style filter as JSON text: native on declared keys,
 * post-filtered otherwise) and, with `keywordQuery`, fused with a keyword search of
 * the index's `textKey` text by reciprocal rank fusion. Reads the index's registry
 * row and one entry per result; embeddings only with `includeVector`.
 */
export const query = action({
  ...s.query,
  handler: (ctx, args) => runQuery(ctx, args),
});

/** The configuration a query plans with. One read. */
export const resolveIndex = internalQuery({
  args: { indexName: v.string() },
  returns: Vectors.vIndexConfig,
  handler: async (ctx, args) => Vectors.configOf(await Vectors.getIndexOrThrow(ctx.db, args.indexName)),
});

/** A query's hydration: the candidates' entries in score order (no embedding read). */
export const hydrate = internalQuery({
  args: {
    index: Vectors.vIndexConfig,
    candidates: v.array(vCandidate),
    filter: v.optional(v.string()),
    topK: v.number(),
  },
  returns: vHydrated,
  handler: (ctx, args) => hydrateCandidates(ctx.db, args),
});

/** A hybrid query's keyword side: entries in relevance order (no embedding read). */
export const keywordSearch = internalQuery({
  args: {
    index: Vectors.vIndexConfig,
    keywordQuery: v.string(),
    nativeTerm: v.optional(v.object({ slot: v.number(), value: v.any() })),
    filter: v.optional(v.string()),
    postFilter: v.boolean(),
    scanLimit: v.number(),
    topK: v.number(),
  },
  returns: v.object({
    stale: v.boolean(),
    matches: v.array(v.object({ id: v.string(), metadata: Vectors.vMetadata, embeddingId: vEmbeddingId })),
    scanned: v.number(),
    saturated: v.boolean(),
  }),
  handler: (ctx, args) => searchKeywords(ctx.db, args),
});

/** The vectors of a query's results, when it asks for them (`includeVector`). */
export const readVectors = internalQuery({
  args: { embeddingIds: v.array(vEmbeddingId) },
  returns: v.array(v.union(v.array(v.float64()), v.null())),
  handler: (ctx, args) => readStoredVectors(ctx.db, args.embeddingIds),
});
