import { actionGeneric, mutationGeneric, queryGeneric } from "convex/server";
import { storeArgs as A, storeReturns as R } from "../component/model/store.js";
import type { Operation } from "./authorize.js";
import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/**
 * The store domain's functions (LangGraph's long-term memory store), as public
 * functions of the host app. Every one names its owner (`resourceId`), and a
 * namespace is a namespace of that owner only; so each call is authorized
 * from its arguments alone, before anything is read.
 */
export function exposeStore(component: AgentMemoryComponent, { authorize }: ExposeOptions) {
  const fns = component.store;
  const op = (name: string, access: Operation["access"], resourceId: string): Operation => ({
    name,
    domain: "store",
    access,
    resourceIds: [resourceId],
  });

  return {
    getStoreItems: queryGeneric({
      args: A.getStoreItems,
      returns: R.getStoreItems,
      handler: async (ctx, args) => {
        await authorize(ctx, op("getStoreItems", "read", args.resourceId));
        return ctx.runQuery(fns.getStoreItems, args);
      },
    }),
    searchStoreItems: queryGeneric({
      args: A.searchStoreItems,
      returns: R.searchStoreItems,
      handler: async (ctx, args) => {
        await authorize(ctx, op("searchStoreItems", "read", args.resourceId));
        return ctx.runQuery(fns.searchStoreItems, args);
      },
    }),
    listStoreNamespaces: queryGeneric({
      args: A.listStoreNamespaces,
      returns: R.listStoreNamespaces,
      handler: async (ctx, args) => {
        await authorize(ctx, op("listStoreNamespaces", "read", args.resourceId));
        return ctx.runQuery(fns.listStoreNamespaces, args);
      },
    }),
    countStoreItems: queryGeneric({
      args: A.countStoreItems,
      returns: R.countStoreItems,
      handler: async (ctx, args) => {
        await authorize(ctx, op("countStoreItems", "read", args.resourceId));
        return ctx.runQuery(fns.countStoreItems, args);
      },
    }),
    putStoreItems: mutationGeneric({
      args: A.putStoreItems,
      returns: R.putStoreItems,
      handler: async (ctx, args) => {
        await authorize(ctx, op("putStoreItems", "write", args.resourceId));
        return ctx.runMutation(fns.putStoreItems, args);
      },
    }),
    touchStoreItems: mutationGeneric({
      args: A.touchStoreItems,
      returns: R.touchStoreItems,
      handler: async (ctx, args) => {
        await authorize(ctx, op("touchStoreItems", "write", args.resourceId));
        return ctx.runMutation(fns.touchStoreItems, args);
      },
    }),
    searchStoreByVector: actionGeneric({
      args: A.searchStoreByVector,
      returns: R.searchStoreByVector,
      handler: async (ctx, args) => {
        await authorize(ctx, op("searchStoreByVector", "read", args.resourceId));
        return ctx.runAction(fns.searchStoreByVector, args);
      },
    }),
  };
}
