// The host app's functions for the benchmark, using @convex-dev/rag as its README shows:
// rag.add with chunks carrying their own embeddings and filter values, rag.search with a
// precomputed query embedding and filters.
import { RAG } from "@convex-dev/rag";
import { v } from "convex/values";
import { components } from "./_generated/api.js";
import { action } from "./_generated/server.js";

const noEmbedding: any = {
  specificationVersion: "v3",
  provider: "bench",
  modelId: "precomputed",
  maxEmbeddingsPerCall: 1,
  supportsParallelCalls: false,
  doEmbed: async () => {
    throw new Error("the benchmark passes precomputed embeddings");
  },
};

const rags = new Map<number, RAG<{ lang: string }>>();
function ragOf(dimension: number): RAG<{ lang: string }> {
  let rag = rags.get(dimension);
  if (rag === undefined) {
    rag = new RAG<{ lang: string }>(components.rag as any, {
      textEmbeddingModel: noEmbedding,
      embeddingDimension: dimension,
      filterNames: ["lang"],
    });
    rags.set(dimension, rag);
  }
  return rag;
}

/** One entry (a document) with its chunks, each with text and embedding; the entry's language as filter. */
export const addDocument = action({
  args: {
    namespace: v.string(),
    key: v.string(),
    dimension: v.number(),
    lang: v.string(),
    chunks: v.array(v.object({ text: v.string(), embedding: v.array(v.float64()) })),
  },
  handler: async (ctx, args) => {
    await ragOf(args.dimension).add(ctx, {
      namespace: args.namespace,
      key: args.key,
      chunks: args.chunks,
      filterValues: [{ name: "lang", value: args.lang }],
    });
    return null;
  },
});

export const search = action({
  args: { namespace: v.string(), dimension: v.number(), vector: v.array(v.float64()), limit: v.number(), lang: v.optional(v.string()) },
  handler: async (ctx, args) => {
    const { results } = await ragOf(args.dimension).search(ctx, {
      namespace: args.namespace,
      query: args.vector,
      limit: args.limit,
      ...(args.lang === undefined ? {} : { filters: [{ name: "lang" as const, value: args.lang }] }),
    });
    return results.map((r: any) => ({ entryId: r.entryId, order: r.order, score: r.score }));
  },
});
