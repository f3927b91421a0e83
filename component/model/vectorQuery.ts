/**
 * Query planning and execution of the vector store (the `query` action).
 *
 * One query, step by step (each step that reads is a transaction of its own,
 * because `ctx.vectorSearch` runs only in actions):
 *
 * 1. The index's configuration (namespace, dimension, filterable keys, textKey).
 *    It never changes for a registry row, so the action keeps it per name in module
 *    memory and skips this transaction when it has it; every later step re-reads
 *    the registry row (one document, read anyway) and reports `stale` if the name now
 *    means another row, and the query starts over with a fresh configuration.
 * 2. Planning (pure): the filter split into the part `ctx.vectorSearch` runs
 *    natively (a disjunction of equalities on declared keys, `[ns, value]`
 *    composites) and the residual applied after hydration; the over-fetch
 *    (MAX_TOP_K candidates when there is a residual, else topK).
 * 3. Hybrid only: the keyword side (vectorHybrid.ts), entries in relevance order.
 * 4. `ctx.vectorSearch`: ids and scores, no document read.
 * 5. Hydration: the registry row, then one entry per candidate through
 *    `by_embedding`, in score order, until topK pass the residual filter. No
 *    embedding is read: documents read = 1 + topK without a residual filter.
 * 6. Hybrid only: cosine scores of keyword-only matches by vector searches confined
 *    to them, then reciprocal rank fusion.
 * 7. `includeVector` only: the vectors of the final results, read by id in one more
 *    transaction (exactly the embeddings returned).
 */
import type { GenericActionCtx, GenericDatabaseReader } from "convex/server";
import { v, type Infer, type Value } from "convex/values";
import { internal } from "../_generated/api.js";
import type { DataModel, Id } from "../_generated/dataModel.js";
import { invalidArgument } from "./errors.js";
import { matchesFilter, parseFilter, planFilter, type FilterNode, type Json, type NativeTerm } from "./vectorFilter.js";
import { fuseRankings, fusionOptions, type KeywordMatch, type RankedVector, type ScoredKeywordMatch } from "./vectorHybrid.js";
import { decodeVector, readEmbeddingVector, scoreByKeys, searchEmbeddings, vectorLength, vEmbeddingId, type EmbeddingId, type VectorValue } from "./vectorStorage.js";
import { currentIndex, MAX_TOP_K, metadataOf, vMetadata, type IndexConfig, type QueryResult } from "./vectors.js";

type Reader = GenericDatabaseReader<DataModel>;

// ---------------------------------------------------------------------------
// The index's configuration, and its cache

/**
 * Configurations by index name, kept between calls of the action in this isolate.
 * Only a hint: every read step checks it against the registry (currentIndex).
 */
const knownIndexes = new Map<string, IndexConfig>();
const MAX_KNOWN_INDEXES = 1024;

function remember(config: IndexConfig): IndexConfig {
  if (knownIndexes.size >= MAX_KNOWN_INDEXES) knownIndexes.clear();
  knownIndexes.set(config.name, config);
  return config;
}

// ---------------------------------------------------------------------------
// Planning

export type QueryArgs = {
  indexName: string;
  queryVector: VectorValue;
  topK: number;
  filter?: string;
  filterMode?: "auto" | "native";
  includeVector?: boolean;
  minScore?: number;
  keywordQuery?: string;
  keywordWeight?: number;
  rrfK?: number;
};

/** What a query asks, checked without the index (nothing here depends on it). */
interface QueryRequest {
  args: QueryArgs;
  filter: FilterNode | null;
  fusion: ReturnType<typeof fusionOptions>;
}

function checkRequest(args: QueryArgs): QueryRequest {
  if (!Number.isInteger(args.topK) || args.topK < 1 || args.topK > MAX_TOP_K) {
    invalidArgument(`topK must be an integer from 1 to ${MAX_TOP_K}`, { topK: args.topK });
  }
  if (args.minScore !== undefined && !Number.isFinite(args.minScore)) invalidArgument("minScore must be a finite number");
  const fusion = fusionOptions(args);
  return { args, filter: parseFilter(args.filter), fusion };
}

export interface QueryPlan {
  vector: number[];
  /** Equalities run inside vectorSearch (null: the whole index). */
  native: NativeTerm[] | null;
  /** Whether a residual filter is applied after hydration (then the search over-fetches). */
  residual: boolean;
  /** Candidates asked of vectorSearch. */
  limit: number;
  postFiltered: boolean;
  keyword: null | {
    keywordQuery: string;
    keywordWeight: number;
    k: number;
    /** The one equality the keyword search runs natively. */
    nativeTerm?: NativeTerm;
    /** Whether the keyword side checks the whole filter on what it reads. */
    postFilter: boolean;
    scanLimit: number;
  };
}

/** Plans a query against an index's configuration; INVALID_ARGUMENT when it cannot run there. */
export function planQuery(request: QueryRequest, index: IndexConfig): QueryPlan {
  const { args, filter, fusion } = request;
  if (fusion !== null && index.textKey === undefined) {
    invalidArgument(`vector index "${args.indexName}" has no textKey, so it takes no keywordQuery; create it with a textKey`, {
      indexName: args.indexName,
    });
  }
  if (vectorLength(args.queryVector) !== index.dimension) {
    invalidArgument(`queryVector has ${vectorLength(args.queryVector)} dimensions; the index has ${index.dimension}`, {
      expected: index.dimension,
      got: vectorLength(args.queryVector),
    });
  }
  const vector = decodeVector(args.queryVector, index.dimension, "queryVector");
  const split = planFilter(filter, index.filterableKeys);
  if (args.filterMode === "native" && split.residual !== null) {
    invalidArgument(`filter cannot run natively: ${split.reason ?? "it needs post-filtering"}`, {
      filterableKeys: index.filterableKeys,
    });
  }
  // The keyword side runs at most one native equality (a search filter has no OR); the rest is checked after reading.
  const nativeTerm = split.native !== null && split.native.length === 1 ? split.native[0] : undefined;
  const keywordPostFilter = filter !== null && (nativeTerm === undefined || split.residual !== null);
  if (fusion !== null && args.filterMode === "native" && keywordPostFilter) {
    invalidArgument('with a keywordQuery, filterMode "native" takes one equality on a declared key (a search filter has no OR)', {
      filterableKeys: index.filterableKeys,
    });
  }
  const residual = split.residual !== null;
  return {
    vector,
    native: split.native,
    residual,
    // The vector side over-fetches only for its own residual filter.
    limit: residual ? MAX_TOP_K : args.topK,
    postFiltered: residual || (fusion !== null && keywordPostFilter),
    keyword:
      fusion === null
        ? null
        : {
            ...fusion,
            ...(nativeTerm === undefined ? {} : { nativeTerm }),
            postFilter: keywordPostFilter,
            // minScore is checked after scoring, so the keyword side then reads up to MAX_TOP_K.
            scanLimit: keywordPostFilter || args.minScore !== undefined ? MAX_TOP_K : args.topK,
          },
  };
}

// ---------------------------------------------------------------------------
// Hydration (an internal query)

export const vCandidate = v.object({ embeddingId: vEmbeddingId, score: v.number() });
export const vHydrated = v.object({
  stale: v.boolean(),
  results: v.array(v.object({ id: v.string(), score: v.number(), metadata: vMetadata, embeddingId: vEmbeddingId })),
  /** Whether every candidate was read (none left over when topK matched). */
  exhausted: v.boolean(),
});

/**
 * Reads the candidates' entries in score order, keeps those matching the filter,
 * and stops at topK: 1 (the registry row) + the candidates it needs documents read,
 * no embedding among them.
 */
export async function hydrate(
  db: Reader,
  args: { index: IndexConfig; candidates: Array<{ embeddingId: EmbeddingId; score: number }>; filter?: string; topK: number },
): Promise<Infer<typeof vHydrated>> {
  if ((await currentIndex(db, args.index)) === null) return { stale: true, results: [], exhausted: true };
  const filter = parseFilter(args.filter);
  const results = [];
  let read = 0;
  for (const candidate of args.candidates) {
    if (results.length >= args.topK) break;
    read++;
    const entry = await db
      .query("vectorEntries")
      .withIndex("by_embedding", (q) => q.eq("embeddingId", candidate.embeddingId))
      .first();
    if (entry === null || entry.ns !== args.index.ns) continue; // deleted since the search
    const metadata = metadataOf(entry, args.index.textKey);
    if (!matchesFilter(filter, metadata)) continue;
    results.push({ id: entry.id, score: candidate.score, metadata, embeddingId: entry.embeddingId });
  }
  return { stale: false, results, exhausted: read === args.candidates.length };
}

/** The stored vectors of these embeddings (null where one is gone), read by id. */
export async function readVectors(db: Reader, embeddingIds: EmbeddingId[]): Promise<Array<number[] | null>> {
  const out = [];
  for (const id of embeddingIds) out.push(await readEmbeddingVector(db, id));
  return out;
}

// ---------------------------------------------------------------------------
// The action

type ActionCtx = GenericActionCtx<DataModel>;
type KeywordSide = { stale: boolean; matches: KeywordMatch[]; scanned: number; saturated: boolean };
type Hydrated = Infer<typeof vHydrated>;

const EMPTY: QueryResult = { results: [], postFiltered: false, mayBeIncomplete: false, candidates: 0 };

/** Runs a vector (or hybrid) query; see the steps at the top of this file. */
export async function runQuery(ctx: ActionCtx, args: QueryArgs): Promise<QueryResult> {
  const request = checkRequest(args);
  let known = knownIndexes.get(args.indexName);
  for (;;) {
    const fromCache = known !== undefined;
    const index: IndexConfig =
      known ?? remember(await ctx.runQuery(internal.vectors.resolveIndex, { indexName: args.indexName }));
    let plan: QueryPlan;
    try {
      plan = planQuery(request, index);
    } catch (error) {
      if (!fromCache) throw error;
      knownIndexes.delete(args.indexName); // a refusal is decided on a fresh configuration
      known = undefined;
      continue;
    }
    const outcome = await execute(ctx, request, index, plan);
    if (outcome !== "stale") return outcome;
    knownIndexes.delete(args.indexName);
    if (!fromCache) return EMPTY; // the index went away while this query ran
    known = undefined;
  }
}

async function execute(ctx: ActionCtx, request: QueryRequest, index: IndexConfig, plan: QueryPlan): Promise<QueryResult | "stale"> {
  const { args } = request;
  const keyword: KeywordSide | null =
    plan.keyword === null
      ? null
      : await ctx.runQuery(internal.vectors.keywordSearch, {
          index,
          keywordQuery: plan.keyword.keywordQuery,
          ...(plan.keyword.nativeTerm === undefined
            ? {}
            : { nativeTerm: { slot: plan.keyword.nativeTerm.slot, value: plan.keyword.nativeTerm.value as Value } }),
          ...(args.filter === undefined ? {} : { filter: args.filter }),
          postFilter: plan.keyword.postFilter,
          scanLimit: plan.keyword.scanLimit,
          // minScore is checked here after scoring: the keyword side must not stop at topK before it.
          topK: args.minScore === undefined ? args.topK : plan.keyword.scanLimit,
        });
  if (keyword?.stale) return "stale";

  const nearest = await searchEmbeddings(ctx, {
    dimension: index.dimension,
    ns: index.ns,
    vector: plan.vector,
    limit: plan.limit,
    anyOf: plan.native?.map((t) => ({ slot: t.slot, value: t.value as Value })) ?? null,
  });
  const candidates = nearest.filter((c) => args.minScore === undefined || c.score >= args.minScore);
  const hydrated: Hydrated = await ctx.runQuery(internal.vectors.hydrate, {
    index,
    candidates,
    ...(args.filter === undefined ? {} : { filter: args.filter }),
    topK: args.topK,
  });
  if (hydrated.stale) return "stale";
  // More matches may exist beyond the candidates only when the search was cut at its limit,
  // minScore cut nothing, and every candidate was needed.
  const saturated = nearest.length === plan.limit && candidates.length === nearest.length;
  const vectorIncomplete = plan.residual && saturated && hydrated.exhausted;

  if (keyword === null || plan.keyword === null) {
    const results = await withVectors(ctx, args.includeVector ?? false, hydrated.results);
    return {
      results: results.map(({ embeddingId: _, ...match }) => match),
      postFiltered: plan.postFiltered,
      mayBeIncomplete: hydrated.results.length < args.topK && vectorIncomplete,
      candidates: nearest.length,
    };
  }

  const scored = await scoreKeywordMatches(ctx, index, plan.vector, hydrated.results, keyword.matches);
  const keywordRanking = scored.filter((m) => args.minScore === undefined || m.vectorScore >= args.minScore).slice(0, args.topK);
  const fused = fuseRankings(hydrated.results, keywordRanking, {
    k: plan.keyword.k,
    keywordWeight: plan.keyword.keywordWeight,
    topK: args.topK,
  });
  const results = await withVectors(ctx, args.includeVector ?? false, fused);
  return {
    results: results.map(({ embeddingId: _, ...match }) => match),
    postFiltered: plan.postFiltered,
    mayBeIncomplete:
      results.length < args.topK && (vectorIncomplete || (keyword.saturated && keywordRanking.length < args.topK)),
    candidates: nearest.length,
    keywordCandidates: keywordRanking.length,
  };
}

/**
 * The keyword matches with the cosine of their vectors to the query: from the
 * vector ranking when they are in it, else from vector searches confined to them.
 */
async function scoreKeywordMatches(
  ctx: ActionCtx,
  index: IndexConfig,
  vector: number[],
  ranked: RankedVector[],
  matches: KeywordMatch[],
): Promise<ScoredKeywordMatch[]> {
  const known = new Map(ranked.map((r) => [r.id, r.score]));
  const missing = matches.filter((m) => !known.has(m.id));
  const byEmbedding =
    missing.length === 0
      ? new Map<string, number>()
      : await scoreByKeys(ctx, { dimension: index.dimension, ns: index.ns, vector, keys: missing.map((m) => m.id) });
  const scored: ScoredKeywordMatch[] = [];
  for (const match of matches) {
    const vectorScore = known.get(match.id) ?? byEmbedding.get(match.embeddingId);
    if (vectorScore !== undefined) scored.push({ ...match, vectorScore }); // absent: deleted since
  }
  return scored;
}

/** The results with their vectors when asked (one more transaction, reading exactly those). */
async function withVectors<T extends { embeddingId: EmbeddingId }>(
  ctx: ActionCtx,
  includeVector: boolean,
  results: T[],
): Promise<Array<T & { vector?: number[] }>> {
  if (!includeVector || results.length === 0) return results;
  const vectors: Array<number[] | null> = await ctx.runQuery(internal.vectors.readVectors, {
    embeddingIds: results.map((r) => r.embeddingId),
  });
  const out: Array<T & { vector?: number[] }> = [];
  results.forEach((result, i) => {
    const vector = vectors[i];
    if (vector !== null) out.push({ ...result, vector }); // null: deleted since
  });
  return out;
}

