// Public functions of the vectors domain.
import { paginationOptsValidator } from "convex/server";
import { v } from "convex/values";
import { internal } from "./_generated/api.js";
import type { Id } from "./_generated/dataModel.js";
import { action, internalMutation, internalQuery, mutation, query, type MutationCtx } from "./_generated/server.js";
import { invalidArgument } from "./model/errors.js";
import { addToCounter } from "./model/counters.js";
import { DELETE_BATCH_SIZE, MAX_PAGE_SIZE } from "./model/limits.js";
import { pageOf, vPage } from "./model/pagination.js";
import { matchesFilter, parseFilter, planFilter } from "./model/vectorFilter.js";
import { fuseRankings, fusionOptions, keywordSearch as keywordSearchHelper, type KeywordMatch } from "./model/vectorHybrid.js";
import {
  createIndex as createIndexHelper,
  deleteByIds,
  describe,
  dropIndexRow,
  getIndexOrThrow,
  getVectors as getVectorsHelper,
  MAX_TOP_K,
  retireIndex,
  scanBatch,
  toStored,
  updateVector as updateVectorHelper,
  upsert as upsertHelper,
  vCreateIndexArgs,
  vCreateIndexResult,
  vDeleteVectorsArgs,
  vDeleteVectorsResult,
  vectorCountKey,
  vectorTableName,
  vGetVectorsArgs,
  vGetVectorsResult,
  vIndexDescription,
  vIndexNameArgs,
  vQueryArgs,
  vMetadata,
  vQueryMatch,
  vQueryResult,
  vUpdateVectorArgs,
  vUpsertArgs,
  vUpsertResult,
  type QueryResult,
  type VectorDoc,
} from "./model/vectors.js";

// ---------------------------------------------------------------------------
// Indexes

export const createIndex = mutation({
  args: vCreateIndexArgs,
  returns: vCreateIndexResult,
  handler: (ctx, args) => createIndexHelper(ctx.db, args),
});

export const listIndexes = query({
  args: { paginationOpts: paginationOptsValidator },
  returns: vPage(vIndexDescription),
  handler: async (ctx, args) => {
    const numItems = Math.max(1, Math.min(args.paginationOpts.numItems, MAX_PAGE_SIZE));
    const result = await ctx.db
      .query("vectorIndexes")
      .withIndex("by_status_name", (q) => q.eq("status", "active"))
      .paginate({ ...args.paginationOpts, numItems });
    const page = [];
    for (const row of result.page) page.push(await describe(ctx.db, row));
    return pageOf(result, page);
  },
});

export const describeIndex = query({
  args: vIndexNameArgs,
  returns: vIndexDescription,
  handler: async (ctx, args) => describe(ctx.db, await getIndexOrThrow(ctx.db, args.indexName)),
});

export const deleteIndex = mutation({
  args: vIndexNameArgs,
  returns: v.null(),
  handler: async (ctx, args) => {
    const index = await getIndexOrThrow(ctx.db, args.indexName);
    await retireIndex(ctx.db, index);
    await ctx.scheduler.runAfter(0, internal.vectors.purgeIndex, { indexId: index._id, dimension: index.dimension });
    return null;
  },
});

/** Empties an index at once for readers: a fresh registry row takes the name, the old vectors are purged in batches. */
export const truncateIndex = mutation({
  args: vIndexNameArgs,
  returns: v.null(),
  handler: async (ctx, args) => {
    const index = await getIndexOrThrow(ctx.db, args.indexName);
    await retireIndex(ctx.db, index);
    await ctx.db.insert("vectorIndexes", {
      name: index.name,
      dimension: index.dimension,
      metric: index.metric,
      filterableKeys: index.filterableKeys,
      ...(index.textKey === undefined ? {} : { textKey: index.textKey }),
      status: "active",
      createdAt: index.createdAt,
      updatedAt: Date.now(),
    });
    await ctx.scheduler.runAfter(0, internal.vectors.purgeIndex, { indexId: index._id, dimension: index.dimension });
    return null;
  },
});

/** Deletes one bounded batch of a retired index's vectors, then schedules itself until none remain. */
export const purgeIndex = internalMutation({
  args: { indexId: v.id("vectorIndexes"), dimension: v.number() },
  returns: v.null(),
  handler: async (ctx, args) => {
    const batch = await scanBatch(ctx.db, { _id: args.indexId, dimension: args.dimension }, null, DELETE_BATCH_SIZE);
    for (const doc of batch.page) await ctx.db.delete(doc._id);
    if (batch.isDone) {
      await dropIndexRow(ctx.db, args.indexId);
    } else {
      await ctx.scheduler.runAfter(0, internal.vectors.purgeIndex, args);
    }
    return null;
  },
});

// ---------------------------------------------------------------------------
// Vectors

export const upsert = mutation({
  args: vUpsertArgs,
  returns: vUpsertResult,
  handler: (ctx, args) => upsertHelper(ctx.db, args),
});

export const updateVector = mutation({
  args: vUpdateVectorArgs,
  returns: v.null(),
  handler: (ctx, args) => updateVectorHelper(ctx.db, args),
});

/**
 * Deletes by ids (at most 256), or by filter: this call deletes the matches
 * among one bounded batch of the index's vectors and, when more remain to be
 * scanned, schedules the rest (`continuing: true`).
 */
export const deleteVectors = mutation({
  args: vDeleteVectorsArgs,
  returns: vDeleteVectorsResult,
  handler: async (ctx, args) => {
    if ((args.ids === undefined) === (args.filter === undefined)) {
      invalidArgument("deleteVectors takes either ids or a filter");
    }
    const index = await getIndexOrThrow(ctx.db, args.indexName);
    if (args.ids !== undefined) return { deleted: await deleteByIds(ctx.db, index, args.ids), continuing: false };
    parseFilter(args.filter!); // typed error before anything is written
    return deleteMatchingBatch(ctx, { indexId: index._id, filter: args.filter!, cursor: null });
  },
});

async function deleteMatchingBatch(
  ctx: MutationCtx,
  args: { indexId: Id<"vectorIndexes">; filter: string; cursor: string | null },
): Promise<{ deleted: number; continuing: boolean }> {
  const index = await ctx.db.get(args.indexId);
  if (index === null || index.status !== "active") return { deleted: 0, continuing: false };
  const filter = parseFilter(args.filter);
  const batch = await scanBatch(ctx.db, index, args.cursor, DELETE_BATCH_SIZE);
  let deleted = 0;
  for (const doc of batch.page) {
    if (matchesFilter(filter, doc.metadata)) {
      await ctx.db.delete(doc._id);
      deleted++;
    }
  }
  await addToCounter(ctx.db, vectorCountKey(index._id), -deleted);
  if (!batch.isDone) {
    await ctx.scheduler.runAfter(0, internal.vectors.deleteMatching, { ...args, cursor: batch.continueCursor });
  }
  return { deleted, continuing: !batch.isDone };
}

export const deleteMatching = internalMutation({
  args: { indexId: v.id("vectorIndexes"), filter: v.string(), cursor: v.union(v.string(), v.null()) },
  returns: v.null(),
  handler: async (ctx, args) => {
    await deleteMatchingBatch(ctx, args);
    return null;
  },
});

export const getVectors = query({
  args: vGetVectorsArgs,
  returns: vGetVectorsResult,
  handler: (ctx, args) => getVectorsHelper(ctx.db, args),
});

// ---------------------------------------------------------------------------
// Query (vector search)

const vResolvedIndex = v.object({
  indexId: v.id("vectorIndexes"),
  dimension: v.number(),
  filterableKeys: v.array(v.string()),
  textKey: v.optional(v.string()),
});
type ResolvedIndex = { indexId: Id<"vectorIndexes">; dimension: number; filterableKeys: string[]; textKey?: string };

/** The active index the action searches. One read. */
export const resolveIndex = internalQuery({
  args: vIndexNameArgs,
  returns: vResolvedIndex,
  handler: async (ctx, args): Promise<ResolvedIndex> => {
    const index = await getIndexOrThrow(ctx.db, args.indexName);
    return {
      indexId: index._id,
      dimension: index.dimension,
      filterableKeys: index.filterableKeys,
      ...(index.textKey === undefined ? {} : { textKey: index.textKey }),
    };
  },
});

/**
 * Hybrid search's keyword side: the best topK keyword matches of one index, in
 * relevance order. Reads 1 + topK documents, or at most 1 + 256 when a filter
 * or minScore must be checked after reading.
 */
export const keywordSearch = internalQuery({
  args: {
    indexId: v.id("vectorIndexes"),
    dimension: v.number(),
    keywordQuery: v.string(),
    nativeTerm: v.optional(v.object({ slot: v.number(), value: v.any() })),
    filter: v.optional(v.string()),
    postFilter: v.boolean(),
    queryVector: v.array(v.float64()),
    minScore: v.optional(v.number()),
    topK: v.number(),
    includeVector: v.boolean(),
  },
  returns: v.object({
    matches: v.array(
      v.object({ id: v.string(), metadata: vMetadata, vector: v.optional(v.array(v.float64())), vectorScore: v.number() }),
    ),
    scanned: v.number(),
    saturated: v.boolean(),
  }),
  handler: (ctx, args) => keywordSearchHelper(ctx.db, args),
});

/**
 * Reads candidates in score order, keeps those matching the filter, and stops
 * at topK matches: at most 1 + (candidates it needs) documents read.
 */
export const hydrate = internalQuery({
  args: {
    indexId: v.id("vectorIndexes"),
    dimension: v.number(),
    candidates: v.array(v.object({ docId: v.string(), score: v.number() })),
    filter: v.optional(v.string()),
    topK: v.number(),
    includeVector: v.boolean(),
  },
  returns: v.object({ results: v.array(vQueryMatch), exhausted: v.boolean() }),
  handler: async (ctx, args) => {
    const index = await ctx.db.get(args.indexId);
    if (index === null || index.status !== "active") return { results: [], exhausted: true };
    const filter = parseFilter(args.filter);
    const table = vectorTableName(args.dimension) as "vectors_384";
    const results = [];
    let read = 0;
    for (const candidate of args.candidates) {
      if (results.length >= args.topK) break;
      read++;
      const docId = ctx.db.normalizeId(table, candidate.docId);
      if (docId === null) continue;
      const doc = (await ctx.db.get(docId)) as VectorDoc | null;
      if (doc === null || doc.indexId !== args.indexId) continue;
      if (!matchesFilter(filter, doc.metadata)) continue;
      results.push({ ...toStored(doc, args.includeVector), score: candidate.score });
    }
    return { results, exhausted: read === args.candidates.length };
  },
});

const query_ = action({
  args: vQueryArgs,
  returns: vQueryResult,
  handler: async (ctx, args): Promise<QueryResult> => {
    if (!Number.isInteger(args.topK) || args.topK < 1 || args.topK > MAX_TOP_K) {
      invalidArgument(`topK must be an integer from 1 to ${MAX_TOP_K}`, { topK: args.topK });
    }
    if (args.minScore !== undefined && !Number.isFinite(args.minScore)) invalidArgument("minScore must be a finite number");
    const fusion = fusionOptions(args);
    const filter = parseFilter(args.filter);
    const index: ResolvedIndex = await ctx.runQuery(internal.vectors.resolveIndex, { indexName: args.indexName });
    if (fusion !== null && index.textKey === undefined) {
      invalidArgument(`vector index "${args.indexName}" has no textKey, so it takes no keywordQuery; create it with a textKey`, {
        indexName: args.indexName,
      });
    }
    if (args.queryVector.length !== index.dimension) {
      invalidArgument(`queryVector has ${args.queryVector.length} dimensions; the index has ${index.dimension}`, {
        expected: index.dimension,
        got: args.queryVector.length,
      });
    }
    if (!args.queryVector.every(Number.isFinite)) invalidArgument("queryVector holds a non-finite number");
    const plan = planFilter(filter, index.filterableKeys);
    if (args.filterMode === "native" && plan.residual !== null) {
      invalidArgument(`filter cannot run natively: ${plan.reason ?? "it needs post-filtering"}`, {
        filterableKeys: index.filterableKeys,
      });
    }
    // The keyword side runs at most one native equality (a search filter has no OR); the rest is checked after reading.
    const keywordTerm = plan.native !== null && plan.native.length === 1 ? plan.native[0] : undefined;
    const keywordPostFilter = filter !== null && (keywordTerm === undefined || plan.residual !== null);
    if (fusion !== null && args.filterMode === "native" && keywordPostFilter) {
      invalidArgument("with a keywordQuery, filterMode \"native\" takes one equality on a declared key (a search filter has no OR)", {
        filterableKeys: index.filterableKeys,
      });
    }
    const postFiltered = plan.residual !== null || (fusion !== null && keywordPostFilter);
    // The vector side over-fetches only for its own residual filter.
    const limit = plan.residual !== null ? MAX_TOP_K : args.topK;
    const found = await ctx.vectorSearch(vectorTableName(index.dimension) as "vectors_384", "by_vector", {
      vector: args.queryVector,
      limit,
      filter: (q) =>
        plan.native === null
          ? q.eq("indexId", index.indexId)
          : plan.native.length === 1
            ? q.eq(`f${plan.native[0].slot}` as "f0", [index.indexId, plan.native[0].value])
            : q.or(...plan.native.map((t) => q.eq(`f${t.slot}` as "f0", [index.indexId, t.value]))),
    });
    // convex-test has no 256 cap; the real backend does. Keep to the request either way.
    const nearest = found.slice(0, limit);
    const candidates = nearest
      .filter((c) => args.minScore === undefined || c._score >= args.minScore)
      .map((c) => ({ docId: c._id as string, score: c._score }));
    const hydrated: { results: QueryResult["results"]; exhausted: boolean } = await ctx.runQuery(internal.vectors.hydrate, {
      indexId: index.indexId,
      dimension: index.dimension,
      candidates,
      filter: args.filter,
      topK: args.topK,
      includeVector: args.includeVector ?? false,
    });
    // More matches may exist beyond the candidates only when the search was cut at its limit,
    // minScore cut nothing, and every candidate was needed.
    const saturated = nearest.length === limit && candidates.length === nearest.length;
    const vectorIncomplete = plan.residual !== null && saturated && hydrated.exhausted;
    if (fusion === null) {
      return {
        results: hydrated.results,
        postFiltered,
        mayBeIncomplete: hydrated.results.length < args.topK && vectorIncomplete,
        candidates: nearest.length,
      };
    }
    const keyword: { matches: KeywordMatch[]; scanned: number; saturated: boolean } = await ctx.runQuery(
      internal.vectors.keywordSearch,
      {
        indexId: index.indexId,
        dimension: index.dimension,
        keywordQuery: fusion.keywordQuery,
        ...(keywordTerm === undefined ? {} : { nativeTerm: { slot: keywordTerm.slot, value: keywordTerm.value } }),
        ...(args.filter === undefined ? {} : { filter: args.filter }),
        postFilter: keywordPostFilter,
        queryVector: args.queryVector,
        ...(args.minScore === undefined ? {} : { minScore: args.minScore }),
        topK: args.topK,
        includeVector: args.includeVector ?? false,
      },
    );
    const results = fuseRankings(hydrated.results, keyword.matches, { k: fusion.k, keywordWeight: fusion.keywordWeight, topK: args.topK });
    return {
      results,
      postFiltered,
      mayBeIncomplete:
        results.length < args.topK &&
        (vectorIncomplete || (keyword.saturated && keyword.matches.length < args.topK)),
      candidates: nearest.length,
      keywordCandidates: keyword.matches.length,
    };
  },
});
export { query_ as query };
