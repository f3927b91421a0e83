import { actionGeneric, mutationGeneric, queryGeneric } from "convex/server";
import { vectorSignatures as s } from "../component/model/vectors.js";
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

  return {
    createIndex: mutationGeneric({
      ...s.createIndex,
      handler: async (ctx, args) => {
        await options.authorize(ctx, op("createIndex", "write", args.name));
        return ctx.runMutation(vectors.createIndex, args);
      },
    }),
    listIndexes: queryGeneric({
      ...s.listIndexes,
      handler: async (ctx, args) => {
        await options.authorize(ctx, op("listIndexes", "read"));
        return ctx.runQuery(vectors.listIndexes, args);
      },
    }),
    describeIndex: queryGeneric({
      ...s.describeIndex,
      handler: async (ctx, args) => {
        await options.authorize(ctx, op("describeIndex", "read", args.indexName));
        return ctx.runQuery(vectors.describeIndex, args);
      },
    }),
    deleteIndex: mutationGeneric({
      ...s.deleteIndex,
      handler: async (ctx, args) => {
        await options.authorize(ctx, op("deleteIndex", "write", args.indexName));
        return ctx.runMutation(vectors.deleteIndex, args);
      },
    }),
    truncateIndex: mutationGeneric({
      ...s.truncateIndex,
      handler: async (ctx, args) => {
        await options.authorize(ctx, op("truncateIndex", "write", args.indexName));
        return ctx.runMutation(vectors.truncateIndex, args);
      },
    }),
    upsert: mutationGeneric({
      ...s.upsert,
      handler: async (ctx, args) => {
        await options.authorize(ctx, op("upsert", "write", args.indexName));
        return ctx.runMutation(vectors.upsert, args);
      },
    }),
    updateVector: mutationGeneric({
      ...s.updateVector,
      handler: async (ctx, args) => {
        await options.authorize(ctx, op("updateVector", "write", args.indexName));
        return ctx.runMutation(vectors.updateVector, args);
      },
    }),
    deleteVectors: mutationGeneric({
      ...s.deleteVectors,
      handler: async (ctx, args) => {
        await options.authorize(ctx, op("deleteVectors", "write", args.indexName));
        return ctx.runMutation(vectors.deleteVectors, args);
      },
    }),
    getVectors: queryGeneric({
      ...s.getVectors,
      handler: async (ctx, args) => {
        // Vectors have no owner; the index is what the policy sees (checked before reading).
        await options.authorize(ctx, op("getVectors", "read", args.indexName));
        return ctx.runQuery(vectors.getVectors, args);
      },
    }),
    query: actionGeneric({
      ...s.query,
      handler: async (ctx, args) => {
        await options.authorize(ctx, op("query", "read", args.indexName));
        return ctx.runAction(vectors.query, args);
      },
    }),
  };
}
