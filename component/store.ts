// Public functions of the store domain: LangGraph's long-term memory store. Every function names the owner (resourceId).
import { v } from "convex/values";
import { action, internalMutation, internalQuery, mutation, query } from "./_generated/server.js";
import * as S from "./model/store.js";
import { storeArgs as A, storeReturns as R, vScoredStoreItem, vStoreCandidate } from "./model/store.js";
import { findVectorSpace } from "./model/storeVectors.js";

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

/** The embedding namespace of an owner's store vectors of one dimension (null: none yet). One read. */
export const storeVectorSpace = internalQuery({
  args: { resourceId: v.string(), dimension: v.number() },
  returns: v.union(v.number(), v.null()),
  handler: (ctx, args) => findVectorSpace(ctx.db, args.resourceId, args.dimension),
});

/** A vector search's hydration: the hits' items, best first, one per item (no embedding read). */
export const hydrateStoreItems = internalQuery({
  args: {
    resourceId: v.string(),
    namespacePrefix: v.array(v.string()),
    filter: v.optional(v.string()),
    candidates: v.array(vStoreCandidate),
    limit: v.number(),
  },
  returns: v.object({ items: v.array(vScoredStoreItem), exhausted: v.boolean() }),
  handler: (ctx, args) => S.hydrateStoreItems(ctx.db, args),
});

/**
 * The items under a namespace prefix nearest to a query embedding (cosine),
 * best first, one score per item (its best field). The owner and the first 8
 * labels of the prefix filter natively; deeper labels, the value filter and
 * expiry are checked on the items, over at most 256 nearest vectors.
 */
export const searchStoreByVector = action({
  args: A.searchStoreByVector,
  returns: R.searchStoreByVector,
  handler: (ctx, args) => S.searchStoreByVector(ctx, args),
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
