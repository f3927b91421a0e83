/**
 * Semantic recall: the owner's messages (of all its threads, or one) nearest to a
 * query vector, optionally fused with a keyword search of their text, each with its
 * neighbours, grouped as an LLM context wants them.
 *
 * One recall, step by step (`ctx.vectorSearch` runs only in actions):
 *
 * 1. The plan, one query: the namespace of the query's dimension (recallSpaces, one
 *    read; none: nothing was ever embedded in that dimension, an empty result) and how
 *    many of the owner's embeddings thread deletions have yet to remove (a counter,
 *    no document unless a deletion is under way).
 * 2. Hybrid only: the keyword side, one query: the owner's (thread's) messages
 *    embedded in that dimension whose text matches `keywordQuery`, in relevance order,
 *    at most `topK` (one document read per match; matches of an excluded thread or of a
 *    thread being deleted are skipped, and read).
 * 3. Vector search confined natively to the owner (or the thread): `topK` candidates,
 *    plus as many as deletions still hold. With `excludeThreadId`, MAX_SEARCH_LIMIT
 *    candidates, and a second search confined to that thread names its embeddings among
 *    them, which are dropped. No document is read.
 * 4. Hybrid only: the cosine of keyword-only matches, by vector searches confined to
 *    them (no read); reciprocal rank fusion as the vector store does (vectorHybrid.ts).
 * 5. The context, one query (recallContext.ts): hits read as their messages through
 *    `by_embedding`, best first, until `topK` are found (a hit whose thread is being
 *    deleted is skipped), each with its neighbours.
 *
 * Documents read: at most `topK × (1 + before + after)` + 1 (the namespace), while no
 * thread of the owner is being deleted; the keyword side adds at most `topK`.
 */
import type { GenericActionCtx, GenericDatabaseReader, GenericDatabaseWriter } from "convex/server";
import { v, type Infer, type ObjectType } from "convex/values";
import { internal } from "../_generated/api.js";
import type { DataModel, Doc } from "../_generated/dataModel.js";
import { invalidArgument, notFound } from "./errors.js";
import { checkBatch, limitExceeded } from "./limits.js";
import { groupContext, isBeingDeleted, readContext, vContextRead, vHitRef, vRecallGroup, type ContextRead, type HitRef } from "./recallContext.js";
import { readCounter } from "./counters.js";
import {
  checkEmbeddingBytes,
  countEmbeddings,
  deletingEmbeddingsKey,
  decodeEmbedding,
  dropEmbedding,
  EmbeddingCounts,
  embeddingDimensionOf,
  messageEmbeddingBytes,
  embeddingKey,
  findSpace,
  OWNER_SLOT,
  recallFieldsOf,
  THREAD_SLOT,
  threadSlotValue,
  writeEmbedding,
} from "./recallEmbeddings.js";
import { findThread } from "./threads.js";
import { checkName, vOwner } from "./shared.js";
import { fuseRankings, fusionOptions } from "./vectorHybrid.js";
import {
  decodeVector,
  MAX_SEARCH_LIMIT,
  scoreByKeys,
  searchEmbeddings,
  storedEmbeddingBytes,
  vEmbeddingId,
  vVectorValue,
  type EmbeddingId,
  type SlotTerm,
  type VectorValue,
} from "./vectorStorage.js";

type Reader = GenericDatabaseReader<DataModel>;

/** Most hits one recall returns (Convex's vector search limit). */
export const MAX_RECALL_TOP_K = MAX_SEARCH_LIMIT;
/** Most neighbours on each side of a hit. */
export const MAX_RECALL_CONTEXT = 100;
/** Most messages one recall may read: `topK × (1 + before + after)`. */
export const MAX_RECALL_MESSAGES = 4_096;

export const vRecallHit = v.object({
  /** The message's id. */
  id: v.string(),
  threadId: v.string(),
  /** Cosine similarity; with `keywordQuery`, the fused RRF score hits are ordered by. */
  score: v.number(),
  /** Hybrid only: cosine similarity of the message's embedding to `queryVector`. */
  vectorScore: v.optional(v.number()),
  /** Hybrid only: 1-based rank among the vector candidates (absent: not among them). */
  vectorRank: v.optional(v.number()),
  /** Hybrid only: 1-based rank among the keyword matches (absent: not among them). */
  keywordRank: v.optional(v.number()),
});
export type RecallHit = Infer<typeof vRecallHit>;

export const recallArgs = {
  recallMessages: {
    resourceId: vOwner,
    /** Recall from this thread only (default: every thread of the owner). */
    threadId: v.optional(v.string()),
    /** float64 numbers, or packed little-endian float32 bytes; its dimension picks the embeddings searched. */
    queryVector: vVectorValue,
    /** How many best-matching messages (1 to 256). */
    topK: v.number(),
    /** Hybrid recall: words searched in the messages' text, fused with the vector ranking (RRF). */
    keywordQuery: v.optional(v.string()),
    /** Hybrid recall: weight of the keyword ranking (the vector ranking weighs 1). Default 1. */
    keywordWeight: v.optional(v.number()),
    /** Hybrid recall: the `k` of reciprocal rank fusion. Default 60. */
    rrfK: v.optional(v.number()),
    /** Messages before each hit in its thread (0 to 100, default 0). */
    before: v.optional(v.number()),
    /** Messages after each hit in its thread (0 to 100, default 0). */
    after: v.optional(v.number()),
    /** Leave this thread out (e.g. the conversation already in the context). */
    excludeThreadId: v.optional(v.string()),
    /** Only messages whose cosine similarity is at least this. */
    minScore: v.optional(v.number()),
  },
  setMessageEmbeddings: {
    resourceId: vOwner,
    /** Each message's new embedding, or null to remove it (at most 1,000 and 12 MiB of embeddings a call). */
    embeddings: v.array(v.object({ id: v.string(), embedding: v.union(vVectorValue, v.null()) })),
  },
  countMessageEmbeddings: { resourceId: vOwner, threadId: v.optional(v.string()) },
};

export const recallReturns = {
  recallMessages: v.object({
    /** Hits with their neighbours: by thread (threads by their earliest message), chronological. */
    groups: v.array(vRecallGroup),
    /** The hits, best first. */
    hits: v.array(vRecallHit),
    /** How many nearest candidates the vector search returned. */
    candidates: v.number(),
    /** Hybrid only: how many keyword matches were fused. */
    keywordCandidates: v.optional(v.number()),
    /** True when fewer than topK hits came back although more may match (minScore or excludeThreadId cut the search). */
    mayBeIncomplete: v.boolean(),
    /** True when the byte budget (8 MiB of messages) left hits or neighbours out. */
    truncated: v.boolean(),
  }),
  setMessageEmbeddings: v.object({ set: v.number(), removed: v.number() }),
  countMessageEmbeddings: v.number(),
};

export type RecallArgs = ObjectType<(typeof recallArgs)["recallMessages"]>;
export type RecallResult = Infer<(typeof recallReturns)["recallMessages"]>;

function checkCount(value: number | undefined, field: string, max: number): number {
  if (value === undefined) return 0;
  if (!Number.isInteger(value) || value < 0 || value > max) {
    invalidArgument(`${field} must be an integer from 0 to ${max}`, { field });
  }
  return value;
}

/** The recall's arguments, checked (nothing depends on stored data). */
export function checkRecall(args: RecallArgs) {
  checkName(args.resourceId, "resourceId");
  if (args.threadId !== undefined) checkName(args.threadId, "threadId");
  if (args.excludeThreadId !== undefined) {
    checkName(args.excludeThreadId, "excludeThreadId");
    if (args.threadId !== undefined) invalidArgument("threadId and excludeThreadId do not go together");
  }
  if (!Number.isInteger(args.topK) || args.topK < 1 || args.topK > MAX_RECALL_TOP_K) {
    invalidArgument(`topK must be an integer from 1 to ${MAX_RECALL_TOP_K}`, { field: "topK" });
  }
  const before = checkCount(args.before, "before", MAX_RECALL_CONTEXT);
  const after = checkCount(args.after, "after", MAX_RECALL_CONTEXT);
  const reads = args.topK * (1 + before + after);
  if (reads > MAX_RECALL_MESSAGES) {
    limitExceeded(
      `topK × (1 + before + after) is ${reads}; one recall reads at most ${MAX_RECALL_MESSAGES} messages: ask fewer`,
      { limit: "recallMessages", max: MAX_RECALL_MESSAGES, actual: reads },
    );
  }
  if (args.minScore !== undefined && !Number.isFinite(args.minScore)) invalidArgument("minScore must be a finite number");
  const dimension = embeddingDimensionOf(args.queryVector, "queryVector");
  const vector = decodeVector(args.queryVector, dimension, "queryVector");
  return { before, after, dimension, vector, fusion: fusionOptions(args) };
}

// ---------------------------------------------------------------------------
// Queries the action runs

/** Hits located by their embedding: the message that names it. */
export async function messageOfEmbedding(db: Reader, resourceId: string, hit: HitRef): Promise<Doc<"messages"> | null> {
  const doc = await db
    .query("messages")
    .withIndex("by_embedding", (q) => q.eq("embeddingId", hit.key as EmbeddingId))
    .first();
  return doc !== null && doc.resourceId === resourceId ? doc : null;
}

export const vKeywordMatch = v.object({ embeddingId: vEmbeddingId, id: v.string(), threadId: v.string() });
export type KeywordMatch = Infer<typeof vKeywordMatch>;

export const keywordSearchArgs = {
  resourceId: v.string(),
  threadId: v.optional(v.string()),
  excludeThreadId: v.optional(v.string()),
  dimension: v.number(),
  keywordQuery: v.string(),
  topK: v.number(),
};

/**
 * The keyword side: the owner's (thread's) messages embedded in `dimension` whose text
 * matches, in relevance order, at most `topK`; matches of `excludeThreadId` are
 * skipped, and at most as many of them are read as that thread has embedded messages.
 */
export async function keywordSearch(
  db: Reader,
  args: ObjectType<typeof keywordSearchArgs>,
): Promise<{ matches: KeywordMatch[]; saturated: boolean }> {
  const excluded = args.excludeThreadId;
  let skippable = excluded === undefined ? 0 : await countEmbeddings(db, args.resourceId, excluded);
  const search = db.query("messageSearchTexts").withSearchIndex("by_text", (q) => {
    const base = q.search("text", args.keywordQuery).eq("resourceId", args.resourceId);
    const scoped = args.threadId === undefined ? base : base.eq("threadId", args.threadId);
    return scoped.eq("embeddingDimension", args.dimension);
  });
  const matches: KeywordMatch[] = [];
  const deleting = new Map<string, boolean>();
  for await (const doc of search) {
    if (doc.threadId === excluded) {
      if (--skippable < 0) return { matches, saturated: true };
      continue;
    }
    if (!deleting.has(doc.threadId)) deleting.set(doc.threadId, await isBeingDeleted(db, args.resourceId, doc.threadId));
    if (deleting.get(doc.threadId)) continue;
    matches.push({ embeddingId: doc.embeddingId, id: doc.messageId, threadId: doc.threadId });
    if (matches.length >= args.topK) return { matches, saturated: true };
  }
  return { matches, saturated: false };
}

export const readContextArgs = {
  resourceId: v.string(),
  /** Embedding ids, best first. */
  hits: v.array(vHitRef),
  /** How many hits to find (the rest are spares). */
  want: v.number(),
  before: v.number(),
  after: v.number(),
};

/** The hits (embedding ids) with their neighbours (recallContext.ts). */
export async function readRecallContext(db: Reader, args: ObjectType<typeof readContextArgs>): Promise<ContextRead> {
  return readContext(db, args, messageOfEmbedding);
}
export { vContextRead };

// ---------------------------------------------------------------------------
// The action

type ActionCtx = GenericActionCtx<DataModel>;

export const vRecallPlan = v.object({
  /** The namespace of the query's dimension (null: nothing was ever embedded in it). */
  ns: v.union(v.number(), v.null()),
  /** The owner's embeddings that thread deletions have yet to remove (not recalled: looked past). */
  pending: v.number(),
});

/** What a recall needs to know first: one document read (none for `pending`, but while threads are being deleted). */
export async function recallPlan(db: Reader, args: { resourceId: string; dimension: number }) {
  return {
    ns: await findSpace(db, args.dimension),
    pending: await readCounter(db, deletingEmbeddingsKey(args.resourceId)),
  };
}

const EMPTY: RecallResult = { groups: [], hits: [], candidates: 0, mayBeIncomplete: false, truncated: false };

interface Ranked {
  embeddingId: EmbeddingId;
  score: number;
  vectorScore?: number;
  vectorRank?: number;
  keywordRank?: number;
}

/** Runs one recall (see the steps at the top of this file). */
export async function runRecall(ctx: ActionCtx, args: RecallArgs): Promise<RecallResult> {
  const { before, after, dimension, vector, fusion } = checkRecall(args);
  const { resourceId, topK } = args;
  const plan: Infer<typeof vRecallPlan> = await ctx.runQuery(internal.recall.recallPlan, { resourceId, dimension });
  // Nothing embedded in this dimension: the same empty answer as an owner with nothing to recall.
  if (plan.ns === null) return fusion === null ? EMPTY : { ...EMPTY, keywordCandidates: 0 };
  const ns = plan.ns;

  const keyword: { matches: KeywordMatch[]; saturated: boolean } | null =
    fusion === null
      ? null
      : await ctx.runQuery(internal.recall.keywordSearch, {
          resourceId,
          ...(args.threadId === undefined ? {} : { threadId: args.threadId }),
          ...(args.excludeThreadId === undefined ? {} : { excludeThreadId: args.excludeThreadId }),
          dimension,
          keywordQuery: fusion.keywordQuery,
          topK,
        });

  // Candidates: topK, and as many more as thread deletions may still hold (they are skipped).
  const scope: SlotTerm =
    args.threadId === undefined
      ? { slot: OWNER_SLOT, value: resourceId }
      : { slot: THREAD_SLOT, value: threadSlotValue(resourceId, args.threadId) };
  const limit = args.excludeThreadId === undefined ? Math.min(MAX_SEARCH_LIMIT, topK + plan.pending) : MAX_SEARCH_LIMIT;
  const nearest = await searchEmbeddings(ctx, { dimension, ns, vector, limit, anyOf: [scope] });
  let candidates = nearest;
  if (args.excludeThreadId !== undefined) {
    // The excluded thread's embeddings among them, named by a search confined to it (no read).
    const inExcluded = await searchEmbeddings(ctx, {
      dimension,
      ns,
      vector,
      limit: MAX_SEARCH_LIMIT,
      anyOf: [{ slot: THREAD_SLOT, value: threadSlotValue(resourceId, args.excludeThreadId) }],
    });
    const dropped = new Set(inExcluded.map((c) => c.embeddingId));
    candidates = candidates.filter((c) => !dropped.has(c.embeddingId));
  }
  const aboveMin = candidates.filter((c) => args.minScore === undefined || c.score >= args.minScore);
  const vectorRanking = aboveMin.slice(0, topK + plan.pending);

  let ranked: Ranked[] = vectorRanking;
  let keywordCut = false;
  if (keyword !== null && fusion !== null) {
    const known = new Map(vectorRanking.map((c) => [c.embeddingId as string, c.score]));
    const missing = keyword.matches.filter((m) => !known.has(m.embeddingId));
    const scores =
      missing.length === 0
        ? new Map<string, number>()
        : await scoreByKeys(ctx, { dimension, ns, vector, keys: missing.map((m) => embeddingKey(resourceId, m.id)) });
    const keywordRanking = [];
    for (const match of keyword.matches) {
      const vectorScore = known.get(match.embeddingId) ?? scores.get(match.embeddingId);
      if (vectorScore === undefined) continue; // deleted since
      if (args.minScore !== undefined && vectorScore < args.minScore) continue;
      keywordRanking.push({ id: match.embeddingId, metadata: {}, embeddingId: match.embeddingId, vectorScore });
    }
    keywordCut = keyword.saturated && keywordRanking.length < keyword.matches.length;
    const fused = fuseRankings(
      vectorRanking.map((c) => ({ id: c.embeddingId, score: c.score, metadata: {}, embeddingId: c.embeddingId })),
      keywordRanking,
      { k: fusion.k, keywordWeight: fusion.keywordWeight, topK: vectorRanking.length + keywordRanking.length },
    );
    ranked = fused.map((f) => ({
      embeddingId: f.embeddingId,
      score: f.score,
      vectorScore: f.vectorScore,
      ...(f.vectorRank === undefined ? {} : { vectorRank: f.vectorRank }),
      ...(f.keywordRank === undefined ? {} : { keywordRank: f.keywordRank }),
    }));
  }

  const read: ContextRead = await ctx.runQuery(internal.recall.readRecallContext, {
    resourceId,
    hits: ranked.map((r) => ({ key: r.embeddingId })),
    want: topK,
    before,
    after,
  });
  const hits: RecallHit[] = [];
  const scores: number[] = [];
  read.hits.forEach((context, i) => {
    scores.push(ranked[i].score);
    if (context.hit === undefined) return; // deleted since the search, or its thread is being deleted
    const { embeddingId: _, ...rank } = ranked[i];
    hits.push({ id: context.hit.message.id, threadId: context.hit.message.threadId, ...rank });
  });
  // Fewer than topK although more may match: the search was cut at its limit (and
  // minScore cut nothing), or the keyword side was.
  const cut = nearest.length === limit && aboveMin.length === candidates.length;
  return {
    groups: groupContext(read.hits, scores),
    hits,
    candidates: nearest.length,
    ...(keyword === null ? {} : { keywordCandidates: keyword.matches.length }),
    mayBeIncomplete: hits.length < topK && !read.truncated && (cut || keywordCut),
    truncated: read.truncated,
  };
}

// ---------------------------------------------------------------------------
// Embeddings written after the messages

/**
 * Sets (or, with null, removes) the embeddings of the owner's messages. All or
 * nothing: NOT_FOUND (nothing written) when a message is missing or its thread is
 * being deleted. Returns how many were set and removed.
 */
export async function setMessageEmbeddings(
  db: GenericDatabaseWriter<DataModel>,
  args: ObjectType<(typeof recallArgs)["setMessageEmbeddings"]>,
): Promise<{ set: number; removed: number }> {
  const { resourceId, embeddings } = args;
  checkName(resourceId, "resourceId");
  checkBatch("message embeddings", embeddings);
  const seen = new Set<string>();
  for (const item of embeddings) {
    checkName(item.id, "embeddings[].id");
    if (seen.has(item.id)) invalidArgument(`message id "${item.id}" appears more than once in the batch`, { messageId: item.id });
    seen.add(item.id);
  }
  // What the embeddings alone would store, before reading anything; their texts are counted below.
  checkEmbeddingBytes(
    embeddings.flatMap((e) => (e.embedding === null ? [] : [storedEmbeddingBytes(embeddingDimensionOf(e.embedding, `message "${e.id}"`))])),
  );
  const vectors = embeddings.map((e) => (e.embedding === null ? null : decodeEmbedding(e.embedding, `message "${e.id}"`)));
  const threads = new Map<string, boolean>();
  const docs: Doc<"messages">[] = [];
  for (const item of embeddings) {
    const doc = await db
      .query("messages")
      .withIndex("by_resource_id", (q) => q.eq("resourceId", resourceId).eq("id", item.id))
      .unique();
    if (doc !== null && !threads.has(doc.threadId)) threads.set(doc.threadId, (await findThread(db, resourceId, doc.threadId)) !== null);
    if (doc === null || !threads.get(doc.threadId)) return notFound(`message "${item.id}" does not exist`, { messageId: item.id });
    docs.push(doc);
  }
  checkEmbeddingBytes(docs.flatMap((doc, i) => (vectors[i] === null ? [] : [messageEmbeddingBytes(vectors[i]!.length, doc.content)])));
  const counts = new EmbeddingCounts(resourceId);
  let set = 0;
  let removed = 0;
  for (const [i, doc] of docs.entries()) {
    const vector = vectors[i];
    const current = recallFieldsOf(doc);
    if (vector === null) {
      if (current.embeddingId === undefined) continue;
      await dropEmbedding(db, current);
      await db.patch(doc._id, { embeddingId: undefined, embeddingDimension: undefined });
      counts.add(doc.threadId, -1);
      removed++;
      continue;
    }
    const next = await writeEmbedding(
      db,
      { resourceId, messageId: doc.id, threadId: doc.threadId, content: doc.content },
      vector,
      current,
    );
    await db.patch(doc._id, next);
    if (current.embeddingId === undefined) counts.add(doc.threadId, 1);
    set++;
  }
  await counts.apply(db);
  return { set, removed };
}
