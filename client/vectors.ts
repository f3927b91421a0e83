import { actionGeneric, mutationGeneric, paginationOptsValidator, queryGeneric } from "convex/server";
import { v, type Infer } from "convex/values";
import {
  vCreateIndexArgs,
  vCreateIndexResult,
  vDeleteVectorsArgs,
  vDeleteVectorsResult,
  vGetVectorsArgs,
  vGetVectorsResult,
  vIndexDescription,
  vIndexNameArgs,
  vQueryArgs,
  vQueryResult,
  vUpdateVectorArgs,
  vUpsertArgs,
  vUpsertResult,
} from "../component/model/vectors.js";
import { vPage } from "../component/model/pagination.js";
import { fail } from "../component/model/errors.js";
import { isStoreIndexName } from "../component/model/storeVectors.js";
import type { Operation } from "./authorize.js";
import type { AgentMemoryComponent, ExposeOptions } from "./types.js";

/**
 * The vectors domain's functions, as public functions of the host app.
 * Vector indexes are shared (no owner): each call is authorized with the index
 * it names (`operation.indexName`); reads are query/describe/list/get, the rest
 * are writes. The default policy lets authenticated users read and services write.
 */
export function exposeVectors(component: AgentMemoryComponent, options: ExposeOptions) {
  const vectors = component.vectors;
  const op = (name: string, access: Operation["access"], indexName?: string): Operation => ({
    name,
    domain: "vectors",
    access,
    resourceIds: [],
    ...(indexName === undefined ? {} : { indexName }),
  });

  // The store's own vector indexes (langgraph-store-<dimension>) hold every owner's store vectors:
  // only the store's owner-checked functions may reach them.
  const notStoreIndex = (indexName: string) => {
    if (isStoreIndexName(indexName)) fail("NOT_FOUND", `vector index "${indexName}" does not exist`, { indexName });
  };

  return {
    createIndex: mutationGeneric({
      args: vCreateIndexArgs,
      returns: vCreateIndexResult,
      handler: async (ctx, args) => {
        await options.authorize(ctx, op("createIndex", "write", args.name));
        notStoreIndex(args.name);
        return ctx.runMutation(vectors.createIndex, args);
      },
    }),
    listIndexes: queryGeneric({
      args: { paginationOpts: paginationOptsValidator },
      returns: vPage(vIndexDescription),
      handler: async (ctx, args) => {
        await options.authorize(ctx, op("listIndexes", "read"));
        // Leave the store's indexes out and fill the page from the next ones (there are at most
        // one per dimension, so a few more reads at most).
        type Page = Infer<ReturnType<typeof vPage<typeof vIndexDescription>>>;
        const page: Page["page"] = [];
        let cursor = args.paginationOpts.cursor;
        let result: Page;
        do {
          const numItems = args.paginationOpts.numItems - page.length;
          result = await ctx.runQuery(vectors.listIndexes, { paginationOpts: { ...args.paginationOpts, numItems, cursor } });
          page.push(...result.page.filter((index) => !isStoreIndexName(index.name)));
          cursor = result.continueCursor;
        } while (!result.isDone && page.length < args.paginationOpts.numItems);
        return { page, isDone: result.isDone, continueCursor: result.continueCursor };
      },
    }),
    describeIndex: queryGeneric({
      args: vIndexNameArgs,
      returns: vIndexDescription,
      handler: async (ctx, args) => {
        await options.authorize(ctx, op("describeIndex", "read", args.indexName));
        notStoreIndex(args.indexName);
        return ctx.runQuery(vectors.describeIndex, args);
      },
    }),
    deleteIndex: mutationGeneric({
      args: vIndexNameArgs,
      returns: v.null(),
      handler: async (ctx, args) => {
        await options.authorize(ctx, op("deleteIndex", "write", args.indexName));
        notStoreIndex(args.indexName);
        return ctx.runMutation(vectors.deleteIndex, args);
      },
    }),
    truncateIndex: mutationGeneric({
      args: vIndexNameArgs,
      returns: v.null(),
      handler: async (ctx, args) => {
        await options.authorize(ctx, op("truncateIndex", "write", args.indexName));
        notStoreIndex(args.indexName);
        return ctx.runMutation(vectors.truncateIndex, args);
      },
    }),
    upsert: mutationGeneric({
      args: vUpsertArgs,
      returns: vUpsertResult,
      handler: async (ctx, args) => {
        await options.authorize(ctx, op("upsert", "write", args.indexName));
        notStoreIndex(args.indexName);
        return ctx.runMutation(vectors.upsert, args);
      },
    }),
    updateVector: mutationGeneric({
      args: vUpdateVectorArgs,
      returns: v.null(),
      handler: async (ctx, args) => {
        await options.authorize(ctx, op("updateVector", "write", args.indexName));
        notStoreIndex(args.indexName);
        return ctx.runMutation(vectors.updateVector, args);
      },
    }),
    deleteVectors: mutationGeneric({
      args: vDeleteVectorsArgs,
      returns: vDeleteVectorsResult,
      handler: async (ctx, args) => {
        await options.authorize(ctx, op("deleteVectors", "write", args.indexName));
        notStoreIndex(args.indexName);
        return ctx.runMutation(vectors.deleteVectors, args);
      },
    }),
    getVectors: queryGeneric({
      args: vGetVectorsArgs,
      returns: vGetVectorsResult,
      handler: async (ctx, args) => {
        // Vectors have no owner; the index is what the policy sees (checked before reading).
        await options.authorize(ctx, op("getVectors", "read", args.indexName));
        notStoreIndex(args.indexName);
        return ctx.runQuery(vectors.getVectors, args);
      },
    }),
    query: actionGeneric({
      args: vQueryArgs,
      returns: vQueryResult,
      handler: async (ctx, args) => {
        await options.authorize(ctx, op("query", "read", args.indexName));
        notStoreIndex(args.indexName);
        return ctx.runAction(vectors.query, args);
      },
    }),
  };
}
