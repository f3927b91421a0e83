// Public functions of the store domain: LangGraph's long-term memory store. Every function names the owner (resourceId).
import { v } from "convex/values";
import { api, internal } from "./_generated/api.js";
import { action, internalMutation, internalQuery, mutation, query } from "./_generated/server.js";
import { invalidArgument } from "./model/errors.js";
import { checkOwner } from "./model/shared.js";
import { findIndex, MAX_TOP_K } from "./model/vectors.js";
import * as S from "./model/store.js";
import { storeArgs as A, storeReturns as R, vStoreItem } from "./model/store.js";
import { checkQueryVector, nativePrefixFilter, storeIndexName } from "./model/storeVectors.js";

/** Puts (value given) and deletes (value absent) items, in order, all or nothing. */
export const putStoreItems = mutation({
  args: A.putStoreItems,
  returns: R.putStoreItems,
  handler: (ctx, args) => S.putStoreItems(ctx.db, ctx.scheduler, args),
});

/** The items asked for, in order; null for a missing or expired one. */
export const getStoreItems = query({
  args: A.getStoreItems,
  returns: R.getStoreItems,
  handler: (ctx, args) => S.getStoreItems(ctx.db, args),
});

/** Refreshes the expiry of items that have a TTL, as a read with refresh does. */
export const touchStoreItems = mutation({
  args: A.touchStoreItems,
  returns: R.touchStoreItems,
  handler: (ctx, args) => S.touchStoreItems(ctx.db, ctx.scheduler, args),
});

/** A page of the items under a namespace prefix (namespace, then key order) that match a filter. */
export const searchStoreItems = query({
  args: A.searchStoreItems,
  returns: R.searchStoreItems,
  handler: (ctx, args) => S.searchStoreItems(ctx.db, args),
});

/** A page of an owner's namespaces matching a prefix and suffix ("*" for any label), cut to maxDepth. */
export const listStoreNamespaces = query({
  args: A.listStoreNamespaces,
  returns: R.listStoreNamespaces,
  handler: (ctx, args) => S.listStoreNamespaces(ctx.db, args),
});

/** The exact number of live items in a namespace (one read; expired items count until swept). */
export const countStoreItems = query({
  args: A.countStoreItems,
  returns: R.countStoreItems,
  handler: (ctx, args) => S.countStoreItems(ctx.db, args),
});

/** Whether the store has vectors of this dimension yet. */
export const storeIndexExists = internalQuery({
  args: { indexName: v.string() },
  returns: v.boolean(),
  handler: async (ctx, args) => (await findIndex(ctx.db, args.indexName)) !== null,
});

export const hydrateStoreItems = internalQuery({
  args: {
    resourceId: v.string(),
    namespacePrefix: v.array(v.string()),
    filter: v.optional(v.string()),
    candidates: v.array(v.object({ itemId: v.string(), score: v.number() })),
    limit: v.number(),
  },
  returns: v.object({ items: v.array(vStoreItem.extend({ score: v.number() })), exhausted: v.boolean() }),
  handler: (ctx, args) => S.hydrateStoreItems(ctx.db, args),
});

/**
 * The items under a namespace prefix nearest to a query embedding (cosine),
 * best first, one score per item (its best field). The owner and the first 7
 * labels of the prefix filter natively; deeper labels, the value filter and
 * expiry are checked on the items, over at most 256 nearest vectors.
 */
export const searchStoreByVector = action({
  args: A.searchStoreByVector,
  returns: R.searchStoreByVector,
  handler: async (ctx, args): Promise<{ items: any[]; mayBeIncomplete: boolean }> => {
    checkOwner(args.resourceId);
    S.checkNamespace(args.namespacePrefix, "namespacePrefix", true);
    S.parseStoreFilter(args.filter);
    checkQueryVector(args.queryVector);
    const offset = args.offset ?? 0;
    if (!Number.isInteger(args.limit) || args.limit < 1 || !Number.isInteger(offset) || offset < 0 || args.limit + offset > MAX_TOP_K) {
      invalidArgument(`limit (at least 1) plus offset must be at most ${MAX_TOP_K}`, { field: "limit" });
    }
    const indexName = storeIndexName(args.queryVector.length);
    if (!(await ctx.runQuery(internal.store.storeIndexExists, { indexName }))) return { items: [], mayBeIncomplete: false };
    const wanted = offset + args.limit;
    const topK = Math.min(MAX_TOP_K, wanted * 4);
    const found: { results: Array<{ score: number; metadata: Record<string, unknown> }> } = await ctx.runAction(api.vectors.query, {
      indexName,
      queryVector: args.queryVector,
      topK,
      filter: JSON.stringify(nativePrefixFilter(args.resourceId, args.namespacePrefix)),
      filterMode: "native",
    });
    // One score per item: its best vector (results come best first).
    const seen = new Set<string>();
    const candidates: Array<{ itemId: string; score: number }> = [];
    for (const hit of found.results) {
      const itemId = hit.metadata.it;
      if (typeof itemId !== "string" || seen.has(itemId)) continue;
      seen.add(itemId);
      candidates.push({ itemId, score: hit.score });
    }
    const hydrated: { items: any[]; exhausted: boolean } = await ctx.runQuery(internal.store.hydrateStoreItems, {
      resourceId: args.resourceId,
      namespacePrefix: args.namespacePrefix,
      ...(args.filter === undefined ? {} : { filter: args.filter }),
      candidates,
      limit: wanted,
    });
    const saturated = found.results.length === topK;
    return {
      items: hydrated.items.slice(offset, wanted),
      mayBeIncomplete: hydrated.items.length < wanted && saturated && hydrated.exhausted,
    };
  },
});

/** One batch of the expiry sweep (scheduled at the earliest expiry). */
export const sweepExpiredStoreItems = internalMutation({
  args: {},
  returns: v.null(),
  handler: async (ctx) => {
    await S.sweepExpiredStoreItems(ctx.db, ctx.scheduler);
    return null;
  },
});
